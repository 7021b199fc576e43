/**
 * How commands talk to people and machines: results to stdout (a table/text, or JSON with
 * `--json`), progress and notices to stderr, colour only on a TTY and never with NO_COLOR.
 */
import { createColors } from 'picocolors';

export type Colors = ReturnType<typeof createColors>;

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  color?: boolean;
}

export interface Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly c: Colors;
  /** The command's result: JSON document with --json, else the rendered text. */
  result(data: unknown, render: () => string): void;
  /** Raw bytes to stdout (inspect --raw). */
  raw(bytes: Uint8Array | string): void;
  info(message: string): void;
  warn(message: string): void;
}

export function colorEnabled(
  stream: NodeJS.WriteStream,
  flag: boolean | undefined,
  env = process.env,
): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  // FORCE_COLOR=0/false turns colour off, like chalk and Node's own tty module.
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.FORCE_COLOR !== undefined) return true;
  return stream.isTTY === true;
}

export function createOutput(
  opts: OutputOptions,
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): Output {
  const c = createColors(colorEnabled(stdout, opts.color));
  const ec = createColors(colorEnabled(stderr, opts.color));
  return {
    json: opts.json === true,
    quiet: opts.quiet === true,
    c,
    result(data, render) {
      stdout.write(opts.json ? `${JSON.stringify(data, null, 2)}\n` : ensureNewline(render()));
    },
    raw(bytes) {
      stdout.write(bytes);
    },
    info(message) {
      if (!opts.quiet && !opts.json) stderr.write(`${message}\n`);
    },
    warn(message) {
      if (!opts.quiet) stderr.write(`${ec.yellow('warning:')} ${message}\n`);
    },
  };
}

function ensureNewline(s: string): string {
  return s === '' || s.endsWith('\n') ? s : `${s}\n`;
}

/** Plain aligned columns (pipe-friendly, like kubectl), no box drawing. */
export function formatTable(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => visibleLength(r[i] ?? ''))));
  return all
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Decimal units, as registries and `docker images` report sizes. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  let u = 0;
  let v = n;
  // Move up a unit while the rounded figure would read 1000 or more ("1000.0 KB" is "1.00 MB").
  while (u < UNITS.length - 1 && Number(v.toFixed(v < 10 ? 2 : 1)) >= 1000) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${UNITS[u]}`;
}

export function shortDigest(digest: string): string {
  const [alg, hex] = digest.split(':');
  return hex ? `${alg}:${hex.slice(0, 12)}` : digest;
}
