/**
 * The boundary between commands and the process: one line of error (and a hint) on stderr,
 * a documented exit code, and a stack trace only with --debug.
 */
import { CommanderError } from 'commander';
import { ExitCode, fileSystemError, isGhcrOptimizeError } from '../errors.js';
import { createContext, type Context, type GlobalOptions, type RunOptions } from './context.js';
import { redactSecrets } from '../util/redact.js';

export interface ErrorReport {
  kind: string;
  message: string;
  hint?: string;
  exitCode: number;
}

export function errorReport(error: unknown): ErrorReport {
  const err = fileSystemError(error);
  if (isGhcrOptimizeError(err)) {
    return {
      kind: err.kind,
      message: redactSecrets(err.message),
      ...(err.hint ? { hint: err.hint } : {}),
      exitCode: err.exitCode,
    };
  }
  if (err instanceof CommanderError) {
    return {
      kind: 'usage',
      message: err.message.replace(/^error: /, ''),
      hint: 'run "ghcr-optimize --help" (or COMMAND --help) for usage',
      exitCode: ExitCode.Usage,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    kind: 'unexpected',
    message: `unexpected error: ${redactSecrets(message.split('\n')[0] ?? message)}`,
    hint: 'run again with --debug for details, and please report it',
    exitCode: ExitCode.Failure,
  };
}

export function printError(
  err: unknown,
  opts: { json?: boolean; debug?: boolean },
  stderr = process.stderr,
): number {
  const report = errorReport(err);
  if (opts.json) {
    stderr.write(`${JSON.stringify({ error: report })}\n`);
  } else {
    stderr.write(`error: ${report.message}\n`);
    if (report.hint) stderr.write(`hint: ${report.hint}\n`);
  }
  if (opts.debug && err instanceof Error && err.stack) stderr.write(`${redactSecrets(err.stack)}\n`);
  return report.exitCode;
}

/** Builds a runner bound to the program's global options; sets process.exitCode, never exits. */
export function makeRunner(globals: () => GlobalOptions) {
  return async (fn: (ctx: Context) => Promise<void>, opts?: RunOptions): Promise<void> => {
    const g = globals();
    let ctx: Context | undefined;
    try {
      ctx = await createContext(g, opts);
      await fn(ctx);
    } catch (err) {
      process.exitCode = printError(err, g);
    } finally {
      await ctx?.close().catch(() => undefined);
    }
  };
}
