/**
 * Which repository each cached blob was pulled for, and the cache's retention: blobs unused for
 * longer than a maximum age go, and each repository (service) keeps at most a size limit of
 * blobs, least recently used first.
 *
 * The record is one empty marker file per (repository, blob) —
 * `<cache>/repositories/<key>/<algorithm>-<hex>`, its mtime the repository's last use of the
 * blob — rather than an index file: creating or touching a marker is a single file-system call,
 * so concurrent pulls need no lock and a crash cannot leave a half-written index. The key is the
 * repository name made file-name safe; `.name` beside the markers keeps the name itself.
 *
 * A blob shared by several repositories counts against each of them. A repository over its limit
 * releases its markers (least recently used first); the blob itself is removed only when no
 * repository holds a marker for it any more (or when it is older than the maximum age).
 */
import { createHash } from 'node:crypto';
import { open, readFile, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDigest } from '../oci/digest.js';
import { writeFileAtomic } from '../content/atomic-file.js';
import type { CacheEntry } from './blob-cache.js';

export const USAGE_DIR = 'repositories';
const NAME_FILE = '.name';

/** A file-name-safe directory name for a repository (readable when short enough). */
export function usageKey(repository: string): string {
  const encoded = encodeURIComponent(repository).replace(
    /[!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return encoded.length <= 200 ? encoded : `~${createHash('sha256').update(repository).digest('hex')}`;
}

export interface BlobUse {
  digest: string;
  /** This repository's last use of the blob. */
  lastUsed: Date;
}

export interface RepositoryUse {
  repository: string;
  key: string;
  uses: BlobUse[];
}

const markerName = (digest: string): string => {
  const { algorithm, hex } = parseDigest(digest);
  return `${algorithm}-${hex}`;
};

export class CacheUsage {
  constructor(readonly cacheDir: string) {}

  #dirOf(key: string): string {
    return join(this.cacheDir, USAGE_DIR, key);
  }

  markerPath(repository: string, digest: string): string {
    return join(this.#dirOf(usageKey(repository)), markerName(digest));
  }

  /** Records that `repository` used `digest` now (creates or touches its marker). */
  async touch(repository: string, digest: string, now = new Date()): Promise<void> {
    const key = usageKey(repository);
    const dir = this.#dirOf(key);
    const nameFile = join(dir, NAME_FILE);
    // The name is written once, atomically (writeFileAtomic creates the directory).
    if (
      !(await stat(nameFile).then(
        () => true,
        () => false,
      ))
    ) {
      await writeFileAtomic(nameFile, repository);
    }
    const marker = join(dir, markerName(digest));
    const fh = await open(marker, 'a');
    await fh.close();
    await utimes(marker, now, now);
  }

  /** Every repository with its markers (a repository with none is left out). */
  async list(): Promise<RepositoryUse[]> {
    let keys: string[];
    try {
      keys = await readdir(join(this.cacheDir, USAGE_DIR));
    } catch {
      return [];
    }
    const out: RepositoryUse[] = [];
    for (const key of keys.sort()) {
      if (key.startsWith('.')) continue;
      const dir = this.#dirOf(key);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      let repository: string;
      try {
        repository = (await readFile(join(dir, NAME_FILE), 'utf8')).trim();
      } catch {
        try {
          repository = decodeURIComponent(key);
        } catch {
          repository = key;
        }
      }
      const uses: BlobUse[] = [];
      for (const name of names.sort()) {
        if (name.startsWith('.')) continue; // .name, in-flight temp files
        const m = /^(sha256|sha512)-([0-9a-f]+)$/.exec(name);
        if (!m) continue;
        try {
          const st = await stat(join(dir, name));
          uses.push({ digest: `${m[1]}:${m[2]}`, lastUsed: st.mtime });
        } catch {
          // Removed meanwhile by another prune.
        }
      }
      if (uses.length > 0) out.push({ repository, key, uses });
    }
    return out;
  }

  /**
   * Removes one marker, unless it was used after `plannedLastUsed` (a pull since the plan):
   * then it is kept and false returned.
   */
  async release(key: string, digest: string, plannedLastUsed?: Date): Promise<boolean> {
    const path = join(this.#dirOf(key), markerName(digest));
    if (plannedLastUsed !== undefined) {
      const st = await stat(path).catch(() => undefined);
      if (st && st.mtime.getTime() > plannedLastUsed.getTime()) return false;
    }
    await rm(path, { force: true });
    return true;
  }
}

// --- The plan (pure) ---------------------------------------------------------------------

export interface CacheRetentionPolicy {
  /** Blobs not used for longer than this are removed (ms). */
  maxAgeMs?: number;
  /** Per-repository limit (bytes) for repositories without their own. */
  maxSizePerRepository?: number;
  /** Limits of particular repositories (bytes), by repository name. */
  repositoryLimits?: ReadonlyMap<string, number>;
  /** The whole cache at or below this size (bytes), least recently used blobs first. */
  maxSize?: number;
}

export type RemovalReason = 'age' | 'repository-limit' | 'max-size';

export interface PlannedRemoval {
  digest: string;
  size: number;
  lastUsed: Date;
  reason: RemovalReason;
  /** The repositories that held it (their markers go with it). */
  repositories: { repository: string; key: string; lastUsed: Date }[];
}

export interface PlannedRelease {
  repository: string;
  key: string;
  digest: string;
  size: number;
  /** The repository's last use of the blob. */
  lastUsed: Date;
  /** Whether the blob itself goes (no other repository keeps it). */
  blobRemoved: boolean;
}

export interface RepositoryFootprint {
  repository: string;
  limit?: number;
  /** Bytes of its blobs before and after the plan. */
  before: number;
  after: number;
  blobs: number;
}

export interface CachePrunePlan {
  /** Blobs to delete, least recently used first. */
  remove: PlannedRemoval[];
  /** Markers a repository over its limit gives up (the blob may stay for another repository). */
  release: PlannedRelease[];
  /** Markers whose blob is no longer in the cache. */
  stale: { repository: string; key: string; digest: string }[];
  repositories: RepositoryFootprint[];
  bytesFreed: number;
  remaining: number;
}

const byUse = <T extends { lastUsed: Date; digest: string }>(a: T, b: T): number =>
  a.lastUsed.getTime() - b.lastUsed.getTime() || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);

/**
 * Which blobs and markers a retention prune removes. Deterministic: ties in last use break by
 * digest. Rules, in order: the maximum age (the blob's own last use), each repository's limit
 * (its markers, least recently used first; a blob goes when every repository holding it released
 * it), then the whole-cache limit.
 */
export function planCacheRetention(
  entries: readonly CacheEntry[],
  usage: readonly RepositoryUse[],
  policy: CacheRetentionPolicy,
  now: Date,
): CachePrunePlan {
  const blobs = new Map(entries.map((e) => [e.digest, e]));
  const holders = new Map<string, { repository: string; key: string; lastUsed: Date }[]>();
  const stale: CachePrunePlan['stale'] = [];
  for (const r of usage) {
    for (const u of r.uses) {
      if (!blobs.has(u.digest)) {
        stale.push({ repository: r.repository, key: r.key, digest: u.digest });
        continue;
      }
      (holders.get(u.digest) ?? holders.set(u.digest, []).get(u.digest)!).push({
        repository: r.repository,
        key: r.key,
        lastUsed: u.lastUsed,
      });
    }
  }
  const removed = new Map<string, RemovalReason>();

  // 1. Age.
  if (policy.maxAgeMs !== undefined) {
    for (const e of entries)
      if (now.getTime() - e.lastUsed.getTime() > policy.maxAgeMs) removed.set(e.digest, 'age');
  }

  // 2. Each repository's limit.
  const released = new Map<string, Set<string>>(); // digest → keys that released it
  const footprints: RepositoryFootprint[] = [];
  for (const r of usage) {
    const limit = policy.repositoryLimits?.get(r.repository) ?? policy.maxSizePerRepository;
    const live = r.uses.filter((u) => blobs.has(u.digest));
    const before = live.reduce((n, u) => n + blobs.get(u.digest)!.size, 0);
    const held = live.filter((u) => !removed.has(u.digest)).sort(byUse);
    let total = held.reduce((n, u) => n + blobs.get(u.digest)!.size, 0);
    for (const u of held) {
      if (limit === undefined || total <= limit) break;
      (released.get(u.digest) ?? released.set(u.digest, new Set()).get(u.digest)!).add(r.key);
      total -= blobs.get(u.digest)!.size;
    }
    footprints.push({
      repository: r.repository,
      ...(limit !== undefined ? { limit } : {}),
      before,
      after: total,
      blobs: held.length - held.filter((u) => released.get(u.digest)?.has(r.key)).length,
    });
  }
  for (const [digest, keys] of released) {
    if (removed.has(digest)) continue;
    if (holders.get(digest)!.every((h) => keys.has(h.key))) removed.set(digest, 'repository-limit');
  }

  // 3. The whole cache.
  if (policy.maxSize !== undefined) {
    let total = entries.filter((e) => !removed.has(e.digest)).reduce((n, e) => n + e.size, 0);
    for (const e of [...entries].sort(byUse)) {
      if (total <= policy.maxSize) break;
      if (removed.has(e.digest)) continue;
      removed.set(e.digest, 'max-size');
      total -= e.size;
    }
  }

  const remove: PlannedRemoval[] = [...entries]
    .filter((e) => removed.has(e.digest))
    .sort(byUse)
    .map((e) => ({
      digest: e.digest,
      size: e.size,
      lastUsed: e.lastUsed,
      reason: removed.get(e.digest)!,
      repositories: [...(holders.get(e.digest) ?? [])].sort((a, b) => (a.repository < b.repository ? -1 : 1)),
    }));
  const release: PlannedRelease[] = [];
  for (const r of usage) {
    for (const u of [...r.uses].sort(byUse)) {
      if (!released.get(u.digest)?.has(r.key)) continue;
      // A blob removed for its age goes with all its markers; only limit releases are listed.
      if (removed.get(u.digest) === 'age') continue;
      release.push({
        repository: r.repository,
        key: r.key,
        digest: u.digest,
        size: blobs.get(u.digest)!.size,
        lastUsed: u.lastUsed,
        blobRemoved: removed.has(u.digest),
      });
    }
  }
  // Footprints after the whole plan (a max-size removal shrinks them too).
  for (const f of footprints) {
    const r = usage.find((x) => x.repository === f.repository)!;
    const kept = r.uses.filter(
      (u) => blobs.has(u.digest) && !removed.has(u.digest) && !released.get(u.digest)?.has(r.key),
    );
    f.after = kept.reduce((n, u) => n + blobs.get(u.digest)!.size, 0);
    f.blobs = kept.length;
  }
  return {
    remove,
    release,
    stale,
    repositories: footprints,
    bytesFreed: remove.reduce((n, e) => n + e.size, 0),
    remaining: entries.length - remove.length,
  };
}
