/**
 * One suite, two back ends: the insights store on SQLite (a temp file) and on PostgreSQL 15 (a
 * server started for this file on 127.0.0.1, one database per test). Both must store and return
 * the same values, migrate once however many processes open them at the same time, and feed the
 * same insights.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, type GhcrOptimizeError } from '../../src/errors.js';
import type { HealthResult } from '../../src/monitor/health.js';
import type { PlanSummary } from '../../src/retention/planner.js';
import { computeInsights } from '../../src/store/insights.js';
import type { StoreLocation } from '../../src/store/location.js';
import { MIGRATION_TABLE, migrationNames } from '../../src/store/migrations.js';
import { openStoreLocation, type OpenStoreOptions } from '../../src/store/open.js';
import type { InsightsStore } from '../../src/store/types.js';
import type { TransferSummary } from '../../src/transfer/events.js';
import { trackChild, makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { requirePostgres, startPostgres, type RunningPostgres } from '../support/postgres.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;
const OPEN_MODULE = pathToFileURL(join(ROOT, 'src', 'store', 'open.ts')).href;

const havePostgres = requirePostgres();

interface Backend {
  /** A location nobody has used yet. */
  fresh(): Promise<StoreLocation>;
  /** Rows of a query run beside the store (not through it). */
  query<T>(location: StoreLocation, text: string): Promise<T[]>;
}

function sqliteQuery<T>(location: StoreLocation, text: string): Promise<T[]> {
  if (location.kind !== 'sqlite') throw new Error('not sqlite');
  const db = new Database(location.path, { readonly: true });
  try {
    return Promise.resolve(db.prepare(text).all() as T[]);
  } finally {
    db.close();
  }
}

async function postgresQuery<T>(location: StoreLocation, text: string): Promise<T[]> {
  if (location.kind !== 'postgres') throw new Error('not postgres');
  const client = new pg.Client({ connectionString: location.url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Opens the store in `n` separate processes at once; each records one event and one memory entry. */
function openInProcesses(location: StoreLocation, n: number): Promise<void> {
  const code = `
    const { openStoreLocation } = await import(${JSON.stringify(OPEN_MODULE)});
    const [location, i] = [JSON.parse(process.argv[1]), process.argv[2]];
    const store = await openStoreLocation(location);
    await store.record({ kind: 'build', command: 'build', subject: 'proc-' + i, durationMs: Number(i) });
    await store.memorySet('procs', 'p' + i, Number(i));
    await store.close();
  `;
  return Promise.all(
    Array.from(
      { length: n },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            ['--import', TSX, '--input-type=module', '-e', code, JSON.stringify(location), String(i)],
            { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
          );
          trackChild(child);
          let err = '';
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('error', reject);
          child.on('close', (c) =>
            c === 0 ? resolve() : reject(new Error(`process ${i} exited ${c}: ${err}`)),
          );
        }),
    ),
  ).then(() => undefined);
}

const summary = (over: Partial<TransferSummary['blobs']> = {}): TransferSummary => ({
  blobs: { copied: 0, skipped: 0, mounted: 0, cached: 0, ...over },
  manifests: { copied: 1, skipped: 0 },
  bytes: 2_000_000,
  seconds: 1.5,
  mbPerSecond: 1.3,
});

const plan: PlanSummary = {
  manifests: { total: 5, kept: 3, deleted: 2 },
  tags: { total: 4, kept: 2, deleted: 2 },
  bytesReclaimed: 300_000_000,
  bytesUnknown: 0,
  categories: {},
  unmatchedTags: [],
  held: false,
};

const probe = (registry: string, p50: number, p95: number, healthy = true): HealthResult => ({
  registry,
  healthy,
  reachable: true,
  authScheme: 'bearer',
  authOk: true,
  samples: 5,
  latencyMs: { p50, p95, min: p50 / 2, max: p95 + 9 },
});

/** The same tests for every back end. */
function storeSuite(backend: () => Backend): void {
  const open = async (location: StoreLocation, opts: OpenStoreOptions = {}): Promise<InsightsStore> =>
    openStoreLocation(location, { host: 'runner-1', ...opts });

  it('migrates once, however many processes open a new store at the same time', async () => {
    const b = backend();
    const location = await b.fresh();
    await openInProcesses(location, 4);
    const applied = await b.query<{ name: string }>(
      location,
      `select name from ${MIGRATION_TABLE} order by name`,
    );
    expect(applied.map((r) => r.name)).toEqual(migrationNames());
    const store = await open(location);
    try {
      const events = await store.events();
      expect(events.map((e) => e.subject).sort()).toEqual(['proc-0', 'proc-1', 'proc-2', 'proc-3']);
      expect((await store.memoryList('procs')).map((e) => e.value)).toEqual([0, 1, 2, 3]);
    } finally {
      await store.close();
    }
    // Opening again is a no-op for the schema.
    await (await open(location)).close();
    expect(await b.query(location, `select name from ${MIGRATION_TABLE}`)).toHaveLength(
      migrationNames().length,
    );
  });

  it('records every kind through the typed helpers and reads the same values back', async () => {
    const location = await backend().fresh();
    let now = Date.parse('2025-06-01T10:00:00.123Z');
    const store = await open(location, { now: () => now });
    try {
      await store.recordTransfer(summary({ copied: 2, skipped: 1 }), {
        source: 'ghcr.io/o/app:1',
        destination: 'registry.internal:5000/app:1',
        command: 'copy',
      });
      now += 1000;
      await store.recordTransfer(summary({ cached: 3, copied: 1 }), {
        source: 'ghcr.io/o/app:1',
        destination: 'oci:./l:1',
        command: 'pull',
      });
      now += 1000;
      await store.recordProbe(probe('ghcr.io', 40, 90, false));
      now += 1000;
      await store.recordScan({ CRITICAL: 1, HIGH: 2 }, { image: 'ghcr.io/o/app:1', fixable: 2 });
      now += 1000;
      await store.recordRetention(plan, [101, 102], { repository: 'ghcr.io/o/app' });
      now += 1000;
      await store.recordAnalysis(
        { bytes: 120e6, storedBytes: 45e6, layers: 7 },
        { bytes: 12e6, reclaimableBytes: 8e6, efficiency: 0.93 },
        { image: 'ghcr.io/o/app:1', platform: 'linux/amd64' },
      );
      now += 1000;
      await store.recordBuild({ image: 'ghcr.io/o/app:1', durationMs: 93_500.5, ok: false, cacheHits: 3 });
      now += 1000;
      await store.record({
        kind: 'token',
        command: 'auth',
        subject: 'ghcr.io',
        data: { scopes: ['read:packages'] },
      });

      const events = await store.events();
      expect(events.map((e) => [e.kind, e.command, e.subject, e.ok, e.durationMs])).toEqual([
        ['transfer', 'copy', 'registry.internal:5000/app', true, 1500],
        ['pull', 'pull', 'ghcr.io/o/app', true, 1500],
        ['probe', 'health', 'ghcr.io', false, null],
        ['scan', 'scan', 'ghcr.io/o/app', true, null],
        ['retention', 'retention', 'ghcr.io/o/app', true, null],
        ['analysis', 'analyze', 'ghcr.io/o/app', true, null],
        ['build', 'build', 'ghcr.io/o/app', false, 93_501],
        ['token', 'auth', 'ghcr.io', true, null],
      ]);
      expect(events[0]!.at.toISOString()).toBe('2025-06-01T10:00:00.123Z');
      expect(events.every((e) => e.host === 'runner-1')).toBe(true);
      expect(new Set(events.map((e) => e.id)).size).toBe(8);
      expect(events[1]!.data).toMatchObject({
        registry: 'ghcr.io',
        blobs: { cached: 3, copied: 1 },
        bytes: 2_000_000,
      });
      expect(events[2]!.data).toMatchObject({ latencyMs: { p50: 40, p95: 90, min: 20, max: 99 } });
      expect(events[3]!.data).toEqual({
        reference: 'ghcr.io/o/app:1',
        counts: { CRITICAL: 1, HIGH: 2, MEDIUM: 0, LOW: 0, UNKNOWN: 0 },
        total: 3,
        fixable: 2,
      });
      expect(events[4]!.data).toMatchObject({ bytesReclaimed: 300_000_000, deletedVersionIds: [101, 102] });
      expect(events[5]!.data).toMatchObject({ sizeBytes: 120e6, efficiency: 0.93, platform: 'linux/amd64' });
      expect(events[7]!.data).toEqual({ scopes: ['read:packages'] });
    } finally {
      await store.close();
    }
  });

  it('filters by period, kind and subject; a limit keeps the most recent, oldest first', async () => {
    const location = await backend().fresh();
    const store = await open(location);
    try {
      const t0 = Date.parse('2025-01-01T00:00:00Z');
      for (let i = 0; i < 10; i++) {
        await store.record({
          kind: i % 2 === 0 ? 'build' : 'probe',
          command: 'x',
          subject: i < 5 ? 'a' : 'b',
          at: new Date(t0 + i * 60_000),
          data: { i },
        });
      }
      const idx = (events: { data: unknown }[]): number[] => events.map((e) => (e.data as { i: number }).i);
      expect(idx(await store.events({ since: new Date(t0 + 3 * 60_000) }))).toEqual([3, 4, 5, 6, 7, 8, 9]);
      expect(idx(await store.events({ until: new Date(t0 + 3 * 60_000) }))).toEqual([0, 1, 2]);
      expect(idx(await store.events({ kinds: ['probe'] }))).toEqual([1, 3, 5, 7, 9]);
      expect(idx(await store.events({ kinds: [] }))).toEqual([]);
      expect(idx(await store.events({ subject: 'b', kinds: ['build'] }))).toEqual([6, 8]);
      expect(idx(await store.events({ limit: 3 }))).toEqual([7, 8, 9]);
    } finally {
      await store.close();
    }
  });

  it('stores JSON values exactly: strings stay strings, numbers numbers, unicode intact', async () => {
    const location = await backend().fresh();
    const store = await open(location);
    const values: [string, unknown][] = [
      ['text', 'hello'],
      ['looks-like-json', '{"a":1}'],
      ['numeric-string', '1.10'],
      ['empty-string', ''],
      ['unicode', 'größe 📦 — 東京 \u2028'],
      ['quotes', `it's "quoted" \\ back\nslash`],
      ['zero', 0],
      ['float', -1.5],
      ['big', Number.MAX_SAFE_INTEGER],
      ['exp', 1e21],
      ['true', true],
      ['null', null],
      ['array', [1, 'two', { three: [3] }]],
      ['object', { nested: { deep: { list: [], empty: {} } }, 'key with spaces': 'v' }],
    ];
    try {
      for (const [key, value] of values) await store.memorySet('json', key, value);
      for (const [key, value] of values)
        expect((await store.memoryGet('json', key))?.value, key).toEqual(value);
      await store.record({ kind: 'build', command: 'x', data: { values } });
      expect((await store.events())[0]!.data).toEqual({ values });
    } finally {
      await store.close();
    }
  });

  it('memory: upsert, namespaces, order, delete; names are data, not SQL', async () => {
    const location = await backend().fresh();
    let now = Date.parse('2025-01-01T00:00:00Z');
    const store = await open(location, { now: () => now });
    try {
      const first = await store.memorySet('ci', 'digest', 'sha256:1', { ttlMs: 3_600_000 });
      expect(first.expiresAt?.toISOString()).toBe('2025-01-01T01:00:00.000Z');
      now += 1000;
      const second = await store.memorySet('ci', 'digest', 'sha256:2');
      expect(second.expiresAt).toBeUndefined();
      const got = await store.memoryGet('ci', 'digest');
      expect(got).toEqual({
        namespace: 'ci',
        key: 'digest',
        value: 'sha256:2',
        updatedAt: new Date('2025-01-01T00:00:01.000Z'),
      });
      const evil = "x'); drop table memory; --";
      await store.memorySet(evil, evil, evil);
      await store.memorySet('default', 'k'.repeat(512), 'long');
      await store.memorySet('ci', 'another', 1);
      expect(await store.memoryGet('other', 'digest')).toBeUndefined();
      expect((await store.memoryList()).map((e) => `${e.namespace}/${e.key.slice(0, 10)}`)).toEqual([
        'ci/another',
        'ci/digest',
        'default/kkkkkkkkkk',
        `${evil}/${evil.slice(0, 10)}`,
      ]);
      expect((await store.memoryList('ci')).map((e) => e.key)).toEqual(['another', 'digest']);
      expect(await store.memoryDelete('ci', 'digest')).toBe(true);
      expect(await store.memoryDelete('ci', 'digest')).toBe(false);
      expect((await store.memoryGet(evil, evil))?.value).toBe(evil);
      await expect(store.memorySet('ns', 'k'.repeat(513), 1)).rejects.toThrow(/longer than 512/);
    } finally {
      await store.close();
    }
  });

  it('memory TTL: expired entries vanish at their expiry and are purged on access and on open', async () => {
    const b = backend();
    const location = await b.fresh();
    let now = 1_700_000_000_000;
    const store = await open(location, { now: () => now });
    const rows = async (): Promise<string[]> =>
      (await b.query<{ key: string }>(location, 'select key from memory order by key')).map((r) => r.key);
    try {
      await store.memorySet('t', 'a', 1, { ttlMs: 1000 });
      await store.memorySet('t', 'b', 2, { ttlMs: 2000 });
      await store.memorySet('t', 'c', 3);
      now += 999;
      expect((await store.memoryList('t')).map((e) => e.key)).toEqual(['a', 'b', 'c']);
      now += 1;
      expect(await store.memoryGet('t', 'a')).toBeUndefined();
      expect(await rows()).toEqual(['b', 'c']);
      now += 5000;
    } finally {
      await store.close();
    }
    expect(await rows()).toEqual(['b', 'c']); // nobody touched the store since b expired
    await (await open(location, { now: () => now })).close();
    expect(await rows()).toEqual(['c']);
  });

  it('two stores on one database (two runners) see each other’s writes', async () => {
    const location = await backend().fresh();
    const a = await open(location, { host: 'runner-a' });
    const b = await open(location, { host: 'runner-b' });
    try {
      await Promise.all([
        ...Array.from({ length: 20 }, (_, i) =>
          a.record({ kind: 'pull', command: 'pull', subject: `s${i}` }),
        ),
        ...Array.from({ length: 20 }, (_, i) =>
          b.record({ kind: 'pull', command: 'pull', subject: `s${i}` }),
        ),
      ]);
      await a.memorySet('shared', 'last', 'from-a');
      expect((await b.memoryGet('shared', 'last'))?.value).toBe('from-a');
      const events = await b.events();
      expect(events).toHaveLength(40);
      expect(events.filter((e) => e.host === 'runner-a')).toHaveLength(20);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('feeds insights: trends and recommendations from recorded events', async () => {
    const location = await backend().fresh();
    const start = Date.parse('2025-05-01T00:00:00Z');
    let now = start;
    const store = await open(location, { now: () => now });
    const day = 86_400_000;
    try {
      for (let d = 0; d < 10; d++) {
        now = start + d * day;
        await store.recordTransfer(summary({ cached: 1, copied: 9 }), {
          source: 'ghcr.io/o/api:main',
          destination: 'oci:./out:main',
          command: 'pull',
        });
        await store.recordProbe(probe('registry.eu', 150, 800 + d));
        await store.recordAnalysis(
          { bytes: 100e6 + d * 5e6 },
          { bytes: 1e6 },
          { image: `ghcr.io/o/api:${d}` },
        );
      }
      await store.recordScan({ CRITICAL: 2 }, { image: 'ghcr.io/o/api:9' });
      await store.recordRetention(plan, [1, 2], { repository: 'ghcr.io/o/api' });
      const until = new Date(now + 1);
      const since = new Date(now - 30 * day);
      const ins = computeInsights(await store.events({ since, until }), { now: until, since });
      expect(ins.events).toBe(32);
      expect(ins.sizes[0]).toMatchObject({
        subject: 'ghcr.io/o/api',
        samples: 10,
        changeBytes: 45e6,
        changePercent: 45,
      });
      expect(ins.cache.totals[0]).toMatchObject({
        kind: 'pull',
        runs: 10,
        reused: 10,
        fetched: 90,
        ratio: 0.1,
      });
      expect(ins.latency[0]).toMatchObject({
        registry: 'registry.eu',
        source: 'probe',
        p50Ms: 150,
        p95Ms: 809,
      });
      expect(ins.reclaimed).toMatchObject({ runs: 1, bytes: 300_000_000, versions: 2 });
      expect(ins.recommendations.map((r) => r.topic)).toEqual([
        'vulnerabilities',
        'latency',
        'cache',
        'size',
      ]);
      expect(ins.recommendations[2]!.message).toContain(
        'cache hit ratio 10% for ghcr.io/o/api over 10 pulls (90 blobs, 20.0 MB fetched): run "ghcr-optimize cache-warm ghcr.io/o/api:main"',
      );
    } finally {
      await store.close();
    }
  });
}

describe('insights store on SQLite', () => {
  let dir: string;
  let n = 0;
  beforeAll(() => {
    dir = makeTempDir('store-sqlite');
  });
  afterAll(() => removeTempDir(dir));
  storeSuite(() => ({
    fresh: () => Promise.resolve({ kind: 'sqlite', path: join(dir, `db${++n}`, 'insights.db') }),
    query: sqliteQuery,
  }));
});

describe.skipIf(!havePostgres)('insights store on PostgreSQL', () => {
  let server: RunningPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  storeSuite(() => ({
    fresh: async () => ({ kind: 'postgres', url: await server.createDatabase() }),
    query: postgresQuery,
  }));

  const failure = async (url: string): Promise<GhcrOptimizeError> =>
    (await openStoreLocation({ kind: 'postgres', url }, { connectTimeoutMs: 3000 }).then(
      () => {
        throw new Error('opened');
      },
      (e: unknown) => e,
    )) as GhcrOptimizeError;

  it('a wrong password is an authentication failure (exit 3) that does not print the password', async () => {
    const url = server.url('postgres').replace(server.password, 'not-the-password');
    const err = await failure(url);
    expect(err.exitCode).toBe(ExitCode.Auth);
    expect(err.kind).toBe('store');
    expect(err.message).toContain(`postgres://postgres@${server.host}/postgres`);
    expect(`${err.message} ${err.hint}`).not.toContain('not-the-password');
  });

  it('a missing database is "not found" (exit 4); a closed port a network failure (exit 5)', async () => {
    const missing = await failure(server.url('no_such_database'));
    expect(missing.exitCode).toBe(ExitCode.NotFound);
    expect(missing.hint).toMatch(/createdb/);
    const closed = await failure(`postgres://postgres:${server.password}@127.0.0.1:1/x`);
    expect(closed.exitCode).toBe(ExitCode.Network);
    expect(closed.message).toMatch(/cannot connect \(ECONNREFUSED\)/);
    expect(closed.message).not.toContain(server.password);
  });

  it('the same schema as SQLite: instants as bigint, JSON as text, ok as integer', async () => {
    const url = await server.createDatabase();
    await (await openStoreLocation({ kind: 'postgres', url })).close();
    const cols = await postgresQuery<{ table_name: string; column_name: string; data_type: string }>(
      { kind: 'postgres', url },
      "select table_name, column_name, data_type from information_schema.columns where table_name in ('events', 'memory') order by table_name, ordinal_position",
    );
    expect(cols.map((c) => `${c.table_name}.${c.column_name}:${c.data_type}`)).toEqual([
      'events.id:integer',
      'events.at:bigint',
      'events.command:text',
      'events.kind:text',
      'events.subject:text',
      'events.host:text',
      'events.data:text',
      'events.duration_ms:double precision',
      'events.ok:integer',
      'memory.namespace:text',
      'memory.key:text',
      'memory.value:text',
      'memory.expires_at:bigint',
      'memory.updated_at:bigint',
    ]);
  });
});
