/**
 * The new image's JSON documents: the config (the source's, with new diff_ids and history), the
 * manifest and the index, in the media-type family the layers allow. zstd layers exist only as
 * OCI media types in practice (Docker's v2s2 zstd type is read by almost nothing), so a Docker
 * image recompressed with zstd becomes an OCI image. Pure.
 */
import { MediaType } from '../oci/media-types.js';
import type { Descriptor } from '../oci/schema.js';
import type { CompressionSpec } from './compress.js';

export type Family = 'oci' | 'docker';

export function familyOf(sourceManifestMediaType: string, compression: CompressionSpec): Family {
  return sourceManifestMediaType === MediaType.DockerManifest && compression.algorithm === 'gzip'
    ? 'docker'
    : 'oci';
}

export function layerMediaType(family: Family, compression: CompressionSpec): string {
  if (compression.algorithm === 'zstd') return MediaType.OciLayerZstd;
  return family === 'docker' ? MediaType.DockerLayerGzip : MediaType.OciLayerGzip;
}

export const configMediaType = (family: Family): string =>
  family === 'docker' ? MediaType.DockerConfig : MediaType.OciConfig;

export const manifestMediaType = (family: Family): string =>
  family === 'docker' ? MediaType.DockerManifest : MediaType.OciManifest;

export interface SquashNote {
  /** created_by of the new layer's history entry. */
  createdBy: string;
}

/**
 * The source config with `diff_ids` replaced. With `squash`, every old history entry is kept but
 * marked empty (they no longer have a layer each) and one entry for the squashed layer is added,
 * dated like the image so the same source always gives the same config.
 */
export function rewriteConfig(
  source: Buffer,
  diffIds: readonly string[],
  squash: SquashNote | undefined,
): Buffer {
  const doc = JSON.parse(source.toString('utf8')) as Record<string, unknown> & {
    rootfs?: Record<string, unknown>;
    history?: Record<string, unknown>[] | null;
    created?: string | null;
  };
  doc.rootfs = { ...(doc.rootfs ?? {}), type: 'layers', diff_ids: [...diffIds] };
  if (squash) {
    const old = Array.isArray(doc.history) ? doc.history : [];
    doc.history = [
      ...old.map((h) => ({ ...h, empty_layer: true })),
      {
        ...(typeof doc.created === 'string' ? { created: doc.created } : {}),
        created_by: squash.createdBy,
        comment: 'ghcr-optimize',
      },
    ];
  }
  return Buffer.from(JSON.stringify(doc));
}

export function manifestDocument(
  family: Family,
  config: Descriptor,
  layers: readonly Descriptor[],
  annotations: Record<string, string> | undefined,
): Buffer {
  const plain = (d: Descriptor): Descriptor => ({ mediaType: d.mediaType, digest: d.digest, size: d.size });
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestMediaType(family),
      config: plain(config),
      layers: layers.map(plain),
      ...(family === 'oci' && annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
    }),
  );
}

/** A Docker manifest list only when every child is a Docker manifest; else an OCI index. */
export function indexDocument(
  children: readonly Descriptor[],
  annotations: Record<string, string> | undefined,
): { bytes: Buffer; mediaType: string } {
  const docker = children.every((c) => c.mediaType === MediaType.DockerManifest);
  const mediaType = docker ? MediaType.DockerManifestList : MediaType.OciIndex;
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: children.map((c) => ({
        mediaType: c.mediaType,
        digest: c.digest,
        size: c.size,
        ...(c.platform ? { platform: c.platform } : {}),
        ...(!docker && c.annotations ? { annotations: c.annotations } : {}),
      })),
      ...(!docker && annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
    }),
  );
  return { bytes, mediaType };
}
