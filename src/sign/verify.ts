/**
 * `cosign verify --key` without a transparency log: every layer of the `sha256-<hex>.sig` signature
 * manifest is checked — its payload blob against its digest, the signature annotation against the
 * payload with the public key, and the payload's claims (type, docker-manifest-digest = the image's
 * digest, optional `--annotation` values). Verification succeeds when at least one signature passes,
 * as cosign's does. Unlike cosign, the payload's docker-reference must also name the repository
 * unless `anyReference` is set (cosign never checks it, so signatures survive a copy to another
 * registry; this tool makes accepting that a choice).
 */
import { ExitCode, GhcrOptimizeError, PolicyError, isGhcrOptimizeError } from '../errors.js';
import { MANIFEST_LIMIT, type Repository } from '../registry/client.js';
import { verifyBytes, type VerificationKey } from './keys.js';
import { parsePayload, sameDockerReference, type SimpleSigning } from './payload.js';
import { SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE, signatureTag } from './signature-image.js';
import { checkReferrerSignatures, type ReferrerCheck } from './referrer.js';
import { fetchSignatureManifest } from './sign.js';

export interface VerifyOptions {
  /** The image's manifest digest. */
  digest: string;
  key: VerificationKey;
  /** Required values in the payload's "optional" section. */
  annotations?: Record<string, string>;
  /** Accept a docker-reference naming another repository (cosign's behaviour). */
  anyReference?: boolean;
  signal?: AbortSignal;
}

export interface VerifiedSignature {
  /** 1-based position of the layer in the signature manifest. */
  layer: number;
  payloadDigest: string;
  /** Base64, as in the annotation. */
  signature: string;
  payload: SimpleSigning;
}

export interface RejectedSignature {
  layer: number;
  payloadDigest: string;
  reason: string;
}

export interface VerifyResult {
  digest: string;
  signatureTag: string;
  verified: VerifiedSignature[];
  rejected: RejectedSignature[];
}

export interface TagCheck extends VerifyResult {
  /** Signatures (layers) in the signature manifest; 0 when there is none. */
  layers: number;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function describeRejections(rejected: readonly { reason: string }[]): string {
  const counts = new Map<string, number>();
  for (const r of rejected) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => (n > 1 ? `${reason} (×${n})` : reason)).join('; ');
}

/**
 * Checks every cosign signature of `opts.digest` in `repo` without judging: an empty `verified`
 * with no `layers` means unsigned, with layers it means no valid signature.
 */
export async function checkTagSignatures(repo: Repository, opts: VerifyOptions): Promise<TagCheck> {
  const { signal } = opts;
  const tag = signatureTag(opts.digest);
  const fetched = await fetchSignatureManifest(repo, tag, signal);
  const layers = fetched?.parsed.kind === 'manifest' ? fetched.parsed.manifest.layers : [];
  const verified: VerifiedSignature[] = [];
  const rejected: RejectedSignature[] = [];
  for (const [i, layer] of layers.entries()) {
    const reject = (reason: string): void => {
      rejected.push({ layer: i + 1, payloadDigest: layer.digest, reason });
    };
    if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) {
      reject(`layer media type is ${layer.mediaType}, not a simple-signing payload`);
      continue;
    }
    const b64 = layer.annotations?.[SIGNATURE_ANNOTATION];
    if (b64 === undefined || b64 === '') {
      reject(`no ${SIGNATURE_ANNOTATION} annotation`);
      continue;
    }
    if (!BASE64.test(b64)) {
      reject('the signature annotation is not base64');
      continue;
    }
    let payloadBytes: Buffer;
    try {
      payloadBytes = await repo.getBlobBytes(layer, MANIFEST_LIMIT, signal);
    } catch (err) {
      // A payload the registry cannot produce intact is one invalid signature, not the end of the check.
      if (signal?.aborted || !isGhcrOptimizeError(err) || err.kind === 'auth' || err.kind === 'network') {
        throw err;
      }
      reject(`payload ${layer.digest}: ${err.message}`);
      continue;
    }
    if (!verifyBytes(opts.key, payloadBytes, Buffer.from(b64, 'base64'))) {
      reject(KEY_MISMATCH);
      continue;
    }
    let payload: SimpleSigning;
    try {
      payload = parsePayload(payloadBytes);
    } catch (err) {
      reject((err as Error).message);
      continue;
    }
    const claimed = payload.critical.image['docker-manifest-digest'];
    if (claimed !== opts.digest) {
      reject(`${ANOTHER_IMAGE}(${claimed})`);
      continue;
    }
    const identity = payload.critical.identity['docker-reference'];
    if (!opts.anyReference && !sameDockerReference(identity, repo.registry, repo.name)) {
      reject(`signed for repository ${identity}`);
      continue;
    }
    const missing = Object.entries(opts.annotations ?? {}).find(([k, v]) => payload.optional?.[k] !== v);
    if (missing) {
      reject(`annotation ${missing[0]} is not "${missing[1]}"`);
      continue;
    }
    verified.push({ layer: i + 1, payloadDigest: layer.digest, signature: b64, payload });
  }

  return { digest: opts.digest, signatureTag: tag, layers: layers.length, verified, rejected };
}

const ANOTHER_IMAGE = 'signed for another image ';
const KEY_MISMATCH = 'the signature does not match the public key';

/**
 * The hint for signatures that were all rejected: the reason that tells the user what to do. A
 * signature made for another digest verified against the key (the digest is checked after the
 * key), so pointing at the key there would send the user the wrong way.
 */
export function rejectionHint(
  rejected: readonly { reason: string }[],
  where: string,
  key: VerificationKey,
): string {
  const keyHint = `check that --key is the public key of the signing key (${key.fingerprint})`;
  if (rejected.some((r) => r.reason === KEY_MISMATCH)) return keyHint;
  if (rejected.some((r) => r.reason.startsWith('signed for repository ')))
    return 'the image was signed under another name; --any-reference accepts that (as cosign does)';
  if (
    rejected.some(
      (r) => r.reason.startsWith(ANOTHER_IMAGE) || r.reason.startsWith("the referrer's subject is sha256:"),
    )
  )
    return `the signature belongs to another digest (the image was re-pushed or the signature copied): sign this digest: ghcr-optimize sign ${where} --key cosign.key`;
  return keyHint;
}

/** The error of a `.sig` check with no valid signature (the messages `verify` has always printed). */
export function tagSignatureError(repo: Repository, check: TagCheck, key: VerificationKey): PolicyError {
  const where = `${repo.registry}/${repo.name}@${check.digest}`;
  if (check.layers === 0) {
    return new PolicyError(`no signatures found for ${where}`, {
      hint: `there is no ${check.signatureTag} signature manifest; sign with "ghcr-optimize sign ${where} --key cosign.key"`,
    });
  }
  const { rejected } = check;
  return new PolicyError(
    `no valid signature for ${where}: ${rejected.length} checked, ${describeRejections(rejected)}`,
    { hint: rejectionHint(rejected, where, key) },
  );
}

/** Verifies the cosign signatures of `opts.digest` in `repo`; PolicyError when none is valid. */
export async function verifyImageSignatures(repo: Repository, opts: VerifyOptions): Promise<VerifyResult> {
  const check = await checkTagSignatures(repo, opts);
  if (check.verified.length === 0) throw tagSignatureError(repo, check, opts.key);
  return {
    digest: check.digest,
    signatureTag: check.signatureTag,
    verified: check.verified,
    rejected: check.rejected,
  };
}

/** Where signatures live: cosign's `sha256-<hex>.sig` tag, or Sigstore bundle referrers. */
export type SignatureMode = 'tag' | 'referrer';
export const SIGNATURE_MODES: readonly SignatureMode[] = ['tag', 'referrer'];

/**
 * verified: at least one valid signature; unsigned: none at all; invalid: signatures, none valid
 * (wrong key, tampered, another image's, …).
 */
export type SignatureStatus = 'verified' | 'unsigned' | 'invalid';

export interface SignatureReport {
  digest: string;
  status: SignatureStatus;
  /** Present when the `.sig` tag was checked. */
  tag?: TagCheck & { status: SignatureStatus };
  /** Present when bundle referrers were checked. */
  referrers?: ReferrerCheck & { status: SignatureStatus };
}

function kindStatus(verified: number, checked: number): SignatureStatus {
  return verified > 0 ? 'verified' : checked > 0 ? 'invalid' : 'unsigned';
}

/**
 * Overall: invalid when a checked kind has signatures but no valid one (a tampered or foreign
 * signature in one place is not excused by a valid one in the other), else verified when one kind
 * is, else unsigned. Within a kind, one valid signature is enough, as with cosign.
 */
export function overallStatus(kinds: readonly SignatureStatus[]): SignatureStatus {
  if (kinds.includes('invalid')) return 'invalid';
  return kinds.includes('verified') ? 'verified' : 'unsigned';
}

/** Checks the signatures of `opts.digest` in the requested places; never throws for a bad signature. */
export async function checkImageSignatures(
  repo: Repository,
  opts: VerifyOptions & { modes?: readonly SignatureMode[] },
): Promise<SignatureReport> {
  const modes = opts.modes ?? SIGNATURE_MODES;
  const report: SignatureReport = { digest: opts.digest, status: 'unsigned' };
  if (modes.includes('tag')) {
    const tag = await checkTagSignatures(repo, opts);
    report.tag = { ...tag, status: kindStatus(tag.verified.length, tag.layers) };
  }
  if (modes.includes('referrer')) {
    const ref = await checkReferrerSignatures(repo, {
      digest: opts.digest,
      key: opts.key,
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    report.referrers = {
      ...ref,
      status: kindStatus(ref.verified.length, ref.verified.length + ref.rejected.length),
    };
  }
  report.status = overallStatus(
    [report.tag?.status, report.referrers?.status].filter((s) => s !== undefined),
  );
  return report;
}

/** No signature at all where `verify` looked: exit 4 (not found), apart from an invalid one (9). */
export class UnsignedError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.NotFound;
  readonly kind = 'unsigned';
}

const KIND_LABEL: Record<SignatureMode, string> = { tag: '.sig tag', referrer: 'Sigstore bundle referrers' };

/** The error `verify` fails with for `report`, or undefined when it is verified. */
export function signatureReportError(
  repo: Repository,
  report: SignatureReport,
  key: VerificationKey,
): GhcrOptimizeError | undefined {
  if (report.status === 'verified') return undefined;
  const where = `${repo.registry}/${repo.name}@${report.digest}`;
  const { tag, referrers } = report;
  if (report.status === 'unsigned') {
    const places = [
      tag ? `no ${tag.signatureTag} signature manifest` : '',
      referrers
        ? `no Sigstore bundle referrer (listed via ${referrers.via === 'api' ? 'the referrers API' : 'the fallback tag'})`
        : '',
    ].filter(Boolean);
    const mode = tag ? '' : ' --mode referrer';
    return new UnsignedError(`no signatures found for ${where}`, {
      hint: `there is ${places.join(' and ')}; sign with "ghcr-optimize sign ${where} --key cosign.key${mode}"`,
    });
  }
  const invalid: { mode: SignatureMode; rejected: readonly { reason: string }[] }[] = [];
  if (tag?.status === 'invalid') invalid.push({ mode: 'tag', rejected: tag.rejected });
  if (referrers?.status === 'invalid') invalid.push({ mode: 'referrer', rejected: referrers.rejected });
  const valid =
    tag?.status === 'verified' ? 'tag' : referrers?.status === 'verified' ? 'referrer' : undefined;
  const describe = (k: (typeof invalid)[number]): string =>
    `${k.rejected.length} checked, ${describeRejections(k.rejected)}`;
  if (valid) {
    const bad = invalid[0]!;
    return new PolicyError(
      `invalid signature for ${where}: ${KIND_LABEL[bad.mode]}: ${describe(bad)} (the ${KIND_LABEL[valid]} signature is valid)`,
      { hint: `remove the invalid signature, or check one place only with --mode ${valid}` },
    );
  }
  if (invalid.length === 1 && invalid[0]!.mode === 'tag') return tagSignatureError(repo, tag!, key);
  const hint = rejectionHint(
    invalid.flatMap((k) => k.rejected),
    where,
    key,
  );
  if (invalid.length === 1)
    return new PolicyError(`no valid signature for ${where}: ${describe(invalid[0]!)}`, { hint });
  return new PolicyError(
    `no valid signature for ${where}: ${invalid.map((k) => `${KIND_LABEL[k.mode]}: ${describe(k)}`).join('; ')}`,
    { hint },
  );
}
