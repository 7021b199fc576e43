import { describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/errors.js';
import {
  ApplyStoppedError,
  PlanMismatchError,
  applyPlan,
  type ApplyResult,
} from '../../../src/retention/apply.js';
import { gatherInventory } from '../../../src/retention/gather.js';
import { planRetention, type RetentionPlan } from '../../../src/retention/planner.js';
import { defaultPolicy, policyHash, resolvePolicy } from '../../../src/retention/policy.js';
import { makeArtifact, makeImage, makeIndex, makeLayer, type Image } from '../../support/images.js';
import { NOW, daysAgo } from './fixtures.js';
import { MemoryBackend, serverError } from './memory-backend.js';

const image = (name: string, age: number, architecture = 'amd64'): Image =>
  makeImage({ architecture, config: { created: daysAgo(age) }, layers: [makeLayer({ [`/${name}`]: name })] });

const HASH = policyHash(defaultPolicy());

async function planOf(b: MemoryBackend): Promise<RetentionPlan> {
  const { inventory } = await gatherInventory(b);
  return planRetention(inventory, defaultPolicy(), NOW);
}

const statusOf = (r: ApplyResult, digest: string): string | undefined =>
  r.items.find((i) => i.digest === digest)?.status;

/** A repository: a kept release, an expired PR index (two children), a signed expired image. */
function seed(): {
  b: MemoryBackend;
  release: Image;
  prIndex: string;
  prChildren: Image[];
  old: Image;
  sig: Image;
} {
  const b = new MemoryBackend();
  const release = image('release', 300);
  b.push(release, '1.0.0');
  const prChildren = [image('pr-amd', 30), image('pr-arm', 30, 'arm64')];
  const prIndex = b.push(makeIndex(prChildren), 'pr-4');
  const old = image('old', 100);
  b.push(old, 'main-old');
  const sig = makeArtifact({
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    blobs: [{ data: 'sig', mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json' }],
  });
  b.push(sig, `sha256-${old.digest.slice(7)}.sig`);
  return { b, release, prIndex, prChildren, old, sig };
}

describe('applyPlan', () => {
  it('deletes exactly the plan, owners first, re-reading the tags before each wave', async () => {
    const { b, release, prIndex, prChildren, old, sig } = seed();
    const plan = await planOf(b);
    expect(plan.delete).toHaveLength(5);
    const calls = b.listTagsCalls;
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(result).toMatchObject({ deleted: 5, refused: 0, skipped: 0, failed: 0, absent: 0 });
    expect(b.deleteAttempts).toEqual(plan.delete.map((i) => i.digest));
    // The subject before its signature: a subject refused at the last moment keeps it.
    expect(b.deleteAttempts.indexOf(old.digest)).toBeLessThan(b.deleteAttempts.indexOf(sig.digest));
    for (const c of prChildren) {
      expect(b.deleteAttempts.indexOf(prIndex)).toBeLessThan(b.deleteAttempts.indexOf(c.digest));
    }
    const waves = new Set(plan.delete.map((i) => i.wave)).size;
    expect(b.listTagsCalls - calls).toBe(waves);
    expect([...b.manifests.keys()]).toEqual([release.digest]);
    expect([...b.tags.keys()]).toEqual(['1.0.0']);
    expect(result.bytesDeleted).toBe(plan.summary.bytesReclaimed);
  });

  it('refuses an item whose tag moved, and its whole group with it', async () => {
    const { b, prIndex, prChildren, old } = seed();
    const plan = await planOf(b);
    b.push(image('pr-new', 1), 'pr-4'); // pr-4 now points elsewhere
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(result.items.find((i) => i.digest === prIndex)).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(
        /^tag pr-4 now points to sha256:[0-9a-f]{12}, not sha256:[0-9a-f]{12} as planned$/,
      ) as unknown,
    });
    for (const c of prChildren) {
      expect(result.items.find((i) => i.digest === c.digest)).toMatchObject({
        status: 'refused',
        reason: expect.stringMatching(
          /^kept with sha256:[0-9a-f]{12} \(pr-4\), which was refused: tag pr-4 now points to /,
        ) as unknown,
      });
      expect(b.manifests.has(c.digest)).toBe(true);
    }
    expect(statusOf(result, old.digest)).toBe('deleted');
    expect(result).toMatchObject({ deleted: 2, refused: 3, skipped: 0 });
    expect(b.deleteAttempts).not.toContain(prIndex);
  });

  it('refuses an item that gained a tag since the plan', async () => {
    const { b, old } = seed();
    const plan = await planOf(b);
    b.tags.set('1.1.0', old.digest);
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(result.items.find((i) => i.digest === old.digest)).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('gained tag 1.1.0') as unknown,
    });
    expect(b.tags.get('1.1.0')).toBe(old.digest);
  });

  it('re-checks between waves: a tag that arrives mid-run protects its digest', async () => {
    const { b, prIndex, prChildren } = seed();
    const plan = await planOf(b);
    const first = b.listTagsCalls;
    // After wave 1 (the index is gone), someone tags one of its children.
    b.onListTags = (call) => {
      if (call === first + 2) b.tags.set('keep-me', prChildren[0]!.digest);
    };
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(statusOf(result, prIndex)).toBe('deleted');
    expect(result.items.find((i) => i.digest === prChildren[0]!.digest)).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('gained tag keep-me') as unknown,
    });
    expect(statusOf(result, prChildren[1]!.digest)).toBe('deleted');
  });

  it('a manifest pushed since the plan protects the planned items it references', async () => {
    const { b, prIndex, prChildren } = seed();
    const plan = await planOf(b);
    // Someone assembles a new index from one of the old per-platform images.
    const rebuilt = makeIndex([prChildren[0]!, image('fresh-arm', 0, 'arm64')]);
    b.push(rebuilt, 'rebuilt');
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(result.items.find((i) => i.digest === prChildren[0]!.digest)).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(
        /^referenced by rebuilt \(sha256:[0-9a-f]{12}\), which appeared since the plan$/,
      ) as unknown,
    });
    // The group the plan decided together stays together.
    expect(statusOf(result, prIndex)).toBe('skipped');
    expect(statusOf(result, prChildren[1]!.digest)).toBe('skipped');
    expect(b.manifests.has(prChildren[0]!.digest)).toBe(true);
    expect(b.manifests.has(prIndex)).toBe(true);
  });

  it('a new signature tag on a planned digest protects it', async () => {
    const { b, old, sig } = seed();
    const plan = await planOf(b);
    const att = makeArtifact({ artifactType: 'application/vnd.dev.cosign.artifact.att.v1+json' });
    b.push(att, `sha256-${old.digest.slice(7)}.att`);
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(result.items.find((i) => i.digest === old.digest)).toMatchObject({ status: 'skipped' });
    expect(result.items.find((i) => i.digest === old.digest)!.reason).toMatch(/was added since the plan/);
    // Its old signature stays with it.
    expect(statusOf(result, sig.digest)).toBe('skipped');
    expect(b.tags.get(`sha256-${old.digest.slice(7)}.sig`)).toBe(sig.digest);
  });

  it('refuses a plan made under another policy as a whole, before deleting anything', async () => {
    const { b } = seed();
    const plan = await planOf(b);
    const other = policyHash(resolvePolicy({ rules: [{ name: 'pr', match: 'pr-*', keep: '14d' }] }));
    await expect(applyPlan(plan, b, { policyHash: other })).rejects.toThrow(PlanMismatchError);
    await expect(applyPlan(plan, b, { policyHash: other })).rejects.toThrow(
      /was made under a different retention policy .*; nothing deleted$/,
    );
    expect(b.deleteAttempts).toEqual([]);
  });

  it('refuses a plan for another repository', async () => {
    const { b } = seed();
    const plan = { ...(await planOf(b)), repository: 'registry.test/other' };
    await expect(applyPlan(plan, b, { policyHash: HASH })).rejects.toThrow(
      'the plan is for registry.test/other, not registry.test/app',
    );
  });

  it('stops at the first answer of a back end that refuses deletes: one attempt, nothing deleted', async () => {
    const { b } = seed();
    b.refuseDeletes = true;
    const plan = await planOf(b);
    const err = await applyPlan(plan, b, { policyHash: HASH, concurrency: 8 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplyStoppedError);
    const stopped = err as ApplyStoppedError;
    expect(b.deleteAttempts).toHaveLength(1);
    expect(stopped.result).toMatchObject({ deleted: 0, failed: 1, skipped: 4 });
    expect(stopped.result.stopped).toMatch(/does not allow deletes/);
    expect(b.manifests.size).toBe(6);
  });

  it('an authorisation error on delete stops the run too', async () => {
    const { b } = seed();
    const plan = await planOf(b);
    b.deleteErrors.set(plan.delete[0]!.digest, new AuthError('denied: delete', 403));
    await expect(applyPlan(plan, b, { policyHash: HASH })).rejects.toBeInstanceOf(ApplyStoppedError);
    expect(b.deleteAttempts).toHaveLength(1);
  });

  it('one failed delete: the rest go on, what it references survives', async () => {
    const { b, prIndex, prChildren, old, sig } = seed();
    const plan = await planOf(b);
    b.deleteErrors.set(prIndex, serverError('delete'));
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(result.items.find((i) => i.digest === prIndex)).toMatchObject({
      status: 'failed',
      reason: 'delete: HTTP 500 (internal error)',
    });
    for (const c of prChildren) expect(statusOf(result, c.digest)).toBe('skipped');
    expect(statusOf(result, sig.digest)).toBe('deleted');
    expect(statusOf(result, old.digest)).toBe('deleted');
  });

  it('a subject whose delete fails keeps its signature', async () => {
    const { b, old, sig } = seed();
    const plan = await planOf(b);
    b.deleteErrors.set(old.digest, serverError('delete'));
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(statusOf(result, old.digest)).toBe('failed');
    expect(result.items.find((i) => i.digest === sig.digest)).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^refers to sha256:[0-9a-f]{12}, which was not deleted$/) as unknown,
    });
    expect(b.deleteAttempts).not.toContain(sig.digest);
  });

  it('a subject that gained a tag after planning: neither it nor its signature is deleted', async () => {
    const { b, old, sig } = seed();
    const plan = await planOf(b);
    expect(plan.delete.map((i) => i.digest)).toEqual(expect.arrayContaining([old.digest, sig.digest]));
    b.tags.set('hotfix-keep', old.digest);
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(result.items.find((i) => i.digest === old.digest)).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('gained tag hotfix-keep') as unknown,
    });
    expect(result.items.find((i) => i.digest === sig.digest)).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(
        /^kept with sha256:[0-9a-f]{12} \(main-old\), which was refused: .*gained tag hotfix-keep/,
      ) as unknown,
    });
    expect(b.deleteAttempts).not.toContain(sig.digest);
    expect(b.deleteAttempts).not.toContain(old.digest);
    expect(b.tags.get(`sha256-${old.digest.slice(7)}.sig`)).toBe(sig.digest);
  });

  it('a subject tagged between waves: its signature, not yet deleted, is skipped', async () => {
    // Owners never share a wave with their members, so a race after the pre-flight that saves the
    // subject still saves the signature: here the subject is in wave 2 (a child of an index).
    const b = new MemoryBackend();
    b.push(image('release', 300), '1.0.0');
    const children = [image('a', 30), image('b', 30, 'arm64')];
    b.push(makeIndex(children), 'pr-7');
    const sig = makeArtifact({ artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' });
    b.push(sig, `sha256-${children[0]!.digest.slice(7)}.sig`);
    const plan = await planOf(b);
    expect(plan.delete).toHaveLength(4);
    const first = b.listTagsCalls;
    b.onListTags = (call) => {
      if (call === first + 2) b.tags.set('hotfix', children[0]!.digest);
    };
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(result.items.find((i) => i.digest === children[0]!.digest)).toMatchObject({
      status: 'refused',
      wave: 2,
    });
    expect(result.items.find((i) => i.digest === sig.digest)).toMatchObject({ status: 'skipped', wave: 3 });
    expect(b.manifests.has(sig.digest)).toBe(true);
    expect(statusOf(result, children[1]!.digest)).toBe('deleted');
  });

  it('an index that gained a tag after planning: its children are not deleted', async () => {
    const { b, prIndex, prChildren, old, sig } = seed();
    const plan = await planOf(b);
    b.tags.set('hotfix-keep', prIndex);
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(statusOf(result, prIndex)).toBe('refused');
    for (const c of prChildren) {
      expect(result.items.find((i) => i.digest === c.digest)).toMatchObject({
        status: 'refused',
        reason: expect.stringContaining('gained tag hotfix-keep') as unknown,
      });
      expect(b.manifests.has(c.digest)).toBe(true);
    }
    expect(b.deleteAttempts.sort()).toEqual([old.digest, sig.digest].sort());
  });

  it('a plan saved in the old order (signatures first) is still applied owner first', async () => {
    const { b, old, sig } = seed();
    const plan = await planOf(b);
    // Reverse the saved order and waves, as plans made before owner-first ordering had them.
    for (const i of plan.delete) {
      i.order = plan.delete.length + 1 - i.order!;
      i.wave = 3 - i.wave!;
    }
    plan.delete.sort((a, c) => a.order! - c.order!);
    b.tags.set('hotfix-keep', old.digest);
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(statusOf(result, sig.digest)).toBe('refused');
    expect(b.manifests.has(sig.digest)).toBe(true);
  });

  it('an orphan signature whose subject came back with a tag is refused', async () => {
    const b = new MemoryBackend();
    b.push(image('release', 300), '1.0.0');
    const gone = image('gone', 100);
    const sig = makeArtifact({
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
      annotations: { 'org.opencontainers.image.created': daysAgo(50) },
    });
    b.push(sig, `sha256-${gone.digest.slice(7)}.sig`);
    const { inventory } = await gatherInventory(b);
    const plan = planRetention(inventory, resolvePolicy({ orphans: 'delete' }), NOW);
    expect(plan.delete.map((i) => i.digest)).toEqual([sig.digest]);
    b.push(gone, 'restored');
    const result = await applyPlan(plan, b, { policyHash: policyHash(resolvePolicy({ orphans: 'delete' })) });
    expect(result.items[0]).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(
        /^its subject sha256:[0-9a-f]{12}, absent when planned, now has tag restored$/,
      ) as unknown,
    });
  });

  it('an item already gone counts as absent', async () => {
    const { b, old } = seed();
    const plan = await planOf(b);
    b.manifests.delete(old.digest);
    b.tags.delete('main-old');
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(statusOf(result, old.digest)).toBe('absent');
    expect(result).toMatchObject({ deleted: 4, absent: 1 });
  });

  it('an empty plan does nothing', async () => {
    const b = new MemoryBackend();
    b.push(image('release', 10), '1.0.0');
    const plan = await planOf(b);
    const result = await applyPlan(plan, b, { policyHash: HASH });
    expect(result).toMatchObject({ deleted: 0, items: [] });
    expect(b.deleteAttempts).toEqual([]);
  });
});
