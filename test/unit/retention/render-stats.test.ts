import { describe, expect, it } from 'vitest';
import type { ApplyResult } from '../../../src/retention/apply.js';
import { planRetention } from '../../../src/retention/planner.js';
import { defaultPolicy } from '../../../src/retention/policy.js';
import {
  displayTag,
  displayTags,
  planSummaryLine,
  renderApplied,
  renderPlan,
  renderStats,
  shortenReason,
} from '../../../src/retention/render.js';
import { computeStats } from '../../../src/retention/stats.js';
import { NOW, RepoBuilder } from './fixtures.js';

function repo() {
  const r = new RepoBuilder('registry.test/app');
  const base: [string, number] = ['base', 10_000];
  const rel = r.image('rel', { age: 400, layers: [base, ['rel', 1000]] });
  const old = r.image('old', { age: 100, layers: [base, ['old', 2000]] });
  const fresh = r.image('fresh', { age: 1, layers: [base, ['fresh', 3000]] });
  const pr = r.multiArch('pr', 20, ['amd64', 'arm64'], { layers: (p) => [base, [`pr-${p}`, 500]] });
  r.tag('1.0.0', rel).tag('main-old', old).tag('main', fresh).tag('pr-3', pr.index).tag('pr-9', rel);
  const sig = r.cosign(old);
  return { r, rel, old, fresh, pr, sig };
}

describe('render', () => {
  it('shortens attachment tags and the digests reasons name', () => {
    const hex = 'ab'.repeat(32);
    expect(displayTag(`sha256-${hex}.sig`)).toBe('sha256-abababababab….sig');
    expect(displayTag(`sha256-${hex}`)).toBe('sha256-abababababab…');
    expect(displayTag('v1.2.3')).toBe('v1.2.3');
    expect(displayTags([])).toBe('<none>');
    expect(displayTags(['a', 'b', 'c', 'd', 'e'])).toBe('a,b,c,+2');
    expect(shortenReason(`signature of deleted x via tag sha256-${hex}.sig`)).toBe(
      'signature of deleted x via tag sha256-abababababab….sig',
    );
  });

  it('the plan: a table (deletions in order, then what is kept) and a summary line', () => {
    const { r, sig } = repo();
    const plan = planRetention(r.inventory(), defaultPolicy(), NOW);
    const lines = renderPlan(plan, true).split('\n');
    expect(lines[0]).toMatch(/^ACTION\s+TAGS\s+DIGEST\s+CATEGORY\s+AGE\s+SIZE\s+REASON$/);
    const deletes = lines.filter((l) => l.startsWith('delete'));
    expect(deletes).toHaveLength(plan.delete.length);
    // In deletion order: the signature after the image it signs.
    const sigLine = deletes.findIndex((l) => /^delete\s+sha256-[0-9a-f]{12}….sig\s/.test(l));
    expect(deletes[sigLine]).toMatch(
      /^delete\s+sha256-[0-9a-f]{12}….sig\s+sha256:[0-9a-f]{12}\s+signature\s+-\s+/,
    );
    expect(plan.delete[sigLine]!.digest).toBe(sig);
    expect(sigLine).toBeGreaterThan(deletes.findIndex((l) => /^delete\s+main-old /.test(l)));
    expect(lines.find((l) => /^delete\s+main-old /.test(l))).toMatch(
      /^delete\s+main-old\s+sha256:\S+\s+main\s+100d\s+2\.\d+ KB\s+main-old: main-\* older than 90d \(100d\)$/,
    );
    expect(lines.find((l) => l.includes('1.0.0,pr-9'))).toMatch(
      /^keep\s+1\.0\.0,pr-9\s+sha256:\S+\s+release\s+400d\s+-\s+/,
    );
    expect(lines.at(-1)).toBe(planSummaryLine(plan, true));
    expect(lines.at(-1)).toMatch(
      /^registry\.test\/app: 5 of 7 manifests to delete \(3 of 6 tags\), 6\.00 KB to reclaim; 2 kept\. Dry run: nothing deleted \(--force to apply\)$/,
    );
  });

  it('what applying did: the status per item and a summary', () => {
    const { r } = repo();
    const plan = planRetention(r.inventory(), defaultPolicy(), NOW);
    const [first, second, ...rest] = plan.delete;
    const result: ApplyResult = {
      repository: plan.repository,
      deleted: rest.length,
      absent: 0,
      refused: 1,
      skipped: 0,
      failed: 1,
      bytesDeleted: 1234,
      items: [
        {
          digest: first!.digest,
          tags: first!.tags,
          category: first!.category,
          status: 'refused',
          reason: 'tag x moved',
          bytes: 0,
        },
        {
          digest: second!.digest,
          tags: second!.tags,
          category: second!.category,
          status: 'failed',
          reason: 'HTTP 500',
          bytes: 0,
        },
        ...rest.map((i) => ({
          digest: i.digest,
          tags: i.tags,
          category: i.category,
          status: 'deleted' as const,
          bytes: i.bytes,
        })),
      ],
    };
    const text = renderApplied(plan, result);
    expect(text).toMatch(/^refused\s+.*tag x moved$/m);
    expect(text).toMatch(/^failed\s+.*HTTP 500$/m);
    expect(text.split('\n').filter((l) => l.startsWith('deleted'))).toHaveLength(rest.length);
    expect(text.split('\n').at(-1)).toBe(
      `registry.test/app: deleted ${rest.length} manifests, refused 1 (changed since the plan was made: a tag moved or was added, here or on an item planned with it), failed 1 (1.23 KB, freed when the registry collects garbage); 2 kept`,
    );
  });
});

describe('computeStats', () => {
  it('counts per category, unique and shared storage, what the policy reclaims, oldest and newest', () => {
    const { r, rel, fresh } = repo();
    const inventory = r.inventory();
    const plan = planRetention(inventory, defaultPolicy(), NOW);
    const s = computeStats(inventory, plan);
    expect(s.manifests).toEqual({ total: 7, images: 6, indexes: 1, artifacts: 0, unreadable: 0 });
    expect(s.tags).toEqual({ total: 6, attachment: 1 });
    // Blobs: base once, the own layers (the signature's payload is 300), a 100-byte config each.
    const configs = 100 * 6; // rel, old, fresh, 2 pr children, the signature
    expect(s.storage.blobBytes).toBe(10_000 + 1000 + 2000 + 3000 + 1000 + 300 + configs);
    expect(s.storage.sharedSavings).toBe(4 * 10_000);
    expect(s.storage.unsharedBytes - s.storage.blobBytes).toBe(s.storage.sharedSavings);
    expect(s.categories.release).toEqual({ manifests: 1, tags: 2, bytes: 11_100, kept: 1, deleted: 0 });
    // An index's size includes its children's blobs.
    expect(s.categories.pr).toEqual({
      manifests: 1,
      tags: 1,
      bytes: 10_000 + 1000 + 200,
      kept: 0,
      deleted: 1,
    });
    expect(s.reclaimable).toEqual({
      manifests: plan.summary.manifests.deleted,
      tags: 3,
      bytes: plan.summary.bytesReclaimed,
      bytesUnknown: 0,
      held: false,
    });
    expect(s.oldest).toMatchObject({ digest: rel, tags: ['1.0.0', 'pr-9'], ageSeconds: 400 * 86_400 });
    expect(s.newest).toMatchObject({ digest: fresh, tags: ['main'] });
    const text = renderStats(s);
    expect(text).toMatch(/^ {2}manifests {2}7 \(6 images, 1 index, 0 artifacts\)$/m);
    expect(text).toMatch(/^ {2}policy {5}would delete 5 manifests \(3 tags\) and reclaim /m);
    expect(text).toMatch(/^ {2}oldest {5}1\.0\.0,pr-9 {2}sha256:[0-9a-f]{12} {2}2024-04-27 \(400d ago\)$/m);
    expect(text).toMatch(/^CATEGORY\s+MANIFESTS\s+TAGS\s+SIZE\s+KEEP\s+DELETE$/m);
  });
});
