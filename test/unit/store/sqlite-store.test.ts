/**
 * The store on SQLite (a temp file, no server): migrations, TTL purge, error mapping, and
 * withStore's never-fail contract. The same behaviour against PostgreSQL is in
 * test/integration/store.test.ts.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ExitCode, UsageError, type GhcrOptimizeError } from '../../../src/errors.js';
import { migrateStore, migrationNames, MIGRATION_TABLE } from '../../../src/store/migrations.js';
import { openStore, openStoreLocation, withStore, type StoreHost } from '../../../src/store/open.js';
import { StoreError } from '../../../src/store/errors.js';
import type { InsightsStore } from '../../../src/store/types.js';
import { makeTempDir, removeTempDir } from '../../support/lifecycle.js';

const dir = makeTempDir('store-unit');
afterAll(() => removeTempDir(dir));
let n = 0;
const freshPath = (): string => join(dir, `s${++n}`, 'insights.db');

function raw(path: string): Database.Database {
  return new Database(path, { readonly: true });
}

describe('migrations', () => {
  it('create the schema once; running them again changes nothing', async () => {
    const path = freshPath();
    mkdirSync(join(path, '..'));
    const db = new Kysely({ dialect: new SqliteDialect({ database: new Database(path) }) });
    try {
      const first = await migrateStore(db, 'sqlite');
      expect(first.results?.map((r) => [r.migrationName, r.status])).toEqual(
        migrationNames().map((m) => [m, 'Success']),
      );
      expect((await migrateStore(db, 'sqlite')).results).toEqual([]);
    } finally {
      await db.destroy();
    }
    // Opening (which migrates) twice more: still exactly one row per migration.
    for (let i = 0; i < 2; i++) await (await openStoreLocation({ kind: 'sqlite', path })).close();
    const r = raw(path);
    const rows = r.prepare(`select name from ${MIGRATION_TABLE} order by name`).all() as { name: string }[];
    const tables = (
      r.prepare("select name from sqlite_master where type = 'table' order by name").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    r.close();
    expect(rows.map((x) => x.name)).toEqual(migrationNames());
    expect(tables).toEqual(expect.arrayContaining(['events', 'memory', MIGRATION_TABLE]));
  });

  it('an older version still opens a store migrated by a newer one', async () => {
    const path = freshPath();
    await (await openStoreLocation({ kind: 'sqlite', path })).close();
    const w = new Database(path);
    w.prepare(`insert into ${MIGRATION_TABLE} (name, timestamp) values (?, ?)`).run(
      '9999_from_the_future',
      new Date().toISOString(),
    );
    w.close();
    const store = await openStoreLocation({ kind: 'sqlite', path });
    await store.record({ kind: 'token', command: 'auth', subject: 'ghcr.io' });
    expect(await store.events()).toHaveLength(1);
    await store.close();
  });

  it('the SQLite file is created on first use: WAL, private directory and file', async () => {
    const path = freshPath();
    const store = await openStoreLocation({ kind: 'sqlite', path });
    expect(store.dialect).toBe('sqlite');
    expect(store.location).toBe(path);
    const r = raw(path);
    expect(r.pragma('journal_mode', { simple: true })).toBe('wal');
    r.close();
    await store.close();
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe('memory TTL', () => {
  it('expired entries are never returned and are purged on access', async () => {
    const path = freshPath();
    let now = Date.parse('2025-01-01T00:00:00Z');
    const store = await openStoreLocation({ kind: 'sqlite', path }, { now: () => now });
    await store.memorySet('ns', 'short', 'a', { ttlMs: 1000 });
    await store.memorySet('ns', 'long', 'b', { ttlMs: 5000 });
    await store.memorySet('ns', 'forever', 'c');
    const count = (): number => {
      const r = raw(path);
      const c = (r.prepare('select count(*) as c from memory').get() as { c: number }).c;
      r.close();
      return c;
    };
    expect(count()).toBe(3);

    now += 999;
    expect((await store.memoryGet('ns', 'short'))?.value).toBe('a');
    now += 1; // exactly at expires_at: gone
    expect(await store.memoryGet('ns', 'short')).toBeUndefined();
    expect(count()).toBe(2);
    expect((await store.memoryList('ns')).map((e) => e.key)).toEqual(['forever', 'long']);
    expect(await store.memoryDelete('ns', 'short')).toBe(false);

    // Re-setting without a TTL makes an entry permanent.
    await store.memorySet('ns', 'long', 'b2');
    now += 10_000;
    expect((await store.memoryGet('ns', 'long'))?.value).toBe('b2');
    expect((await store.memoryGet('ns', 'long'))?.expiresAt).toBeUndefined();
    await store.close();
  });

  it('opening the store purges what expired meanwhile', async () => {
    const path = freshPath();
    let now = 1_000_000;
    const a = await openStoreLocation({ kind: 'sqlite', path }, { now: () => now });
    await a.memorySet('ns', 'k', 1, { ttlMs: 100 });
    await a.memorySet('ns', 'keep', 2);
    await a.close();
    now += 100;
    const b = await openStoreLocation({ kind: 'sqlite', path }, { now: () => now });
    const r = raw(path);
    expect(r.prepare('select key from memory').all()).toEqual([{ key: 'keep' }]);
    r.close();
    expect(await b.purgeExpired()).toBe(0);
    await b.close();
  });

  it('refuses a non-positive TTL, empty names and NUL characters', async () => {
    const store = await openStoreLocation({ kind: 'sqlite', path: freshPath() });
    await expect(store.memorySet('ns', 'k', 1, { ttlMs: 0 })).rejects.toThrow(UsageError);
    await expect(store.memorySet('', 'k', 1)).rejects.toThrow(/namespace is empty/);
    await expect(store.memorySet('ns', '', 1)).rejects.toThrow(/key is empty/);
    await expect(store.memoryGet('ns', 'a\u0000b')).rejects.toThrow(/NUL/);
    await expect(store.memorySet('ns', 'k', undefined)).rejects.toThrow(/cannot be stored as JSON/);
    await expect(store.record({ kind: 'nope' as 'build', command: 'x' })).rejects.toThrow(
      /unknown event kind/,
    );
    await store.close();
  });
});

describe('openStore errors', () => {
  it('a path below a regular file is a file system error (exit 11)', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const err = (await openStore({ store: { url: `sqlite:${file}/sub/insights.db` } }, { env: {} }).catch(
      (e: unknown) => e,
    )) as GhcrOptimizeError;
    expect(err.exitCode).toBe(ExitCode.FileSystem);
    expect(err.message).toContain(file);
  });

  it('a file that is not SQLite is a file system error with a hint', async () => {
    const path = join(dir, 'garbage', 'insights.db');
    mkdirSync(join(dir, 'garbage'));
    writeFileSync(path, 'this is not a database, not even close'.repeat(200));
    const err = (await openStore({}, { env: { GHCR_OPTIMIZE_STORE_URL: `sqlite:${path}` } }).catch(
      (e: unknown) => e,
    )) as StoreError;
    expect(err.exitCode).toBe(ExitCode.FileSystem);
    expect(err.message).toMatch(/SQLITE_NOTADB/);
    expect(err.hint).toMatch(/move it away/);
  });

  it('store.url: off is a usage error for commands that need the store', async () => {
    await expect(openStore({ store: { url: 'off' } }, { env: {} })).rejects.toThrow(/turned off/);
  });

  it('the default location follows XDG_DATA_HOME', async () => {
    const xdg = join(dir, 'xdg');
    const store = await openStore({}, { env: { XDG_DATA_HOME: xdg, HOME: '/nonexistent' } });
    expect(store.location).toBe(join(xdg, 'ghcr-optimize', 'insights.db'));
    await store.close();
  });
});

describe('withStore', () => {
  function host(config: unknown, debug = false): StoreHost & { warnings: string[] } {
    const warnings: string[] = [];
    return {
      warnings,
      config: config as StoreHost['config'],
      globals: { debug },
      out: { warn: (m: string) => warnings.push(m) } as unknown as StoreHost['out'],
    };
  }

  it('runs fn with an open store, returns its result and closes the store', async () => {
    const path = freshPath();
    const h = host({ store: { url: `sqlite:${path}` } });
    let seen: InsightsStore | undefined;
    const result = await withStore(
      h,
      async (s) => {
        seen = s;
        await s.recordBuild({ image: 'ghcr.io/o/app:1', durationMs: 1000, ok: true });
        return 'done';
      },
      { env: {} },
    );
    expect(result).toBe('done');
    await expect(seen!.events()).rejects.toThrow(); // closed
    const r = raw(path);
    expect(r.prepare('select kind, subject from events').all()).toHaveLength(1);
    r.close();
    expect(h.warnings).toEqual([]);
  });

  it('an unavailable store never fails the command, and says once why its record was lost', async () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const config = { store: { url: `sqlite:${file}/x.db` } };
    const fn = vi.fn(() => Promise.resolve(1));
    for (const debug of [false, true]) {
      const h = host(config, debug);
      expect(await withStore(h, fn, { env: {} })).toBeUndefined();
      expect(fn).not.toHaveBeenCalled();
      expect(h.warnings).toHaveLength(1);
      expect(h.warnings[0]).toMatch(/^not recorded in the insights store: .*not-a-dir/);
    }
  });

  it('an unreachable PostgreSQL does not fail the command, and its password is not logged', async () => {
    const h = host({ store: { url: 'postgres://ci:hunter2@127.0.0.1:1/ghcr' } }, true);
    expect(await withStore(h, () => Promise.resolve(1), { env: {} })).toBeUndefined();
    expect(h.warnings[0]).toContain('postgres://ci@127.0.0.1:1/ghcr');
    expect(h.warnings.join('\n')).not.toContain('hunter2');
  });

  it('errors inside fn, a bad store URL, and store.url: off are swallowed too', async () => {
    const h = host({ store: { url: `sqlite:${freshPath()}` } }, true);
    expect(await withStore(h, () => Promise.reject(new Error('boom')), { env: {} })).toBeUndefined();
    expect(h.warnings).toEqual(['not recorded in the insights store: boom']);
    const bad = host({ store: { url: 'mysql://x' } }, true);
    expect(await withStore(bad, () => Promise.resolve(1), { env: {} })).toBeUndefined();
    expect(bad.warnings[0]).toMatch(/unsupported store URL/);
    const off = host({ store: { url: 'off' } }, true);
    const fn = vi.fn(() => Promise.resolve(1));
    expect(await withStore(off, fn, { env: {} })).toBeUndefined();
    expect(fn).not.toHaveBeenCalled();
    expect(off.warnings).toEqual([]);
  });
});
