import { describe, expect, it } from 'vitest';
import { readRecordedClean, retentionRunEvent, type RecordedClean } from '../../../src/store/events.js';
import {
  listCleanRuns,
  recordMatches,
  restoreOrder,
  selectLastClean,
} from '../../../src/retention/last-clean.js';
import { UsageError } from '../../../src/errors.js';
import type { PlanSummary } from '../../../src/retention/planner.js';

const summary: PlanSummary = {
  manifests: { total: 10, kept: 7, deleted: 3 },
  tags: { total: 8, kept: 6, deleted: 2 },
  bytesReclaimed: 3000,
  bytesUnknown: 0,
  categories: {},
  unmatchedTags: [],
  held: false,
};

const D = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('retentionRunEvent', () => {
  it('adds the run, back end, package and every deletion to the retention figures', () => {
    const e = retentionRunEvent(summary, {
      repository: 'ghcr.io/octo-org/app',
      bytesReclaimed: 2000,
      runId: 'run-1',
      backend: 'github',
      registry: 'ghcr.io',
      github: { owner: 'octo-org', package: 'app', ownerKind: 'org' },
      deleted: [
        { digest: D(1), tags: ['pr-1'], versionId: 11 },
        { digest: D(2), tags: [], versionId: 12 },
      ],
    });
    expect(e).toMatchObject({
      kind: 'retention',
      command: 'clean',
      subject: 'ghcr.io/octo-org/app',
      ok: true,
    });
    expect(e.data).toEqual({
      repository: 'ghcr.io/octo-org/app',
      dryRun: false,
      manifests: summary.manifests,
      tags: summary.tags,
      bytesReclaimed: 2000,
      bytesPlanned: 3000,
      bytesUnknown: 0,
      held: false,
      // The field older readers know keeps its meaning.
      deletedVersionIds: [11, 12],
      complete: false,
      runId: 'run-1',
      backend: 'github',
      registry: 'ghcr.io',
      github: { owner: 'octo-org', package: 'app', ownerKind: 'org' },
      deleted: [
        { digest: D(1), tags: ['pr-1'], versionId: 11 },
        { digest: D(2), tags: [], versionId: 12 },
      ],
    });
  });

  it('a registry run has digests only, and is complete when every planned deletion happened', () => {
    const e = retentionRunEvent(summary, {
      repository: 'registry:5000/app',
      runId: 'r',
      backend: 'registry',
      registry: 'registry:5000',
      deleted: [1, 2, 3].map((n) => ({ digest: D(n), tags: [] })),
    });
    expect(e.data).toMatchObject({ deletedVersionIds: [], complete: true, backend: 'registry' });
    expect(e.data).not.toHaveProperty('github');
  });
});

describe('readRecordedClean', () => {
  const stored = (data: unknown, id = 1, at = '2025-06-01T00:00:00Z') => ({
    id,
    at: new Date(at),
    kind: 'retention',
    data,
  });

  it('reads back what retentionRunEvent wrote', () => {
    const e = retentionRunEvent(summary, {
      repository: 'ghcr.io/o/app',
      runId: 'run-9',
      backend: 'github',
      registry: 'ghcr.io',
      github: { owner: 'o', package: 'app', ownerKind: 'user' },
      deleted: [{ digest: D(1), tags: ['a'], versionId: 5 }],
    });
    expect(readRecordedClean(stored(JSON.parse(JSON.stringify(e.data)), 7))).toEqual({
      eventId: 7,
      at: new Date('2025-06-01T00:00:00Z'),
      runId: 'run-9',
      repository: 'ghcr.io/o/app',
      backend: 'github',
      registry: 'ghcr.io',
      github: { owner: 'o', package: 'app', ownerKind: 'user' },
      deleted: [{ digest: D(1), tags: ['a'], versionId: 5 }],
    });
  });

  it('ignores rows without a deletion record: older versions, dry runs, other kinds, junk', () => {
    const old = { repository: 'ghcr.io/o/app', dryRun: false, deletedVersionIds: [1, 2], complete: true };
    expect(readRecordedClean(stored(old))).toBeUndefined();
    expect(
      readRecordedClean(
        stored({ repository: 'r', dryRun: true, runId: 'x', backend: 'registry', deleted: [] }),
      ),
    ).toBeUndefined();
    expect(readRecordedClean({ ...stored({}), kind: 'scan' })).toBeUndefined();
    expect(readRecordedClean(stored('text'))).toBeUndefined();
    expect(
      readRecordedClean(stored({ repository: 'r', runId: 'x', backend: 'ftp', deleted: [] })),
    ).toBeUndefined();
    // Malformed entries are dropped, a bad id is left out.
    expect(
      readRecordedClean(
        stored({
          repository: 'r/x',
          runId: 'x',
          backend: 'github',
          github: { owner: 'o' },
          deleted: [null, { digest: D(1), tags: ['t', 3], versionId: -4 }],
        }),
      ),
    ).toEqual({
      eventId: 1,
      at: new Date('2025-06-01T00:00:00Z'),
      runId: 'x',
      repository: 'r/x',
      backend: 'github',
      deleted: [{ digest: D(1), tags: ['t'] }],
    });
  });
});

function rec(
  p: Partial<RecordedClean> & { eventId: number; runId: string; repository: string },
): RecordedClean {
  return {
    at: new Date(Date.parse('2025-06-01T00:00:00Z') + p.eventId * 1000),
    backend: 'github',
    deleted: [],
    ...p,
  };
}

describe('selectLastClean', () => {
  const a1 = rec({
    eventId: 1,
    runId: 'one',
    repository: 'ghcr.io/octo/a',
    github: { owner: 'octo', package: 'a' },
  });
  const b1 = rec({
    eventId: 2,
    runId: 'one',
    repository: 'ghcr.io/octo/b',
    github: { owner: 'octo', package: 'b' },
  });
  const a2 = rec({
    eventId: 3,
    runId: 'two',
    repository: 'ghcr.io/octo/a',
    github: { owner: 'octo', package: 'a' },
  });
  const reg = rec({ eventId: 4, runId: 'three', repository: 'registry:5000/team/b', backend: 'registry' });

  it('takes every repository of the most recent run', () => {
    expect(selectLastClean([a1, b1, a2])).toMatchObject({ runId: 'two', records: [a2] });
    expect(selectLastClean([a1, b1])).toMatchObject({ runId: 'one', records: [a1, b1] });
    expect(selectLastClean([reg, a2, b1, a1])!.runId).toBe('three');
    expect(selectLastClean([])).toBeUndefined();
  });

  it('with a package: the most recent run that cleaned it, only that package', () => {
    expect(selectLastClean([a1, b1, a2, reg], 'octo/b')).toMatchObject({ runId: 'one', records: [b1] });
    expect(selectLastClean([a1, b1, a2, reg], 'ghcr.io/octo/a')).toMatchObject({
      runId: 'two',
      records: [a2],
    });
    expect(selectLastClean([a1, b1, a2, reg], 'a')!.runId).toBe('two');
    expect(selectLastClean([a1, b1, a2, reg], 'registry:5000/team/b')!.records).toEqual([reg]);
    expect(selectLastClean([a1, b1, a2], 'octo/zzz')).toBeUndefined();
  });

  it('same instant: the later event wins', () => {
    const x = rec({ eventId: 10, runId: 'x', repository: 'ghcr.io/o/x', at: new Date(0) });
    const y = rec({ eventId: 11, runId: 'y', repository: 'ghcr.io/o/y', at: new Date(0) });
    expect(selectLastClean([y, x])!.runId).toBe('y');
  });
});

describe('selectLastClean: runs that deleted nothing, and --run', () => {
  const del = (n: number, versionId?: number) => [
    { digest: D(n), tags: [`pr-${n}`], ...(versionId !== undefined ? { versionId } : {}) },
  ];
  const gh = (p: string) => ({ repository: `ghcr.io/octo/${p}`, github: { owner: 'octo', package: p } });
  const r1a = rec({ eventId: 1, runId: 'run-aaaa-1', ...gh('a'), deleted: del(1, 11) });
  const r1b = rec({ eventId: 2, runId: 'run-aaaa-1', ...gh('b'), deleted: del(2, 12) });
  const r2a = rec({ eventId: 3, runId: 'run-aaab-2', ...gh('a'), deleted: del(3, 13) });
  const r2b = rec({ eventId: 4, runId: 'run-aaab-2', ...gh('b') });
  const r3a = rec({ eventId: 5, runId: 'run-bbbb-3', ...gh('a') });
  const r3b = rec({ eventId: 6, runId: 'run-bbbb-3', ...gh('b') });
  const all = [r3b, r1a, r2b, r3a, r2a, r1b];

  it('passes over runs that deleted nothing', () => {
    // The newest run (3) deleted nothing: the last clean is run 2, with every repository of it.
    expect(selectLastClean(all)).toMatchObject({ runId: 'run-aaab-2', records: [r2a, r2b] });
    // Per package: b was last cleaned with deletions in run 1 (run 2 deleted nothing in b).
    expect(selectLastClean(all, 'octo/b')).toMatchObject({ runId: 'run-aaaa-1', records: [r1b] });
    expect(selectLastClean(all, 'octo/a')).toMatchObject({ runId: 'run-aaab-2', records: [r2a] });
    // No run deleted anything: the newest run (its restore then says "nothing deleted").
    expect(selectLastClean([r3a, r3b, r2b])).toMatchObject({ runId: 'run-bbbb-3', records: [r3a, r3b] });
  });

  it('--run picks a recorded run by id or by a prefix naming one run', () => {
    expect(selectLastClean(all, undefined, { runId: 'run-aaaa-1' })).toMatchObject({
      runId: 'run-aaaa-1',
      records: [r1a, r1b],
    });
    expect(selectLastClean(all, 'octo/a', { runId: 'RUN-BBBB' })).toMatchObject({
      runId: 'run-bbbb-3',
      records: [r3a],
    });
    expect(selectLastClean(all, undefined, { runId: 'run-aaab' })!.runId).toBe('run-aaab-2');
    expect(() => selectLastClean(all, undefined, { runId: 'run-aaa' })).toThrow(UsageError);
    expect(() => selectLastClean(all, undefined, { runId: 'run-aaa' })).toThrow(
      '--run run-aaa names 2 recorded runs',
    );
    expect(selectLastClean(all, undefined, { runId: 'nope' })).toBeUndefined();
    expect(selectLastClean(all, undefined, { runId: '' })).toBeUndefined();
    // A run that did not touch the package is not found through it.
    expect(selectLastClean([r1a], 'octo/b', { runId: 'run-aaaa-1' })).toBeUndefined();
  });

  it('listCleanRuns: newest first, with deletions and what a restore can bring back', () => {
    const reg = rec({
      eventId: 7,
      runId: 'run-reg',
      repository: 'registry:5000/app',
      backend: 'registry',
      deleted: del(7),
    });
    const noId = rec({ eventId: 8, runId: 'run-noid', ...gh('a'), deleted: [...del(8), ...del(9, 19)] });
    const runs = listCleanRuns([...all, reg, noId]);
    expect(runs.map((r) => [r.runId, r.deleted, r.restorable])).toEqual([
      ['run-noid', 2, 1],
      ['run-reg', 1, 0],
      ['run-bbbb-3', 0, 0],
      ['run-aaab-2', 1, 1],
      ['run-aaaa-1', 2, 2],
    ]);
    expect(runs.find((r) => r.runId === 'run-aaaa-1')!.records).toEqual([r1a, r1b]);
    expect(listCleanRuns(all, 'octo/b').map((r) => [r.runId, r.deleted])).toEqual([
      ['run-bbbb-3', 0],
      ['run-aaab-2', 0],
      ['run-aaaa-1', 1],
    ]);
    expect(listCleanRuns([])).toEqual([]);
  });
});

describe('recordMatches', () => {
  const r = rec({
    eventId: 1,
    runId: 'r',
    repository: 'ghcr.io/Octo-Org/tools/cli',
    github: { owner: 'Octo-Org', package: 'tools/cli' },
  });
  it('matches the repository, its path, OWNER/NAME and NAME, case-insensitively', () => {
    for (const f of ['ghcr.io/octo-org/tools/cli', 'octo-org/tools/cli', 'tools/cli', 'OCTO-ORG/tools/cli/'])
      expect(recordMatches(r, f), f).toBe(true);
    for (const f of ['cli', 'octo-org', 'ghcr.io/octo-org/tools', '', 'other/tools/cli'])
      expect(recordMatches(r, f), f).toBe(false);
  });
});

describe('restoreOrder', () => {
  it('reverses the deletion order (children and subjects first), skipping deletions without an id', () => {
    const r = rec({
      eventId: 1,
      runId: 'r',
      repository: 'ghcr.io/o/app',
      deleted: [
        { digest: D(1), tags: ['pr-3'], versionId: 30 },
        { digest: D(2), tags: [] },
        { digest: D(3), tags: [], versionId: 31 },
        { digest: D(4), tags: ['pr-2'], versionId: 32 },
      ],
    });
    expect(restoreOrder(r)).toEqual([32, 31, 30]);
  });
});
