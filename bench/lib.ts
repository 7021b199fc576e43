/** Shared by the benchmark suites: run commands as processes, time them, take medians, report ratios. */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
/** GHCR_OPTIMIZE_BIN runs another build of the CLI (e.g. one bundled by the benchmark itself). */
export const CLI = ['node', process.env.GHCR_OPTIMIZE_BIN || 'dist/bin/ghcr-optimize.mjs'];

/** Runs one command; asynchronous so in-process servers (the token server) keep answering. */
export async function run(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ ms: number; stdout: string }> {
  const start = performance.now();
  try {
    const r = await execFileAsync(argv[0]!, argv.slice(1), {
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { ms: performance.now() - start, stdout: r.stdout };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    throw new Error(`${argv.slice(0, 3).join(' ')} … failed (${e.code}): ${String(e.stderr).slice(0, 400)}`, {
      cause: err,
    });
  }
}

export async function runAll(cmds: string[][], env: Record<string, string> = {}): Promise<number> {
  let total = 0;
  for (const c of cmds) total += (await run(c, env)).ms;
  return total;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export interface Row {
  workload: string;
  oursMs: number;
  skopeoMs: number;
  /** ours ÷ skopeo: below 1 means ghcr-optimize is faster. */
  ratio: number;
  target?: string;
  note?: string;
}

export function row(workload: string, ours: number, skopeo: number, target?: string): Row {
  return {
    workload,
    oursMs: Math.round(ours),
    skopeoMs: Math.round(skopeo),
    ratio: Math.round((ours / skopeo) * 100) / 100,
    ...(target ? { target } : {}),
  };
}

export function printRows(title: string, rows: Row[]): void {
  console.log(`\n${title} (median of ${RUNS} runs; ratio = ours ÷ skopeo, below 1 = ghcr-optimize faster)\n`);
  console.log(
    `${'workload'.padEnd(44)} ${'skopeo'.padStart(9)} ${'ours'.padStart(9)} ${'ratio'.padStart(7)}  target`,
  );
  for (const r of rows) {
    const met = r.target ? (meets(r.ratio, r.target) ? 'met' : 'MISSED') : '';
    console.log(
      `${r.workload.padEnd(44)} ${`${r.skopeoMs} ms`.padStart(9)} ${`${r.oursMs} ms`.padStart(9)} ${r.ratio.toFixed(2).padStart(7)}  ${r.target ? `${r.target} ${met}` : ''}${r.note ? `  ${r.note}` : ''}`,
    );
  }
}

/** Targets are written `<= 0.85`. */
export function meets(ratio: number, target: string): boolean {
  const m = /^<=\s*([\d.]+)$/.exec(target.trim());
  if (!m) throw new Error(`bad target ${target}`);
  return ratio <= Number(m[1]);
}
