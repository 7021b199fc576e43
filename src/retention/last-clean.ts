/**
 * Which deletions `restore --last-clean` brings back: those of the most recent `clean --force`
 * run (one invocation, possibly over several repositories; the run id groups them), or, with a
 * package named, of the most recent run that cleaned that package. Pure: the store rows come in
 * already read (see `readRecordedClean` in src/store/events.ts).
 */
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

/** The most recent run (optionally: touching `filter`); undefined when no run was recorded. */
export function selectLastClean(records: readonly RecordedClean[], filter?: string): LastClean | undefined {
  const pool = filter === undefined ? [...records] : records.filter((r) => recordMatches(r, filter));
  if (pool.length === 0) return undefined;
  const newest = pool.reduce((a, b) =>
    b.at.getTime() > a.at.getTime() || (b.at.getTime() === a.at.getTime() && b.eventId > a.eventId) ? b : a,
  );
  const chosen = pool
    .filter((r) => r.runId === newest.runId)
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.eventId - b.eventId);
  return { runId: newest.runId, at: chosen[0]!.at, records: chosen };
}

/**
 * The version ids to restore for one GHCR record, in restore order: the reverse of the deletion
 * order, so the images an index lists come back before the index, and a subject before what
 * refers to it. Deletions without an id (already gone when cleaned) cannot be named.
 */
export function restoreOrder(record: RecordedClean): number[] {
  const ids: number[] = [];
  for (const d of [...record.deleted].reverse()) if (d.versionId !== undefined) ids.push(d.versionId);
  return [...new Set(ids)];
}
