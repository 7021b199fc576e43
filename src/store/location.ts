/**
 * Where the insights store lives: `GHCR_OPTIMIZE_STORE_URL`, else `store.url` in the config file,
 * else an SQLite file under `$XDG_DATA_HOME/ghcr-optimize/`. Pure: no file or network access.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

export type StoreLocation =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string }
  /** `store.url: off`: nothing is recorded, and `memory` / `insights` refuse to run. */
  | { kind: 'off' };

export const STORE_URL_ENV = 'GHCR_OPTIMIZE_STORE_URL';

const OFF = new Set(['off', 'none', 'false', 'disabled']);

/** `$XDG_DATA_HOME/ghcr-optimize/insights.db`, default `~/.local/share/ghcr-optimize/insights.db`. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  // The XDG spec says relative values are to be ignored.
  const xdg = env.XDG_DATA_HOME;
  const base =
    xdg && isAbsolute(xdg)
      ? xdg
      : join(env.HOME && env.HOME.length > 0 ? env.HOME : homedir(), '.local', 'share');
  return join(base, 'ghcr-optimize', 'insights.db');
}

/** `store.url` from the (loosely parsed) config; undefined when absent. */
export function configuredStoreUrl(config: unknown): string | undefined {
  if (config === null || typeof config !== 'object') return undefined;
  const store = (config as Record<string, unknown>).store;
  if (store === undefined || store === null) return undefined;
  if (typeof store !== 'object' || Array.isArray(store)) {
    throw new UsageError('config: store must be a mapping with a "url" key', {
      hint: 'e.g. store: { url: postgres://user@db.internal/ghcr }',
    });
  }
  const url = (store as Record<string, unknown>).url;
  if (url === undefined || url === null) return undefined;
  if (typeof url !== 'string' || url.trim() === '') {
    throw new UsageError('config: store.url must be a non-empty string', {
      hint: 'postgres://USER:PASSWORD@HOST:PORT/DATABASE, sqlite:PATH, or off',
    });
  }
  return url.trim();
}

/** Parses a store URL: `postgres://…` / `postgresql://…`, `sqlite:PATH`, or `off`. */
export function parseStoreUrl(url: string, cwd = process.cwd()): StoreLocation {
  const u = url.trim();
  if (OFF.has(u.toLowerCase())) return { kind: 'off' };
  if (/^postgres(?:ql)?:\/\//i.test(u)) {
    try {
      const parsed = new URL(u);
      if (parsed.hostname === '' && !parsed.searchParams.has('host')) throw new Error('no host');
    } catch {
      throw new UsageError(`invalid store URL "${redactStoreUrl(u)}"`, {
        hint: 'use postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode special characters)',
      });
    }
    return { kind: 'postgres', url: u };
  }
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/i.exec(u);
  if (sqlite?.[1]) {
    const path = sqlite[1];
    return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(cwd, path) };
  }
  throw new UsageError(`unsupported store URL "${redactStoreUrl(u)}"`, {
    hint: 'use postgres://USER:PASSWORD@HOST:PORT/DATABASE, sqlite:PATH, or off',
  });
}

/** The store a command uses, from the environment (first) and the config file. */
export function resolveStoreLocation(config: unknown, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  const fromEnv = env[STORE_URL_ENV];
  const url = fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : configuredStoreUrl(config);
  if (url === undefined) return { kind: 'sqlite', path: defaultStorePath(env) };
  return parseStoreUrl(url);
}

/** A PostgreSQL URL without its password (and without secrets in the query string). */
export function redactStoreUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '';
    for (const k of [...parsed.searchParams.keys()])
      if (/pass|secret|key|token/i.test(k)) parsed.searchParams.set(k, 'REDACTED');
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^/:@\s]*):[^@/\s]*@/g, '$1@');
  }
}

/** How messages name a store. */
export function describeStoreLocation(location: StoreLocation): string {
  if (location.kind === 'sqlite') return location.path;
  if (location.kind === 'postgres') return redactStoreUrl(location.url);
  return 'off';
}
