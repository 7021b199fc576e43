/**
 * The live transfer display: one summary line plus a line per active blob, redrawn in place on
 * a TTY (stderr) a few times a second. Off a TTY, with --quiet or --json it draws nothing.
 */
import type { TransferEvent, TransferListener } from '../transfer/events.js';
import { formatBytes, shortDigest, type Colors } from './output.js';

interface ActiveBlob {
  size: number;
  done: number;
}

const MAX_ACTIVE_LINES = 6;
const BAR_WIDTH = 20;

export interface ProgressDisplay {
  listener: TransferListener;
  stop(): void;
}

export function createProgress(
  stream: NodeJS.WriteStream,
  opts: { enabled: boolean; colors: Colors; label: string },
): ProgressDisplay {
  if (!opts.enabled) return { listener: () => undefined, stop: () => undefined };
  const c = opts.colors;
  const active = new Map<string, ActiveBlob>();
  let seen = 0;
  let finished = 0;
  let skipped = 0;
  let mounted = 0;
  let bytes = 0;
  let totalBytes = 0;
  let drawn = 0;
  const start = performance.now();

  const draw = (): void => {
    const secs = (performance.now() - start) / 1000;
    const rate = secs > 0 ? bytes / secs : 0;
    const lines = [
      `${c.bold(opts.label)}  ${finished}/${seen} blobs · ${formatBytes(bytes)}/${formatBytes(totalBytes)} · ${formatBytes(Math.round(rate))}/s · ${skipped} skipped · ${mounted} mounted`,
    ];
    for (const [digest, b] of [...active].slice(0, MAX_ACTIVE_LINES)) {
      const frac = b.size > 0 ? Math.min(1, b.done / b.size) : 0;
      const filled = Math.round(frac * BAR_WIDTH);
      lines.push(
        `  ${shortDigest(digest)}  [${c.cyan('#'.repeat(filled))}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(frac * 100)).padStart(3)}%  ${formatBytes(b.done)}/${formatBytes(b.size)}`,
      );
    }
    if (active.size > MAX_ACTIVE_LINES) lines.push(c.dim(`  … ${active.size - MAX_ACTIVE_LINES} more`));
    // Move to the first line drawn last time, then rewrite and clear what is left over.
    let out = drawn > 0 ? `\u001b[${drawn}A` : '';
    for (const line of lines) out += `\u001b[2K${line}\n`;
    for (let i = lines.length; i < drawn; i++) out += '\u001b[2K\n';
    if (drawn > lines.length) out += `\u001b[${drawn - lines.length}A`;
    stream.write(out);
    drawn = lines.length;
  };
  const timer = setInterval(draw, 120);
  timer.unref();

  const listener = (e: TransferEvent): void => {
    switch (e.type) {
      case 'blob-start':
        // Blobs that need work announce themselves; skipped ones only report done.
        seen++;
        totalBytes += e.size;
        active.set(e.digest, { size: e.size, done: 0 });
        break;
      case 'blob-progress': {
        bytes += e.bytes;
        const b = active.get(e.digest);
        if (b) b.done += e.bytes;
        break;
      }
      case 'blob-done':
        if (!active.delete(e.digest)) seen++;
        finished++;
        if (e.outcome === 'skipped' || e.outcome === 'cached') skipped++;
        if (e.outcome === 'mounted') mounted++;
        break;
      default:
        break;
    }
  };

  return {
    listener,
    stop() {
      clearInterval(timer);
      if (drawn > 0) {
        let out = `\u001b[${drawn}A`;
        for (let i = 0; i < drawn; i++) out += '\u001b[2K\n';
        out += `\u001b[${drawn}A`;
        stream.write(out);
      }
      drawn = 0;
    },
  };
}
