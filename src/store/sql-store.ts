/**
 * The insights store over Kysely: SQLite (better-sqlite3, WAL) by default, PostgreSQL (pg) for a
 * store shared by a team or many CI runners. Loaded on demand (see open.ts): commands that record
 * nothing never load Kysely or a driver, and SQLite users never load pg.
 */
import { access, chmod, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { Kysely, PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import { UsageError } from '../errors.js';
import { describeStoreLocation, type StoreLocation } from './location.js';
import { storeError } from './errors.js';
import { migrateStore } from './migrations.js';
import { withFileLock } from '../content/file-lock.js';
import { analysisEvent, buildEvent, probeEvent, retentionEvent, scanEvent, transferEvent } from './events.js';
import {
  isEventKind,
  type EventQuery,
  type InsightsStore,
  type MemoryEntry,
  type MemorySetOptions,
  type NewEvent,
  type StoreDatabase,
  type StoredEvent,
  type StoreDialect,
} from './types.js';
import { ensureDir } from '../util/ensure-dir.js';

export interface OpenStoreOptions {
  /** The clock (epoch ms); tests move it to expire memory entries. */
  now?: () => number;
  /** PostgreSQL: give up connecting after this long. Default 5000. */
  connectTimeoutMs?: number;
  /** Value of the `host` column. Default os.hostname(). */
  host?: string;
}

export const MAX_NAME_LENGTH = 512;
const DEFAULT_EVENT_LIMIT = 100_000;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new UsageError(`${what} cannot be stored as JSON: ${(err as Error).message}`);
  }
  if (text === undefined) throw new UsageError(`${what} cannot be stored as JSON`);
  return text;
}

function checkName(value: string, what: string): void {
  if (value === '') throw new UsageError(`the ${what} is empty`);
  if (value.length > MAX_NAME_LENGTH)
    throw new UsageError(`the ${what} is longer than ${MAX_NAME_LENGTH} characters`);
  // PostgreSQL text cannot hold NUL; refuse it in both so the back ends behave the same.
  if (value.includes('\u0000')) throw new UsageError(`the ${what} contains a NUL character`);
}

async function sqliteDialect(path: string): Promise<Dialect> {
  const { default: Database } = await import('better-sqlite3');
  let created = false;
  if (path !== ':memory:') {
    // Only our own directory is private; parents (~/.local/share) get the usual mode.
    const dir = dirname(path);
    await ensureDir(dirname(dir));
    await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    created = await access(path).then(
      () => false,
      () => true,
    );
  }
  const db = new Database(path, { timeout: 5000 });
  try {
    if (created) await chmod(path, 0o600).catch(() => undefined);
    db.pragma('journal_mode = WAL');
    // Durable at checkpoints, fast in between: losing the last event on power loss is acceptable.
    db.pragma('synchronous = NORMAL');
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteDialect({ database: db });
}

async function postgresDialect(url: string, connectTimeoutMs: number): Promise<Dialect> {
  const { default: pg } = await import('pg');
  const builtin = pg.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => unknown;
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 5_000,
    statement_timeout: 30_000,
    application_name: 'ghcr-optimize',
    // bigint (epoch ms, counts) and numeric as numbers, as SQLite returns them.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
        oid === 20 || oid === 1700
          ? (v: string) => Number(v)
          : builtin(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return new PostgresDialect({ pool });
}

class SqlStore implements InsightsStore {
  readonly #db: Kysely<StoreDatabase>;
  readonly #now: () => number;
  readonly #host: string;
  readonly #where: string;

  constructor(
    readonly dialect: StoreDialect,
    readonly location: string,
    db: Kysely<StoreDatabase>,
    opts: OpenStoreOptions,
  ) {
    this.#db = db;
    this.#now = opts.now ?? Date.now;
    this.#host = opts.host ?? hostname();
    this.#where = location;
  }

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw storeError(err, this.#where);
    }
  }

  async record(event: NewEvent): Promise<void> {
    if (!isEventKind(event.kind)) throw new UsageError(`unknown event kind "${String(event.kind)}"`);
    const row = {
      at: event.at?.getTime() ?? this.#now(),
      command: event.command,
      kind: event.kind,
      subject: event.subject ?? null,
      host: this.#host,
      data: toJson(event.data ?? {}, 'event data'),
      duration_ms:
        event.durationMs !== undefined && Number.isFinite(event.durationMs) ? event.durationMs : null,
      ok: event.ok === false ? 0 : 1,
    };
    await this.#guard(() => this.#db.insertInto('events').values(row).execute());
  }

  recordTransfer(...args: Parameters<typeof transferEvent>): Promise<void> {
    return this.record(transferEvent(...args));
  }
  recordProbe(...args: Parameters<typeof probeEvent>): Promise<void> {
    return this.record(probeEvent(...args));
  }
  recordScan(...args: Parameters<typeof scanEvent>): Promise<void> {
    return this.record(scanEvent(...args));
  }
  recordRetention(...args: Parameters<typeof retentionEvent>): Promise<void> {
    return this.record(retentionEvent(...args));
  }
  recordAnalysis(...args: Parameters<typeof analysisEvent>): Promise<void> {
    return this.record(analysisEvent(...args));
  }
  recordBuild(...args: Parameters<typeof buildEvent>): Promise<void> {
    return this.record(buildEvent(...args));
  }

  events(query: EventQuery = {}): Promise<StoredEvent[]> {
    return this.#guard(async () => {
      let q = this.#db.selectFrom('events').selectAll();
      if (query.since) q = q.where('at', '>=', query.since.getTime());
      if (query.until) q = q.where('at', '<', query.until.getTime());
      if (query.kinds) {
        if (query.kinds.length === 0) return [];
        q = q.where('kind', 'in', [...query.kinds]);
      }
      if (query.subject !== undefined) q = q.where('subject', '=', query.subject);
      const rows = await q
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit ?? DEFAULT_EVENT_LIMIT)
        .execute();
      const out: StoredEvent[] = [];
      for (const r of rows.reverse()) {
        if (!isEventKind(r.kind)) continue; // written by a newer version
        out.push({
          id: Number(r.id),
          at: new Date(Number(r.at)),
          kind: r.kind,
          command: r.command,
          subject: r.subject,
          host: r.host,
          data: parseJson(r.data),
          durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
          ok: Number(r.ok) !== 0,
        });
      }
      return out;
    });
  }

  purgeExpired(): Promise<number> {
    return this.#guard(async () => {
      const r = await this.#db
        .deleteFrom('memory')
        .where('expires_at', 'is not', null)
        .where('expires_at', '<=', this.#now())
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    });
  }

  async memorySet(
    namespace: string,
    key: string,
    value: unknown,
    options: MemorySetOptions = {},
  ): Promise<MemoryEntry> {
    checkName(namespace, 'namespace');
    checkName(key, 'key');
    if (options.ttlMs !== undefined && !(options.ttlMs > 0))
      throw new UsageError('the time to live must be positive');
    const text = toJson(value, 'the value');
    const now = this.#now();
    const expires = options.ttlMs === undefined ? null : now + Math.round(options.ttlMs);
    await this.purgeExpired();
    await this.#guard(() =>
      this.#db
        .insertInto('memory')
        .values({ namespace, key, value: text, expires_at: expires, updated_at: now })
        .onConflict((oc) =>
          oc.columns(['namespace', 'key']).doUpdateSet({ value: text, expires_at: expires, updated_at: now }),
        )
        .execute(),
    );
    return {
      namespace,
      key,
      value: parseJson(text),
      updatedAt: new Date(now),
      ...(expires !== null ? { expiresAt: new Date(expires) } : {}),
    };
  }

  #live(namespace?: string) {
    let q = this.#db
      .selectFrom('memory')
      .selectAll()
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', this.#now())]));
    if (namespace !== undefined) q = q.where('namespace', '=', namespace);
    return q;
  }

  async memoryGet(namespace: string, key: string): Promise<MemoryEntry | undefined> {
    checkName(namespace, 'namespace');
    checkName(key, 'key');
    await this.purgeExpired();
    const row = await this.#guard(() => this.#live(namespace).where('key', '=', key).executeTakeFirst());
    return row ? toEntry(row) : undefined;
  }

  async memoryList(namespace?: string): Promise<MemoryEntry[]> {
    if (namespace !== undefined) checkName(namespace, 'namespace');
    await this.purgeExpired();
    const rows = await this.#guard(() => this.#live(namespace).orderBy('namespace').orderBy('key').execute());
    return rows.map(toEntry);
  }

  async memoryDelete(namespace: string, key: string): Promise<boolean> {
    checkName(namespace, 'namespace');
    checkName(key, 'key');
    await this.purgeExpired();
    const r = await this.#guard(() =>
      this.#db
        .deleteFrom('memory')
        .where('namespace', '=', namespace)
        .where('key', '=', key)
        .executeTakeFirst(),
    );
    return Number(r.numDeletedRows) > 0;
  }

  async close(): Promise<void> {
    await this.#db.destroy().catch(() => undefined);
  }
}

function toEntry(row: StoreDatabase['memory']): MemoryEntry {
  return {
    namespace: row.namespace,
    key: row.key,
    value: parseJson(row.value),
    updatedAt: new Date(Number(row.updated_at)),
    ...(row.expires_at !== null ? { expiresAt: new Date(Number(row.expires_at)) } : {}),
  };
}

/** Opens (creating and migrating as needed) the store at `location`, and purges expired memory. */
export async function openStoreAt(
  location: StoreLocation,
  opts: OpenStoreOptions = {},
): Promise<InsightsStore> {
  if (location.kind === 'off')
    throw new UsageError('the insights store is turned off (store.url: off)', {
      hint: 'remove store.url (or GHCR_OPTIMIZE_STORE_URL) to use the default SQLite store',
    });
  const where = describeStoreLocation(location);
  let db: Kysely<StoreDatabase> | undefined;
  try {
    const dialect =
      location.kind === 'sqlite'
        ? await sqliteDialect(location.path)
        : await postgresDialect(location.url, opts.connectTimeoutMs ?? 5000);
    db = new Kysely<StoreDatabase>({ dialect });
    const kdb = db;
    // Kysely's SQLite migration lock is per process: several CI jobs opening a new store at once
    // would each apply the same migration. A lock file beside the database serialises them.
    if (location.kind === 'sqlite' && location.path !== ':memory:') {
      await withFileLock(`${location.path}.migrate.lock`, () => migrateStore(kdb, location.kind));
    } else {
      await migrateStore(kdb, location.kind);
    }
    const store = new SqlStore(location.kind, where, db, opts);
    await store.purgeExpired();
    return store;
  } catch (err) {
    await db?.destroy().catch(() => undefined);
    throw storeError(err, where);
  }
}
