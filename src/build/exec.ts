/**
 * Runs a builder process: no shell, output kept (the last lines, for the error message) and
 * optionally passed on line by line. Never rejects on a non-zero exit: the caller decides.
 */
import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number | null;
  /** The last lines of stdout and stderr, interleaved as they came. */
  tail: string[];
  /** ENOENT and friends: the program could not be started. */
  spawnError?: NodeJS.ErrnoException;
}

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
  /** Lines kept for the result. Default 20. */
  keep?: number;
}

export function execTool(
  program: string,
  args: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  return new Promise((resolve) => {
    const keep = opts.keep ?? 20;
    const tail: string[] = [];
    const child = spawn(program, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    let spawnError: NodeJS.ErrnoException | undefined;
    const partial = { out: '', err: '' };
    const take = (which: 'out' | 'err') => (chunk: Buffer) => {
      const lines = (partial[which] + chunk.toString('utf8')).split(/\r?\n/);
      partial[which] = lines.pop() ?? '';
      for (const line of lines) push(line);
    };
    const push = (line: string): void => {
      if (line.trim() === '') return;
      tail.push(line);
      if (tail.length > keep) tail.shift();
      opts.onLine?.(line);
    };
    child.stdout.on('data', take('out'));
    child.stderr.on('data', take('err'));
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code) => {
      push(partial.out);
      push(partial.err);
      resolve({ code, tail, ...(spawnError ? { spawnError } : {}) });
    });
  });
}

/** True when `program args` runs and exits 0 (tool detection). */
export async function toolWorks(program: string, args: readonly string[]): Promise<boolean> {
  const r = await execTool(program, args, { keep: 0 });
  return r.spawnError === undefined && r.code === 0;
}
