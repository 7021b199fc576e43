/** What a transfer reports while it runs; the CLI renders these, the library passes them through. */

export type TransferEvent =
  | { type: 'blob-start'; digest: string; size: number }
  | { type: 'blob-progress'; digest: string; bytes: number }
  | { type: 'blob-done'; digest: string; size: number; outcome: 'copied' | 'mounted' | 'skipped' | 'cached' }
  | { type: 'manifest-done'; digest: string; size: number; outcome: 'copied' | 'skipped' }
  | { type: 'tagged'; reference: string; digest: string };

export type TransferListener = (event: TransferEvent) => void;

export interface TransferSummary {
  blobs: { copied: number; skipped: number; mounted: number; cached: number };
  manifests: { copied: number; skipped: number };
  /** Bytes that crossed the network from the source (or were written, for local sources). */
  bytes: number;
  seconds: number;
  /** bytes / seconds, in MB/s (decimal), 0 when nothing moved. */
  mbPerSecond: number;
}

/** Accumulates events into the summary the CLI prints and `--json` returns. */
export class SummaryCollector {
  readonly #start = performance.now();
  readonly summary: TransferSummary = {
    blobs: { copied: 0, skipped: 0, mounted: 0, cached: 0 },
    manifests: { copied: 0, skipped: 0 },
    bytes: 0,
    seconds: 0,
    mbPerSecond: 0,
  };

  readonly listener: TransferListener = (e) => {
    const s = this.summary;
    if (e.type === 'blob-progress') s.bytes += e.bytes;
    else if (e.type === 'blob-done') {
      if (e.outcome === 'copied') s.blobs.copied++;
      else if (e.outcome === 'mounted') s.blobs.mounted++;
      else if (e.outcome === 'cached') s.blobs.cached++;
      else s.blobs.skipped++;
    } else if (e.type === 'manifest-done') {
      if (e.outcome === 'copied') s.manifests.copied++;
      else s.manifests.skipped++;
    }
  };

  finish(): TransferSummary {
    const s = this.summary;
    s.seconds = Math.round((performance.now() - this.#start) / 10) / 100;
    s.mbPerSecond = s.seconds > 0 ? Math.round((s.bytes / 1e6 / s.seconds) * 10) / 10 : 0;
    return s;
  }
}

/** Fans one event out to several listeners. */
export function combineListeners(...listeners: (TransferListener | undefined)[]): TransferListener {
  const active = listeners.filter((l): l is TransferListener => l !== undefined);
  return (e) => active.forEach((l) => l(e));
}
