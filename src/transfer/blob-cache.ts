/**
 * The content-addressed blob cache every pull shares (`$XDG_CACHE_HOME/ghcr-optimize/blobs`).
 * Entries are written atomically after their digest verified, re-verified before each use (a
 * corrupted entry is dropped and fetched again), and touched on use so pruning can evict the
 * least recently used first. Each use is also recorded per repository (blob-cache-usage.ts), so
 * retention can hold every repository to its own size limit.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, pipeline } from 'node:stream';
import { DigestVerifier, parseDigest } from '../oci/digest.js';
import type { Descriptor } from '../oci/schema.js';
import { writeStreamAtomic } from '../content/atomic-file.js';
import type { FetchedManifest, ReadTarget } from '../content/target.js';
import { countBytes } from '../util/streams.js';
import type { TransferListener } from './events.js';
import { CacheUsage } from './blob-cache-usage.js';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0
      ? env.XDG_CACHE_HOME
      : join(env.HOME ?? homedir(), '.cache');
  return join(base, 'ghcr-optimize', 'blobs');
}

export interface CacheEntry {
  digest: string;
  size: number;
  /** Last use (the cache touches entries it serves). */
  lastUsed: Date;
}

export class BlobCache {
  readonly #pending = new Map<string, Promise<unknown>>();
  /** Which repository used which blob, and when. */
  readonly usage: CacheUsage;

  constructor(readonly dir: string) {
    this.usage = new CacheUsage(dir);
  }

  /**
   * Records that `repository` used the cached blob now. Never fails the pull: a use that could
   * not be recorded only leaves the blob to the age and whole-cache rules.
   */
  async recordUse(repository: string, digest: string): Promise<void> {
    await this.usage.touch(repository, digest).catch(() => undefined);
  }

  path(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.dir, algorithm, hex);
  }

  async #hashFile(path: string, algorithm: string): Promise<{ digest: string; size: number }> {
    const hash = createHash(algorithm);
    let size = 0;
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
    return { digest: `${algorithm}:${hash.digest('hex')}`, size };
  }

  /** True when a verified copy is present; a corrupted or truncated entry is deleted. */
  async has(desc: Pick<Descriptor, 'digest' | 'size'>): Promise<boolean> {
    const path = this.path(desc.digest);
    try {
      const st = await stat(path);
      if (st.size === desc.size) {
        const actual = await this.#hashFile(path, parseDigest(desc.digest).algorithm);
        if (actual.digest === desc.digest) {
          const now = new Date();
          await utimes(path, now, now).catch(() => undefined);
          return true;
        }
      }
      await rm(path, { force: true });
      return false;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /**
   * Makes sure the blob is cached, fetching it with `fetch` when missing (`verified`: the stream
   * already checks itself, so it is not hashed again). Concurrent calls for one digest share one
   * check and one download. Returns whether it was already there.
   */
  async ensure(
    desc: Pick<Descriptor, 'digest' | 'size'>,
    fetch: () => Readable,
    opts: { verified?: boolean } = {},
  ): Promise<'hit' | 'fetched'> {
    const pending = this.#pending.get(desc.digest);
    if (pending) {
      await pending;
      return 'hit';
    }
    const work = (async (): Promise<'hit' | 'fetched'> => {
      if (await this.has(desc)) return 'hit';
      const checks = opts.verified ? [] : [new DigestVerifier(desc.digest, desc.size)];
      await writeStreamAtomic(this.path(desc.digest), fetch(), ...checks);
      return 'fetched';
    })();
    this.#pending.set(desc.digest, work);
    try {
      return await work;
    } finally {
      this.#pending.delete(desc.digest);
    }
  }

  /**
   * A stream of a cached blob, verified as it is read. `verify: false` is for callers that just
   * had `has`/`ensure` check it (hashing it twice in a row buys nothing).
   */
  open(desc: Pick<Descriptor, 'digest' | 'size'>, opts: { verify?: boolean } = {}): Readable {
    const file = createReadStream(this.path(desc.digest));
    if (opts.verify === false) return file;
    const verifier = new DigestVerifier(desc.digest, desc.size, `cached blob ${desc.digest}`);
    pipeline(file, verifier, () => undefined);
    return verifier;
  }

  async entries(): Promise<CacheEntry[]> {
    const out: CacheEntry[] = [];
    for (const algorithm of ['sha256', 'sha512']) {
      let names: string[];
      try {
        names = await readdir(join(this.dir, algorithm));
      } catch {
        continue;
      }
      for (const name of names) {
        if (name.startsWith('.')) continue; // in-flight temp files
        try {
          const st = await stat(join(this.dir, algorithm, name));
          out.push({ digest: `${algorithm}:${name}`, size: st.size, lastUsed: st.mtime });
        } catch {
          // Removed meanwhile by another process.
        }
      }
    }
    return out;
  }

  async remove(digests: string[]): Promise<void> {
    for (const d of digests) await rm(this.path(d), { force: true });
  }

  /**
   * Removes a blob a plan chose, unless it was used after the plan saw it (`plannedLastUsed`):
   * a pull since then keeps it. Returns whether it was removed (or was already gone).
   */
  async removePlanned(digest: string, plannedLastUsed: Date): Promise<boolean> {
    const path = this.path(digest);
    const st = await stat(path).catch(() => undefined);
    if (st && st.mtime.getTime() > plannedLastUsed.getTime()) return false;
    await rm(path, { force: true });
    return true;
  }
}

export interface PrunePolicy {
  /** Keep the cache at or below this many bytes, evicting least recently used first. */
  maxSize?: number;
  /** Evict entries not used for this long (ms). */
  olderThanMs?: number;
}

/** Pure: which entries a prune removes, least recently used first. */
export function planPrune(entries: CacheEntry[], policy: PrunePolicy, now: Date): CacheEntry[] {
  const byAge = [...entries].sort(
    (a, b) => a.lastUsed.getTime() - b.lastUsed.getTime() || (a.digest < b.digest ? -1 : 1),
  );
  const doomed = new Set<string>();
  if (policy.olderThanMs !== undefined) {
    for (const e of byAge)
      if (now.getTime() - e.lastUsed.getTime() > policy.olderThanMs) doomed.add(e.digest);
  }
  if (policy.maxSize !== undefined) {
    let total = byAge.filter((e) => !doomed.has(e.digest)).reduce((n, e) => n + e.size, 0);
    for (const e of byAge) {
      if (total <= policy.maxSize) break;
      if (doomed.has(e.digest)) continue;
      doomed.add(e.digest);
      total -= e.size;
    }
  }
  return byAge.filter((e) => doomed.has(e.digest));
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Bytes fetched from the source (cache misses only). */
  bytesFetched: number;
}

/**
 * A source seen through the cache: blobs come from the cache, and a miss is fetched once from
 * the source into it. Manifests always come from the source (tags move; manifests are small).
 */
export class CachingSource implements ReadTarget {
  readonly stats: CacheStats = { hits: 0, misses: 0, bytesFetched: 0 };

  constructor(
    readonly source: ReadTarget,
    readonly cache: BlobCache,
  ) {}

  get name(): string {
    return this.source.name;
  }

  resolve(reference: string, signal?: AbortSignal): Promise<Descriptor> {
    return this.source.resolve(reference, signal);
  }

  fetchManifest(reference: string | Descriptor, signal?: AbortSignal): Promise<FetchedManifest> {
    return this.source.fetchManifest(reference, signal);
  }

  exists(desc: Descriptor, signal?: AbortSignal): Promise<boolean> {
    return this.source.exists(desc, signal);
  }

  tags(signal?: AbortSignal): Promise<string[]> {
    return this.source.tags(signal);
  }

  /** Makes sure `desc` is in the cache; returns whether it came from the network. */
  async warm(desc: Descriptor, signal?: AbortSignal): Promise<'hit' | 'fetched'> {
    // Target.fetchBlob streams are verified, so the cache does not hash them again.
    const outcome = await this.cache.ensure(
      desc,
      () => countBytes(this.source.fetchBlob(desc, signal), (n) => (this.stats.bytesFetched += n)),
      { verified: true },
    );
    if (outcome === 'hit') this.stats.hits++;
    else this.stats.misses++;
    await this.cache.recordUse(this.source.name, desc.digest);
    return outcome;
  }

  /** `warm`, reported as transfer events (start, bytes fetched, done as `cached` or `copied`). */
  async warmReporting(desc: Descriptor, emit: TransferListener, signal?: AbortSignal): Promise<void> {
    emit({ type: 'blob-start', digest: desc.digest, size: desc.size });
    const before = this.stats.bytesFetched;
    const outcome = await this.warm(desc, signal);
    emit({ type: 'blob-progress', digest: desc.digest, bytes: this.stats.bytesFetched - before });
    emit({
      type: 'blob-done',
      digest: desc.digest,
      size: desc.size,
      outcome: outcome === 'hit' ? 'cached' : 'copied',
    });
  }

  fetchBlob(desc: Descriptor, signal?: AbortSignal): Readable {
    const out = new PassThrough();
    this.warm(desc, signal).then(
      // warm() has just verified the entry (or written it from a verified stream).
      () => pipeline(this.cache.open(desc, { verify: false }), out, () => undefined),
      (err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))),
    );
    return out;
  }
}
