/**
 * `cache prune --retention` end to end: blobs pulled by `cache-warm` (a CLI process) from a real
 * docker-registry for three repositories, then pruned by age (24h) and by a size limit per
 * repository, with the exact evictions expected. The cache's use times are set on the files
 * (blob mtime: last use of the blob; marker mtime: a repository's last use of it) so the order
 * is known.
 */
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli, type CliResult } from '../support/cli.js';
import { makeImage, makeLayer, noise, pushImage, type Blob, type Image } from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { requireTool } from '../support/tools.js';
import { usageKey } from '../../src/transfer/blob-cache-usage.js';

const ok = requireTool('docker-registry');

interface PruneJson {
  dryRun: boolean;
  policy: Record<string, unknown>;
  removed: { digest: string; size: number; reason: string; repositories: string[] }[];
  released: { repository: string; digest: string }[];
  repositories: { repository: string; limit?: number; before: number; after: number; blobs: number }[];
  skipped: unknown[];
  bytesFreed: number;
  remaining: number;
}

function expectExit(r: CliResult, code: number): void {
  expect(r.timedOut, describeRun(r)).toBe(false);
  expect(r.code, describeRun(r)).toBe(code);
}

describe.skipIf(!ok)('cache prune --retention (docker-registry + cache-warm)', () => {
  let reg: RunningRegistry;
  let home: string;
  let cacheDir: string;
  const base = makeLayer({ '/base.bin': noise(300_000, 11) });
  const apiLayer = makeLayer({ '/api.bin': noise(200_000, 22) });
  const webLayer = makeLayer({ '/web.bin': noise(100_000, 33) });
  const oldLayer = makeLayer({ '/old.bin': noise(50_000, 44) });
  const api = makeImage({ config: { config: { Labels: { svc: 'api' } } }, layers: [base, apiLayer] });
  const web = makeImage({ config: { config: { Labels: { svc: 'web' } } }, layers: [base, webLayer] });
  const old = makeImage({ config: { config: { Labels: { svc: 'old' } } }, layers: [oldLayer] });
  const blobsOf = (img: Image): Blob[] => [img.config, ...img.layers];
  const sum = (bs: Blob[]): number => bs.reduce((n, b) => n + b.size, 0);
  const now = Date.now();
  const hoursAgo = (h: number): Date => new Date(now - h * 3_600_000);

  const cli = (args: string[]): Promise<CliResult> => runCli(args, { home, timeoutMs: 60_000 });
  const repoName = (r: string): string => `${reg.host}/${r}`;
  const blobPath = (digest: string): string => join(cacheDir, 'sha256', digest.slice(7));
  const markerPath = (repo: string, digest: string): string =>
    join(cacheDir, 'repositories', usageKey(repoName(repo)), `sha256-${digest.slice(7)}`);
  const setTime = (path: string, at: Date): void => utimesSync(path, at, at);
  const cachedBlobs = (): string[] =>
    readdirSync(join(cacheDir, 'sha256'))
      .map((h) => `sha256:${h}`)
      .sort();

  beforeAll(async () => {
    home = makeTempDir('ghcr-opt-cache-retention');
    cacheDir = join(home, 'cache');
    reg = await startRegistry();
    await pushImage(reg.url, 'svc/api', 'latest', api);
    await pushImage(reg.url, 'svc/web', 'latest', web);
    await pushImage(reg.url, 'svc/old', 'latest', old);
    const warm = await cli([
      'cache-warm',
      `${reg.host}/svc/api:latest`,
      `${reg.host}/svc/web:latest`,
      `${reg.host}/svc/old:latest`,
      '--cache',
      cacheDir,
    ]);
    expectExit(warm, 0);
    // Blob last uses: the old image's a day and a half ago, the rest an hour ago.
    for (const b of [...blobsOf(api), ...blobsOf(web)]) setTime(blobPath(b.digest), hoursAgo(1));
    for (const b of blobsOf(old)) setTime(blobPath(b.digest), hoursAgo(36));
    // Repository uses: api used the base layer last 3h ago, web 2h ago.
    setTime(markerPath('svc/api', base.digest), hoursAgo(3));
    setTime(markerPath('svc/api', apiLayer.digest), hoursAgo(1));
    setTime(markerPath('svc/api', api.config.digest), hoursAgo(1));
    setTime(markerPath('svc/web', base.digest), hoursAgo(2));
    setTime(markerPath('svc/web', webLayer.digest), hoursAgo(1.5));
    setTime(markerPath('svc/web', web.config.digest), hoursAgo(1));
    for (const b of blobsOf(old)) setTime(markerPath('svc/old', b.digest), hoursAgo(36));
  }, 120_000);

  afterAll(async () => {
    await reg?.stop();
    if (home) removeTempDir(home);
  });

  it('records which repository each blob was pulled for', () => {
    expect(cachedBlobs()).toEqual(
      [...new Set([...blobsOf(api), ...blobsOf(web), ...blobsOf(old)].map((b) => b.digest))].sort(),
    );
    for (const [repo, img] of [
      ['svc/api', api],
      ['svc/web', web],
      ['svc/old', old],
    ] as const) {
      for (const b of blobsOf(img))
        expect(existsSync(markerPath(repo, b.digest)), `${repo} ${b.digest}`).toBe(true);
    }
    expect(existsSync(markerPath('svc/old', base.digest))).toBe(false);
  });

  it('24h and a limit per repository: --dry-run shows the exact plan, the prune then does exactly that', async () => {
    // web (base + web layer + config) just fits; api (base + a bigger layer + config) does not.
    const limit = sum(blobsOf(web));
    expect(sum(blobsOf(api))).toBeGreaterThan(limit);
    const args = ['cache', 'prune', '--cache', cacheDir, '--retention', '--max-size-per-repo', String(limit)];

    const dry = await cli(['--json', ...args, '--dry-run']);
    expectExit(dry, 0);
    const plan = JSON.parse(dry.stdout) as PruneJson;
    expect(plan.dryRun).toBe(true);
    expect(plan.policy).toEqual({ maxAge: '1d', maxSizePerRepository: limit });
    // The old image: unused for 36h. api releases its least recently used blob, the base layer,
    // which web still holds: the blob stays.
    expect(plan.removed.map((r) => [r.digest, r.reason, r.repositories]).sort()).toEqual(
      blobsOf(old)
        .map((b) => [b.digest, 'age', [repoName('svc/old')]])
        .sort(),
    );
    expect(plan.released).toEqual([
      expect.objectContaining({ repository: repoName('svc/api'), digest: base.digest }) as unknown,
    ]);
    expect(plan.repositories.find((f) => f.repository === repoName('svc/api'))).toEqual({
      repository: repoName('svc/api'),
      limit,
      before: sum(blobsOf(api)),
      after: api.config.size + apiLayer.size,
      blobs: 2,
    });
    expect(plan.bytesFreed).toBe(sum(blobsOf(old)));
    const before = cachedBlobs();

    const text = await cli([...args, '--dry-run']);
    expectExit(text, 0);
    expect(text.stdout).toMatch(/^BLOB\s+SIZE\s+LAST USED\s+REASON\s+REPOSITORIES$/m);
    expect(text.stdout).toContain('would be released by repositories over their limit');
    expect(text.stdout).toMatch(/would free .* \(2 blobs\); 5 remain\n$/);
    expect(cachedBlobs()).toEqual(before);
    expect(existsSync(markerPath('svc/api', base.digest))).toBe(true);

    const run = await cli(['--json', ...args]);
    expectExit(run, 0);
    const done = JSON.parse(run.stdout) as PruneJson;
    expect(done.removed).toEqual(plan.removed);
    expect(done.released.map((r) => r.digest)).toEqual(plan.released.map((r) => r.digest));
    expect(done.skipped).toEqual([]);
    expect(cachedBlobs()).toEqual(before.filter((d) => !blobsOf(old).some((b) => b.digest === d)));
    for (const b of blobsOf(old)) expect(existsSync(markerPath('svc/old', b.digest))).toBe(false);
    expect(existsSync(markerPath('svc/api', base.digest))).toBe(false);
    expect(existsSync(markerPath('svc/web', base.digest))).toBe(true);
    expect(existsSync(blobPath(base.digest))).toBe(true);
  });

  it('a blob goes once the last repository holding it lets it go; the limit can come from the config', async () => {
    // web may keep its own layer and config only: it releases the base layer, the last holder.
    const limit = webLayer.size + web.config.size;
    // api gets a limit of its own (services.api.cache.maxSize), so it keeps what it has.
    writeFileSync(
      join(home, 'ghcr-optimize.yaml'),
      `cache:\n  maxSizePerService: "${limit}"\n  maxAge: 48h\nservices:\n  api:\n    image: ${repoName('svc/api')}\n    cache:\n      maxSize: 10MB\n`,
    );
    const dry = await cli(['--json', 'cache', 'prune', '--cache', cacheDir, '--retention', '--dry-run']);
    expectExit(dry, 0);
    const plan = JSON.parse(dry.stdout) as PruneJson;
    expect(plan.policy).toEqual({
      maxAge: '2d',
      maxSizePerRepository: limit,
      repositoryLimits: { [repoName('svc/api')]: expect.any(Number) as unknown },
    });
    expect(plan.removed.map((r) => [r.digest, r.reason, r.repositories])).toEqual([
      [base.digest, 'repository-limit', [repoName('svc/web')]],
    ]);
    expect(plan.released).toEqual([]);

    const run = await cli(['cache', 'prune', '--cache', cacheDir, '--retention']);
    expectExit(run, 0);
    expect(run.stdout).toMatch(/freed .* \(1 blobs\); 4 remain\n$/);
    expect(existsSync(blobPath(base.digest))).toBe(false);
    expect(existsSync(markerPath('svc/web', base.digest))).toBe(false);
    expect(cachedBlobs()).toEqual(
      [api.config.digest, apiLayer.digest, web.config.digest, webLayer.digest].sort(),
    );

    // Nothing more to do: a second prune is empty.
    const again = await cli(['--json', 'cache', 'prune', '--cache', cacheDir, '--retention']);
    expectExit(again, 0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      removed: [],
      released: [],
      bytesFreed: 0,
      remaining: 4,
    });
  });

  it('a prune with no rule at all is a usage error', async () => {
    const r = await cli(['cache', 'prune', '--cache', cacheDir]);
    expectExit(r, 2);
    expect(r.stderr).toContain(
      'error: cache prune needs --retention, --max-size-per-repo, --max-size and/or --older-than',
    );
  });
});
