/**
 * Pulls through the shared blob cache: into an OCI layout (any graph, every platform kept unless
 * filtered) or a docker-archive (one platform's image). A second pull of an image sharing layers
 * fetches only the blobs the cache lacks.
 */
import { NotFoundError, UsageError } from '../errors.js';
import { familiarReference, withTag, type Location } from '../ref/index.js';
import { formatPlatform, platformMatches } from '../oci/platform.js';
import type { Descriptor, ImageManifest, Platform } from '../oci/schema.js';
import type { FetchedManifest, ReadTarget, Target } from '../content/target.js';
import { mapLimit } from '../util/concurrency.js';
import { BlobCache, CachingSource, type CacheStats } from './blob-cache.js';
import { copyImage, type CopyOptions, type CopyResult } from './copy.js';

export interface PullOptions extends CopyOptions {
  cacheDir: string;
}

export interface PullResult extends CopyResult {
  cache: CacheStats & { dir: string };
}

/** Pulls `ref` from `src` into `dst` (an OCI layout, typically), tagging it `tag`. */
export async function pullImage(
  src: ReadTarget,
  ref: string,
  dst: Target,
  tag: string | undefined,
  opts: PullOptions,
): Promise<PullResult> {
  const cached = new CachingSource(src, new BlobCache(opts.cacheDir));
  const result = await copyImage(cached, dst, ref, tag, opts);
  return { ...result, cache: { ...cached.stats, dir: opts.cacheDir } };
}

/** The one image a docker-archive holds: the manifest itself, or the index child for the platform. */
async function selectImage(
  src: ReadTarget,
  ref: string,
  platforms: Platform[] | undefined,
  signal?: AbortSignal,
): Promise<FetchedManifest & { parsed: { kind: 'manifest'; manifest: ImageManifest } }> {
  if (platforms && platforms.length > 1) {
    throw new UsageError('a docker-archive holds one platform; pass a single --platform');
  }
  const top = await src.fetchManifest(ref, signal);
  if (top.parsed.kind === 'manifest')
    return top as FetchedManifest & { parsed: { kind: 'manifest'; manifest: ImageManifest } };
  const wanted = platforms?.[0] ?? { os: 'linux', architecture: hostArchitecture() };
  const child = top.parsed.index.manifests.find(
    (d: Descriptor) =>
      d.annotations?.['vnd.docker.reference.type'] === undefined && platformMatches(wanted, d.platform),
  );
  if (!child) {
    const available = top.parsed.index.manifests
      .filter((d) => d.platform)
      .map((d) => formatPlatform(d.platform!));
    throw new NotFoundError(`${src.name}:${ref} has no ${formatPlatform(wanted)} image`, {
      hint: `pick one with --platform: ${available.join(', ') || '(none)'}`,
    });
  }
  const fetched = await src.fetchManifest(child, signal);
  if (fetched.parsed.kind !== 'manifest')
    throw new UsageError(`${src.name}:${ref}: nested indexes cannot go into a docker-archive`);
  return fetched as FetchedManifest & { parsed: { kind: 'manifest'; manifest: ImageManifest } };
}

/** Docker's names for Node's architectures. */
function hostArchitecture(): string {
  const map: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
    ia32: '386',
  };
  return map[process.arch] ?? process.arch;
}

export interface ArchiveResult {
  digest: string;
  mediaType: string;
  platform?: string;
  file: string;
  repoTags: string[];
  cache: CacheStats & { dir: string };
}

/** Pulls one image of `ref` into a docker-archive file at `loc`. */
export async function pullToArchive(
  src: ReadTarget,
  ref: string,
  loc: Extract<Location, { transport: 'docker-archive' }>,
  opts: PullOptions,
): Promise<ArchiveResult> {
  const cached = new CachingSource(src, new BlobCache(opts.cacheDir));
  const image = await selectImage(cached, ref, opts.platforms, opts.signal);
  const m = image.parsed.manifest;
  const emit = opts.onEvent ?? (() => undefined);
  // Fill the cache concurrently; the tar is then written sequentially from it.
  await mapLimit([m.config, ...m.layers], opts.concurrency ?? 6, (desc) =>
    cached.warmReporting(desc, emit, opts.signal),
  );
  // docker load needs name:tag; a name alone means :latest, as `docker tag` has it.
  const repoTags = loc.ref
    ? [familiarReference(loc.ref.tag || loc.ref.digest ? loc.ref : withTag(loc.ref, 'latest'))]
    : [];
  // Loaded here: the tar writer (tar-stream, streamx) is parsed only by the runs that write an archive,
  // not by every `copy` (whose command module imports this file).
  const { writeDockerArchive } = await import('../content/docker-archive.js');
  await writeDockerArchive(loc.file, { manifest: image, repoTags }, (desc) => cached.cache.open(desc));
  const config = image.descriptor.platform;
  return {
    digest: image.descriptor.digest,
    mediaType: image.descriptor.mediaType,
    ...(config ? { platform: formatPlatform(config) } : {}),
    file: loc.file,
    repoTags,
    cache: { ...cached.stats, dir: opts.cacheDir },
  };
}
