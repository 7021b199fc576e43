import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import type { Link } from '../../../src/retention/inventory.js';
import {
  checkPlanItem,
  orderDeletions,
  planRetention,
  shortDigest,
  type PlanItem,
  type RetentionPlan,
} from '../../../src/retention/planner.js';
import {
  defaultPolicy,
  policyHash,
  resolvePolicy,
  type RetentionPolicy,
} from '../../../src/retention/policy.js';
import { NOW, RepoBuilder, daysAgo, dg, prng, shuffleFacts } from './fixtures.js';
import { buildInventory } from '../../../src/retention/inventory.js';

function plan(r: RepoBuilder, policy: RetentionPolicy = defaultPolicy(), now: Date = NOW): RetentionPlan {
  return planRetention(r.inventory(), policy, now);
}

function find(p: RetentionPlan, digest: string): { action: 'keep' | 'delete'; item: PlanItem } {
  const k = p.keep.find((i) => i.digest === digest);
  if (k) return { action: 'keep', item: k };
  const d = p.delete.find((i) => i.digest === digest);
  if (d) return { action: 'delete', item: d };
  throw new Error(`${digest} is not in the plan`);
}
const action = (p: RetentionPlan, digest: string): 'keep' | 'delete' => find(p, digest).action;
const order = (p: RetentionPlan, digest: string): number => find(p, digest).item.order!;

describe('tag rules (default policy)', () => {
  const r = new RepoBuilder();
  const rel = r.image('rel', { age: 400 });
  const relV = r.image('relv', { age: 800 });
  const latest = r.image('latest', { age: 200 });
  const mainOld = r.image('main-old', { age: 100 });
  const mainNew = r.image('main-new', { age: 10 });
  const devOld = r.image('dev-old', { age: 40 });
  const devNew = r.image('dev-new', { age: 29 });
  const prOld = r.image('pr-old', { age: 12 });
  const prNew = r.image('pr-new', { age: 6.5 });
  const cacheOld = r.image('cache-old', { age: 2 });
  const cacheNew = r.image('cache-new', { age: 0.5 });
  const feature = r.image('feature', { age: 1000 });
  const ageless = r.image('ageless', { configCreated: null });
  r.tag('1.2.3', rel)
    .tag('v0.9.0', relV)
    .tag('latest', latest)
    .tag('main-aaa', mainOld)
    .tag('sha-1111111', mainNew)
    .tag('develop-1', devOld)
    .tag('dev-2', devNew)
    .tag('pr-1', prOld)
    .tag('pr-2', prNew)
    .tag('buildcache', cacheOld)
    .tag('cache-main', cacheNew)
    .tag('feature-x', feature)
    .tag('pr-3', ageless);
  const p = plan(r);

  it.each([
    ['1.2.3', 'keep', 'release', '1.2.3: *.*.* kept forever'],
    ['v0.9.0', 'keep', 'release', 'v0.9.0: v*.*.* kept forever'],
    ['latest', 'keep', 'release', 'latest: kept forever'],
    ['main-aaa', 'delete', 'main', 'main-aaa: main-* older than 90d (100d)'],
    ['sha-1111111', 'keep', 'main', 'sha-1111111: sha-* younger than 90d (10d)'],
    ['develop-1', 'delete', 'develop', 'develop-1: develop-* older than 30d (40d)'],
    ['dev-2', 'keep', 'develop', 'dev-2: dev-* younger than 30d (29d)'],
    ['pr-1', 'delete', 'pr', 'pr-1: pr-* older than 7d (12d)'],
    ['pr-2', 'keep', 'pr', 'pr-2: pr-* younger than 7d (6d12h)'],
    ['buildcache', 'delete', 'cache', 'buildcache: buildcache* older than 24h (2d)'],
    ['cache-main', 'keep', 'cache', 'cache-main: cache-* younger than 24h (12h)'],
    ['feature-x', 'keep', 'unmatched', 'feature-x: no rule matches (kept)'],
    ['pr-3', 'keep', 'pr', 'pr-3: pr-* age unknown (kept)'],
  ])('%s → %s (%s)', (tag, act, category, reason) => {
    const digest = r.tags.get(tag)!;
    const { action: a, item } = find(p, digest);
    expect(a).toBe(act);
    expect(item.category).toBe(category);
    expect(item.reason).toBe(reason);
    expect(item.tags).toEqual([tag]);
  });

  it('reports unmatched tags and per-category counts', () => {
    expect(p.summary.unmatchedTags).toEqual(['feature-x']);
    expect(p.summary.categories).toEqual({
      cache: { kept: 1, deleted: 1, bytes: 1600 },
      develop: { kept: 1, deleted: 1, bytes: 1600 },
      main: { kept: 1, deleted: 1, bytes: 1600 },
      pr: { kept: 2, deleted: 1, bytes: 1600 },
      release: { kept: 3, deleted: 0, bytes: 0 },
      unmatched: { kept: 1, deleted: 0, bytes: 0 },
    });
    expect(p.summary.manifests).toEqual({ total: 13, kept: 9, deleted: 4 });
    expect(p.summary.tags).toEqual({ total: 13, kept: 9, deleted: 4 });
    expect(p.summary.held).toBe(false);
  });

  it('records the tag decisions, sorted by tag', () => {
    expect(p.tagDecisions.map((d) => d.tag)).toEqual([...r.tags.keys()].sort());
    expect(p.tagDecisions.find((d) => d.tag === 'pr-1')).toMatchObject({
      decision: 'expire',
      rule: 4,
      pattern: 'pr-*',
      digest: prOld,
    });
    expect(p.tagDecisions.find((d) => d.tag === 'feature-x')).not.toHaveProperty('rule');
  });

  it('records ages against the pinned clock', () => {
    expect(p.now).toBe(NOW.toISOString());
    expect(find(p, prOld).item).toMatchObject({
      created: daysAgo(12),
      createdSource: 'config',
      ageSeconds: 12 * 86400,
    });
    // Another clock, another plan.
    const later = plan(r, defaultPolicy(), new Date(NOW.getTime() + 86_400_000));
    expect(action(later, prNew)).toBe('delete');
    expect(action(later, devNew)).toBe('delete');
  });

  it('refuses an invalid clock', () => {
    expect(() => planRetention(r.inventory(), defaultPolicy(), new Date(Number.NaN))).toThrow(UsageError);
  });
});

describe('a digest is kept if any of its tags is kept', () => {
  it('two tags in different categories: keep wins, the expired tag is reported', () => {
    const r = new RepoBuilder();
    const img = r.image('img', { age: 30 });
    r.tag('pr-7', img).tag('v2.0.0', img);
    const p = plan(r);
    const { action: a, item } = find(p, img);
    expect(a).toBe('keep');
    expect(item).toMatchObject({
      category: 'release',
      reason: 'v2.0.0: v*.*.* kept forever',
      expiredTags: ['pr-7'],
    });
    expect(item.tags).toEqual(['pr-7', 'v2.0.0']);
  });

  it('two expired tags: deleted, both reasons given, the first rule names the category', () => {
    const r = new RepoBuilder();
    const img = r.image('img', { age: 200 });
    r.tag('pr-7', img).tag('main-x', img);
    const p = plan(r);
    expect(find(p, img).item).toMatchObject({
      category: 'main',
      reason: 'main-x: main-* older than 90d (200d); pr-7: pr-* older than 7d (200d)',
    });
  });
});

describe('keepLast', () => {
  const policy = resolvePolicy({ rules: [{ name: 'pr', match: 'pr-*', keep: '7d', keepLast: 2 }] });

  it('keeps the N newest images of the rule whatever their age', () => {
    const r = new RepoBuilder();
    const ages = [30, 20, 40, 50, 3];
    const digests = ages.map((age, i) => {
      const d = r.image(`pr${i}`, { age });
      r.tag(`pr-${i}`, d);
      return d;
    });
    const p = plan(r, policy);
    // The two newest are pr-4 (3d, young anyway) and pr-1 (20d, kept by keepLast); the rest go.
    expect(digests.map((d) => action(p, d))).toEqual(['delete', 'keep', 'delete', 'delete', 'keep']);
    expect(find(p, digests[1]!).item.reason).toBe('pr-1: pr-* among the 2 newest pr (keepLast 2, 20d old)');
    expect(find(p, digests[4]!).item.reason).toBe('pr-4: pr-* younger than 7d (3d)');
  });

  it('counts images, not tags', () => {
    const r = new RepoBuilder();
    const a = r.image('a', { age: 10 });
    const b = r.image('b', { age: 20 });
    const c = r.image('c', { age: 30 });
    r.tag('pr-a1', a).tag('pr-a2', a).tag('pr-b', b).tag('pr-c', c);
    const p = plan(r, policy);
    expect([a, b, c].map((d) => action(p, d))).toEqual(['keep', 'keep', 'delete']);
  });

  it('only counts tags whose first matching rule is this one', () => {
    const r = new RepoBuilder();
    const p1 = resolvePolicy({
      rules: [
        { name: 'hot', match: 'pr-9*', keep: '1d' },
        { name: 'pr', match: 'pr-*', keep: '1d', keepLast: 1 },
      ],
    });
    const hot = r.image('hot', { age: 5 });
    const pr = r.image('pr', { age: 10 });
    r.tag('pr-91', hot).tag('pr-1', pr);
    const p = plan(r, p1);
    expect(action(p, hot)).toBe('delete');
    expect(action(p, pr)).toBe('keep');
  });
});

describe('multi-platform indexes', () => {
  it('children of a kept index are kept even though untagged (actions/delete-package-versions#162)', () => {
    const r = new RepoBuilder();
    const { index, children } = r.multiArch('app', 300, ['amd64', 'arm64', 'arm'], { attestation: true });
    r.tag('1.0.0', index);
    const p = plan(r);
    expect(action(p, index)).toBe('keep');
    for (const c of children.slice(0, 3)) {
      expect(find(p, c)).toMatchObject({
        action: 'keep',
        item: { category: 'child', reason: `child of kept index ${shortDigest(index)} (1.0.0)`, tags: [] },
      });
      expect(find(p, c).item.via).toEqual({ relation: 'child', kind: 'child', of: index });
    }
    expect(find(p, children[3]!).item).toMatchObject({
      category: 'attestation',
      reason: `attestation listed in kept index ${shortDigest(index)} (1.0.0)`,
    });
    expect(p.delete).toEqual([]);
  });

  it('children of a deleted index are deleted after it', () => {
    const r = new RepoBuilder();
    const { index, children } = r.multiArch('pr', 30, ['amd64', 'arm64', 'arm'], { attestation: true });
    r.tag('pr-5', index);
    const p = plan(r);
    expect(p.delete.map((i) => i.digest)).toEqual([index, ...[...children].sort()]);
    expect(find(p, index).item).toMatchObject({ order: 1, wave: 1 });
    for (const c of children) {
      expect(find(p, c).item.wave).toBe(2);
      expect(find(p, c).item.reason).toMatch(
        /^(child|attestation listed) in deleted index|^child of deleted index/,
      );
    }
  });

  it('nested indexes are followed recursively both ways', () => {
    const r = new RepoBuilder();
    const leafA = r.image('leaf-a', { age: 20 });
    const leafB = r.image('leaf-b', { age: 20 });
    const inner = r.index('inner', [leafA, leafB]);
    const outer = r.index('outer', [inner]);
    r.tag('v1.0.0', outer);
    const kept = plan(r);
    expect([outer, inner, leafA, leafB].map((d) => action(kept, d))).toEqual([
      'keep',
      'keep',
      'keep',
      'keep',
    ]);
    expect(find(kept, leafA).item.reason).toBe(`child of kept index ${shortDigest(inner)}`);

    const r2 = new RepoBuilder();
    const la = r2.image('leaf-a', { age: 20 });
    const lb = r2.image('leaf-b', { age: 20 });
    const inn = r2.index('inner', [la, lb]);
    const out = r2.index('outer', [inn]);
    r2.tag('pr-1', out);
    const gone = plan(r2);
    expect(gone.delete.map((i) => [i.digest, i.wave])).toEqual([
      [out, 1],
      [inn, 2],
      ...[la, lb].sort().map((d) => [d, 3]),
    ]);
  });

  it('a child shared by a kept and a deleted index is kept', () => {
    const r = new RepoBuilder();
    const shared = r.image('shared', { age: 30 });
    const onlyOld = r.image('only-old', { age: 30 });
    const keptIdx = r.index('kept', [shared]);
    const oldIdx = r.index('old', [shared, onlyOld]);
    r.tag('v1.0.0', keptIdx).tag('pr-1', oldIdx);
    const p = plan(r);
    expect(action(p, oldIdx)).toBe('delete');
    expect(action(p, onlyOld)).toBe('delete');
    expect(find(p, shared)).toMatchObject({
      action: 'keep',
      item: { reason: `child of kept index ${shortDigest(keptIdx)} (v1.0.0)` },
    });
  });

  it('a tagged child whose own tag expired is kept by its kept index', () => {
    const r = new RepoBuilder();
    const child = r.image('child', { age: 30 });
    const idx = r.index('idx', [child]);
    r.tag('latest', idx).tag('pr-9', child);
    const p = plan(r);
    expect(find(p, child)).toMatchObject({
      action: 'keep',
      item: { category: 'child', expiredTags: ['pr-9'] },
    });
  });
});

describe('signatures, attestations and referrers', () => {
  function signedRepo(tag: string): {
    r: RepoBuilder;
    img: string;
    sig: string;
    att: string;
    sbom: string;
    ref: string;
    unknownRef: string;
    fb: string;
    entry: string;
  } {
    const r = new RepoBuilder();
    const img = r.image('img', { age: 30 });
    r.tag(tag, img);
    const sig = r.cosign(img, 'sig');
    const att = r.cosign(img, 'att');
    const sbom = r.cosign(img, 'sbom');
    const ref = r.referrer(img, 'ref-sig', 'application/vnd.dev.sigstore.bundle.v0.3+json');
    const unknownRef = r.referrer(img, 'ref-other', 'application/vnd.acme.scan-report');
    const entry = r.referrer(img, 'prov', 'application/vnd.in-toto+json');
    const fb = r.fallbackIndex(img, [{ digest: entry, artifactType: 'application/vnd.in-toto+json' }]);
    return { r, img, sig, att, sbom, ref, unknownRef, fb, entry };
  }

  it('those of a kept image are kept', () => {
    const { r, img, sig, att, sbom, ref, unknownRef, fb, entry } = signedRepo('v1.0.0');
    const p = plan(r);
    expect(p.delete).toEqual([]);
    const s = shortDigest(img);
    expect(find(p, sig).item).toMatchObject({
      category: 'signature',
      reason: `signature of kept ${s} (v1.0.0) via tag sha256-${img.slice(7)}.sig`,
    });
    expect(find(p, att).item.category).toBe('attestation');
    expect(find(p, sbom).item.category).toBe('sbom');
    expect(find(p, ref).item).toMatchObject({
      category: 'signature',
      reason: `signature of kept ${s} (v1.0.0)`,
    });
    expect(find(p, unknownRef).item.category).toBe('referrer');
    expect(find(p, fb).item).toMatchObject({ category: 'referrer', via: { relation: 'referrer', of: img } });
    expect(find(p, entry).item.category).toBe('attestation');
    // Attachment tags are not judged by the rules, so they are never "unmatched".
    expect(p.summary.unmatchedTags).toEqual([]);
    expect(p.tagDecisions.map((d) => d.tag)).toEqual(['v1.0.0']);
  });

  it('those of a deleted image are deleted with it, after it', () => {
    const { r, img, sig, att, sbom, ref, unknownRef, fb, entry } = signedRepo('pr-3');
    const p = plan(r);
    expect(p.keep).toEqual([]);
    for (const d of [sig, att, sbom, ref, unknownRef, fb, entry]) {
      expect(action(p, d)).toBe('delete');
      // The subject first: were it refused at apply time, its signatures would still be there.
      expect(order(p, d)).toBeGreaterThan(order(p, img));
    }
    // The referrers index goes before the entry it lists.
    expect(order(p, fb)).toBeLessThan(order(p, entry));
    expect(find(p, sig).item.reason).toBe(
      `signature of deleted ${shortDigest(img)} (pr-3) via tag sha256-${img.slice(7)}.sig`,
    );
    // Deleting the cosign signature removes its tag too: it is in the item's tags.
    expect(find(p, sig).item.tags).toEqual([`sha256-${img.slice(7)}.sig`]);
  });

  it('a signature of a platform child follows the child', () => {
    const r = new RepoBuilder();
    const { index, children } = r.multiArch('app', 30, ['amd64', 'arm64']);
    r.tag('pr-1', index);
    const sig = r.cosign(children[0]!);
    const p = plan(r);
    expect(action(p, sig)).toBe('delete');
    expect(order(p, index)).toBeLessThan(order(p, children[0]!));
    expect(order(p, sig)).toBeGreaterThan(order(p, children[0]!));

    r.tag('v1.0.0', index);
    const p2 = plan(r);
    expect(find(p2, sig)).toMatchObject({ action: 'keep', item: { category: 'signature' } });
  });

  it('a referrer with its own kept tag survives its deleted subject', () => {
    const r = new RepoBuilder();
    const img = r.image('img', { age: 30 });
    const sbom = r.referrer(img, 'sbom', 'application/spdx+json');
    r.tag('pr-1', img).tag('sbom-archive', sbom);
    const p = plan(r);
    expect(action(p, img)).toBe('delete');
    expect(find(p, sbom)).toMatchObject({ action: 'keep', item: { category: 'unmatched' } });
  });

  describe('orphans (subject not in the repository)', () => {
    function orphanRepo(): { r: RepoBuilder; sig: string; ref: string } {
      const r = new RepoBuilder();
      const gone = dg('deleted-long-ago');
      const sig = r.cosign(gone, 'sig');
      const ref = r.referrer(gone, 'ref', 'application/vnd.in-toto+json');
      r.version(sig, daysAgo(10));
      r.version(ref, daysAgo(10));
      return { r, sig, ref };
    }

    it('are kept by default (signatures may live apart from their images)', () => {
      const { r, sig, ref } = orphanRepo();
      const p = plan(r);
      expect(find(p, sig)).toMatchObject({
        action: 'keep',
        item: {
          category: 'orphan',
          reason: `signature of ${shortDigest(dg('deleted-long-ago'))}, which is not in the repository (orphans: keep)`,
        },
      });
      expect(action(p, ref)).toBe('keep');
    });

    it('are deleted with orphans: delete', () => {
      const { r, sig, ref } = orphanRepo();
      const p = plan(r, resolvePolicy({ orphans: 'delete' }));
      expect(find(p, sig)).toMatchObject({ action: 'delete', item: { category: 'orphan' } });
      expect(find(p, sig).item.reason).toMatch(/which is not in the repository \(10d old\)$/);
      expect(action(p, ref)).toBe('delete');
    });
  });
});

describe('untagged manifests', () => {
  function untaggedRepo(): {
    r: RepoBuilder;
    loose: string;
    looseIdx: string;
    looseChild: string;
    fresh: string;
    ageless: string;
  } {
    const r = new RepoBuilder();
    const loose = r.image('loose', { age: 10 });
    const looseChild = r.image('loose-child', { age: 10 });
    const looseIdx = r.index('loose-idx', [looseChild]);
    const fresh = r.image('fresh', { age: 40 });
    r.version(fresh, new Date(NOW.getTime() - 10 * 60_000).toISOString());
    const ageless = r.image('ageless', { configCreated: null });
    return { r, loose, looseIdx, looseChild, fresh, ageless };
  }

  it('are deleted by default when nothing kept references them', () => {
    const { r, loose, looseIdx, looseChild } = untaggedRepo();
    const p = plan(r);
    expect(find(p, loose).item).toMatchObject({
      category: 'untagged',
      reason: 'untagged, nothing references it (10d old)',
    });
    expect(action(p, looseIdx)).toBe('delete');
    expect(find(p, looseChild).item).toMatchObject({
      category: 'child',
      reason: `child of deleted index ${shortDigest(looseIdx)}`,
    });
    expect(order(p, looseIdx)).toBeLessThan(order(p, looseChild));
  });

  it('are spared while young (an image being pushed) or when their age is unknown', () => {
    const { r, fresh, ageless } = untaggedRepo();
    const p = plan(r);
    expect(find(p, fresh)).toMatchObject({
      action: 'keep',
      item: { reason: 'untagged, nothing references it, but pushed 10m ago (grace 1h)' },
    });
    expect(find(p, ageless)).toMatchObject({
      action: 'keep',
      item: { reason: 'untagged, nothing references it, age unknown (kept)' },
    });
  });

  it('are all kept with untagged: keep, children included', () => {
    const { r, loose, looseIdx, looseChild } = untaggedRepo();
    const p = plan(r, resolvePolicy({ untagged: 'keep' }));
    expect(p.delete).toEqual([]);
    expect(find(p, loose).item.reason).toBe('untagged, nothing references it (untagged: keep)');
    expect(find(p, looseChild).item.reason).toBe(`child of kept index ${shortDigest(looseIdx)}`);
  });

  it('untagged: keep does not keep the children of a deleted index', () => {
    const r = new RepoBuilder();
    const { index, children } = r.multiArch('old', 30, ['amd64']);
    r.tag('pr-1', index);
    const p = plan(r, resolvePolicy({ untagged: 'keep' }));
    expect(action(p, index)).toBe('delete');
    expect(action(p, children[0]!)).toBe('delete');
  });
});

describe('bytes reclaimed', () => {
  it('counts only blobs no kept manifest uses, each once, plus the manifests', () => {
    const r = new RepoBuilder();
    const kept = r.image('kept', {
      age: 1,
      layers: [
        ['base', 1000],
        ['kept-app', 50],
      ],
      configSize: 10,
      size: 400,
    });
    const old1 = r.image('old1', {
      age: 30,
      layers: [
        ['base', 1000],
        ['old-shared', 300],
        ['old1-app', 20],
      ],
      configSize: 10,
      size: 400,
    });
    const old2 = r.image('old2', {
      age: 30,
      layers: [
        ['base', 1000],
        ['old-shared', 300],
        ['old2-app', 30],
      ],
      configSize: 10,
      size: 400,
    });
    r.tag('v1.0.0', kept).tag('pr-1', old1).tag('pr-2', old2);
    const p = plan(r);
    // old1 frees: manifest 400 + config 10 + old-shared 300 + old1-app 20; base is kept.
    expect(find(p, old1).item.bytes).toBe(730);
    // old2 frees: manifest 400 + config 10 + old2-app 30 (old-shared already counted).
    expect(find(p, old2).item.bytes).toBe(440);
    expect(p.summary.bytesReclaimed).toBe(1170);
    expect(find(p, kept).item.bytes).toBe(0);
    expect(p.summary.bytesUnknown).toBe(0);
  });

  it('index children carry their own blobs; unknown content is counted as unknown', () => {
    const r = new RepoBuilder();
    const { index } = r.multiArch('x', 30, ['amd64', 'arm64'], { layers: (pl) => [[`${pl}-layer`, 1000]] });
    r.tag('pr-1', index);
    const ghost = dg('ghost');
    r.version(ghost, daysAgo(30));
    const p = plan(r);
    // index 300 + 2 × (manifest 500 + config 100 + layer 1000)
    expect(p.summary.bytesReclaimed).toBe(300 + 2 * 1600);
    expect(find(p, ghost).item).toMatchObject({ kind: 'unknown', bytes: 0 });
    expect(p.summary.bytesUnknown).toBe(1);
  });
});

describe('failing closed', () => {
  it('holds every deletion when a kept manifest could not be read', () => {
    const r = new RepoBuilder();
    const broken = dg('broken-index');
    r.unread(broken, 'HTTP 500');
    r.tag('v1.0.0', broken);
    const old = r.image('old', { age: 30 });
    r.tag('pr-1', old);
    const loose = r.image('loose', { age: 30 }); // maybe a child of the broken index
    const p = plan(r);
    expect(p.delete).toEqual([]);
    expect(p.summary.held).toBe(true);
    expect(find(p, loose).item).toMatchObject({ held: true, category: 'untagged' });
    expect(find(p, old).item.reason).toMatch(
      new RegExp(
        `^held: kept ${shortDigest(broken)} \\(v1\\.0\\.0\\) could not be read \\(HTTP 500\\).*would delete: pr-1: pr-\\* older than 7d \\(30d\\)$`,
      ),
    );
    expect(find(p, old).item.expiredTags).toEqual(['pr-1']);
    expect(p.warnings.some((w) => w.includes('nothing will be deleted'))).toBe(true);
  });

  it('an unreadable manifest that is itself deleted does not hold the plan', () => {
    const r = new RepoBuilder();
    const broken = dg('broken');
    r.unread(broken);
    r.version(broken, daysAgo(30));
    r.tag('pr-1', broken);
    const p = plan(r);
    expect(p.summary.held).toBe(false);
    expect(action(p, broken)).toBe('delete');
  });

  it('holds a manifest whose GHCR tags disagree with the registry', () => {
    const r = new RepoBuilder();
    const img = r.image('img', { age: 30 });
    r.tag('pr-1', img);
    r.version(img, daysAgo(30), ['pr-1', 'v1.0.0']);
    const p = plan(r);
    expect(find(p, img)).toMatchObject({
      action: 'keep',
      item: {
        held: true,
        reason: 'held: GHCR and the registry disagree about tags v1.0.0; plan again later',
      },
    });
  });
});

describe('plan shape', () => {
  function richRepo(): RepoBuilder {
    const r = new RepoBuilder();
    const { index } = r.multiArch('rel', 100, ['amd64', 'arm64'], { attestation: true });
    r.tag('v1.0.0', index).tag('latest', index);
    r.cosign(index);
    const pr = r.multiArch('pr', 20, ['amd64', 'arm64']);
    r.tag('pr-4', pr.index);
    r.cosign(pr.index);
    r.referrer(pr.index, 'pr-sbom', 'application/spdx+json');
    r.image('loose', { age: 9 });
    r.versionsForAll(daysAgo(2));
    return r;
  }

  it('serialises to {keep, delete, summary} plus what apply needs', () => {
    const r = richRepo();
    const p = plan(r);
    const json = JSON.parse(JSON.stringify(p)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([
      'schemaVersion',
      'repository',
      'now',
      'policyHash',
      'keep',
      'delete',
      'tags',
      'tagDecisions',
      'warnings',
      'summary',
    ]);
    expect(p.policyHash).toBe(policyHash(defaultPolicy()));
    expect(p.tags).toEqual(Object.fromEntries([...r.tags].sort((a, b) => (a[0] < b[0] ? -1 : 1))));
    for (const i of [...p.keep, ...p.delete]) {
      expect(i).toHaveProperty('digest');
      expect(i).toHaveProperty('tags');
      expect(i).toHaveProperty('category');
      expect(i).toHaveProperty('reason');
      expect(typeof i.versionId).toBe('number');
    }
    expect(p.delete.map((i) => i.order)).toEqual(p.delete.map((_, n) => n + 1));
  });

  it('orders deletions: owners before members (subjects before referrers, indexes before children)', () => {
    const p = plan(richRepo());
    expect(p.delete.map((i) => [i.wave, i.category])).toEqual([
      [1, 'pr'],
      [1, 'untagged'],
      [2, 'signature'],
      [2, 'sbom'],
      [2, 'child'],
      [2, 'child'],
    ]);
  });

  it('is deterministic whatever order the facts come in', () => {
    const r = richRepo();
    const facts = r.facts();
    const base = JSON.stringify(planRetention(buildInventory(facts), defaultPolicy(), NOW));
    const rand = prng(7);
    for (let i = 0; i < 20; i++) {
      expect(
        JSON.stringify(planRetention(buildInventory(shuffleFacts(facts, rand)), defaultPolicy(), NOW)),
      ).toBe(base);
    }
  });

  it('sorts kept items by category, tag, digest', () => {
    const p = plan(richRepo());
    const keys = p.keep.map((i) => `${i.category}\u0000${i.tags[0] ?? '\uffff'}\u0000${i.digest}`);
    expect(keys).toEqual([...keys].sort());
  });
});

describe('orderDeletions', () => {
  const item = (digest: string, extra: Partial<PlanItem> = {}): PlanItem => ({
    digest,
    tags: [],
    category: 'untagged',
    reason: '',
    kind: 'manifest',
    bytes: 0,
    ...extra,
  });

  it('puts an index before its children and a subject before its referrers', () => {
    const [idx, child, sig] = [dg('idx'), dg('child'), dg('sig')];
    const links: Link[] = [
      { owner: idx, member: child, relation: 'child', kind: 'child', via: 'index' },
      { owner: child, member: sig, relation: 'referrer', kind: 'signature', via: 'subject' },
    ];
    const out = orderDeletions([item(child), item(sig), item(idx)], links);
    const pos = (d: string) => out.findIndex((i) => i.digest === d);
    expect(pos(idx)).toBeLessThan(pos(child));
    expect(pos(sig)).toBeGreaterThan(pos(child));
    expect(out.find((i) => i.digest === child)!.wave).toBe(2);
    expect(out.find((i) => i.digest === sig)!.wave).toBe(3);
  });

  it('survives a reference cycle (only tag-based links can make one) and warns', () => {
    const [a, b] = [dg('a'), dg('b')].sort();
    const links: Link[] = [
      { owner: a!, member: b!, relation: 'child', kind: 'child', via: 'index' },
      { owner: b!, member: a!, relation: 'referrer', kind: 'signature', via: 'cosign-tag', tag: 't' },
    ];
    const warnings: string[] = [];
    const out = orderDeletions([item(b!), item(a!)], links, warnings);
    expect(out.map((i) => [i.digest, i.order, i.wave])).toEqual([
      [a, 1, 1],
      [b, 2, 1],
    ]);
    expect(warnings[0]).toMatch(/^reference cycle/);
  });
});

describe('checkPlanItem', () => {
  const r = new RepoBuilder();
  const img = r.image('img', { age: 30 });
  const other = r.image('other', { age: 1 });
  r.tag('pr-1', img).tag('pr-1-alias', img).tag('main', other);
  const p = plan(r);
  const item = find(p, img).item;

  it('accepts an unchanged repository (Map or record)', () => {
    expect(checkPlanItem(item, p.tags)).toEqual({ ok: true });
    expect(checkPlanItem(item, new Map(Object.entries(p.tags)))).toEqual({ ok: true });
  });

  it('accepts a tag that disappeared', () => {
    const { 'pr-1': _gone, ...rest } = p.tags;
    expect(checkPlanItem(item, rest)).toEqual({ ok: true });
  });

  it('refuses when a planned tag moved', () => {
    expect(checkPlanItem(item, { ...p.tags, 'pr-1': other })).toEqual({
      ok: false,
      reason: `tag pr-1 now points to ${shortDigest(other)}, not ${shortDigest(img)} as planned`,
    });
  });

  it('refuses when the digest gained a tag', () => {
    expect(checkPlanItem(item, { ...p.tags, 'v9.9.9': img })).toEqual({
      ok: false,
      reason: `${shortDigest(img)} gained tag v9.9.9 since the plan was made`,
    });
  });

  it('refuses an untagged child that got tagged', () => {
    const untagged: Pick<PlanItem, 'digest' | 'tags'> = { digest: dg('child'), tags: [] };
    expect(checkPlanItem(untagged, {})).toEqual({ ok: true });
    expect(checkPlanItem(untagged, { hotfix: dg('child') }).ok).toBe(false);
  });
});
