/**
 * What every command gets: parsed global options, the loaded config, an output, and (lazily) a
 * registry client configured from flags + config (CA files, insecure hosts, credentials).
 */
import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { loadConfig, type Config } from '../config/config.js';
import { findCredential, type Credential } from '../registry/credentials/index.js';
import type { RegistryClient } from '../registry/client.js';
import type { CredentialSource } from '../registry/auth.js';
import { createOutput, type Output } from './output.js';

export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;
  configFile?: string;
  insecure?: boolean;
  caFile?: string[];
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  concurrency?: string;
  timeout?: string;
}

export interface Context {
  globals: GlobalOptions;
  out: Output;
  config: Config;
  /** A client for talking to `registries` (their config entries and --insecure apply). */
  client(registries: string[], credentials?: CredentialSource): Promise<RegistryClient>;
  /** --username / --password / --password-stdin, read once (stdin can only be read once). */
  explicitCredentials(): Promise<{ username?: string; password?: string } | undefined>;
  close(): Promise<void>;
  signal: AbortSignal;
}

export function positiveInt(value: string | undefined, flag: string, fallback: number, max = 1024): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}, got "${value}"`);
  }
  return n;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError('--password-stdin expects the password on standard input', {
      hint: 'pipe it in: echo "$GHCR_TOKEN" | ghcr-optimize ... --password-stdin',
    });
  }
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  // Like docker login: one trailing newline is not part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** The password from --password-stdin / --password, read once. */
export async function explicitCredentials(
  g: GlobalOptions,
): Promise<{ username?: string; password?: string } | undefined> {
  if (g.passwordStdin && g.password !== undefined)
    throw new UsageError('use either --password or --password-stdin, not both');
  const password = g.passwordStdin ? await readStdin() : g.password;
  if (password === undefined && g.username === undefined) return undefined;
  if (password !== undefined && password === '') throw new UsageError('the password is empty');
  return {
    ...(g.username !== undefined ? { username: g.username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

export interface RunOptions {
  /** false: do not load the config file (`config validate` reports its problems itself). */
  config?: boolean;
}

export async function createContext(globals: GlobalOptions, opts: RunOptions = {}): Promise<Context> {
  const out = createOutput(globals);
  const { config } =
    opts.config === false
      ? { config: {} }
      : await loadConfig(globals.configFile ?? (process.env.GHCR_OPTIMIZE_CONFIG || undefined));
  const controller = new AbortController();
  // One signal serves every request of a command; a copy has dozens in flight, each listening.
  setMaxListeners(0, controller.signal);
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  const clients: RegistryClient[] = [];
  let explicit: Promise<{ username?: string; password?: string } | undefined> | undefined;
  return {
    globals,
    out,
    config,
    signal: controller.signal,
    explicitCredentials() {
      explicit ??= explicitCredentials(globals);
      return explicit;
    },
    async client(registries, credentials) {
      explicit ??= explicitCredentials(globals);
      const creds = await explicit;
      const regs = config.registries ?? {};
      const insecureHosts = registries.filter((r) => globals.insecure || regs[r]?.insecure);
      for (const [host, rc] of Object.entries(regs))
        if (rc?.insecure && !insecureHosts.includes(host)) insecureHosts.push(host);
      const caFiles = [
        ...(globals.caFile ?? []),
        ...Object.values(regs).flatMap((rc) => (rc?.caFile ? [rc.caFile] : [])),
      ];
      const caCertificates = await Promise.all(
        caFiles.map(async (f) => {
          try {
            return await readFile(f, 'utf8');
          } catch (err) {
            throw new UsageError(
              `cannot read CA file ${f}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
            );
          }
        }),
      );
      const perRegistry = registries.map((r) => regs[r]?.concurrency).find((n) => n !== undefined);
      const timeoutS =
        globals.timeout === undefined ? undefined : positiveInt(globals.timeout, '--timeout', 60, 3600);
      // Loaded on first use: commands on local layouts never pay for the HTTP stack.
      const { RegistryClient } = await import('../registry/client.js');
      const client = new RegistryClient({
        connectionsPerOrigin: positiveInt(globals.concurrency, '--concurrency', perRegistry ?? 8, 64),
        caCertificates,
        insecureHosts,
        ...(timeoutS
          ? {
              headersTimeoutMs: timeoutS * 1000,
              bodyTimeoutMs: timeoutS * 1000,
              connectTimeoutMs: timeoutS * 1000,
            }
          : {}),
        ...(globals.debug ? { debug: (line: string) => process.stderr.write(`debug: ${line}\n`) } : {}),
        credentials:
          credentials ??
          ((registry): Promise<Credential | undefined> =>
            findCredential(registry, creds ? { explicit: creds } : {})),
      });
      clients.push(client);
      return client;
    },
    async close() {
      process.removeListener('SIGINT', onSigint);
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

/** Wraps a command body: builds the context, runs, maps errors to exit codes (see main.ts). */
export type Runner = (fn: (ctx: Context) => Promise<void>, opts?: RunOptions) => Promise<void>;
