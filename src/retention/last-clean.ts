/**
 * Which deletions `restore --last-clean` brings back: those of the most recent `clean --force`
 * run that deleted something (one invocation, possibly over several repositories; the run id
 * groups them), or, with a package named, of the most recent run that deleted something in that
 * package; or of one run picked by id (`--run`). A run that deleted nothing is never the "last
 * clean" while an earlier one did delete: undoing nothing would hide the run the user means.
 * Pure: the store rows come in already read (see `readRecordedClean` in src/store/events.ts).
 */
import { UsageError } from '../errors.js';
import type { RecordedClean } from '../store/events.js';

/** Does `filter` (`ghcr.io/OWNER/NAME`, `OWNER/NAME`, `NAME`, or a registry repository) name this record? */
export function recordMatches(record: RecordedClean, filter: string): boolean {
  const f = filter
    .trim()
    .replace(/^\/+|\/+$/g, '')
    .toLowerCase();
  if (f === '') return false;
  const repo = record.repository.toLowerCase();
  if (repo === f) return true;
  // The repository path without its host: `owner/name` on ghcr.io, `app` on registry:5000/app.
  const path = repo.slice(repo.indexOf('/') + 1);
  if (path === f) return true;
  if (record.github) {
    const pkg = record.github.package.toLowerCase();
    if (pkg === f || `${record.github.owner.toLowerCase()}/${pkg}` === f) return true;
  }
  return false;
}

export interface LastClean {
  runId: string;
  at: Date;
  /** One per repository of the run (those matching the filter), in the order they were recorded. */
  records: RecordedClean[];
}

export interface CleanRun extends LastClean {
  /** Manifests the run deleted (in the matching repositories). */
  deleted: number;
  /** Of those, GHCR versions with an id: what a restore can bring back. */
  restorable: number;
}

const newestFirst = (a: RecordedClean, b: RecordedClean): number =>
  b.at.getTime() - a.at.getTime() || b.eventId - a.eventId;

/** Every recorded run (optionally: only its records touching `filter`), newest first. */
export function listCleanRuns(records: readonly RecordedClean[], filter?: string): CleanRun[] {
  const pool = filter === undefined ? [...records] : records.filter((r) => recordMatches(r, filter));
  const byRun = new Map<string, RecordedClean[]>();
  for (const r of [...pool].sort(newestFirst))
    (byRun.get(r.runId) ?? byRun.set(r.runId, []).get(r.runId)!).push(r);
  return [...byRun].map(([runId, list]) => {
    const inOrder = list.sort((a, b) => -newestFirst(a, b));
    return {
      runId,
      at: inOrder[0]!.at,
      records: inOrder,
      deleted: inOrder.reduce((n, r) => n + r.deleted.length, 0),
      restorable: inOrder.reduce(
        (n, r) => n + (r.backend === 'github' && r.github ? restoreOrder(r).length : 0),
        0,
      ),
    };
  });
}

/**
 * The run to undo: `runId` (a full id, or a prefix naming one run) when given, else the most
 * recent run that deleted something, else (no run deleted anything) the most recent run.
 * Optionally only the records touching `filter`. Undefined when no such run was recorded.
 */
export function selectLastClean(
  records: readonly RecordedClean[],
  filter?: string,
  opts: { runId?: string } = {},
): LastClean | undefined {
  const runs = listCleanRuns(records, filter);
  let run: CleanRun | undefined;
  if (opts.runId !== undefined) {
    const id = opts.runId.trim().toLowerCase();
    run = runs.find((r) => r.runId.toLowerCase() === id);
    if (!run && id !== '') {
      const prefixed = runs.filter((r) => r.runId.toLowerCase().startsWith(id));
      if (prefixed.length > 1) {
        throw new UsageError(`--run ${opts.runId} names ${prefixed.length} recorded runs`, {
          hint: 'give more of the run id (restore --list-cleans shows them)',
        });
      }
      run = prefixed[0];
    }
  } else {
    run = runs.find((r) => r.deleted > 0) ?? runs[0];
  }
  return run ? { runId: run.runId, at: run.at, records: run.records } : undefined;
}

/**
 * The version ids to restore for one GHCR record, in restore order: the reverse of the deletion
 * order, so the images an index lists come back before the index (a signature may come back
 * just before its subject, which harms nothing). Deletions without an id (already gone when cleaned) cannot be named.
 */
export function restoreOrder(record: RecordedClean): number[] {
  const ids: number[] = [];
  for (const d of [...record.deleted].reverse()) if (d.versionId !== undefined) ids.push(d.versionId);
  return [...new Set(ids)];
}
