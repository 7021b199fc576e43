/**
 * Attaching a manifest to its subject as an OCI 1.1 referrer (distribution-spec "Pushing
 * manifests with subject"): the manifest is pushed by digest; a registry with the referrers API
 * answers with an `OCI-Subject` header and indexes it itself. Without that header the client must
 * keep the referrers list: the OCI index under the tag `<alg>-<hex>` of the subject, read, extended
 * with the new descriptor and pushed back (what GHCR and distribution 2.8 need).
 *
 * Two writers updating the same fallback tag at once can lose one entry (the spec's optional
 * ETag/If-Match guard is not used: distribution 2.8 does not honour it on manifests).
 */
import { NotFoundError, ProtocolError } from '../errors.js';
import { computeDigest } from '../oci/digest.js';
import { MediaType } from '../oci/media-types.js';
import type { Descriptor } from '../oci/schema.js';
import { referrersFallbackTag, type Repository } from '../registry/client.js';

export interface ReferrerPushResult {
  /** The referrer manifest as listed among the subject's referrers. */
  descriptor: Descriptor;
  /** How the subject's referrers list learned about it. */
  via: 'api' | 'tag';
  /** The fallback tag updated, when `via` is "tag". */
  fallbackTag?: string;
}

/**
 * The fallback referrers index with `entry` added (replacing an entry of the same digest). The
 * existing index's other fields are kept, so lists written by other tools survive the update.
 */
export function fallbackIndex(existing: Uint8Array | undefined, entry: Descriptor): Buffer {
  const doc: Record<string, unknown> = existing
    ? (JSON.parse(Buffer.from(existing).toString('utf8')) as Record<string, unknown>)
    : { schemaVersion: 2, mediaType: MediaType.OciIndex };
  const manifests = Array.isArray(doc.manifests) ? (doc.manifests as Descriptor[]) : [];
  doc.manifests = [...manifests.filter((d) => d.digest !== entry.digest), entry];
  return Buffer.from(JSON.stringify(doc));
}

/** Pushes `bytes` (an OCI image manifest with a `subject`) and makes it findable from the subject. */
export async function pushReferrerManifest(
  repo: Repository,
  bytes: Buffer,
  opts: { subject: string; artifactType: string; annotations?: Record<string, string>; signal?: AbortSignal },
): Promise<ReferrerPushResult> {
  const put = await repo.putManifest(computeDigest(bytes), bytes, MediaType.OciManifest, opts.signal);
  const descriptor: Descriptor = {
    mediaType: MediaType.OciManifest,
    digest: put.digest,
    size: put.size,
    artifactType: opts.artifactType,
    ...(opts.annotations && Object.keys(opts.annotations).length > 0
      ? { annotations: opts.annotations }
      : {}),
  };
  if (put.subjectAccepted) return { descriptor, via: 'api' };

  const tag = referrersFallbackTag(opts.subject);
  let existing: Buffer | undefined;
  try {
    const fetched = await repo.getManifest(tag, opts.signal, [MediaType.OciIndex]);
    if (fetched.parsed.kind !== 'index') {
      throw new ProtocolError(`${repo.registry}/${repo.name}:${tag} is not a referrers index`, {
        hint: 'the tag of the referrers tag schema holds something else; remove or rename it',
      });
    }
    existing = fetched.bytes;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  await repo.putManifest(tag, fallbackIndex(existing, descriptor), MediaType.OciIndex, opts.signal);
  return { descriptor, via: 'tag', fallbackTag: tag };
}
