/**
 * The "signature image" cosign stores under the tag `sha256-<hex>.sig` next to a signed image
 * (cosign's specs/SIGNATURE_SPEC.md): one layer per signature, each layer the payload blob with
 * media type application/vnd.dev.cosign.simplesigning.v1+json and the base64 signature in the
 * `dev.cosignproject.cosign/signature` annotation. It is built the way go-containerregistry's
 * mutate.Append builds it on empty.Image — OCI manifest and config types by default (Docker's
 * with COSIGN_DOCKER_MEDIA_TYPES=1), and a config whose rootfs lists every layer (a static layer's
 * diff_id is its digest) with one zero-time history entry each — so the bytes, and therefore the
 * digests, are the ones cosign would write.
 */
import { referrersFallbackTag } from '../registry/client.js';
import { MediaType } from '../oci/media-types.js';
import type { Descriptor } from '../oci/schema.js';
import { GoMap, goMarshal, type GoValue } from './go-json.js';

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
/** Keyless and transparency-log material cosign may attach; kept untouched when appending. */
export const BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';

/** Go's zero time.Time, as go-containerregistry marshals an unset `created`. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** `sha256-<hex>.sig`: where cosign looks for the signatures of `digest`. */
export function signatureTag(digest: string): string {
  return `${referrersFallbackTag(digest)}.sig`;
}

export type SignatureMediaTypes = 'oci' | 'docker';

export function manifestMediaTypes(kind: SignatureMediaTypes): { manifest: string; config: string } {
  return kind === 'docker'
    ? { manifest: MediaType.DockerManifest, config: MediaType.DockerConfig }
    : { manifest: MediaType.OciManifest, config: MediaType.OciConfig };
}

/** The config blob for these layers, byte for byte as go-containerregistry writes it. */
export function signatureConfig(layers: readonly Pick<Descriptor, 'digest'>[]): Buffer {
  return Buffer.from(
    goMarshal({
      architecture: '',
      created: ZERO_TIME,
      history: layers.map(() => ({ created: ZERO_TIME })),
      os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  );
}

/** A descriptor in go-containerregistry's field order (v1.Descriptor), annotations as a sorted map. */
function descriptorJson(d: Descriptor): GoValue {
  const out: Record<string, GoValue> = { mediaType: d.mediaType, size: d.size, digest: d.digest };
  if (d.data !== undefined) out.data = d.data;
  if (d.urls !== undefined && d.urls.length > 0) out.urls = d.urls;
  if (d.annotations !== undefined && Object.keys(d.annotations).length > 0) {
    out.annotations = new GoMap(d.annotations);
  }
  if (d.platform !== undefined) {
    const p: Record<string, GoValue> = { architecture: d.platform.architecture, os: d.platform.os };
    if (d.platform['os.version']) p['os.version'] = d.platform['os.version'];
    if (d.platform['os.features']?.length) p['os.features'] = d.platform['os.features'];
    if (d.platform.variant) p.variant = d.platform.variant;
    if (d.platform.features?.length) p.features = d.platform.features;
    out.platform = p;
  }
  if (d.artifactType) out.artifactType = d.artifactType;
  return out;
}

/** The manifest bytes (compact, v1.Manifest field order). */
export function signatureManifest(opts: {
  mediaType: string;
  config: Descriptor;
  layers: readonly Descriptor[];
}): Buffer {
  return Buffer.from(
    goMarshal({
      schemaVersion: 2,
      mediaType: opts.mediaType,
      config: descriptorJson(opts.config),
      layers: opts.layers.map(descriptorJson),
    }),
  );
}

/** The layer descriptor of one signature. */
export function signatureLayer(
  payload: { digest: string; size: number },
  base64Signature: string,
): Descriptor {
  return {
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    size: payload.size,
    digest: payload.digest,
    annotations: { [SIGNATURE_ANNOTATION]: base64Signature },
  };
}
