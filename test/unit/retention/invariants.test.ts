/**
 * Property-style tests: random repositories (multi-platform indexes, nested indexes, shared
 * children and blobs, cosign tags, OCI referrers, referrers-fallback indexes, orphans, unreadable
 * manifests, GHCR versions) under random policies, and the safety invariants checked on every plan.
 */
import { describe, expect, it } from 'vitest';
import { buildInventory, type Inventory } from '../../../src/retention/inventory.js';
import { checkPlanItem, planRetention, type RetentionPlan } from '../../../src/retention/planner.js';
import { DEFAULT_RULES, resolvePolicy, type RetentionPolicy } from '../../../src/retention/policy.js';
import { NOW, RepoBuilder, daysAgo, dg, prng, shuffleFacts } from './fixtures.js';

const ARTIFACT_TYPES = [
  'application/vnd.dev.sigstore.bundle.v0.3+json',
  'application/spdx+json',
  'application/vnd.in-toto+json',
  'application/vnd.acme.report',
];
const TAG_PREFIXES = [
  'v1.0.',
  'pr-',
  'main-',
  'sha-',
  'dev-',
  'develop-',
  'cache-',
  'buildcache-',
  'feature-',
  'x',
];

function randomCase(seed: number): { r: RepoBuilder; policy: RetentionPolicy } {
  const rand = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const chance = (p: number): boolean => rand() < p;
  const r = new RepoBuilder();
  const blobPool = Array.from({ length: 10 }, (_, i) => [`pool${i}`, 100 * (i + 1)] as [string, number]);

  const randomAge = (): { age?: number; configCreated?: string | null } =>
    chance(0.1)
      ? { configCreated: null }
      : chance(0.05)
        ? { configCreated: '1970-01-01T00:00:00Z' }
        : { age: rand() * 200 };

  // Images.
  const images: string[] = [];
  const nImages = 2 + Math.floor(rand() * 20);
  for (let i = 0; i < nImages; i++) {
    const layers: [string, number][] = [[`s${seed}i${i}`, 10 + Math.floor(rand() * 1000)]];
    for (let k = 0; k < Math.floor(rand() * 3); k++) layers.push(pick(blobPool));
    images.push(r.image(`s${seed}-img${i}`, { ...randomAge(), layers }));
  }
  // Indexes, possibly nested, possibly sharing children.
  const indexes: string[] = [];
  const nIndexes = Math.floor(rand() * 6);
  for (let i = 0; i < nIndexes; i++) {
    const pool = [...images, ...indexes];
    const children = new Set<string>();
    const n = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < n; k++) children.add(pick(pool));
    indexes.push(
      r.index(`s${seed}-idx${i}`, [...children], chance(0.3) ? { annotatedAge: rand() * 100 } : {}),
    );
  }
  const nodes = [...images, ...indexes];

  // Tags: some nodes get one or two, some none.
  let tagCounter = 0;
  for (const d of nodes) {
    const n = chance(0.4) ? 0 : chance(0.8) ? 1 : 2;
    for (let k = 0; k < n; k++) r.tag(`${pick(TAG_PREFIXES)}${tagCounter++}`, d);
  }
  if (chance(0.5)) r.tag('latest', pick(nodes));

  // Signatures, attestations, referrers (sometimes of other referrers), fallback indexes, orphans.
  const referrable = [...nodes];
  const nRefs = Math.floor(rand() * 8);
  for (let i = 0; i < nRefs; i++) {
    const subject = chance(0.1) ? dg(`s${seed}-gone${i}`) : pick(referrable);
    const kind = rand();
    if (kind < 0.35) {
      referrable.push(r.cosign(subject, pick(['sig', 'att', 'sbom'] as const), `s${seed}-cosign${i}`));
    } else if (kind < 0.75) {
      referrable.push(r.referrer(subject, `s${seed}-ref${i}`, pick(ARTIFACT_TYPES)));
    } else {
      const entries = [0, 1].slice(0, 1 + Math.floor(rand() * 2)).map((k) => ({
        digest: r.referrer(subject, `s${seed}-fbentry${i}-${k}`, pick(ARTIFACT_TYPES)),
        artifactType: pick(ARTIFACT_TYPES),
      }));
      referrable.push(r.fallbackIndex(subject, entries));
    }
  }

  // Unreadable manifests: a tagged one, or an untagged GHCR version never fetched.
  if (chance(0.15)) {
    const broken = dg(`s${seed}-broken`);
    r.unread(broken);
    if (chance(0.5)) r.tag(`${pick(TAG_PREFIXES)}${tagCounter}`, broken);
    else r.version(broken, daysAgo(rand() * 50));
  }

  // GHCR versions for everything, sometimes with a stale tag list.
  if (chance(0.5)) {
    r.versionsForAll(daysAgo(rand() * 100));
    if (chance(0.2) && r.versions.length > 0) {
      const v = pick(r.versions);
      r.versions[r.versions.indexOf(v)] = { ...v, tags: [...(v.tags ?? []), 'stale-tag'] };
    }
  }

  const policy = resolvePolicy({
    untagged: pick(['delete', 'keep'] as const),
    orphans: pick(['delete', 'keep'] as const),
    untaggedMinAge: pick(['0s', '1h', '30d']),
    rules: DEFAULT_RULES.map((rule) => (chance(0.3) ? { ...rule, keepLast: Math.floor(rand() * 3) } : rule)),
  });
  return { r, policy };
}

function checkInvariants(inv: Inventory, policy: RetentionPolicy, plan: RetentionPlan): void {
  const keep = new Set(plan.keep.map((i) => i.digest));
  const del = new Set(plan.delete.map((i) => i.digest));

  // Every manifest appears exactly once; nothing outside the inventory is touched.
  expect(keep.size).toBe(plan.keep.length);
  expect(del.size).toBe(plan.delete.length);
  for (const d of del) expect(keep.has(d)).toBe(false);
  expect([...keep, ...del].sort()).toEqual([...inv.manifests.keys()].sort());

  // A digest is kept if any of its tags is kept.
  for (const t of plan.tagDecisions) if (t.decision === 'keep') expect(keep.has(t.digest)).toBe(true);

  // No kept tag's closure (children, recursively; referrers of anything in it) holds a deleted digest.
  const members = new Map<string, string[]>();
  for (const l of inv.links) members.set(l.owner, [...(members.get(l.owner) ?? []), l.member]);
  for (const t of plan.tagDecisions.filter((d) => d.decision === 'keep')) {
    const seen = new Set<string>([t.digest]);
    const queue = [t.digest];
    while (queue.length > 0) {
      const d = queue.pop()!;
      expect(del.has(d)).toBe(false);
      for (const m of members.get(d) ?? []) {
        if (seen.has(m)) continue;
        seen.add(m);
        queue.push(m);
      }
    }
  }
  for (const l of inv.links) if (keep.has(l.owner)) expect(keep.has(l.member)).toBe(true);

  // Every item is explained: a member follows an owner in the same state (its `via`), and only
  // the generator's impossible reference cycles would fall through to the catch-all.
  expect(plan.warnings.filter((w) => w.includes('reference cycle'))).toEqual([]);
  const owners = new Map<string, string[]>();
  for (const l of inv.links) owners.set(l.member, [...(owners.get(l.member) ?? []), l.owner]);
  for (const item of plan.keep) {
    if (item.via) expect(keep.has(item.via.of)).toBe(true);
    const hasPolicyTag = plan.tagDecisions.some((t) => t.digest === item.digest);
    if (!hasPolicyTag && owners.has(item.digest) && !item.held) {
      expect(item.via, `${item.digest}: ${item.reason}`).toBeDefined();
    }
  }
  for (const item of plan.delete) if (item.via) expect(del.has(item.via.of)).toBe(true);

  // Every deletion has a reason the policy allows.
  const decisions = new Map<string, string[]>();
  for (const t of plan.tagDecisions)
    decisions.set(t.digest, [...(decisions.get(t.digest) ?? []), t.decision]);
  const ownedByDeleted = new Set(inv.links.filter((l) => del.has(l.owner)).map((l) => l.member));
  for (const item of plan.delete) {
    const ds = decisions.get(item.digest) ?? [];
    expect(ds.includes('keep')).toBe(false);
    const justified =
      (ds.length > 0 && ds.every((d) => d === 'expire')) ||
      ownedByDeleted.has(item.digest) ||
      (item.category === 'untagged' && policy.untagged === 'delete') ||
      (item.category === 'orphan' && policy.orphans === 'delete');
    expect(justified, `${item.digest}: ${item.reason}`).toBe(true);
    expect(inv.manifests.get(item.digest)!.tagMismatch).toBeUndefined();
  }
  if (policy.untagged === 'keep') expect(plan.delete.some((i) => i.category === 'untagged')).toBe(false);
  if (policy.orphans === 'keep') expect(plan.delete.some((i) => i.category === 'orphan')).toBe(false);

  // Fail closed.
  if ([...keep].some((d) => inv.manifests.get(d)!.kind === 'unknown')) expect(plan.delete).toEqual([]);

  // Deletion order: the owner goes first (index → child, subject → referrer).
  expect(plan.delete.map((i) => i.order)).toEqual(plan.delete.map((_, n) => n + 1));
  const pos = new Map(plan.delete.map((i) => [i.digest, i]));
  for (const l of inv.links) {
    const a = pos.get(l.owner);
    const b = pos.get(l.member);
    if (!a || !b || a === b) continue;
    expect(a.order!).toBeLessThan(b.order!);
    expect(a.wave!).toBeLessThan(b.wave!);
  }

  // Bytes: blobs (and manifests) only deleted manifests use, each counted once.
  const keptBlobs = new Set<string>();
  for (const d of keep) {
    keptBlobs.add(d);
    for (const b of inv.manifests.get(d)!.blobs) keptBlobs.add(b.digest);
  }
  const freed = new Map<string, number>();
  for (const d of del) {
    const node = inv.manifests.get(d)!;
    if (node.size !== undefined) freed.set(d, node.size);
    for (const b of node.blobs) if (!keptBlobs.has(b.digest)) freed.set(b.digest, b.size);
  }
  const expected = [...freed.values()].reduce((a, b) => a + b, 0);
  expect(plan.summary.bytesReclaimed).toBe(expected);
  expect(plan.delete.reduce((n, i) => n + i.bytes, 0)).toBe(expected);
  for (const i of plan.keep) expect(i.bytes).toBe(0);

  // Summary agrees with the items.
  expect(plan.summary.manifests).toEqual({ total: inv.manifests.size, kept: keep.size, deleted: del.size });
  const cats = Object.values(plan.summary.categories);
  expect(cats.reduce((n, c) => n + c.kept, 0)).toBe(keep.size);
  expect(cats.reduce((n, c) => n + c.deleted, 0)).toBe(del.size);
  expect(plan.summary.tags.deleted).toBe(plan.delete.reduce((n, i) => n + i.tags.length, 0));

  // Against an unchanged repository every planned deletion passes the apply-time check.
  for (const i of plan.delete) expect(checkPlanItem(i, plan.tags)).toEqual({ ok: true });
}

describe('safety invariants on random repositories', () => {
  const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);

  it.each(SEEDS)('seed %i', (seed) => {
    const { r, policy } = randomCase(seed);
    const facts = r.facts();
    const inv = buildInventory(facts);
    const plan = planRetention(inv, policy, NOW);
    checkInvariants(inv, policy, plan);

    // Deterministic: the same facts in another order give the same plan, byte for byte.
    const again = planRetention(buildInventory(shuffleFacts(facts, prng(seed * 31))), policy, NOW);
    expect(JSON.stringify(again)).toBe(JSON.stringify(plan));
  });

  it('the generator exercises the interesting cases', () => {
    let deletes = 0;
    let keptChildren = 0;
    let deletedReferrers = 0;
    let held = 0;
    let orphans = 0;
    for (const seed of SEEDS) {
      const { r, policy } = randomCase(seed);
      const plan = planRetention(r.inventory(), policy, NOW);
      deletes += plan.delete.length;
      keptChildren += plan.keep.filter((i) => i.via?.relation === 'child').length;
      deletedReferrers += plan.delete.filter((i) => i.via?.relation === 'referrer').length;
      held += plan.summary.held ? 1 : 0;
      orphans += [...plan.keep, ...plan.delete].filter((i) => i.category === 'orphan').length;
    }
    expect(deletes).toBeGreaterThan(100);
    expect(keptChildren).toBeGreaterThan(20);
    expect(deletedReferrers).toBeGreaterThan(10);
    expect(held).toBeGreaterThan(0);
    expect(orphans).toBeGreaterThan(0);
  });
});
