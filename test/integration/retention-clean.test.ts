/**
 * `clean` and `stats` end to end against the real CNCF registry (docker-registry 2.8, deletes
 * enabled), run as a user runs them (a CLI process per command), with skopeo as the independent
 * reader of what is left.
 *
 * The `app` repository holds, at NOW: semver releases, main/develop/PR/cache tags of various ages
 * (config `created`), a 3-platform index with untagged children (tagged `1.2.0` and `latest`), an
 * expired 2-platform PR index sharing one child with it, cosign-style `sha256-<hex>.sig` tags
 * on a kept and on a deleted image, OCI referrers (with `subject`) behind `sha256-<hex>` fallback
 * index tags on a kept and on a deleted image, and one digest tagged `2.0.0` and `pr-7`.
 *
 * A second registry runs with deletes disabled (the same binary behind a wrapper on PATH that sets
 * REGISTRY_STORAGE_DELETE_ENABLED=false) to show the refusal.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli, type CliResult } from '../support/cli.js';
import {
  makeArtifact,
  makeImage,
  makeIndex,
  makeLayer,
  pushImage,
  type Image,
  type ImageOrIndex,
  type Layer,
} from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { skopeoCopy, skopeoListTags } from '../support/skopeo.js';
import { requireTool } from '../support/tools.js';

// Before anything looks docker-registry up (whichTool caches the answer): a wrapper first on
// PATH that turns deletes off when GHCR_OPT_TEST_NO_DELETE is set, and runs the real one.
const realRegistry = (process.env.PATH ?? '')
  .split(delimiter)
  .map((dir) => join(dir, 'docker-registry'))
  .find((p) => p.startsWith('/') && existsSync(p));
const wrapperDir = makeTempDir('ghcr-opt-retention-bin');
if (realRegistry) {
  mkdirSync(join(wrapperDir, 'bin'));
  const wrapper = join(wrapperDir, 'bin', 'docker-registry');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nif [ -n "$GHCR_OPT_TEST_NO_DELETE" ]; then export REGISTRY_STORAGE_DELETE_ENABLED=false; fi\nexec ${realRegistry} "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  process.env.PATH = `${join(wrapperDir, 'bin')}${delimiter}${process.env.PATH ?? ''}`;
}

const ok = requireTool('docker-registry') && requireTool('skopeo');

const NOW = '2025-06-01T00:00:00Z';
const DAY = 86_400_000;
const daysAgo = (d: number): string => new Date(Date.parse(NOW) - d * DAY).toISOString();

const BASE: Layer = makeLayer({ '/etc/base-release': 'shared base layer\n'.repeat(200) });

function image(name: string, ageDays: number, architecture = 'amd64', variant?: string): Image {
  return makeImage({
    architecture,
    ...(variant ? { variant } : {}),
    config: { created: daysAgo(ageDays) },
    layers: [BASE, makeLayer({ [`/app/${name}`]: `${name}\n`.repeat(50) })],
  });
}

function cosignSignature(subject: ImageOrIndex): Image {
  return makeArtifact({
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    blobs: [
      {
        data: JSON.stringify({ critical: { image: { 'docker-manifest-digest': subject.digest } } }),
        mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      },
    ],
  });
}

function sbomReferrer(subject: ImageOrIndex): Image {
  return makeArtifact({
    subject,
    artifactType: 'application/spdx+json',
    blobs: [
      {
        data: JSON.stringify({ spdxVersion: 'SPDX-2.3', name: subject.digest }),
        mediaType: 'application/spdx+json',
      },
    ],
  });
}

const hexOf = (d: string): string => d.slice('sha256:'.length);

interface PlanItemJson {
  digest: string;
  tags: string[];
  category: string;
  reason: string;
  order?: number;
  wave?: number;
  bytes: number;
  expiredTags?: string[];
}
interface PlanJson {
  repository: string;
  now: string;
  policyHash: string;
  keep: PlanItemJson[];
  delete: PlanItemJson[];
  summary: {
    manifests: { total: number; kept: number; deleted: number };
    tags: { total: number; kept: number; deleted: number };
    bytesReclaimed: number;
    held: boolean;
  };
  apply?: {
    deleted: number;
    refused: number;
    skipped: number;
    failed: number;
    items: { digest: string; status: string; reason?: string }[];
  };
}

function expectExit(r: CliResult, code: number): void {
  expect(r.timedOut, describeRun(r)).toBe(false);
  expect(r.code, describeRun(r)).toBe(code);
}

describe.skipIf(!ok)('clean and stats against docker-registry 2.8', () => {
  let registry: RunningRegistry;
  let noDelete: RunningRegistry;
  let home: string;

  // The `app` repository.
  const rel100 = image('1.0.0', 400);
  const rel110 = image('v1.1.0', 200);
  const amd64 = image('1.2.0-amd64', 10);
  const arm64 = image('1.2.0-arm64', 10, 'arm64');
  const armv7 = image('1.2.0-armv7', 10, 'arm', 'v7');
  const multi = makeIndex([amd64, arm64, armv7]);
  const main = image('main', 5);
  const mainOld = image('main-abc1234', 100);
  const shaOld = image('sha-deadbee', 120);
  const develop = image('develop', 10);
  const developOld = image('develop-old', 45);
  const pr1 = image('pr-1', 3);
  const pr2 = image('pr-2', 20);
  const pr3arm = image('pr-3-arm64', 30, 'arm64');
  const pr3 = makeIndex([amd64, pr3arm]); // shares the amd64 child with the kept 1.2.0 index
  const buildcache = image('buildcache', 2);
  const cacheFresh = image('cache-fresh', 2 / 24);
  const twoCategories = image('2.0.0', 30); // also tagged pr-7
  const sigKept = cosignSignature(rel100);
  const sigDeleted = cosignSignature(pr2);
  const sbomKept = sbomReferrer(rel100);
  const fallbackKept = makeIndex([sbomKept]);
  const sbomDeleted = sbomReferrer(shaOld);
  const fallbackDeleted = makeIndex([sbomDeleted]);

  const seeds: [string, ImageOrIndex][] = [
    ['1.0.0', rel100],
    ['v1.1.0', rel110],
    ['1.2.0', multi],
    ['latest', multi],
    ['main', main],
    ['main-abc1234', mainOld],
    ['sha-deadbee', shaOld],
    ['develop', develop],
    ['develop-old', developOld],
    ['pr-1', pr1],
    ['pr-2', pr2],
    ['pr-3', pr3],
    ['buildcache', buildcache],
    ['cache-fresh', cacheFresh],
    ['2.0.0', twoCategories],
    ['pr-7', twoCategories],
    [`sha256-${hexOf(rel100.digest)}.sig`, sigKept],
    [`sha256-${hexOf(pr2.digest)}.sig`, sigDeleted],
    [`sha256-${hexOf(rel100.digest)}`, fallbackKept],
    [`sha256-${hexOf(shaOld.digest)}`, fallbackDeleted],
  ];

  const expectedDeleted = new Map<string, string>([
    [mainOld.digest, 'main-abc1234'],
    [shaOld.digest, 'sha-deadbee'],
    [developOld.digest, 'develop-old'],
    [pr2.digest, 'pr-2'],
    [pr3.digest, 'pr-3 index'],
    [pr3arm.digest, 'pr-3 arm64 child'],
    [buildcache.digest, 'buildcache'],
    [sigDeleted.digest, 'signature of pr-2'],
    [fallbackDeleted.digest, 'fallback index of sha-deadbee'],
    [sbomDeleted.digest, 'SBOM referrer of sha-deadbee'],
  ]);
  const expectedKept = new Map<string, string>([
    [rel100.digest, '1.0.0'],
    [rel110.digest, 'v1.1.0'],
    [multi.digest, '1.2.0/latest'],
    [amd64.digest, 'amd64 child'],
    [arm64.digest, 'arm64 child'],
    [armv7.digest, 'arm/v7 child'],
    [main.digest, 'main'],
    [develop.digest, 'develop'],
    [pr1.digest, 'pr-1'],
    [cacheFresh.digest, 'cache-fresh'],
    [twoCategories.digest, '2.0.0 + pr-7'],
    [sigKept.digest, 'signature of 1.0.0'],
    [fallbackKept.digest, 'fallback index of 1.0.0'],
    [sbomKept.digest, 'SBOM referrer of 1.0.0'],
  ]);
  const deletedTags = new Set([
    'main-abc1234',
    'sha-deadbee',
    'develop-old',
    'pr-2',
    'pr-3',
    'buildcache',
    `sha256-${hexOf(pr2.digest)}.sig`,
    `sha256-${hexOf(shaOld.digest)}`,
  ]);
  const keptTags = seeds.map(([t]) => t).filter((t) => !deletedTags.has(t));

  const cli = (args: string[], opts: { timeoutMs?: number } = {}): Promise<CliResult> =>
    runCli(args, { home, timeoutMs: opts.timeoutMs ?? 60_000 });
  const repoRef = (repo: string, r = registry): string => `${r.host}/${repo}`;

  async function manifestStatus(r: RunningRegistry, repo: string, digest: string): Promise<number> {
    const res = await fetch(`${r.url}/v2/${repo}/manifests/${digest}`, {
      method: 'HEAD',
      headers: {
        accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json',
      },
    });
    return res.status;
  }

  beforeAll(async () => {
    home = makeTempDir('ghcr-opt-retention-home');
    registry = await startRegistry();
    process.env.GHCR_OPT_TEST_NO_DELETE = '1';
    try {
      noDelete = await startRegistry();
    } finally {
      delete process.env.GHCR_OPT_TEST_NO_DELETE;
    }
    for (const [tag, img] of seeds) await pushImage(registry.url, 'app', tag, img);
  });

  afterAll(async () => {
    await registry?.stop();
    await noDelete?.stop();
    if (home) removeTempDir(home);
    removeTempDir(wrapperDir);
  });

  it('plans exactly the expected deletions, in a safe order, and deletes nothing without --force', async () => {
    const r = await cli([
      '--json',
      'clean',
      repoRef('app'),
      '--dry-run',
      '--now',
      NOW,
      '--plan-out',
      'plan.json',
    ]);
    expectExit(r, 0);
    const plan = JSON.parse(r.stdout) as PlanJson;
    expect(plan.repository).toBe(repoRef('app'));
    expect(plan.now).toBe('2025-06-01T00:00:00.000Z');
    const deleted = new Set(plan.delete.map((i) => i.digest));
    const describeSet = (s: Iterable<string>, names: Map<string, string>) =>
      [...s].map((d) => names.get(d) ?? d).sort();
    expect(describeSet(deleted, new Map([...expectedDeleted, ...expectedKept]))).toEqual(
      describeSet(expectedDeleted.keys(), expectedDeleted),
    );
    expect(new Set(plan.keep.map((i) => i.digest))).toEqual(new Set(expectedKept.keys()));

    const order = (d: string): number => plan.delete.find((i) => i.digest === d)!.order!;
    // Owners first: were a subject refused at apply time, its signature would not be gone yet.
    expect(order(pr2.digest)).toBeLessThan(order(sigDeleted.digest)); // subject before signature
    expect(order(fallbackDeleted.digest)).toBeLessThan(order(sbomDeleted.digest)); // index before entry
    expect(order(shaOld.digest)).toBeLessThan(order(fallbackDeleted.digest)); // subject before referrers
    expect(order(pr3.digest)).toBeLessThan(order(pr3arm.digest)); // index before child

    const both = plan.keep.find((i) => i.digest === twoCategories.digest)!;
    expect(both.tags).toEqual(['2.0.0', 'pr-7']);
    expect(both.category).toBe('release');
    expect(both.expiredTags).toEqual(['pr-7']);
    expect(plan.keep.find((i) => i.digest === amd64.digest)!.reason).toMatch(/child of kept index/);
    expect(plan.summary.manifests).toEqual({ total: 24, kept: 14, deleted: 10 });
    expect(plan.summary.held).toBe(false);
    expect(plan.summary.bytesReclaimed).toBeGreaterThan(0);

    // The text form: the table and the summary line.
    const text = await cli(['clean', repoRef('app'), '--now', NOW]);
    expectExit(text, 0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^ACTION\s+TAGS\s+DIGEST\s+CATEGORY\s+AGE\s+SIZE\s+REASON$/);
    expect(lines.filter((l) => l.startsWith('delete '))).toHaveLength(10);
    expect(lines.filter((l) => l.startsWith('keep '))).toHaveLength(14);
    expect(text.stdout).toMatch(
      /^delete\s+main-abc1234\s+sha256:[0-9a-f]{12}\s+main\s+100d\s+\S+ \S*B\s+main-abc1234: main-\* older than 90d/m,
    );
    expect(text.stdout).toMatch(/^keep\s+2\.0\.0,pr-7\s+/m);
    expect(text.stdout).toMatch(/^delete\s+<none>\s+sha256:\S+\s+child\s+30d\s+/m);
    expect(text.stdout).toContain(`${repoRef('app')}: 10 of 24 manifests to delete (8 of 20 tags)`);
    expect(text.stdout).toMatch(/Dry run: nothing deleted \(--force to apply\)\n$/);

    // Nothing changed.
    expect((await skopeoListTags(`docker://${repoRef('app')}`)).sort()).toEqual(seeds.map(([t]) => t).sort());
  }, 120_000);

  it('stats: categories, storage and shared layers, what the policy reclaims, oldest and newest', async () => {
    const r = await cli(['--json', 'stats', repoRef('app'), '--now', NOW]);
    expectExit(r, 0);
    const s = JSON.parse(r.stdout) as {
      manifests: { total: number; images: number; indexes: number; artifacts: number };
      tags: { total: number; attachment: number };
      categories: Record<string, { manifests: number; tags: number; kept: number; deleted: number }>;
      storage: { blobBytes: number; unsharedBytes: number; sharedSavings: number };
      reclaimable: { manifests: number; tags: number; bytes: number };
      oldest: { tags: string[] };
      newest: { tags: string[] };
    };
    expect(s.manifests).toEqual({ total: 24, images: 16, indexes: 4, artifacts: 4, unreadable: 0 });
    expect(s.tags).toEqual({ total: 20, attachment: 4 });
    expect(s.categories.release).toMatchObject({ manifests: 4, kept: 4, deleted: 0 });
    expect(s.categories.pr).toMatchObject({ kept: 1, deleted: 2 });
    expect(s.storage.sharedSavings).toBeGreaterThan(0);
    expect(s.storage.unsharedBytes - s.storage.blobBytes).toBe(s.storage.sharedSavings);
    expect(s.reclaimable).toMatchObject({ manifests: 10, tags: 8 });
    expect(s.oldest.tags).toContain('1.0.0');
    expect(s.newest.tags).toContain('cache-fresh');

    const text = await cli(['stats', repoRef('app'), '--now', NOW]);
    expectExit(text, 0);
    expect(text.stdout).toMatch(/storage\s+.*shared layers save/);
    expect(text.stdout).toMatch(/policy\s+would delete 10 manifests \(8 tags\)/);
    expect(text.stdout).toMatch(/^CATEGORY\s+MANIFESTS\s+TAGS\s+SIZE\s+KEEP\s+DELETE$/m);
  }, 120_000);

  it('--force deletes exactly the plan; every kept tag still pulls for every platform; a second run deletes nothing', async () => {
    const r = await cli(['--json', 'clean', repoRef('app'), '--force', '--now', NOW]);
    expectExit(r, 0);
    const result = JSON.parse(r.stdout) as PlanJson;
    expect(result.apply).toMatchObject({ deleted: 10, refused: 0, skipped: 0, failed: 0 });

    for (const d of expectedDeleted.keys())
      expect(await manifestStatus(registry, 'app', d), expectedDeleted.get(d)).toBe(404);
    for (const d of expectedKept.keys())
      expect(await manifestStatus(registry, 'app', d), expectedKept.get(d)).toBe(200);
    expect((await skopeoListTags(`docker://${repoRef('app')}`)).sort()).toEqual([...keptTags].sort());

    const out = makeTempDir('ghcr-opt-retention-pull');
    try {
      for (const tag of keptTags) {
        await skopeoCopy(`docker://${repoRef('app')}:${tag}`, `oci:${join(out, 'layout')}:${tag}`, {
          all: true,
        });
      }
    } finally {
      removeTempDir(out);
    }

    const again = await cli(['--json', 'clean', repoRef('app'), '--force', '--now', NOW]);
    expectExit(again, 0);
    const second = JSON.parse(again.stdout) as PlanJson;
    expect(second.delete).toEqual([]);
    expect(second.apply).toMatchObject({ deleted: 0, refused: 0, skipped: 0, failed: 0 });
    expect(second.summary.manifests).toEqual({ total: 14, kept: 14, deleted: 0 });
  }, 240_000);

  it('a saved plan: refused whole under another policy; applied exactly, refusing an item whose tag moved', async () => {
    const oldA = image('moved-a', 30);
    const oldB = image('moved-b', 30);
    const newer = image('moved-new', 1);
    const keeper = image('moved-release', 300);
    await pushImage(registry.url, 'moved', 'pr-10', oldA);
    await pushImage(registry.url, 'moved', 'pr-11', oldB);
    await pushImage(registry.url, 'moved', '3.0.0', keeper);

    const planned = await cli(['clean', repoRef('moved'), '--now', NOW, '--plan-out', 'moved.json']);
    expectExit(planned, 0);
    expect(planned.stderr).toContain('plan saved to moved.json');

    // Another policy: the plan is refused as a whole, before anything is deleted.
    writeFileSync(
      join(home, 'other.yaml'),
      'retention:\n  rules:\n    - { name: pr, match: "pr-*", keep: 14d }\n    - { name: release, match: "*.*.*", keep: forever }\n',
    );
    const refused = await cli(['--config-file', 'other.yaml', 'clean', '--plan', 'moved.json', '--force']);
    expectExit(refused, 2);
    expect(refused.stderr).toMatch(
      /^error: the plan for .*moved was made under a different retention policy .*; nothing deleted$/m,
    );
    expect(refused.stdout).toBe('');
    expect((await skopeoListTags(`docker://${repoRef('moved')}`)).sort()).toEqual([
      '3.0.0',
      'pr-10',
      'pr-11',
    ]);

    // pr-10 moves to a new image between planning and applying.
    await pushImage(registry.url, 'moved', 'pr-10', newer);
    const applied = await cli(['--json', 'clean', '--plan', 'moved.json', '--force']);
    // Refused items: the run did only part of the work (12, incomplete).
    expectExit(applied, 12);
    const doc = JSON.parse(applied.stdout) as PlanJson;
    expect(doc.apply).toMatchObject({ deleted: 1, refused: 1, skipped: 0, failed: 0 });
    expect(doc.apply!.items.find((i) => i.digest === oldA.digest)).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(
        /^tag pr-10 now points to sha256:[0-9a-f]{12}, not sha256:[0-9a-f]{12} as planned$/,
      ) as unknown,
    });
    expect(applied.stderr).toMatch(
      /^warning: .*moved: refused sha256:[0-9a-f]{12} \(pr-10\): tag pr-10 now points to/m,
    );
    expect(applied.stderr).toMatch(
      /^warning: 1 item was refused because it changed since the plan was made/m,
    );
    expect(await manifestStatus(registry, 'moved', oldA.digest)).toBe(200);
    expect(await manifestStatus(registry, 'moved', newer.digest)).toBe(200);
    expect(await manifestStatus(registry, 'moved', oldB.digest)).toBe(404);
    expect((await skopeoListTags(`docker://${repoRef('moved')}`)).sort()).toEqual(['3.0.0', 'pr-10']);
  }, 180_000);

  it('a subject tagged after planning keeps its signature: nothing of its group is deleted (exit 12)', async () => {
    // The review's reproduction: pr-2 and its cosign signature are planned for deletion, then
    // pr-2 is copied to a new tag; applying the saved plan must delete neither.
    const subject = image('sig2-pr-2', 20);
    const signature = cosignSignature(subject);
    const other = image('sig2-pr-3', 20);
    const release = image('sig2-release', 300);
    const sigTag = `sha256-${hexOf(subject.digest)}.sig`;
    await pushImage(registry.url, 'app2', 'pr-2', subject);
    await pushImage(registry.url, 'app2', sigTag, signature);
    await pushImage(registry.url, 'app2', 'pr-3', other);
    await pushImage(registry.url, 'app2', '1.0.0', release);

    const planned = await cli(['--json', 'clean', repoRef('app2'), '--now', NOW, '--plan-out', 'plan2.json']);
    expectExit(planned, 0);
    const plan = JSON.parse(planned.stdout) as PlanJson;
    expect(new Set(plan.delete.map((i) => i.digest))).toEqual(
      new Set([subject.digest, signature.digest, other.digest]),
    );

    await skopeoCopy(`docker://${repoRef('app2')}:pr-2`, `docker://${repoRef('app2')}:hotfix-keep`);
    expect((await skopeoListTags(`docker://${repoRef('app2')}`)).sort()).toContain('hotfix-keep');

    const applied = await cli(['clean', '--plan', 'plan2.json', '--force']);
    expectExit(applied, 12);
    expect(applied.stdout).not.toMatch(/^deleted\s+sha256-/m);
    expect(applied.stdout).toMatch(/^refused\s+pr-2\s+/m);
    expect(applied.stdout).toMatch(
      /^refused\s+sha256-[0-9a-f]{12}….sig\s+.*kept with sha256:[0-9a-f]{12} \(pr-2\)/m,
    );
    expect(applied.stdout).toMatch(/^deleted\s+pr-3\s+/m);
    expect(applied.stdout).toMatch(
      /: deleted 1 manifest, refused 2 \(changed since the plan was made: a tag moved or was added/,
    );
    expect(applied.stderr).toMatch(/refused sha256:[0-9a-f]{12} \(pr-2\): .*gained tag hotfix-keep/);
    expect(applied.stderr).toMatch(
      /^warning: 2 items were refused because they changed since the plan was made/m,
    );

    // The kept image is still signed: its signature manifest and tag are there, it still pulls.
    expect(await manifestStatus(registry, 'app2', subject.digest)).toBe(200);
    expect(await manifestStatus(registry, 'app2', signature.digest)).toBe(200);
    expect(await manifestStatus(registry, 'app2', other.digest)).toBe(404);
    expect((await skopeoListTags(`docker://${repoRef('app2')}`)).sort()).toEqual(
      ['1.0.0', 'hotfix-keep', 'pr-2', sigTag].sort(),
    );
    const out = makeTempDir('ghcr-opt-retention-sig2');
    try {
      await skopeoCopy(`docker://${repoRef('app2')}:${sigTag}`, `oci:${join(out, 'layout')}:sig`);
    } finally {
      removeTempDir(out);
    }
  }, 180_000);

  it('a registry that does not allow deletes: a clear error, nothing deleted', async () => {
    const expired = image('nodelete-pr', 30);
    const fresh = image('nodelete-main', 1);
    await pushImage(noDelete.url, 'app', 'pr-5', expired);
    await pushImage(noDelete.url, 'app', 'main', fresh);

    const r = await cli(['clean', repoRef('app', noDelete), '--force', '--now', NOW]);
    expectExit(r, 6);
    expect(r.stderr).toMatch(
      /^error: .*\/app: this registry does not allow deletes \(HTTP 405\); enable storage\.delete$/m,
    );
    expect(r.stderr).toMatch(/^hint: .*storage\.delete\.enabled: true.*on ghcr\.io use the GitHub back end/m);
    expect(r.stdout).toBe('');
    expect(await manifestStatus(noDelete, 'app', expired.digest)).toBe(200);
    expect((await skopeoListTags(`docker://${repoRef('app', noDelete)}`)).sort()).toEqual(['main', 'pr-5']);
  }, 120_000);
});
