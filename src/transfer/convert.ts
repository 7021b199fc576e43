/**
 * Manifest format conversion (`copy --format oci|v2s2`), only when asked: it rewrites manifests,
 * so every converted manifest and its parents get new digests. Blobs are untouched; only the
 * media types in the descriptors change. Anything that has no equivalent in the target format
 * (zstd or uncompressed layers in v2s2, artifacts, subjects) is refused rather than dropped.
 */
import { UsageError } from '../errors.js';
import { computeDigest } from '../oci/digest.js';
import { MediaType } from '../oci/media-types.js';
import { parseManifest, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/schema.js';
import type { FetchedManifest, ReadTarget } from '../content/target.js';

export type ManifestFormat = 'oci' | 'v2s2';

const TO_V2S2: Record<string, string> = {
  [MediaType.OciConfig]: MediaType.DockerConfig,
  [MediaType.OciLayerGzip]: MediaType.DockerLayerGzip,
  [MediaType.OciLayerNonDistributableGzip]: MediaType.DockerForeignLayerGzip,
  [MediaType.OciManifest]: MediaType.DockerManifest,
  [MediaType.OciIndex]: MediaType.DockerManifestList,
};
const TO_OCI: Record<string, string> = Object.fromEntries(
  Object.entries(TO_V2S2).map(([oci, docker]) => [docker, oci]),
);
// BuildKit's zstd layers have an OCI equivalent, but not the other way round.
TO_OCI[MediaType.DockerLayerZstd] = MediaType.OciLayerZstd;

function mapType(mediaType: string, format: ManifestFormat, what: string): string {
  const table = format === 'v2s2' ? TO_V2S2 : TO_OCI;
  const mapped = table[mediaType];
  if (mapped) return mapped;
  // Already in the target format?
  const native =
    format === 'v2s2'
      ? Object.values(TO_V2S2)
      : [...Object.values(TO_OCI), MediaType.OciLayer, MediaType.OciLayerZstd];
  if (native.includes(mediaType)) return mediaType;
  throw new UsageError(
    `cannot convert ${what} (${mediaType}) to ${format === 'v2s2' ? 'Docker v2s2' : 'OCI'}`,
    {
      hint:
        format === 'v2s2'
          ? 'v2s2 only has gzip layers and image configs; copy without --format'
          : 'copy without --format',
    },
  );
}

function descriptor(d: Descriptor, format: ManifestFormat, what: string, mediaType?: string): Descriptor {
  const out: Descriptor = {
    mediaType: mediaType ?? mapType(d.mediaType, format, what),
    digest: d.digest,
    size: d.size,
  };
  if (d.urls) out.urls = d.urls;
  if (d.platform) out.platform = d.platform;
  if (format === 'oci' && d.annotations) out.annotations = d.annotations;
  return out;
}

function encode(doc: object): FetchedManifest['bytes'] {
  return Buffer.from(JSON.stringify(doc));
}

function convertImage(m: ImageManifest, format: ManifestFormat, name: string): Buffer {
  if (format === 'v2s2' && (m.artifactType || m.subject)) {
    throw new UsageError(`${name} is an artifact or has a subject; Docker v2s2 cannot express that`);
  }
  return encode({
    schemaVersion: 2,
    mediaType: format === 'v2s2' ? MediaType.DockerManifest : MediaType.OciManifest,
    ...(format === 'oci' && m.artifactType ? { artifactType: m.artifactType } : {}),
    config: descriptor(m.config, format, `the config of ${name}`),
    layers: m.layers.map((l, i) => descriptor(l, format, `layer ${i + 1} of ${name}`)),
    ...(format === 'oci' && m.subject ? { subject: m.subject } : {}),
    ...(format === 'oci' && m.annotations ? { annotations: m.annotations } : {}),
  });
}

export interface ConvertedGraph {
  root: FetchedManifest;
  /** Converted manifests by their new digest, for the copier to use instead of the source's. */
  manifests: Map<string, FetchedManifest>;
}

/** Converts `root` and everything below it; returns the new root and the rewritten manifests. */
export async function convertGraph(
  src: ReadTarget,
  root: FetchedManifest,
  format: ManifestFormat,
  signal?: AbortSignal,
): Promise<ConvertedGraph> {
  const manifests = new Map<string, FetchedManifest>();
  const convert = async (m: FetchedManifest): Promise<FetchedManifest> => {
    const name = `${src.name}@${m.descriptor.digest}`;
    let bytes: Buffer;
    if (m.parsed.kind === 'index') {
      const index: ImageIndex = m.parsed.index;
      const children: Descriptor[] = [];
      for (const child of index.manifests) {
        // buildx attestations carry in-toto layers that v2s2 cannot describe: leave them behind.
        if (format === 'v2s2' && child.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest')
          continue;
        const converted = await convert(await src.fetchManifest(child, signal));
        children.push(
          descriptor(
            { ...child, digest: converted.descriptor.digest, size: converted.descriptor.size },
            format,
            name,
            converted.descriptor.mediaType,
          ),
        );
      }
      if (format === 'v2s2' && (index.subject || index.artifactType)) {
        throw new UsageError(
          `${name} is an artifact index or has a subject; Docker v2s2 cannot express that`,
        );
      }
      bytes = encode({
        schemaVersion: 2,
        mediaType: format === 'v2s2' ? MediaType.DockerManifestList : MediaType.OciIndex,
        manifests: children,
        ...(format === 'oci' && index.annotations ? { annotations: index.annotations } : {}),
      });
    } else {
      bytes = convertImage(m.parsed.manifest, format, name);
    }
    const parsed = parseManifest(bytes);
    const converted: FetchedManifest = {
      descriptor: { mediaType: parsed.mediaType, digest: computeDigest(bytes), size: bytes.length },
      bytes,
      parsed,
    };
    manifests.set(converted.descriptor.digest, converted);
    return converted;
  };
  return { root: await convert(root), manifests };
}
