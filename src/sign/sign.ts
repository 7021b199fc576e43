/**
 * `cosign sign --key` without a transparency log: sign the simple-signing payload for a manifest
 * digest and add it as a layer of the signature image under `sha256-<hex>.sig`, keeping every
 * signature already there (cosign appends; it skips a signature identical to one present).
 */
import { NotFoundError, ProtocolError } from '../errors.js';
import { computeDigest } from '../oci/digest.js';
import { MediaType } from '../oci/media-types.js';
import type { Descriptor } from '../oci/schema.js';
import type { FetchedManifest } from '../oci/content.js';
import type { Repository } from '../registry/client.js';
import { signBytes, verifyBytes, type SigningKey } from './keys.js';
import { buildPayload } from './payload.js';
import {
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  manifestMediaTypes,
  signatureConfig,
  signatureLayer,
  signatureManifest,
  signatureTag,
  type SignatureMediaTypes,
} from './signature-image.js';

export interface SignOptions {
  /** The manifest digest to sign (an index is signed as itself, not per platform). */
  digest: string;
  /** The payload's docker-reference, usually `dockerReference(registry, repository)`. */
  reference: string;
  key: SigningKey;
  /** `--annotation` pairs: the payload's "optional" section. */
  annotations?: Record<string, string>;
  /** Media types of a new signature manifest; an existing one keeps its own. Default "oci". */
  mediaTypes?: SignatureMediaTypes;
  signal?: AbortSignal;
}

export interface SignResult {
  digest: string;
  /** The tag holding the signatures, `sha256-<hex>.sig`. */
  signatureTag: string;
  /** The digest of the signature manifest now at that tag. */
  signatureManifestDigest: string;
  payload: { digest: string; size: number };
  /** Base64 of the signature, as in the layer annotation. */
  signature: string;
  /** Signatures in the signature manifest, this one included. */
  signatures: number;
  /** True when an identical signature was already there, so nothing was written. */
  alreadySigned: boolean;
}

const SIGNATURE_MANIFEST_ACCEPT = [MediaType.OciManifest, MediaType.DockerManifest] as const;

/** The signature manifest at `tag`, or undefined when the tag does not exist. */
export async function fetchSignatureManifest(
  repo: Repository,
  tag: string,
  signal?: AbortSignal,
): Promise<FetchedManifest | undefined> {
  let fetched: FetchedManifest;
  try {
    fetched = await repo.getManifest(tag, signal, SIGNATURE_MANIFEST_ACCEPT);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
  if (fetched.parsed.kind !== 'manifest') {
    throw new ProtocolError(
      `${repo.registry}/${repo.name}:${tag} is an index, not a cosign signature manifest`,
    );
  }
  return fetched;
}

export async function signImage(repo: Repository, opts: SignOptions): Promise<SignResult> {
  const { signal } = opts;
  const payload = buildPayload(opts.reference, opts.digest, opts.annotations);
  const payloadDesc = { digest: computeDigest(payload), size: payload.length };
  const tag = signatureTag(opts.digest);
  const existing = await fetchSignatureManifest(repo, tag, signal);
  const layers: Descriptor[] = existing?.parsed.kind === 'manifest' ? existing.parsed.manifest.layers : [];

  // cosign's dupe detector: the same payload already signed by this key needs no second layer.
  const duplicate = layers.find((l) => {
    const sig = l.annotations?.[SIGNATURE_ANNOTATION];
    return (
      l.mediaType === SIMPLE_SIGNING_MEDIA_TYPE &&
      l.digest === payloadDesc.digest &&
      sig !== undefined &&
      verifyBytes(opts.key, payload, Buffer.from(sig, 'base64'))
    );
  });
  if (existing && duplicate) {
    return {
      digest: opts.digest,
      signatureTag: tag,
      signatureManifestDigest: existing.descriptor.digest,
      payload: payloadDesc,
      signature: duplicate.annotations![SIGNATURE_ANNOTATION]!,
      signatures: layers.length,
      alreadySigned: true,
    };
  }

  const signature = signBytes(opts.key, payload).toString('base64');
  const allLayers = [...layers, signatureLayer(payloadDesc, signature)];
  const types =
    existing?.parsed.kind === 'manifest'
      ? {
          manifest: existing.parsed.mediaType,
          config: existing.parsed.manifest.config.mediaType,
        }
      : manifestMediaTypes(opts.mediaTypes ?? 'oci');
  const config = signatureConfig(allLayers);
  const configDesc: Descriptor = {
    mediaType: types.config,
    size: config.length,
    digest: computeDigest(config),
  };

  await repo.pushBlob(payloadDesc, { size: payload.length, open: () => payload }, signal ? { signal } : {});
  await repo.pushBlob(configDesc, { size: config.length, open: () => config }, signal ? { signal } : {});
  const manifest = signatureManifest({ mediaType: types.manifest, config: configDesc, layers: allLayers });
  const put = await repo.putManifest(tag, manifest, types.manifest, signal);
  return {
    digest: opts.digest,
    signatureTag: tag,
    signatureManifestDigest: put.digest,
    payload: payloadDesc,
    signature,
    signatures: allLayers.length,
    alreadySigned: false,
  };
}
