/**
 * Entry points for commands: `openStore(config)` for commands whose job is the store (`memory`,
 * `insights`: its errors are theirs), and `withStore(ctx, fn)` for commands that only record
 * (a store that cannot be opened or written never fails them). Both load Kysely and the driver
 * on first use, so commands that record nothing stay fast.
 */
import type { Context } from '../cli/context.js';
import { resolveStoreLocation, type StoreLocation } from './location.js';
import type { OpenStoreOptions } from './sql-store.js';
import type { InsightsStore } from './types.js';

export type { OpenStoreOptions } from './sql-store.js';

export interface OpenStoreConfig extends OpenStoreOptions {
  /** Environment for GHCR_OPTIMIZE_STORE_URL and XDG_DATA_HOME; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Opens the configured store: `GHCR_OPTIMIZE_STORE_URL`, else `store.url` from `config` (the raw
 * config object), else SQLite under `$XDG_DATA_HOME/ghcr-optimize/`. Throws StoreError / UsageError.
 */
export async function openStore(config: unknown, opts: OpenStoreConfig = {}): Promise<InsightsStore> {
  const { env, ...rest } = opts;
  return openStoreLocation(resolveStoreLocation(config, env ?? process.env), rest);
}

export async function openStoreLocation(
  location: StoreLocation,
  opts: OpenStoreOptions = {},
): Promise<InsightsStore> {
  const { openStoreAt } = await import('./sql-store.js');
  return openStoreAt(location, opts);
}

/** What withStore needs from a command's context. */
export type StoreHost = Pick<Context, 'config' | 'globals' | 'out'>;

/**
 * Runs `fn` with the store and closes it. Never throws: when the store is turned off, cannot be
 * opened, or `fn` fails, it returns undefined (a warning says why, unless the store is off).
 */
export async function withStore<T>(
  ctx: StoreHost,
  fn: (store: InsightsStore) => Promise<T>,
  opts: OpenStoreConfig = {},
): Promise<T | undefined> {
  const { env, ...rest } = opts;
  let store: InsightsStore | undefined;
  try {
    const location = resolveStoreLocation(ctx.config, env ?? process.env);
    if (location.kind === 'off') return undefined;
    // Recording must not hold a command up for long when a shared database is unreachable.
    store = await openStoreLocation(location, { connectTimeoutMs: 3000, ...rest });
    return await fn(store);
  } catch (err) {
    // The command itself succeeded; say once that its record was lost, and why (a locked,
    // corrupt or unreachable store), without failing it. --quiet silences this.
    ctx.out.warn(`not recorded in the insights store: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  } finally {
    await store?.close().catch(() => undefined);
  }
}
