/**
 * `cosign verify --key` without a transparency log: every layer of the `sha256-<hex>.sig` signature
 * manifest is checked — its payload blob against its digest, the signature annotation against the
 * payload with the public key, and the payload's claims (type, docker-manifest-digest = the image's
 * digest, optional `--annotation` values). Verification succeeds when at least one signature passes,
 * as cosign's does. Unlike cosign, the payload's docker-reference must also name the repository
 * unless `anyReference` is set (cosign never checks it, so signatures survive a copy to another
 * registry; this tool makes accepting that a choice).
 */
import { PolicyError, isGhcrOptimizeError } from '../errors.js';
import { MANIFEST_LIMIT, type Repository } from '../registry/client.js';
import { verifyBytes, type VerificationKey } from './keys.js';
import { parsePayload, sameDockerReference, type SimpleSigning } from './payload.js';
import { SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE, signatureTag } from './signature-image.js';
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

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function describeRejections(rejected: RejectedSignature[]): string {
  const counts = new Map<string, number>();
  for (const r of rejected) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => (n > 1 ? `${reason} (×${n})` : reason)).join('; ');
}

/** Verifies the cosign signatures of `opts.digest` in `repo`; PolicyError when none is valid. */
export async function verifyImageSignatures(repo: Repository, opts: VerifyOptions): Promise<VerifyResult> {
  const { signal } = opts;
  const tag = signatureTag(opts.digest);
  const where = `${repo.registry}/${repo.name}@${opts.digest}`;
  const fetched = await fetchSignatureManifest(repo, tag, signal);
  const layers = fetched?.parsed.kind === 'manifest' ? fetched.parsed.manifest.layers : [];
  if (layers.length === 0) {
    throw new PolicyError(`no signatures found for ${where}`, {
      hint: `there is no ${tag} signature manifest; sign with "ghcr-optimize sign ${repo.registry}/${repo.name}@${opts.digest} --key cosign.key"`,
    });
  }

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
      reject('the signature does not match the public key');
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
      reject(`signed for another image (${claimed})`);
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

  if (verified.length === 0) {
    const foreignRepo = rejected.some((r) => r.reason.startsWith('signed for repository '));
    throw new PolicyError(
      `no valid signature for ${where}: ${rejected.length} checked, ${describeRejections(rejected)}`,
      {
        hint: foreignRepo
          ? 'the image was signed under another name; --any-reference accepts that (as cosign does)'
          : `check that --key is the public key of the signing key (${opts.key.fingerprint})`,
      },
    );
  }
  return { digest: opts.digest, signatureTag: tag, verified, rejected };
}
