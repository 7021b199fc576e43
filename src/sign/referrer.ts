/**
 * Image signatures as Sigstore bundles attached to the image as OCI 1.1 referrers, laid out as
 * cosign's specs/BUNDLE_SPEC.md describes and cosign 2.4+ writes them: an OCI image manifest with
 * artifactType `application/vnd.dev.sigstore.bundle.v0.3+json`, the empty config `{}`, one layer
 * (the bundle JSON, of the same media type), `subject` = the signed image or index, and the
 * annotations `dev.sigstore.bundle.content`, `dev.sigstore.bundle.predicateType` and
 * `org.opencontainers.image.created`. Found through the referrers API, else the fallback tag.
 */
import { isGhcrOptimizeError } from '../errors.js';
import { computeDigest } from '../oci/digest.js';
import { MediaType } from '../oci/media-types.js';
import type { Descriptor } from '../oci/schema.js';
import type { FetchedManifest } from '../oci/content.js';
import { MANIFEST_LIMIT, referrersFallbackTag, type Repository } from '../registry/client.js';
import {
  BUNDLE_V03_MEDIA_TYPE,
  COSIGN_SIGN_PREDICATE_TYPE,
  assertBundleKey,
  buildSignStatement,
  checkSignatureBundle,
  createSignatureBundle,
} from './bundle.js';
import type { SigningKey, VerificationKey } from './keys.js';
import { pushReferrerManifest } from './referrer-push.js';

export const BUNDLE_CONTENT_ANNOTATION = 'dev.sigstore.bundle.content';
export const BUNDLE_PREDICATE_TYPE_ANNOTATION = 'dev.sigstore.bundle.predicateType';
export const CREATED_ANNOTATION = 'org.opencontainers.image.created';
export const TITLE_ANNOTATION = 'org.opencontainers.image.title';

/** The OCI empty descriptor's content: Sigstore bundles need no config. */
const EMPTY_CONFIG = Buffer.from('{}');

/** Go's time.RFC3339 in UTC, as cosign stamps `org.opencontainers.image.created`. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The referrer manifest for a bundle blob (compact JSON, go-containerregistry's field order). */
export function bundleReferrerManifest(opts: {
  subject: Pick<Descriptor, 'mediaType' | 'digest' | 'size'>;
  bundle: { digest: string; size: number };
  created: Date;
}): { bytes: Buffer; annotations: Record<string, string> } {
  const annotations = {
    [BUNDLE_CONTENT_ANNOTATION]: 'dsse-envelope',
    [BUNDLE_PREDICATE_TYPE_ANNOTATION]: COSIGN_SIGN_PREDICATE_TYPE,
    [CREATED_ANNOTATION]: rfc3339(opts.created),
  };
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciEmpty, size: EMPTY_CONFIG.length, digest: computeDigest(EMPTY_CONFIG) },
    layers: [
      {
        mediaType: BUNDLE_V03_MEDIA_TYPE,
        size: opts.bundle.size,
        digest: opts.bundle.digest,
        annotations: { [TITLE_ANNOTATION]: `${opts.bundle.digest.replace(':', '-')}.sigstore.json` },
      },
    ],
    annotations,
    subject: { mediaType: opts.subject.mediaType, size: opts.subject.size, digest: opts.subject.digest },
    artifactType: BUNDLE_V03_MEDIA_TYPE,
  };
  return { bytes: Buffer.from(JSON.stringify(manifest)), annotations };
}

export interface VerifiedBundle {
  /** Digest of the referrer manifest. */
  referrer: string;
  bundleDigest: string;
  /** The manifest's `org.opencontainers.image.created`, when present (unsigned metadata). */
  created?: string;
  /** The signed subject annotations (`--annotation` pairs). */
  annotations: Record<string, unknown>;
}

export interface RejectedBundle {
  referrer: string;
  bundleDigest?: string;
  reason: string;
}

export interface ReferrerCheck {
  /** How the referrers were listed: the registry's API or the fallback tag. */
  via: 'api' | 'tag';
  verified: VerifiedBundle[];
  rejected: RejectedBundle[];
  /** Bundle referrers that are not image signatures (attestations). */
  ignored: RejectedBundle[];
}

/** Registry failures that end the check; anything else makes one referrer invalid. */
function fatal(err: unknown, signal?: AbortSignal): boolean {
  return (
    signal?.aborted === true || !isGhcrOptimizeError(err) || err.kind === 'auth' || err.kind === 'network'
  );
}

/** Checks every Sigstore bundle referrer of `opts.digest` against the key. Never throws for a bad signature. */
export async function checkReferrerSignatures(
  repo: Repository,
  opts: { digest: string; key: VerificationKey; annotations?: Record<string, string>; signal?: AbortSignal },
): Promise<ReferrerCheck> {
  const { signal } = opts;
  const listed = await repo.referrers(opts.digest, {
    artifactType: BUNDLE_V03_MEDIA_TYPE,
    ...(signal ? { signal } : {}),
  });
  const out: ReferrerCheck = { via: listed.via, verified: [], rejected: [], ignored: [] };
  for (const desc of listed.descriptors) {
    const claimedType = desc.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION];
    if (claimedType !== undefined && claimedType !== COSIGN_SIGN_PREDICATE_TYPE) {
      out.ignored.push({ referrer: desc.digest, reason: `an attestation (${claimedType}), not a signature` });
      continue;
    }
    const reject = (reason: string, bundleDigest?: string): void => {
      out.rejected.push({ referrer: desc.digest, ...(bundleDigest ? { bundleDigest } : {}), reason });
    };
    let fetched: FetchedManifest;
    try {
      fetched = await repo.getManifest(desc.digest, signal, [MediaType.OciManifest]);
    } catch (err) {
      if (fatal(err, signal)) throw err;
      reject(`referrer manifest: ${(err as Error).message}`);
      continue;
    }
    if (fetched.parsed.kind !== 'manifest') {
      reject('the referrer is not an image manifest');
      continue;
    }
    const manifest = fetched.parsed.manifest;
    if (manifest.subject?.digest !== opts.digest) {
      // A referrers list (the fallback tag is writable by anyone who can push) naming a manifest
      // that refers to something else.
      reject(`the referrer's subject is ${manifest.subject?.digest ?? 'missing'}`);
      continue;
    }
    const layer = manifest.layers.find((l) => l.mediaType === BUNDLE_V03_MEDIA_TYPE);
    if (!layer) {
      reject('the referrer has no Sigstore bundle layer');
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await repo.getBlobBytes(layer, MANIFEST_LIMIT, signal);
    } catch (err) {
      if (fatal(err, signal)) throw err;
      reject(`bundle ${layer.digest}: ${(err as Error).message}`, layer.digest);
      continue;
    }
    const check = await checkSignatureBundle(bytes, {
      key: opts.key,
      digest: opts.digest,
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    });
    if (check.status === 'ignored') {
      out.ignored.push({ referrer: desc.digest, bundleDigest: layer.digest, reason: check.reason });
    } else if (check.status === 'invalid') {
      reject(check.reason, layer.digest);
    } else {
      const created = manifest.annotations?.[CREATED_ANNOTATION];
      out.verified.push({
        referrer: desc.digest,
        bundleDigest: layer.digest,
        ...(created ? { created } : {}),
        annotations: check.annotations,
      });
    }
  }
  return out;
}

export interface ReferrerSignOptions {
  /** The image or index to sign, as the registry describes it (media type, digest, size). */
  subject: Descriptor;
  key: SigningKey;
  /** `--annotation` pairs: the statement subject's annotations. */
  annotations?: Record<string, string>;
  /** The creation time stamped on the referrer (not signed). */
  now?: Date;
  signal?: AbortSignal;
}

export interface ReferrerSignResult {
  digest: string;
  /** Digest of the referrer manifest (new, or the existing one when already signed). */
  referrer: string;
  bundleDigest: string;
  /** "api": the registry indexed it; "tag": the fallback tag lists it. */
  via: 'api' | 'tag';
  /** The referrers fallback tag, `sha256-<hex>`, when it was updated. */
  fallbackTag?: string;
  /** True when a bundle of this key with the same annotations was already there; nothing pushed. */
  alreadySigned: boolean;
}

function sameAnnotations(a: Record<string, unknown>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/**
 * Signs `opts.subject.digest` with a Sigstore bundle and attaches it as a referrer. The bundle is
 * made before anything is uploaded, so a key problem leaves the registry untouched.
 */
export async function signImageReferrer(
  repo: Repository,
  opts: ReferrerSignOptions,
): Promise<ReferrerSignResult> {
  const { signal, subject, key } = opts;
  assertBundleKey(key);
  const annotations = opts.annotations ?? {};
  const statement = buildSignStatement(subject.digest, annotations);
  const bundle = Buffer.from(JSON.stringify(await createSignatureBundle(key, statement)));

  // As cosign's dupe detector does for .sig tags: re-running a release job adds nothing.
  const existing = await checkReferrerSignatures(repo, {
    digest: subject.digest,
    key,
    ...(signal ? { signal } : {}),
  });
  const same = existing.verified.find((v) => sameAnnotations(v.annotations, annotations));
  if (same) {
    return {
      digest: subject.digest,
      referrer: same.referrer,
      bundleDigest: same.bundleDigest,
      via: existing.via,
      alreadySigned: true,
    };
  }

  const bundleDesc = { digest: computeDigest(bundle), size: bundle.length };
  const configDesc = { digest: computeDigest(EMPTY_CONFIG), size: EMPTY_CONFIG.length };
  const blobOpts = signal ? { signal } : {};
  await repo.pushBlob(configDesc, { size: EMPTY_CONFIG.length, open: () => EMPTY_CONFIG }, blobOpts);
  await repo.pushBlob(bundleDesc, { size: bundle.length, open: () => bundle }, blobOpts);
  const manifest = bundleReferrerManifest({ subject, bundle: bundleDesc, created: opts.now ?? new Date() });
  const pushed = await pushReferrerManifest(repo, manifest.bytes, {
    subject: subject.digest,
    artifactType: BUNDLE_V03_MEDIA_TYPE,
    annotations: manifest.annotations,
    ...(signal ? { signal } : {}),
  });
  return {
    digest: subject.digest,
    referrer: pushed.descriptor.digest,
    bundleDigest: bundleDesc.digest,
    via: pushed.via,
    ...(pushed.via === 'tag'
      ? { fallbackTag: pushed.fallbackTag ?? referrersFallbackTag(subject.digest) }
      : {}),
    alreadySigned: false,
  };
}
