/** In-memory OCI/Docker image, index and artifact fixtures with deterministic bytes and digests. */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { FIXED_MTIME, entriesFromFiles, makeTar } from './tar.js';
import type { TarEntry } from './tar.js';

export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export type MediaTypeFamily = 'oci' | 'docker';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

export interface Blob {
  data: Buffer;
  digest: string;
  size: number;
  mediaType: string;
}

export interface Layer extends Blob {
  /** sha256 of the uncompressed tar, as listed in the config's rootfs.diff_ids. */
  diffId: string;
}

export interface Image {
  kind: 'image';
  /** The exact manifest bytes; `digest` is their sha256. */
  manifest: Buffer;
  digest: string;
  size: number;
  mediaType: string;
  artifactType?: string;
  platform: Platform;
  config: Blob;
  /** Layer blobs (for artifacts: the artifact's blobs). */
  layers: Blob[];
}

export interface Index {
  kind: 'index';
  manifest: Buffer;
  digest: string;
  size: number;
  mediaType: string;
  artifactType?: string;
  children: (Image | Index)[];
}

export type ImageOrIndex = Image | Index;

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function blobOf(data: Buffer | string, mediaType: string): Blob {
  const buf = Buffer.from(data);
  return { data: buf, digest: sha256(buf), size: buf.length, mediaType };
}

/** The OCI 1.1 empty JSON blob `{}`, used as config of artifacts. */
export const EMPTY_CONFIG: Blob = blobOf('{}', MediaType.ociEmpty);

/** Descriptor for a blob, image or index, with its artifactType when it has one. */
export function descriptorOf(x: Blob | ImageOrIndex): Descriptor {
  const d: Descriptor = { mediaType: x.mediaType, digest: x.digest, size: x.size };
  if ('kind' in x && x.artifactType !== undefined) d.artifactType = x.artifactType;
  return d;
}

const CREATED = new Date(FIXED_MTIME * 1000).toISOString();

// Serialization is fixed (compact, insertion-ordered keys) so a fixture's digest is stable across runs.
const encode = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

export interface LayerOptions {
  mediaTypes?: MediaTypeFamily;
  /** gzip (default) or an uncompressed tar layer. */
  compression?: 'gzip' | 'none';
}

/**
 * A layer from `{ path: content }` (a path ending in '/' is a directory) or explicit tar entries
 * (for symlinks, modes). Entries are written in the given order.
 */
export function makeLayer(
  files: Record<string, string | Buffer> | TarEntry[],
  options: LayerOptions = {},
): Layer {
  const tar = makeTar(Array.isArray(files) ? files : entriesFromFiles(files));
  const gzip = (options.compression ?? 'gzip') === 'gzip';
  if (!gzip && options.mediaTypes === 'docker')
    throw new Error('docker v2s2 has no uncompressed layer media type');
  const data = gzip ? gzipSync(tar) : tar;
  const mediaType = !gzip
    ? MediaType.ociLayer
    : options.mediaTypes === 'docker'
      ? MediaType.dockerLayerGzip
      : MediaType.ociLayerGzip;
  return { data, digest: sha256(data), size: data.length, mediaType, diffId: sha256(tar) };
}

export interface ImageSpec {
  os?: string;
  architecture?: string;
  variant?: string;
  /** Layers, or file maps to turn into layers. */
  layers?: (Layer | Record<string, string | Buffer>)[];
  /** Extra top-level config fields, merged over the defaults (e.g. `{ config: { Labels: {...} } }`). */
  config?: Record<string, unknown>;
  mediaTypes?: MediaTypeFamily;
  annotations?: Record<string, string>;
  subject?: Descriptor | ImageOrIndex;
  artifactType?: string;
}

function toDescriptor(subject: Descriptor | ImageOrIndex): Descriptor {
  return 'kind' in subject ? descriptorOf(subject) : subject;
}

function requireOci(
  family: MediaTypeFamily,
  spec: { annotations?: unknown; subject?: unknown; artifactType?: unknown },
) {
  if (family === 'docker' && (spec.annotations || spec.subject || spec.artifactType)) {
    throw new Error('annotations, subject and artifactType exist only in OCI manifests');
  }
}

// A layer built for one family is re-labelled for the other: the bytes are the same gzip'd tar.
function layerMediaType(layer: Layer, family: MediaTypeFamily): string {
  if (family === 'docker' && layer.mediaType === MediaType.ociLayerGzip) return MediaType.dockerLayerGzip;
  if (family === 'oci' && layer.mediaType === MediaType.dockerLayerGzip) return MediaType.ociLayerGzip;
  return layer.mediaType;
}

function isLayer(x: Layer | Record<string, string | Buffer>): x is Layer {
  return typeof x.digest === 'string' && typeof x.diffId === 'string' && Buffer.isBuffer(x.data);
}

export function makeImage(spec: ImageSpec = {}): Image {
  const family = spec.mediaTypes ?? 'oci';
  requireOci(family, spec);
  const layers = (spec.layers ?? []).map((l): Layer => {
    const layer = isLayer(l) ? l : makeLayer(l, { mediaTypes: family });
    return { ...layer, mediaType: layerMediaType(layer, family) };
  });
  const platform: Platform = {
    architecture: spec.architecture ?? 'amd64',
    os: spec.os ?? 'linux',
    ...(spec.variant ? { variant: spec.variant } : {}),
  };
  const configJson = {
    ...platform,
    created: CREATED,
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created: CREATED, created_by: 'ghcr-optimize test fixture' })),
    ...spec.config,
  };
  const config = blobOf(encode(configJson), family === 'oci' ? MediaType.ociConfig : MediaType.dockerConfig);
  const mediaType = family === 'oci' ? MediaType.ociManifest : MediaType.dockerManifest;
  const manifest = encode({
    schemaVersion: 2,
    mediaType,
    ...(spec.artifactType ? { artifactType: spec.artifactType } : {}),
    config: descriptorOf(config),
    layers: layers.map((l) => descriptorOf(l)),
    ...(spec.subject ? { subject: toDescriptor(spec.subject) } : {}),
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  });
  return {
    kind: 'image',
    manifest,
    digest: sha256(manifest),
    size: manifest.length,
    mediaType,
    ...(spec.artifactType ? { artifactType: spec.artifactType } : {}),
    platform,
    config,
    layers,
  };
}

export interface IndexSpec {
  mediaTypes?: MediaTypeFamily;
  annotations?: Record<string, string>;
  subject?: Descriptor | ImageOrIndex;
  artifactType?: string;
}

/** An index / manifest list; image children get a `platform` in their descriptor. */
export function makeIndex(children: ImageOrIndex[], spec: IndexSpec = {}): Index {
  const family = spec.mediaTypes ?? 'oci';
  requireOci(family, spec);
  const mediaType = family === 'oci' ? MediaType.ociIndex : MediaType.dockerManifestList;
  const manifest = encode({
    schemaVersion: 2,
    mediaType,
    ...(spec.artifactType ? { artifactType: spec.artifactType } : {}),
    manifests: children.map((c) => ({
      ...descriptorOf(c),
      ...(c.kind === 'image' && c.artifactType === undefined ? { platform: c.platform } : {}),
    })),
    ...(spec.subject ? { subject: toDescriptor(spec.subject) } : {}),
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  });
  return {
    kind: 'index',
    manifest,
    digest: sha256(manifest),
    size: manifest.length,
    mediaType,
    ...(spec.artifactType ? { artifactType: spec.artifactType } : {}),
    children,
  };
}

export interface ArtifactBlob {
  data: string | Buffer;
  mediaType: string;
  annotations?: Record<string, string>;
}

export interface ArtifactSpec {
  subject?: Descriptor | ImageOrIndex;
  artifactType: string;
  blobs?: ArtifactBlob[];
  annotations?: Record<string, string>;
}

/** An OCI 1.1 artifact: empty `{}` config, `artifactType`, optional `subject` (a signature, SBOM, ...). */
export function makeArtifact(spec: ArtifactSpec): Image {
  const blobs = (spec.blobs ?? []).map((b) => ({
    blob: blobOf(b.data, b.mediaType),
    annotations: b.annotations,
  }));
  // OCI 1.1 guidance: an artifact without content still lists the empty descriptor as its one layer.
  const layerDescriptors = blobs.length
    ? blobs.map(({ blob, annotations }) => ({
        ...descriptorOf(blob),
        ...(annotations ? { annotations } : {}),
      }))
    : [descriptorOf(EMPTY_CONFIG)];
  const manifest = encode({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    artifactType: spec.artifactType,
    config: descriptorOf(EMPTY_CONFIG),
    layers: layerDescriptors,
    ...(spec.subject ? { subject: toDescriptor(spec.subject) } : {}),
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  });
  return {
    kind: 'image',
    manifest,
    digest: sha256(manifest),
    size: manifest.length,
    mediaType: MediaType.ociManifest,
    artifactType: spec.artifactType,
    platform: { architecture: 'unknown', os: 'unknown' },
    config: EMPTY_CONFIG,
    layers: blobs.length ? blobs.map((b) => b.blob) : [EMPTY_CONFIG],
  };
}

/** Every blob an image or index references, children first, deduplicated by digest. */
export function allBlobs(x: ImageOrIndex): Blob[] {
  const seen = new Map<string, Blob>();
  const visit = (node: ImageOrIndex) => {
    if (node.kind === 'index') node.children.forEach(visit);
    else for (const blob of [node.config, ...node.layers]) seen.set(blob.digest, blob);
  };
  visit(x);
  return [...seen.values()];
}

/** Every manifest under `x` (children before parents, so a push never references a missing manifest). */
export function allManifests(x: ImageOrIndex): ImageOrIndex[] {
  const out = new Map<string, ImageOrIndex>();
  const visit = (node: ImageOrIndex) => {
    if (node.kind === 'index') node.children.forEach(visit);
    out.set(node.digest, node);
  };
  visit(x);
  return [...out.values()];
}

/** Deterministic incompressible bytes (xorshift32), so a layer's gzip size stays close to its content size. */
export function noise(n: number, seed = 2463534242): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
