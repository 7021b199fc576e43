/**
 * What `inspect` shows: the resolved digest and type, the platforms of an index with their
 * sizes, and for one image its layers and a config summary. Reads through any `ReadTarget`.
 */
import { NotFoundError, UsageError } from '../errors.js';
import { isConfigMediaType, isIndexMediaType } from '../oci/media-types.js';
import { formatPlatform, platformMatches } from '../oci/platform.js';
import { parseImageConfig, type Descriptor, type ImageManifest, type Platform } from '../oci/schema.js';
import { mapLimit } from '../util/concurrency.js';
import { fetchBlobBytes, type FetchedManifest, type ReadTarget } from '../content/target.js';

export interface LayerSummary {
  digest: string;
  mediaType: string;
  size: number;
}

export interface ConfigSummary {
  digest: string;
  created?: string;
  os?: string;
  architecture?: string;
  variant?: string;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  env?: string[];
  exposedPorts?: string[];
  labels?: Record<string, string>;
  historyLength?: number;
}

export interface ImageDetail {
  digest: string;
  mediaType: string;
  platform?: string;
  artifactType?: string;
  /** Manifest + config + layers, compressed, as stored. */
  totalSize: number;
  config: ConfigSummary | { digest: string; mediaType: string; size: number };
  layers: LayerSummary[];
  annotations?: Record<string, string>;
  subject?: string;
}

export interface PlatformEntry {
  platform: string;
  digest: string;
  mediaType: string;
  /** Manifest + config + layers; undefined when the child could not be read. */
  size?: number;
  layers?: number;
  /** buildx stores provenance/SBOM as `unknown/unknown` children. */
  attestation: boolean;
}

export interface Description {
  digest: string;
  mediaType: string;
  size: number;
  kind: 'index' | 'manifest';
  artifactType?: string;
  annotations?: Record<string, string>;
  platforms?: PlatformEntry[];
  /** The single image, or the child chosen by `--platform`. */
  image?: ImageDetail;
}

const ATTESTATION_TYPE = 'attestation-manifest';

function isAttestation(d: Descriptor): boolean {
  return d.platform?.os === 'unknown' || d.annotations?.['vnd.docker.reference.type'] === ATTESTATION_TYPE;
}

async function imageDetail(
  target: ReadTarget,
  desc: Descriptor,
  manifest: ImageManifest,
  manifestSize: number,
  signal?: AbortSignal,
): Promise<ImageDetail> {
  const layers = manifest.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size }));
  const totalSize = manifestSize + manifest.config.size + layers.reduce((n, l) => n + l.size, 0);
  let config: ImageDetail['config'] = {
    digest: manifest.config.digest,
    mediaType: manifest.config.mediaType,
    size: manifest.config.size,
  };
  let platform = desc.platform ? formatPlatform(desc.platform) : undefined;
  if (isConfigMediaType(manifest.config.mediaType)) {
    const cfg = parseImageConfig(
      await fetchBlobBytes(target, manifest.config, 4 * 1024 * 1024, signal),
      `config ${manifest.config.digest}`,
    );
    const c = cfg.config ?? {};
    config = {
      digest: manifest.config.digest,
      ...(cfg.created ? { created: cfg.created } : {}),
      os: cfg.os,
      architecture: cfg.architecture,
      ...(cfg.variant ? { variant: cfg.variant } : {}),
      ...(c.User ? { user: c.User } : {}),
      ...(c.Entrypoint ? { entrypoint: c.Entrypoint } : {}),
      ...(c.Cmd ? { cmd: c.Cmd } : {}),
      ...(c.WorkingDir ? { workingDir: c.WorkingDir } : {}),
      ...(c.Env ? { env: c.Env } : {}),
      ...(c.ExposedPorts ? { exposedPorts: Object.keys(c.ExposedPorts) } : {}),
      ...(c.Labels ? { labels: c.Labels } : {}),
      ...(cfg.history ? { historyLength: cfg.history.length } : {}),
    };
    platform ??= formatPlatform({
      os: cfg.os,
      architecture: cfg.architecture,
      variant: cfg.variant ?? undefined,
    });
  }
  return {
    digest: desc.digest,
    mediaType: desc.mediaType,
    ...(platform ? { platform } : {}),
    ...(manifest.artifactType ? { artifactType: manifest.artifactType } : {}),
    totalSize,
    config,
    layers,
    ...(manifest.annotations ? { annotations: manifest.annotations } : {}),
    ...(manifest.subject ? { subject: manifest.subject.digest } : {}),
  };
}

/** Reads `reference` (tag or digest) from `target` and describes it; `platform` picks an index child. */
export async function describe(
  target: ReadTarget,
  reference: string,
  opts: { platform?: Platform; concurrency?: number; signal?: AbortSignal } = {},
): Promise<Description> {
  const top = await target.fetchManifest(reference, opts.signal);
  const base = {
    digest: top.descriptor.digest,
    mediaType: top.descriptor.mediaType,
    size: top.descriptor.size,
  };
  if (top.parsed.kind === 'manifest') {
    const m = top.parsed.manifest;
    const image = await imageDetail(target, top.descriptor, m, top.bytes.length, opts.signal);
    if (
      opts.platform &&
      image.platform &&
      !platformMatches(opts.platform, parsePlatformLoose(image.platform))
    ) {
      throw new NotFoundError(
        `${target.name}:${reference} is a single ${image.platform} image, not ${formatPlatform(opts.platform)}`,
      );
    }
    return {
      ...base,
      kind: 'manifest',
      ...(m.artifactType ? { artifactType: m.artifactType } : {}),
      ...(m.annotations ? { annotations: m.annotations } : {}),
      image,
    };
  }
  const index = top.parsed.index;
  const children = index.manifests;
  const platforms = await mapLimit(children, opts.concurrency ?? 4, async (child) => {
    const entry: PlatformEntry = {
      platform: child.platform ? formatPlatform(child.platform) : 'unknown',
      digest: child.digest,
      mediaType: child.mediaType,
      attestation: isAttestation(child),
    };
    if (!isIndexMediaType(child.mediaType)) {
      const fetched = await target.fetchManifest(child, opts.signal);
      if (fetched.parsed.kind === 'manifest') {
        const m = fetched.parsed.manifest;
        entry.size = fetched.bytes.length + m.config.size + m.layers.reduce((n, l) => n + l.size, 0);
        entry.layers = m.layers.length;
      }
    }
    return entry;
  });
  let image: ImageDetail | undefined;
  if (opts.platform) {
    const wanted = opts.platform;
    const child = children.find((c) => !isAttestation(c) && platformMatches(wanted, c.platform));
    if (!child) {
      const available = platforms
        .filter((p) => !p.attestation)
        .map((p) => p.platform)
        .join(', ');
      throw new NotFoundError(`${target.name}:${reference} has no ${formatPlatform(wanted)} image`, {
        hint: `available platforms: ${available || '(none)'}`,
      });
    }
    const fetched = await target.fetchManifest(child, opts.signal);
    if (fetched.parsed.kind === 'manifest') {
      image = await imageDetail(
        target,
        { ...fetched.descriptor, ...(child.platform ? { platform: child.platform } : {}) },
        fetched.parsed.manifest,
        fetched.bytes.length,
        opts.signal,
      );
    }
  }
  return {
    ...base,
    kind: 'index',
    ...(index.artifactType ? { artifactType: index.artifactType } : {}),
    ...(index.annotations ? { annotations: index.annotations } : {}),
    platforms,
    ...(image ? { image } : {}),
  };
}

function parsePlatformLoose(text: string): Platform {
  const [os = '', architecture = '', variant] = text.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}

/**
 * The manifest `inspect --raw/--config` act on: the reference itself, or with `platform` (or an
 * index holding exactly one image) the matching child.
 */
export async function selectManifest(
  target: ReadTarget,
  reference: string,
  platform: Platform | undefined,
  opts: { requireImage?: boolean; signal?: AbortSignal } = {},
): Promise<FetchedManifest> {
  const fetched = await target.fetchManifest(reference, opts.signal);
  if (fetched.parsed.kind !== 'index' || (!platform && !opts.requireImage)) return fetched;
  const children = fetched.parsed.index.manifests.filter((c) => !isAttestation(c));
  const child = platform
    ? children.find((c) => platformMatches(platform, c.platform))
    : children.length === 1
      ? children[0]
      : undefined;
  if (!child) {
    const platforms = children.flatMap((c) => (c.platform ? [formatPlatform(c.platform)] : []));
    const hint = `pick one with --platform os/arch${platforms.length > 0 ? `: ${platforms.join(', ')}` : ''}`;
    // No platform given is a question the user must answer (usage); a platform the index lacks is not found.
    if (!platform) {
      throw new UsageError(`${target.name}:${reference} is an index of ${children.length} images`, { hint });
    }
    throw new NotFoundError(`${target.name}:${reference} has no ${formatPlatform(platform)} image`, { hint });
  }
  return target.fetchManifest(child, opts.signal);
}

/** Config bytes exactly as stored, for `inspect --config`. */
export async function fetchConfig(
  target: ReadTarget,
  reference: string,
  platform: Platform | undefined,
  signal?: AbortSignal,
): Promise<Buffer> {
  const fetched = await selectManifest(target, reference, platform, { requireImage: true, signal });
  if (fetched.parsed.kind !== 'manifest')
    throw new NotFoundError(`${target.name}:${reference} has no image config`);
  return fetchBlobBytes(target, fetched.parsed.manifest.config, 4 * 1024 * 1024, signal);
}
