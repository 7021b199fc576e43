import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CacheUsage,
  USAGE_DIR,
  planCacheRetention,
  usageKey,
  type RepositoryUse,
} from '../../../src/transfer/blob-cache-usage.js';
import { BlobCache, planPrune, type CacheEntry } from '../../../src/transfer/blob-cache.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const H = 3_600_000;
const MB = 1_000_000;
const d = (c: string): string => `sha256:${c.repeat(64)}`;
const ago = (hours: number): Date => new Date(NOW.getTime() - hours * H);
const entry = (c: string, mb: number, hours: number): CacheEntry => ({
  digest: d(c),
  size: mb * MB,
  lastUsed: ago(hours),
});
const repo = (repository: string, uses: [string, number][]): RepositoryUse => ({
  repository,
  key: usageKey(repository),
  uses: uses.map(([c, hours]) => ({ digest: d(c), lastUsed: ago(hours) })),
});

describe('planCacheRetention', () => {
  // a..f: blobs; api uses a b c d (a is shared with web), web uses a e; f belongs to nobody.
  const entries = [
    entry('a', 500, 1),
    entry('b', 800, 2),
    entry('c', 900, 3),
    entry('d', 700, 30),
    entry('e', 400, 5),
    entry('f', 100, 4),
  ];
  const usage = [
    repo('ghcr.io/o/api', [
      ['a', 10],
      ['b', 2],
      ['c', 3],
      ['d', 30],
    ]),
    repo('ghcr.io/o/web', [
      ['a', 1],
      ['e', 5],
    ]),
  ];

  it('24h and 2GB per repository: the old blob goes, api releases its least recently used until under the limit', () => {
    const plan = planCacheRetention(
      entries,
      usage,
      { maxAgeMs: 24 * H, maxSizePerRepository: 2000 * MB },
      NOW,
    );
    // d is 30h unused: gone for its age. api then holds a(500, used 10h ago) b(800) c(900) = 2200MB:
    // it releases a, its least recently used; web still holds a, so the blob stays.
    expect(plan.remove.map((r) => [r.digest, r.reason])).toEqual([[d('d'), 'age']]);
    expect(plan.remove[0]!.repositories.map((h) => h.repository)).toEqual(['ghcr.io/o/api']);
    expect(plan.release.map((r) => [r.repository, r.digest, r.blobRemoved])).toEqual([
      ['ghcr.io/o/api', d('a'), false],
    ]);
    expect(plan.repositories).toEqual([
      { repository: 'ghcr.io/o/api', limit: 2000 * MB, before: 2900 * MB, after: 1700 * MB, blobs: 2 },
      { repository: 'ghcr.io/o/web', limit: 2000 * MB, before: 900 * MB, after: 900 * MB, blobs: 2 },
    ]);
    expect(plan.bytesFreed).toBe(700 * MB);
    expect(plan.remaining).toBe(5);
  });

  it('a blob goes when every repository holding it released it; unattributed blobs only by age and cache size', () => {
    const plan = planCacheRetention(entries, usage, { maxSizePerRepository: 450 * MB }, NOW);
    // api (a10h b2h c3h d30h): releases d, a, c, b → nothing kept. web (a1h e5h, 900MB): releases e, then a.
    expect(plan.remove.map((r) => [r.digest, r.reason])).toEqual([
      // Least recently used first (the blob's own last use).
      [d('d'), 'repository-limit'],
      [d('e'), 'repository-limit'],
      [d('c'), 'repository-limit'],
      [d('b'), 'repository-limit'],
      [d('a'), 'repository-limit'],
    ]);
    expect(plan.remove.map((r) => r.digest)).not.toContain(d('f'));
    expect(plan.repositories.map((f) => [f.repository, f.after, f.blobs])).toEqual([
      ['ghcr.io/o/api', 0, 0],
      ['ghcr.io/o/web', 0, 0],
    ]);
  });

  it('a limit of one repository, and the whole-cache size after that', () => {
    const plan = planCacheRetention(
      entries,
      usage,
      { repositoryLimits: new Map([['ghcr.io/o/api', 1000 * MB]]), maxSize: 1500 * MB },
      NOW,
    );
    // api (2900MB) releases by its own use: d(30h) → 2200, a(10h) → 1700, c(3h) → 800 ≤ 1000.
    // d and c go (only api held them); web, without a limit, keeps a. Left: a b e f = 1800MB over
    // the 1500MB cache limit: e, the least recently used blob (5h), goes too.
    expect(plan.remove.map((r) => [r.digest, r.reason])).toEqual([
      [d('d'), 'repository-limit'],
      [d('e'), 'max-size'],
      [d('c'), 'repository-limit'],
    ]);
    expect(plan.release.map((r) => [r.digest, r.blobRemoved])).toEqual([
      [d('d'), true],
      [d('a'), false],
      [d('c'), true],
    ]);
    expect(plan.repositories.find((f) => f.repository === 'ghcr.io/o/web')).toEqual({
      repository: 'ghcr.io/o/web',
      before: 900 * MB,
      after: 500 * MB,
      blobs: 1,
    });
  });

  it('without repository data it plans exactly what planPrune plans', () => {
    const policy = { maxAgeMs: 4.5 * H, maxSize: 1500 * MB };
    const plan = planCacheRetention(entries, [], policy, NOW);
    expect(plan.remove.map((r) => r.digest)).toEqual(
      planPrune(entries, { olderThanMs: 4.5 * H, maxSize: 1500 * MB }, NOW).map((e) => e.digest),
    );
  });

  it('markers of blobs no longer cached are stale; ties break by digest', () => {
    const plan = planCacheRetention(
      [entry('b', 1, 1), entry('a', 1, 1)],
      [
        repo('r', [
          ['z', 1],
          ['b', 1],
          ['a', 1],
        ]),
      ],
      { maxSizePerRepository: 1 * MB },
      NOW,
    );
    expect(plan.stale).toEqual([{ repository: 'r', key: 'r', digest: d('z') }]);
    expect(plan.remove.map((r) => r.digest)).toEqual([d('a')]);
  });
});

describe('usageKey', () => {
  it('is a readable, file-name-safe name; long names are hashed', () => {
    expect(usageKey('127.0.0.1:5000/team/app')).toBe('127.0.0.1%3A5000%2Fteam%2Fapp');
    expect(usageKey("a*b~c!'()")).toBe('a%2Ab%7Ec%21%27%28%29');
    const long = `ghcr.io/${'x'.repeat(300)}`;
    expect(usageKey(long)).toMatch(/^~[0-9a-f]{64}$/);
  });
});

describe('CacheUsage (on disk)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tmp = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ghcr-opt-usage-'));
    dirs.push(dir);
    return dir;
  };

  it('touch records one marker per (repository, blob), concurrently and idempotently; list reads them back', async () => {
    const u = new CacheUsage(tmp());
    const long = `ghcr.io/${'y'.repeat(300)}`;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        u.touch(i % 2 === 0 ? 'ghcr.io/o/api' : long, d(String.fromCharCode(97 + (i % 4))), ago(i % 3)),
      ),
    );
    const list = await u.list();
    expect(list.map((r) => [r.repository, r.uses.map((x) => x.digest)])).toEqual(
      [
        ['ghcr.io/o/api', [d('a'), d('c')]],
        [long, [d('b'), d('d')]],
      ].sort((a, b) => (usageKey(a[0] as string) < usageKey(b[0] as string) ? -1 : 1)),
    );
    // No temp file is left behind.
    for (const r of list) {
      expect(readdirSync(join(u.cacheDir, USAGE_DIR, r.key)).filter((n) => n.startsWith('.tmp-'))).toEqual(
        [],
      );
    }
  });

  it('release refuses a marker used after the plan, and removes it otherwise', async () => {
    const u = new CacheUsage(tmp());
    await u.touch('r/x', d('a'), ago(5));
    const [r] = await u.list();
    const planned = r!.uses[0]!.lastUsed;
    await u.touch('r/x', d('a'), ago(1));
    expect(await u.release(r!.key, d('a'), planned)).toBe(false);
    expect(existsSync(u.markerPath('r/x', d('a')))).toBe(true);
    expect(await u.release(r!.key, d('a'), ago(0))).toBe(true);
    expect(existsSync(u.markerPath('r/x', d('a')))).toBe(false);
    expect(await u.list()).toEqual([]);
  });

  it('BlobCache.removePlanned keeps a blob used since the plan', async () => {
    const dir = tmp();
    const cache = new BlobCache(dir);
    const { Readable } = await import('node:stream');
    const data = Buffer.from('hello blob');
    const { createHash } = await import('node:crypto');
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    await cache.ensure({ digest, size: data.length }, () => Readable.from([data]));
    const planned = statSync(cache.path(digest)).mtime;
    const { utimesSync } = await import('node:fs');
    utimesSync(
      cache.path(digest),
      new Date(planned.getTime() + 60_000),
      new Date(planned.getTime() + 60_000),
    );
    expect(await cache.removePlanned(digest, planned)).toBe(false);
    expect(existsSync(cache.path(digest))).toBe(true);
    expect(await cache.removePlanned(digest, new Date(planned.getTime() + 60_000))).toBe(true);
    expect(existsSync(cache.path(digest))).toBe(false);
  });
});
