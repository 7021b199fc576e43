/**
 * `memory` and `insights` as a user runs them: separate processes with their own HOME, on the
 * default SQLite store and on a shared PostgreSQL (started here on 127.0.0.1).
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoreLocation } from '../../src/store/open.js';
import type { StoreLocation } from '../../src/store/location.js';
import { describeRun, runCli, type CliOptions, type CliResult } from '../support/cli.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { requirePostgres, startPostgres, type RunningPostgres } from '../support/postgres.js';

const havePostgres = requirePostgres();

/** `ghcr-optimize ...args`. */
function runStoreCli(args: string[], opts: CliOptions): Promise<CliResult> {
  return runCli(args, opts);
}

function expectExit(r: CliResult, code: number): void {
  expect(r.timedOut, describeRun(r)).toBe(false);
  expect(r.code, describeRun(r)).toBe(code);
}

function json<T>(r: CliResult): T {
  expectExit(r, 0);
  return JSON.parse(r.stdout) as T;
}

interface EntryJson {
  namespace: string;
  key: string;
  value: unknown;
  updatedAt: string;
  expiresAt: string | null;
}

let root: string;
beforeAll(() => {
  root = makeTempDir('store-cli');
});
afterAll(() => removeTempDir(root));

function home(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('memory and insights on the default SQLite store', () => {
  it('memory set / get / list / delete, as text and --json', async () => {
    const h = home('basic');
    const opts = { home: h };
    const set = await runStoreCli(['memory', 'set', 'last-digest', 'sha256:abc', '--namespace', 'app'], opts);
    expectExit(set, 0);
    expect(set.stdout).toBe('stored app/last-digest\n');
    const db = join(h, '.local', 'share', 'ghcr-optimize', 'insights.db');
    expect(statSync(dirname(db)).mode & 0o777).toBe(0o700);
    expect(statSync(db).mode & 0o777).toBe(0o600);

    const setJson = json<EntryJson>(
      await runStoreCli(
        [
          'memory',
          'set',
          'limits',
          '{"maxSize": "500MB", "n": [1, 2]}',
          '--json-value',
          '--ttl',
          '1h',
          '--json',
        ],
        opts,
      ),
    );
    expect(setJson).toMatchObject({
      namespace: 'default',
      key: 'limits',
      value: { maxSize: '500MB', n: [1, 2] },
    });
    expect(Date.parse(setJson.expiresAt!) - Date.parse(setJson.updatedAt)).toBe(3_600_000);

    const [get, getJson, getObj, list, listJson, listNs] = await Promise.all([
      runStoreCli(['memory', 'get', 'last-digest', '--namespace', 'app'], opts),
      runStoreCli(['memory', 'get', 'last-digest', '--namespace', 'app', '--json'], opts),
      runStoreCli(['memory', 'get', 'limits'], opts),
      runStoreCli(['memory', 'list'], opts),
      runStoreCli(['memory', 'list', '--json'], opts),
      runStoreCli(['memory', 'list', '--namespace', 'app', '--json'], opts),
    ]);
    expectExit(get, 0);
    expect(get.stdout).toBe('sha256:abc\n');
    expect(json<EntryJson>(getJson)).toMatchObject({
      namespace: 'app',
      key: 'last-digest',
      value: 'sha256:abc',
      expiresAt: null,
    });
    expectExit(getObj, 0);
    expect(getObj.stdout).toBe('{"maxSize":"500MB","n":[1,2]}\n');
    expectExit(list, 0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+KEY\s+VALUE\s+EXPIRES$/);
    expect(lines[1]).toMatch(/^app\s+last-digest\s+sha256:abc\s+never$/);
    expect(lines[2]).toMatch(/^default\s+limits\s+\{"maxSize":"500MB","n":\[1,2\]\}\s+\d{4}-\d\d-\d\dT/);
    expect(json<EntryJson[]>(listJson).map((e) => `${e.namespace}/${e.key}`)).toEqual([
      'app/last-digest',
      'default/limits',
    ]);
    expect(json<EntryJson[]>(listNs).map((e) => e.key)).toEqual(['last-digest']);

    const del = await runStoreCli(['memory', 'delete', 'last-digest', '--namespace', 'app', '--json'], opts);
    expect(json(del)).toEqual({ namespace: 'app', key: 'last-digest', deleted: true });
    const [again, gone, empty] = await Promise.all([
      runStoreCli(['memory', 'delete', 'last-digest', '--namespace', 'app'], opts),
      runStoreCli(['memory', 'get', 'last-digest', '--namespace', 'app', '--json'], opts),
      runStoreCli(['memory', 'list', '--namespace', 'app'], opts),
    ]);
    expectExit(again, 4);
    expect(again.stderr).toContain('error: no value for app/last-digest (never set, deleted, or expired)');
    expectExit(gone, 4);
    expect(JSON.parse(gone.stderr)).toMatchObject({ error: { kind: 'not-found', exitCode: 4 } });
    expectExit(empty, 0);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toBe('no entries in namespace app\n');
  });

  it('--ttl: the value is gone once it expires', async () => {
    const opts = { home: home('ttl') };
    expectExit(await runStoreCli(['memory', 'set', 'lease', 'runner-7', '--ttl', '1s'], opts), 0);
    const get = await runStoreCli(['memory', 'get', 'lease'], opts);
    // The process start can take most of a second on a busy machine: only assert when still inside the TTL.
    if (get.code === 0) expect(get.stdout).toBe('runner-7\n');
    await sleep(1100);
    expectExit(await runStoreCli(['memory', 'get', 'lease'], opts), 4);
    expect(json<unknown[]>(await runStoreCli(['memory', 'list', '--json'], opts))).toEqual([]);
  });

  it('usage errors exit 2; XDG_DATA_HOME moves the store; store.url: off refuses', async () => {
    const h = home('usage');
    const xdg = join(h, 'xdg');
    writeFileSync(join(h, 'off.yaml'), 'store:\n  url: off\n');
    writeFileSync(join(h, 'mysql.yaml'), 'store:\n  url: mysql://u:pw@db/x\n');
    const [zero, bogus, badJson, off, mysql, xdgSet, since] = await Promise.all([
      runStoreCli(['memory', 'set', 'k', 'v', '--ttl', '0s'], { home: h }),
      runStoreCli(['memory', 'set', 'k', 'v', '--ttl', 'soon'], { home: h }),
      runStoreCli(['memory', 'set', 'k', '{nope', '--json-value'], { home: h }),
      runStoreCli(['memory', 'list', '--config-file', 'off.yaml'], { home: h }),
      runStoreCli(['memory', 'list', '--config-file', 'mysql.yaml'], { home: h }),
      runStoreCli(['memory', 'set', 'k', 'v'], { home: h, env: { XDG_DATA_HOME: xdg } }),
      runStoreCli(['insights', '--since', 'lately'], { home: h }),
    ]);
    for (const r of [zero, bogus, badJson, off, mysql, since]) expectExit(r, 2);
    expect(zero.stderr).toContain('--ttl must be longer than 0');
    expect(bogus.stderr).toContain('invalid duration "soon"');
    expect(badJson.stderr).toContain('is not valid JSON');
    expect(off.stderr).toContain('the insights store is turned off');
    expect(mysql.stderr).toContain('unsupported store URL "mysql://u@db/x"');
    expect(mysql.stderr).not.toContain('pw');
    expectExit(xdgSet, 0);
    expect(statSync(join(xdg, 'ghcr-optimize', 'insights.db')).isFile()).toBe(true);
  });

  it('--help shows examples', async () => {
    const opts = { home: home('help') };
    const [memory, set, insights] = await Promise.all([
      runStoreCli(['memory', '--help'], opts),
      runStoreCli(['memory', 'set', '--help'], opts),
      runStoreCli(['insights', '--help'], opts),
    ]);
    for (const r of [memory, set, insights]) {
      expectExit(r, 0);
      expect(r.stdout).toContain('Examples:');
    }
    expect(memory.stdout).toMatch(/set .*\n.*get .*\n.*list.*\n.*delete/s);
    expect(set.stdout).toContain('--ttl <duration>');
    expect(insights.stdout).toContain('--since <duration>');
  });

  it('insights: empty store, then trends and recommendations from recorded events', async () => {
    const h = home('insights');
    const opts = { home: h };
    const empty = await runStoreCli(['insights'], opts);
    expectExit(empty, 0);
    expect(empty.stdout).toMatch(/^0 events since \d{4}-\d\d-\d\d/);
    expect(empty.stdout).toContain('none: nothing recorded in this period yet');

    const location: StoreLocation = {
      kind: 'sqlite',
      path: join(h, '.local', 'share', 'ghcr-optimize', 'insights.db'),
    };
    await seed(location);

    const [text, all, recent] = await Promise.all([
      runStoreCli(['insights'], opts),
      runStoreCli(['insights', '--since', 'forever', '--json'], opts),
      runStoreCli(['insights', '--since', '1d', '--json'], opts),
    ]);
    expectExit(text, 0);
    for (const section of ['Image size', 'Cache hit ratio', 'Latency', 'Recommendations'])
      expect(text.stdout).toContain(section);
    expect(text.stdout).toContain('! cache hit ratio 10% for ghcr.io/o/api over 4 pulls');
    const ins = json<{
      store: { dialect: string; location: string };
      since: string | null;
      events: number;
      recommendations: { topic: string; message: string }[];
    }>(all);
    expect(ins.store).toEqual({
      dialect: 'sqlite',
      location: location.kind === 'sqlite' ? location.path : '',
    });
    expect(ins.since).toBeNull();
    expect(ins.events).toBe(12);
    expect(ins.recommendations.map((r) => r.topic)).toEqual(['latency', 'cache', 'size']);
    expect(ins.recommendations[0]!.message).toContain(
      'p95 latency to registry registry.eu 900 ms over 4 probes',
    );
    expect(json<{ events: number }>(recent).events).toBe(3);
  });
});

/** Four days of pulls, probes and analyses, one per day, the last 12 hours ago. */
async function seed(location: StoreLocation): Promise<void> {
  const day = 86_400_000;
  const base = Date.now() - 3 * day - 12 * 3_600_000;
  let now = base;
  const store = await openStoreLocation(location, { now: () => now });
  try {
    for (let d = 0; d < 4; d++) {
      now = base + d * day;
      await store.recordTransfer(
        {
          blobs: { copied: 9, skipped: 0, mounted: 0, cached: 1 },
          manifests: { copied: 1, skipped: 0 },
          bytes: 9e6,
          seconds: 2,
          mbPerSecond: 4.5,
        },
        { source: 'ghcr.io/o/api:main', destination: 'oci:./out:main', command: 'pull' },
      );
      await store.recordProbe({
        registry: 'registry.eu',
        healthy: true,
        reachable: true,
        samples: 5,
        latencyMs: { p50: 120, p95: 900, min: 100, max: 950 },
      });
      await store.recordAnalysis({ bytes: 100e6 + d * 10e6 }, { bytes: 0 }, { image: `ghcr.io/o/api:${d}` });
    }
  } finally {
    await store.close();
  }
}

describe.skipIf(!havePostgres)('memory and insights on a shared PostgreSQL store', () => {
  let server: RunningPostgres;
  let url: string;
  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('two runners (environment variable, config file) share one memory', async () => {
    const a = home('pg-a');
    const b = home('pg-b');
    writeFileSync(join(b, 'ghcr-optimize.yaml'), `store:\n  url: ${url}\n`);
    const set = await runStoreCli(
      ['memory', 'set', 'deploy-lock', 'runner-a', '--namespace', 'prod', '--ttl', '10m'],
      {
        home: a,
        env: { GHCR_OPTIMIZE_STORE_URL: url },
      },
    );
    expectExit(set, 0);
    const [get, list] = await Promise.all([
      runStoreCli(['memory', 'get', 'deploy-lock', '--namespace', 'prod'], { home: b }),
      runStoreCli(['memory', 'list', '--json'], { home: b }),
    ]);
    expectExit(get, 0);
    expect(get.stdout).toBe('runner-a\n');
    expect(json<EntryJson[]>(list).map((e) => e.key)).toEqual(['deploy-lock']);
    // Nothing went to the local SQLite store.
    expect(() => statSync(join(a, '.local', 'share', 'ghcr-optimize', 'insights.db'))).toThrow();
  });

  it('insights reads the whole team’s events', async () => {
    const teamUrl = await server.createDatabase();
    await seed({ kind: 'postgres', url: teamUrl });
    const r = await runStoreCli(['insights', '--json'], {
      home: home('pg-insights'),
      env: { GHCR_OPTIMIZE_STORE_URL: teamUrl },
    });
    const ins = json<{
      store: { dialect: string; location: string };
      events: number;
      recommendations: { topic: string }[];
    }>(r);
    expect(ins.store.dialect).toBe('postgres');
    expect(ins.store.location).not.toContain(server.password);
    expect(ins.events).toBe(12);
    expect(ins.recommendations.map((x) => x.topic)).toEqual(['latency', 'cache', 'size']);
  });

  it('store errors are the command’s errors: network (5), authentication (3); never the password', async () => {
    const h = home('pg-errors');
    const closed = `postgres://postgres:${server.password}@127.0.0.1:1/x`;
    const wrong = server.url('postgres').replace(server.password, 'wrong-password');
    const [down, downJson, auth] = await Promise.all([
      runStoreCli(['memory', 'get', 'k'], { home: h, env: { GHCR_OPTIMIZE_STORE_URL: closed } }),
      runStoreCli(['insights', '--json'], { home: h, env: { GHCR_OPTIMIZE_STORE_URL: closed } }),
      runStoreCli(['memory', 'list'], { home: h, env: { GHCR_OPTIMIZE_STORE_URL: wrong } }),
    ]);
    expectExit(down, 5);
    expect(down.stderr).toContain(
      'error: insights store postgres://postgres@127.0.0.1:1/x: cannot connect (ECONNREFUSED)',
    );
    expect(down.stderr).toMatch(/^hint: check store.url/m);
    expectExit(downJson, 5);
    expect(JSON.parse(downJson.stderr)).toMatchObject({ error: { kind: 'store', exitCode: 5 } });
    expectExit(auth, 3);
    expect(auth.stderr).toContain('password authentication failed');
    for (const r of [down, downJson, auth]) {
      expect(r.stderr).not.toContain(server.password);
      expect(r.stderr).not.toContain('wrong-password');
    }
  });
});
