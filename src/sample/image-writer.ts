/**
 * Writes small OCI images into any Target from file lists, byte for byte reproducibly: fixed tar
 * metadata (see tar-writer.ts), gzip without a timestamp, JSON in a fixed key order. Layers that
 * two platforms share (the same `key`) are built once and stored once.
 */
import { gzipSync } from 'node:zlib';
import { makeTar, type TarEntry } from '../content/tar-writer.js';
import type { Target } from '../content/target.js';
import { computeDigest } from '../oci/digest.js';
import { MediaType } from '../oci/media-types.js';
import type { Descriptor, Platform } from '../oci/schema.js';

export interface SampleFile {
  /** Relative to the root, no leading "/"; `dir/.wh.name` is a whiteout (deletes `dir/name`). */
  path: string;
  data: Buffer | string;
  mode?: number;
}

export interface LayerSpec {
  /** Layers with the same key have the same content (built once, shared by the platforms). */
  key: string;
  /** The Dockerfile step, as `history[].created_by` records it. */
  createdBy: string;
  files: () => SampleFile[];
  /** gzip level (default 6, what BuildKit and Go use); a low level leaves something for a recompression to find. */
  gzipLevel?: number;
}

export interface BuiltLayer {
  desc: Descriptor;
  data: Buffer;
  diffId: string;
}

/** Every file with the directories above it, each directory once, in first-use order. */
export function tarEntries(files: readonly SampleFile[]): TarEntry[] {
  const seen = new Set<string>();
  const out: TarEntry[] = [];
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (seen.has(dir)) continue;
      seen.add(dir);
      out.push({ type: 'dir', path: dir });
    }
    out.push({ type: 'file', path: f.path, data: f.data, ...(f.mode !== undefined ? { mode: f.mode } : {}) });
  }
  return out;
}

export class LayerCache {
  private readonly built = new Map<string, BuiltLayer>();

  layer(spec: LayerSpec): BuiltLayer {
    const hit = this.built.get(spec.key);
    if (hit) return hit;
    const tar = makeTar(tarEntries(spec.files()));
    // No file name and mtime 0 in the gzip header: the same tar always gives the same blob.
    const data = gzipSync(tar, { level: spec.gzipLevel ?? 6 });
    const layer: BuiltLayer = {
      desc: { mediaType: MediaType.OciLayerGzip, digest: computeDigest(data), size: data.length },
      data,
      diffId: computeDigest(tar),
    };
    this.built.set(spec.key, layer);
    return layer;
  }
}

export interface ImageSpec {
  platform: Platform;
  /** ISO-8601; also every history entry's date. */
  created: string;
  layers: LayerSpec[];
  config: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[];
    Cmd?: string[];
    WorkingDir?: string;
    ExposedPorts?: Record<string, Record<string, never>>;
    Labels?: Record<string, string>;
    Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; Retries?: number };
  };
}

export interface WrittenImage {
  /** The manifest's descriptor, with the platform (as an index lists it). */
  desc: Descriptor;
  manifest: Buffer;
  config: Descriptor;
  layers: Descriptor[];
}

async function pushBlob(target: Target, desc: Descriptor, data: Buffer): Promise<void> {
  await target.pushBlob(desc, { size: data.length, open: () => data });
}

/** Pushes one image (blobs, then the manifest by digest); tags nothing. */
export async function writeImage(target: Target, cache: LayerCache, spec: ImageSpec): Promise<WrittenImage> {
  const layers = spec.layers.map((l) => cache.layer(l));
  const config = {
    created: spec.created,
    architecture: spec.platform.architecture,
    os: spec.platform.os,
    ...(spec.platform.variant ? { variant: spec.platform.variant } : {}),
    config: spec.config,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: spec.layers.map((l) => ({ created: spec.created, created_by: l.createdBy })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDesc: Descriptor = {
    mediaType: MediaType.OciConfig,
    digest: computeDigest(configBytes),
    size: configBytes.length,
  };
  await pushBlob(target, configDesc, configBytes);
  for (const l of layers) await pushBlob(target, l.desc, l.data);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: configDesc,
    layers: layers.map((l) => l.desc),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const desc = await target.pushManifest(bytes, MediaType.OciManifest);
  return {
    desc: { ...desc, platform: spec.platform },
    manifest: bytes,
    config: configDesc,
    layers: layers.map((l) => l.desc),
  };
}

export interface WrittenIndex {
  desc: Descriptor;
  bytes: Buffer;
  images: WrittenImage[];
}

/** Pushes the images, then an OCI index over them, and points every tag at the index. */
export async function writeIndex(
  target: Target,
  cache: LayerCache,
  images: readonly ImageSpec[],
  tags: readonly string[],
  annotations: Record<string, string> = {},
): Promise<WrittenIndex> {
  const written: WrittenImage[] = [];
  for (const spec of images) written.push(await writeImage(target, cache, spec));
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: written.map((w) => w.desc),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(index));
  let desc = await target.pushManifest(bytes, MediaType.OciIndex);
  for (const tag of tags) desc = await target.pushManifest(bytes, MediaType.OciIndex, tag);
  return { desc, bytes, images: written };
}
