/**
 * Assembles a multi-platform index from images already in a registry, as
 * `docker buildx imagetools create` does: each source's platform comes from its config, sources
 * in other repositories are copied (or mounted) into the target repository first, and an input
 * that is itself an index contributes its children.
 */
import { UsageError } from '../errors.js';
import { computeDigest } from '../oci/digest.js';
import { MediaType, isConfigMediaType } from '../oci/media-types.js';
import { formatPlatform } from '../oci/platform.js';
import { parseImageConfig, type Descriptor } from '../oci/schema.js';
import { fetchBlobBytes, type ReadTarget, type Target } from '../content/target.js';
import { GraphCopier, type CopyOptions } from './copy.js';

export interface IndexSource {
  target: ReadTarget;
  reference: string;
}

export interface IndexCreateResult {
  digest: string;
  mediaType: string;
  size: number;
  manifests: { digest: string; platform?: string; from: string }[];
}

async function platformOf(
  src: ReadTarget,
  desc: Descriptor,
  signal?: AbortSignal,
): Promise<Descriptor['platform']> {
  const m = await src.fetchManifest(desc, signal);
  if (m.parsed.kind !== 'manifest' || !isConfigMediaType(m.parsed.manifest.config.mediaType))
    return undefined;
  const cfg = parseImageConfig(await fetchBlobBytes(src, m.parsed.manifest.config, 4 * 1024 * 1024, signal));
  return { os: cfg.os, architecture: cfg.architecture, ...(cfg.variant ? { variant: cfg.variant } : {}) };
}

export async function createIndex(
  dst: Target,
  tag: string,
  sources: IndexSource[],
  opts: CopyOptions & { annotations?: Record<string, string> } = {},
): Promise<IndexCreateResult> {
  if (sources.length === 0) throw new UsageError('index create needs at least one --from image');
  const entries: { desc: Descriptor; from: string }[] = [];
  for (const source of sources) {
    const fetched = await source.target.fetchManifest(source.reference, opts.signal);
    const copier = new GraphCopier(source.target, dst, opts);
    const name = `${source.target.name}:${source.reference}`;
    if (fetched.parsed.kind === 'index') {
      // An index contributes its children, platforms and annotations as they are.
      await Promise.all(fetched.parsed.index.manifests.map((c) => copier.copyManifest(c)));
      fetched.parsed.index.manifests.forEach((c) => entries.push({ desc: c, from: name }));
    } else {
      await copier.copyManifest(fetched.descriptor, fetched);
      const platform =
        fetched.descriptor.platform ?? (await platformOf(source.target, fetched.descriptor, opts.signal));
      entries.push({ desc: { ...fetched.descriptor, ...(platform ? { platform } : {}) }, from: name });
    }
  }
  const seen = new Map<string, string>();
  for (const e of entries) {
    if (!e.desc.platform || e.desc.annotations?.['vnd.docker.reference.type']) continue;
    const key = formatPlatform(e.desc.platform);
    const other = seen.get(key);
    if (other)
      throw new UsageError(`two images for ${key}: ${other} and ${e.from}`, {
        hint: 'pass one image per platform',
      });
    seen.set(key, e.from);
  }
  // Keep Docker's format when every input is Docker v2s2 (as imagetools does); annotations need OCI.
  const allDocker = entries.every((e) => e.desc.mediaType === MediaType.DockerManifest);
  const annotations =
    opts.annotations && Object.keys(opts.annotations).length > 0 ? opts.annotations : undefined;
  const mediaType = allDocker && !annotations ? MediaType.DockerManifestList : MediaType.OciIndex;
  const doc = {
    schemaVersion: 2,
    mediaType,
    manifests: entries.map(({ desc }) => ({
      mediaType: desc.mediaType,
      digest: desc.digest,
      size: desc.size,
      ...(desc.platform ? { platform: desc.platform } : {}),
      ...(desc.annotations && mediaType === MediaType.OciIndex ? { annotations: desc.annotations } : {}),
    })),
    ...(annotations ? { annotations } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(doc));
  const desc = opts.dryRun
    ? { mediaType, digest: computeDigest(bytes), size: bytes.length }
    : await dst.pushManifest(bytes, mediaType, tag, opts.signal);
  return {
    digest: desc.digest,
    mediaType,
    size: bytes.length,
    manifests: entries.map((e) => ({
      digest: e.desc.digest,
      ...(e.desc.platform ? { platform: formatPlatform(e.desc.platform) } : {}),
      from: e.from,
    })),
  };
}
