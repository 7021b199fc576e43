/** Media types of the OCI image spec and Docker's schema 2, and how each one behaves. */

export const MediaType = {
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciLayerNonDistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OciLayerNonDistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OciLayerNonDistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  OciLayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  OciArtifactManifest: 'application/vnd.oci.artifact.manifest.v1+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerLayerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DockerPluginConfig: 'application/vnd.docker.plugin.v1+json',
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;
export type KnownMediaType = (typeof MediaType)[keyof typeof MediaType];

/**
 * Everything we can read, in the Accept header order registries expect. Leaving a stored type out
 * makes distribution, GHCR and Docker Hub answer 404 "OCI index found, but Accept header does not
 * support OCI indexes", so all four are always sent. Schema 1 is deliberately absent.
 */
export const MANIFEST_ACCEPT = [
  MediaType.OciIndex,
  MediaType.OciManifest,
  MediaType.DockerManifestList,
  MediaType.DockerManifest,
] as const;

export type ManifestKind = 'index' | 'manifest';

export function manifestKind(mediaType: string | undefined): ManifestKind | undefined {
  switch (stripParams(mediaType)) {
    case MediaType.OciIndex:
    case MediaType.DockerManifestList:
      return 'index';
    case MediaType.OciManifest:
    case MediaType.DockerManifest:
      return 'manifest';
    default:
      return undefined;
  }
}

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return manifestKind(mediaType) === 'index';
}

export function isManifestMediaType(mediaType: string | undefined): boolean {
  return manifestKind(mediaType) !== undefined;
}

export function isSchema1(mediaType: string | undefined): boolean {
  const t = stripParams(mediaType);
  return t === MediaType.DockerSchema1 || t === MediaType.DockerSchema1Signed;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export interface LayerInfo {
  compression: Compression;
  /** Foreign / non-distributable layers must not be pushed to another registry by default. */
  distributable: boolean;
  family: 'oci' | 'docker';
}

const LAYERS: Record<string, LayerInfo> = {
  [MediaType.OciLayer]: { compression: 'none', distributable: true, family: 'oci' },
  [MediaType.OciLayerGzip]: { compression: 'gzip', distributable: true, family: 'oci' },
  [MediaType.OciLayerZstd]: { compression: 'zstd', distributable: true, family: 'oci' },
  [MediaType.OciLayerNonDistributable]: { compression: 'none', distributable: false, family: 'oci' },
  [MediaType.OciLayerNonDistributableGzip]: { compression: 'gzip', distributable: false, family: 'oci' },
  [MediaType.OciLayerNonDistributableZstd]: { compression: 'zstd', distributable: false, family: 'oci' },
  [MediaType.DockerLayerGzip]: { compression: 'gzip', distributable: true, family: 'docker' },
  [MediaType.DockerLayerZstd]: { compression: 'zstd', distributable: true, family: 'docker' },
  [MediaType.DockerForeignLayerGzip]: { compression: 'gzip', distributable: false, family: 'docker' },
};

/** Returns undefined for media types that are not image layers (artifact blobs, configs, …). */
export function layerInfo(mediaType: string | undefined): LayerInfo | undefined {
  return LAYERS[stripParams(mediaType) ?? ''];
}

export function isConfigMediaType(mediaType: string | undefined): boolean {
  const t = stripParams(mediaType);
  return t === MediaType.OciConfig || t === MediaType.DockerConfig;
}

/** `Content-Type` may carry parameters (`; charset=utf-8`); media-type comparisons ignore them. */
export function stripParams(mediaType: string | undefined): string | undefined {
  if (mediaType === undefined) return undefined;
  const semi = mediaType.indexOf(';');
  return (semi === -1 ? mediaType : mediaType.slice(0, semi)).trim().toLowerCase();
}

/** A short human label for tables: "OCI index", "Docker manifest list", … */
export function describeMediaType(mediaType: string | undefined): string {
  switch (stripParams(mediaType)) {
    case MediaType.OciIndex:
      return 'OCI index';
    case MediaType.OciManifest:
      return 'OCI manifest';
    case MediaType.DockerManifestList:
      return 'Docker manifest list';
    case MediaType.DockerManifest:
      return 'Docker manifest v2s2';
    case MediaType.DockerSchema1:
    case MediaType.DockerSchema1Signed:
      return 'Docker schema 1 (unsupported)';
    default:
      return mediaType ?? 'unknown';
  }
}
