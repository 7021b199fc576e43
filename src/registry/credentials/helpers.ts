import { spawn } from 'node:child_process';

import { AuthError, UsageError } from '../../errors.js';
import { scrubSecrets } from './redact.js';
import type { CredentialFields } from './types.js';
import { findProgram } from '../../util/find-program.js';

/**
 * The docker-credential-helpers protocol: `docker-credential-<name> get|store|erase`, request on
 * stdin, answer on stdout, failure as a message on stdout (some helpers use stderr) and a non-zero
 * exit.
 */

export const DEFAULT_HELPER_TIMEOUT_MS = 10_000;

// The helper's answer for "nothing stored for that server"; not an error for us.
const NOT_FOUND = /credentials not found/i;
// Docker's marker: the secret is an identity (refresh) token rather than a password.
const TOKEN_USERNAME = '<token>';
// A credential answer is a few hundred bytes; anything near this is a misbehaving program.
const MAX_OUTPUT_BYTES = 1 << 20;

export interface HelperContext {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** The file that named the helper, so errors can say where to change it. */
  configFile: string;
}

export function helperProgram(name: string): string {
  return `docker-credential-${name}`;
}

export function helperSource(name: string): string {
  return `credential helper ${helperProgram(name)}`;
}

export async function helperGet(
  name: string,
  server: string,
  ctx: HelperContext,
): Promise<CredentialFields | undefined> {
  const program = helperProgram(name);
  const result = await runHelper(name, 'get', server, ctx);
  if (result.code !== 0) {
    if (NOT_FOUND.test(result.output)) return undefined;
    throw helperFailure(program, `could not get credentials for ${server}`, result, ctx, []);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    // The output is not echoed: it may well be a secret in some unexpected format.
    throw new AuthError(
      `credential helper ${program} answered "get" for ${server} with something other than JSON`,
      undefined,
      undefined,
      {
        hint: `check that ${program} is a docker credential helper, or remove it from ${ctx.configFile}`,
      },
    );
  }
  const answer = parsed as Record<string, unknown>;
  const username = typeof answer['Username'] === 'string' ? answer['Username'] : '';
  const secret = typeof answer['Secret'] === 'string' ? answer['Secret'] : '';
  if (secret === '') return undefined;
  if (username === TOKEN_USERNAME) return { identityToken: secret };
  return username === '' ? { password: secret } : { username, password: secret };
}

export async function helperStore(
  name: string,
  server: string,
  username: string,
  secret: string,
  ctx: HelperContext,
): Promise<void> {
  const input = JSON.stringify({ ServerURL: server, Username: username, Secret: secret });
  const result = await runHelper(name, 'store', input, ctx);
  if (result.code !== 0) {
    const known = [secret, Buffer.from(`${username}:${secret}`).toString('base64')];
    throw helperFailure(helperProgram(name), `could not store credentials for ${server}`, result, ctx, known);
  }
}

/** True when the helper removed something, false when it had nothing for `server`. */
export async function helperErase(name: string, server: string, ctx: HelperContext): Promise<boolean> {
  const result = await runHelper(name, 'erase', server, ctx);
  if (result.code === 0) return true;
  if (NOT_FOUND.test(result.output)) return false;
  throw helperFailure(helperProgram(name), `could not erase credentials for ${server}`, result, ctx, []);
}

interface HelperResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stdout and stderr together, for messages: helpers disagree on where errors go. */
  output: string;
}

function helperFailure(
  program: string,
  what: string,
  result: HelperResult,
  ctx: HelperContext,
  known: string[],
): AuthError {
  const status = result.signal ? `killed by ${result.signal}` : `exit ${result.code ?? '?'}`;
  const said = scrubSecrets(result.output, known);
  return new AuthError(
    `credential helper ${program} ${what} (${status})${said ? `: ${said}` : ''}`,
    undefined,
    undefined,
    {
      hint: `check that ${program} works (a locked keychain or GPG agent is a common cause), or remove it from ${ctx.configFile}`,
    },
  );
}

async function runHelper(
  name: string,
  action: string,
  input: string,
  ctx: HelperContext,
): Promise<HelperResult> {
  const program = helperProgram(name);
  // The name comes from a config file; a path separator would let it run any program on disk.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new UsageError(`${ctx.configFile} names an invalid credential helper "${name.slice(0, 100)}"`, {
      hint: 'credsStore and credHelpers take a helper name such as "pass", meaning docker-credential-pass',
    });
  }
  const executable = await findOnPath(program, ctx.env);
  if (executable === undefined) {
    throw new UsageError(`credential helper ${program} is not installed (not found on PATH)`, {
      hint: `install ${program}, or remove "${name}" from credsStore/credHelpers in ${ctx.configFile}`,
    });
  }
  return new Promise<HelperResult>((resolve, reject) => {
    const child = spawn(executable, [action], {
      env: ctx.env,
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        child.kill('SIGKILL');
        finish(() =>
          reject(
            new AuthError(
              `credential helper ${program} wrote more than ${MAX_OUTPUT_BYTES} bytes`,
              undefined,
              undefined,
              {
                hint: `check that ${program} is a docker credential helper, or remove it from ${ctx.configFile}`,
              },
            ),
          ),
        );
        return;
      }
      into.push(chunk);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      // Settle now rather than on 'close': a grandchild may hold the pipes open indefinitely.
      child.stdout.destroy();
      child.stderr.destroy();
      finish(() =>
        reject(
          new AuthError(
            `credential helper ${program} did not answer "${action}" within ${formatSeconds(ctx.timeoutMs)}`,
            undefined,
            undefined,
            {
              hint: `it may be waiting for a keychain unlock or a GPG passphrase; check that ${program} works, or remove it from ${ctx.configFile}`,
            },
          ),
        ),
      );
    }, ctx.timeoutMs);
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish(() =>
        reject(
          new UsageError(`cannot run credential helper ${program}: ${err.code ?? 'spawn failed'}`, {
            hint: `check that ${executable} is executable, or remove "${name}" from ${ctx.configFile}`,
          }),
        ),
      );
    });
    child.on('close', (code, signal) => {
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      finish(() => resolve({ code, signal, stdout: out, output: `${out}\n${err}`.trim() }));
    });
    // A helper may exit without reading its input; that is its answer, not our error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/**
 * Resolves a program through `env.PATH` (not our own PATH), so the caller's environment decides
 * which helper runs and a missing one gets a clear error instead of a spawn ENOENT.
 */
function findOnPath(program: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return Promise.resolve(findProgram(program, env));
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
