/**
 * Runs the CLI the way a user does: a separate `node` process on the current source (through
 * tsx, no build), in a controlled environment built from an allowlist, with its own HOME and
 * DOCKER_CONFIG, and a timeout.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { trackChild } from './lifecycle.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
// An absolute URL: `--import tsx` would be resolved from the (temporary) working directory.
const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;

export interface CliResult {
  args: string[];
  /** Exit code; null when the process was killed (see `signal`, `timedOut`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  /** stdout exactly as written (for `--raw` / `--config`). */
  stdoutBytes: Buffer;
  stderr: string;
  /** Non-empty stderr lines. */
  stderrLines: string[];
}

export interface CliOptions {
  /** HOME and DOCKER_CONFIG for the run (a fresh temp dir per suite). */
  home: string;
  /** Working directory; default `home`. */
  cwd?: string;
  /** Added to the environment (after PATH, HOME, DOCKER_CONFIG, NO_COLOR). */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed; stdin is always a pipe (never a TTY). */
  stdin?: string | Buffer;
  /** Killed with SIGKILL after this long; default 20 s. */
  timeoutMs?: number;
  /** Run the CLI under this command prefix (e.g. `unshare …`), which must exec its arguments. */
  wrap?: string[];
}

/** The environment a run gets: nothing inherited but PATH. */
export function cliEnv(opts: CliOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: opts.home,
    DOCKER_CONFIG: opts.home,
    NO_COLOR: '1',
    ...opts.env,
  };
}

/** `ghcr-optimize ...args`; resolves with what it printed and its exit code (never rejects on failure). */
export function runCli(args: string[], opts: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const argv = [...(opts.wrap ?? []), process.execPath, '--import', TSX, MAIN, ...args];
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd ?? opts.home,
      env: cliEnv(opts),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    trackChild(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 20_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({
        args,
        code,
        signal,
        timedOut,
        stdout: stdoutBytes.toString('utf8'),
        stdoutBytes,
        stderr,
        stderrLines: stderr.split('\n').filter((l) => l.trim() !== ''),
      });
    });
    // EPIPE when the CLI exits without reading stdin is expected.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.stdin ?? '');
  });
}

/** For assertion messages: everything a run printed. */
export function describeRun(r: CliResult): string {
  return `ghcr-optimize ${r.args.join(' ')} → exit ${r.code ?? r.signal}${r.timedOut ? ' (timed out)' : ''}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}
