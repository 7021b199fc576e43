/**
 * One graph walk for every transfer: index → manifests → config/layers (and, when asked,
 * referrers and cosign-style attachment tags), from any ReadTarget to any Target. Work is
 * deduplicated per digest, blob transfers are bounded, anything the destination already has is
 * skipped — an existing manifest skips its whole subgraph — and a manifest is only written
 * after everything it references, so a destination never holds a dangling reference.
 */
import { setMaxListeners } from 'node:events';
import type { Readable } from 'node:stream';
import { NotFoundError, UsageError } from '../errors.js';
import { computeDigest } from '../oci/digest.js';
import { layerInfo } from '../oci/media-types.js';
import { formatPlatform, platformMatches } from '../oci/platform.js';
import type { Descriptor, ImageIndex, Platform } from '../oci/schema.js';
import type { FetchedManifest, ReadTarget, Target } from '../content/target.js';
import { RemoteTarget } from '../content/remote.js';
import { Semaphore, mapLimit } from '../util/concurrency.js';
import { countBytes } from '../util/streams.js';
import type { TransferListener } from './events.js';
import { convertGraph, type ManifestFormat } from './convert.js';

export interface CopyOptions {
  /** Blob transfers in flight at once (per copy). */
  concurrency?: number;
  /**
   * Keep only these platforms of an index. One platform copies that image alone (like skopeo and
   * crane); several write a filtered index, which necessarily has a new digest.
   */
  platforms?: Platform[];
  /** Also copy referrers (OCI 1.1 API or fallback tag) and `sha256-<hex>.sig/.att/.sbom` tags. */
  includeReferrers?: boolean;
  /** Walk and compare, but write nothing. */
  dryRun?: boolean;
  /** Convert manifests to this format (new digests); default: copy them byte for byte. */
  format?: ManifestFormat;
  signal?: AbortSignal;
  onEvent?: TransferListener;
}

export interface CopyResult {
  /** What the destination reference now points to. */
  digest: string;
  mediaType: string;
  size: number;
  /** The source digest; differs from `digest` only when a platform filter rewrote the index. */
  sourceDigest: string;
  /** True when the destination already had exactly this content under the tag. */
  unchanged: boolean;
  platforms?: string[];
  referrers?: string[];
}

/** Something that can list what refers to a digest (registries; layouts have no such index). */
export interface ReferrerLister {
  referrers(digest: string, signal?: AbortSignal): Promise<Descriptor[]>;
}

function isReferrerLister(t: unknown): t is ReferrerLister {
  return typeof (t as Partial<ReferrerLister>).referrers === 'function';
}

const ATTACHMENT_SUFFIXES = ['.sig', '.att', '.sbom'];

/** buildx stores provenance/SBOM as index children pointing at the platform image they describe. */
function attestationSubject(d: Descriptor): string | undefined {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'
    ? d.annotations['vnd.docker.reference.digest']
    : undefined;
}

/** Registry → registry blobs below this size skip the stream layers (see copyBlob). */
const DIRECT_MAX_BYTES = 4 * 1024 * 1024;

export class GraphCopier {
  readonly #blobs = new Map<string, Promise<void>>();
  readonly #manifests = new Map<string, Promise<void>>();
  readonly #sem: Semaphore;
  readonly #emit: TransferListener;
  /**
   * Tag to write a manifest under instead of its digest (set by finish() for its root): a PUT by
   * tag stores the manifest too, so the root costs one request, not two.
   */
  readonly #tagFor = new Map<string, string>();
  /** `tag digest` → what #copyManifest wrote under that tag, so finish() does not write it again. */
  readonly #tagged = new Map<string, Descriptor>();
  /** Manifests that exist only here (converted, or a filtered index), served instead of the source's. */
  readonly rewritten = new Map<string, FetchedManifest>();
  /** Aborted on the first failure (or by the caller), so sibling transfers stop early. */
  readonly #abort = new AbortController();
  readonly #signal: AbortSignal;
  /** Every operation started, so a failure can wait for the rest to clean up before reporting. */
  readonly #started = new Set<Promise<unknown>>();
  /**
   * Set when the destination repository did not exist when the copy began: nothing can be there
   * to skip, so the per-blob and per-manifest existence checks are saved (hundreds of round trips
   * for a many-layer image). A concurrent writer at worst makes us upload a blob twice.
   */
  destinationEmpty = false;

  constructor(
    readonly src: ReadTarget,
    readonly dst: Target,
    private readonly opts: CopyOptions = {},
  ) {
    this.#sem = new Semaphore(opts.concurrency ?? 6);
    this.#emit = opts.onEvent ?? (() => undefined);
    this.#signal = opts.signal ? AbortSignal.any([opts.signal, this.#abort.signal]) : this.#abort.signal;
    setMaxListeners(0, this.#signal);
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#started.add(p);
    p.catch(() => this.#abort.abort())
      .finally(() => this.#started.delete(p))
      .catch(() => undefined);
    return p;
  }

  /** Copies `desc` and everything below it; resolves when the destination holds the manifest. */
  copyManifest(desc: Descriptor, fetched?: FetchedManifest): Promise<void> {
    let p = this.#manifests.get(desc.digest);
    if (!p) {
      p = this.#track(this.#copyManifest(desc, fetched));
      this.#manifests.set(desc.digest, p);
    }
    return p;
  }

  async #copyManifest(desc: Descriptor, fetched?: FetchedManifest): Promise<void> {
    const signal = this.#signal;
    if (!this.destinationEmpty && (await this.dst.exists(desc, signal))) {
      this.#emit({ type: 'manifest-done', digest: desc.digest, size: desc.size, outcome: 'skipped' });
      return;
    }
    const m = fetched ?? this.rewritten.get(desc.digest) ?? (await this.src.fetchManifest(desc, signal));
    if (m.parsed.kind === 'index') {
      await Promise.all(m.parsed.index.manifests.map((child) => this.copyManifest(child)));
    } else {
      const { config, layers } = m.parsed.manifest;
      // Foreign / non-distributable layers live outside registries and are not copied.
      const blobs = [config, ...layers.filter((l) => layerInfo(l.mediaType)?.distributable !== false)];
      await Promise.all(blobs.map((b) => this.copyBlob(b)));
    }
    if (!this.opts.dryRun) {
      // Read at the moment of writing: a later finish() of the same digest may have named a tag.
      const tag = this.#tagFor.get(desc.digest);
      const written = await this.dst.pushManifest(m.bytes, m.descriptor.mediaType, tag, signal);
      if (tag !== undefined) this.#tagged.set(`${tag} ${desc.digest}`, written);
    }
    this.#emit({ type: 'manifest-done', digest: desc.digest, size: desc.size, outcome: 'copied' });
  }

  copyBlob(desc: Descriptor): Promise<void> {
    let p = this.#blobs.get(desc.digest);
    if (!p) {
      p = this.#track(this.#copyBlob(desc));
      this.#blobs.set(desc.digest, p);
    }
    return p;
  }

  async #copyBlob(desc: Descriptor): Promise<void> {
    const signal = this.#signal;
    if (!this.destinationEmpty && (await this.dst.exists(desc, signal))) {
      this.#emit({ type: 'blob-done', digest: desc.digest, size: desc.size, outcome: 'skipped' });
      return;
    }
    if (this.opts.dryRun) {
      this.#emit({ type: 'blob-start', digest: desc.digest, size: desc.size });
      this.#emit({ type: 'blob-done', digest: desc.digest, size: desc.size, outcome: 'copied' });
      return;
    }
    // Existence checks are cheap and run freely (the connection pool bounds them); only the
    // transfers themselves take a slot.
    const progress = (bytes: number): void =>
      this.#emit({ type: 'blob-progress', digest: desc.digest, bytes });
    // Registry → registry, small blobs: the bytes go straight through as an async iterable whose
    // download starts while the upload session is opened (primeSource), size and digest checked
    // on the fly (blobChunks) — for many small layers the saved round trip is what counts. Large
    // blobs take the stream path: its buffering lets the download run ahead of the upload, which
    // measured faster than one chunk at a time (500 MB copy: 0.87 vs 1.15 of skopeo's time).
    const direct =
      this.src instanceof RemoteTarget && this.dst instanceof RemoteTarget && desc.size < DIRECT_MAX_BYTES
        ? this.src
        : undefined;
    const outcome = await this.#sem.use(() => {
      this.#emit({ type: 'blob-start', digest: desc.digest, size: desc.size });
      return this.dst.pushBlob(
        desc,
        direct
          ? {
              size: desc.size,
              verified: true,
              open: (): AsyncIterable<Uint8Array> => direct.repo.blobChunks(desc, signal, progress),
            }
          : {
              size: desc.size,
              verified: true,
              open: (): Readable => countBytes(this.src.fetchBlob(desc, signal), progress),
            },
        { from: this.src, ...(signal ? { signal } : {}) },
      );
    });
    this.#emit({
      type: 'blob-done',
      digest: desc.digest,
      size: desc.size,
      outcome: outcome === 'mounted' ? 'mounted' : outcome === 'exists' ? 'skipped' : 'copied',
    });
  }

  /** Pushes the root (by tag when given) once its subgraph is in place. */
  async finish(root: FetchedManifest, tag: string | undefined): Promise<Descriptor> {
    if (tag !== undefined) this.#tagFor.set(root.descriptor.digest, tag);
    try {
      await this.copyManifest(root.descriptor, root);
    } catch (err) {
      // Stop the siblings and let each remove its temp file before the caller hears of it.
      this.#abort.abort();
      while (this.#started.size > 0) await Promise.allSettled([...this.#started]);
      throw err;
    }
    if (tag === undefined || this.opts.dryRun) return root.descriptor;
    const desc =
      this.#tagged.get(`${tag} ${root.descriptor.digest}`) ??
      (await this.dst.pushManifest(root.bytes, root.descriptor.mediaType, tag, this.opts.signal));
    this.#emit({ type: 'tagged', reference: tag, digest: desc.digest });
    return desc;
  }
}

/** True only when the destination says its repository does not exist (registries: NAME_UNKNOWN). */
async function isEmptyRepository(dst: Target, signal?: AbortSignal): Promise<boolean> {
  const probe = (dst as Partial<{ repositoryExists: (s?: AbortSignal) => Promise<boolean> }>)
    .repositoryExists;
  if (typeof probe !== 'function') return false;
  return !(await probe.call(dst, signal).catch(() => true));
}

/** The subset of an index for `platforms`, keeping attestations of kept images. */
export function filterIndex(index: ImageIndex, platforms: Platform[]): Descriptor[] {
  const kept = index.manifests.filter(
    (d) => attestationSubject(d) === undefined && platforms.some((p) => platformMatches(p, d.platform)),
  );
  const keptDigests = new Set(kept.map((d) => d.digest));
  return index.manifests.filter(
    (d) => keptDigests.has(d.digest) || keptDigests.has(attestationSubject(d) ?? ''),
  );
}

/** Applies the platform filter to a fetched root: itself, one child, or a rewritten index. */
async function selectRoot(
  src: ReadTarget,
  root: FetchedManifest,
  opts: CopyOptions,
): Promise<FetchedManifest> {
  const platforms = opts.platforms;
  if (!platforms || platforms.length === 0 || root.parsed.kind !== 'index') return root;
  const index = root.parsed.index;
  const children = filterIndex(index, platforms);
  const images = children.filter((d) => attestationSubject(d) === undefined);
  const missing = platforms.filter((p) => !images.some((d) => platformMatches(p, d.platform)));
  if (missing.length > 0) {
    const available = index.manifests
      .filter((d) => d.platform && attestationSubject(d) === undefined)
      .map((d) => formatPlatform(d.platform!));
    throw new NotFoundError(`${src.name}: no ${missing.map(formatPlatform).join(', ')} image in the index`, {
      hint: `available platforms: ${available.join(', ') || '(none)'}`,
    });
  }
  if (platforms.length === 1 && images.length === 1) return src.fetchManifest(images[0]!, opts.signal);
  const doc = JSON.parse(root.bytes.toString('utf8')) as ImageIndex;
  const bytes = Buffer.from(JSON.stringify({ ...doc, manifests: children }));
  return {
    descriptor: { mediaType: root.descriptor.mediaType, digest: computeDigest(bytes), size: bytes.length },
    bytes,
    parsed: { kind: 'index', mediaType: root.parsed.mediaType, index: { ...index, manifests: children } },
  };
}

async function copyAttachments(
  copier: GraphCopier,
  src: ReadTarget,
  digests: string[],
  opts: CopyOptions,
): Promise<string[]> {
  const copied: string[] = [];
  const srcTags = new Set(await src.tags(opts.signal).catch(() => []));
  for (const digest of digests) {
    const hex = digest.replace(':', '-');
    // Referrers: through the API when the source has one (it falls back to the tag schema).
    if (isReferrerLister(src)) {
      for (const r of await src.referrers(digest, opts.signal)) {
        await copier.copyManifest(r);
        copied.push(r.digest);
      }
    }
    // The fallback index and cosign's attachment tags are tags in their own right: copy them as tags.
    for (const tag of [hex, ...ATTACHMENT_SUFFIXES.map((s) => `${hex}${s}`)]) {
      if (!srcTags.has(tag)) continue;
      const fetched = await src.fetchManifest(tag, opts.signal);
      await copier.finish(fetched, tag);
      copied.push(`${tag} (${fetched.descriptor.digest})`);
    }
  }
  return copied;
}

/**
 * Copies `srcRef` from `src` to `dst`, tagging it `dstTag` (when given). Digests are preserved
 * unless a multi-platform filter has to rewrite the index.
 */
export async function copyImage(
  src: ReadTarget,
  dst: Target,
  srcRef: string,
  dstTag: string | undefined,
  opts: CopyOptions = {},
  /** Share one copier across several images so common blobs move once. */
  copier?: GraphCopier,
): Promise<CopyResult> {
  // The source manifest, the destination probe and the destination tag are independent: ask
  // for all three at once (one round trip before the walk instead of three; a warm copy is
  // mostly this).
  const ownCopier = !copier;
  copier ??= new GraphCopier(src, dst, opts);
  const emptyProbe = ownCopier ? isEmptyRepository(dst, opts.signal) : undefined;
  const existingTag =
    dstTag !== undefined && !opts.includeReferrers && !(!ownCopier && copier.destinationEmpty)
      ? dst.resolve(dstTag, opts.signal).then(
          (d): Descriptor | undefined => d,
          (err: unknown) => {
            if (err instanceof NotFoundError) return undefined;
            throw err;
          },
        )
      : undefined;
  // Not awaited when the probe finds the repository empty (or the source fails first).
  existingTag?.catch(() => undefined);
  const fetched = await src.fetchManifest(srcRef, opts.signal);
  if (emptyProbe) copier.destinationEmpty = await emptyProbe;
  let root = await selectRoot(src, fetched, opts);
  if (opts.format) {
    const converted = await convertGraph(src, root, opts.format, opts.signal);
    converted.manifests.forEach((m, digest) => copier.rewritten.set(digest, m));
    root = converted.root;
  }
  const platforms =
    root.parsed.kind === 'index'
      ? root.parsed.index.manifests
          .filter((d) => d.platform && attestationSubject(d) === undefined)
          .map((d) => formatPlatform(d.platform!))
      : undefined;
  const base = {
    digest: root.descriptor.digest,
    mediaType: root.descriptor.mediaType,
    size: root.descriptor.size,
    sourceDigest: fetched.descriptor.digest,
    ...(platforms ? { platforms } : {}),
  };
  // A destination tag already on this digest means nothing below it can be missing.
  if (copier.destinationEmpty) {
    // Known empty (a previous tag of this same copy may have filled it since: then check again).
  } else if (existingTag) {
    const existing = await existingTag;
    if (existing?.digest === root.descriptor.digest) {
      opts.onEvent?.({
        type: 'manifest-done',
        digest: root.descriptor.digest,
        size: root.descriptor.size,
        outcome: 'skipped',
      });
      return { ...base, unchanged: true };
    }
  }
  await copier.finish(root, dstTag);
  let referrers: string[] | undefined;
  if (opts.includeReferrers) {
    const digests = [root.descriptor.digest];
    if (root.parsed.kind === 'index') digests.push(...root.parsed.index.manifests.map((d) => d.digest));
    referrers = await copyAttachments(copier, src, digests, opts);
  }
  return { ...base, unchanged: false, ...(referrers ? { referrers } : {}) };
}

/**
 * `--all-tags`: every tag of the source repository (like `skopeo sync`), tags already identical
 * at the destination skipped, blobs shared between tags transferred once.
 */
export async function copyRepository(
  src: ReadTarget,
  dst: Target,
  opts: CopyOptions & { onTag?: (tag: string, result: CopyResult) => void } = {},
): Promise<Map<string, CopyResult>> {
  const tags = (await src.tags(opts.signal)).sort();
  if (tags.length === 0) throw new UsageError(`${src.name} has no tags to copy`);
  const copier = new GraphCopier(src, dst, opts);
  copier.destinationEmpty = await isEmptyRepository(dst, opts.signal);
  const results = new Map<string, CopyResult>();
  // A few tags at a time: their manifests resolve in parallel while the copier bounds blob work.
  await mapLimit(tags, 4, async (tag) => {
    const result = await copyImage(src, dst, tag, tag, opts, copier);
    results.set(tag, result);
    opts.onTag?.(tag, result);
  });
  return new Map([...results].sort(([a], [b]) => (a < b ? -1 : 1)));
}
