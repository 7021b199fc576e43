import { describe, expect, it } from 'vitest';
import { AuthError, IntegrityError, ProtocolError } from '../../../src/errors.js';
import { gatherInventory } from '../../../src/retention/gather.js';
import { planRetention } from '../../../src/retention/planner.js';
import { defaultPolicy } from '../../../src/retention/policy.js';
import { makeArtifact, makeImage, makeIndex, makeLayer } from '../../support/images.js';
import { NOW, daysAgo } from './fixtures.js';
import { MemoryBackend, serverError } from './memory-backend.js';

const image = (name: string, age: number, architecture = 'amd64') =>
  makeImage({
    architecture,
    config: { created: daysAgo(age) },
    layers: [makeLayer({ [`/${name}`]: name })],
  });

describe('gatherInventory', () => {
  it('reads tags, index children (recursively), configs and fallback-tag referrers', async () => {
    const b = new MemoryBackend();
    const amd = image('amd', 3);
    const arm = image('arm', 2, 'arm64');
    const inner = makeIndex([arm]);
    const outer = makeIndex([amd, inner]);
    b.push(outer, '1.0.0');
    const sbom = makeArtifact({ subject: outer, artifactType: 'application/spdx+json' });
    const fallback = b.push(makeIndex([sbom]), `sha256-${outer.digest.slice(7)}`);

    const { inventory, warnings } = await gatherInventory(b);
    expect(warnings).toEqual([]);
    expect([...inventory.manifests.keys()].sort()).toEqual(
      [...[amd, arm, inner, outer, sbom].map((x) => x.digest), fallback].sort(),
    );
    expect(inventory.manifests.get(amd.digest)).toMatchObject({
      created: daysAgo(3),
      createdSource: 'config',
    });
    // An index is as old as its newest child.
    expect(inventory.manifests.get(outer.digest)).toMatchObject({
      created: daysAgo(2),
      createdSource: 'children',
    });
    expect(
      inventory.links.some(
        (l) => l.owner === outer.digest && l.member === sbom.digest && l.via === 'subject',
      ),
    ).toBe(true);
    const plan = planRetention(inventory, defaultPolicy(), NOW);
    expect(plan.delete).toEqual([]);
    expect(plan.keep).toHaveLength(6);
  });

  it('finds untagged referrers through the referrers API', async () => {
    const b = new MemoryBackend();
    b.referrersApi = true;
    const img = image('app', 100);
    b.push(img, 'main-old');
    const sig = makeArtifact({ subject: img, artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' });
    b.push(sig);
    const { inventory, facts } = await gatherInventory(b);
    expect(inventory.manifests.has(sig.digest)).toBe(true);
    expect(facts.referrers).toEqual([
      { subject: img.digest, descriptors: [expect.objectContaining({ digest: sig.digest })] },
    ]);
    const plan = planRetention(inventory, defaultPolicy(), NOW);
    // The signature goes first, then its subject.
    expect(plan.delete.map((i) => i.digest)).toEqual([img.digest, sig.digest]);
  });

  it('fails closed: a tagged manifest that cannot be read holds every deletion', async () => {
    const b = new MemoryBackend();
    const keep = image('keep', 1);
    const old = image('old', 100);
    b.push(keep, '1.0.0');
    b.push(old, 'main-old');
    b.fetchErrors.set(keep.digest, new IntegrityError('manifest: digest mismatch'));
    const { inventory } = await gatherInventory(b);
    expect(inventory.manifests.get(keep.digest)).toMatchObject({
      kind: 'unknown',
      unreadable: 'manifest: digest mismatch',
    });
    const plan = planRetention(inventory, defaultPolicy(), NOW);
    expect(plan.summary.held).toBe(true);
    expect(plan.delete).toEqual([]);
    expect(plan.keep.find((i) => i.digest === old.digest)).toMatchObject({ held: true });
  });

  it('a child the registry does not have is reported missing, not unreadable', async () => {
    const b = new MemoryBackend();
    const amd = image('amd', 1);
    const arm = image('arm', 1, 'arm64');
    b.push(makeIndex([amd, arm]), 'latest');
    b.manifests.delete(arm.digest);
    const { inventory } = await gatherInventory(b);
    expect(inventory.manifests.has(arm.digest)).toBe(false);
    expect(inventory.missing).toHaveLength(1);
    expect(inventory.warnings[0]).toMatch(/lists sha256:.*, which is not in the repository/);
  });

  it('a child that fails to read (not 404) is unreadable', async () => {
    const b = new MemoryBackend();
    const amd = image('amd', 1);
    b.push(makeIndex([amd]), 'latest');
    b.fetchErrors.set(amd.digest, serverError('manifest'));
    const { inventory } = await gatherInventory(b);
    expect(inventory.manifests.get(amd.digest)?.kind).toBe('unknown');
  });

  it('a config that cannot be read leaves the age unknown (kept) and warns', async () => {
    const b = new MemoryBackend();
    const old = image('old', 100);
    b.push(old, 'main-old');
    b.configErrors.set(old.config.digest, new ProtocolError('config: bad JSON'));
    const { inventory, warnings } = await gatherInventory(b);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^config sha256:.* could not be read \(config: bad JSON\); its image's age is unknown$/,
      ),
    ]);
    const plan = planRetention(inventory, defaultPolicy(), NOW);
    expect(plan.delete).toEqual([]);
    expect(plan.keep[0]!.reason).toMatch(/age unknown \(kept\)/);
  });

  it('session errors (authorisation, network) stop the walk instead of guessing', async () => {
    const b = new MemoryBackend();
    const img = image('x', 1);
    b.push(img, 'latest');
    b.fetchErrors.set(img.digest, new AuthError('denied', 403));
    await expect(gatherInventory(b)).rejects.toBeInstanceOf(AuthError);
  });
});
