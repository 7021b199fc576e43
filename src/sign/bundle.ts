/**
 * The Sigstore bundle cosign 2.4+ (`--new-bundle-format`, the default in cosign 3) signs an image
 * with: a DSSE envelope around an in-toto Statement v1 whose one subject is the image's manifest
 * digest, predicateType `https://sigstore.dev/cosign/sign/v1` and an empty predicate, packed in a
 * bundle v0.3 whose verification material is a public-key hint (no certificate, no Rekor entry,
 * no timestamp: key-based and offline). Built with @sigstore/sign, checked with @sigstore/bundle's
 * validators and @sigstore/verify, so any sigstore client can check what we write.
 *
 * @sigstore/verify checks signatures with the key type's default hash (SHA-256 for ECDSA and RSA),
 * so bundles are made and checked for keys that sign with SHA-256 (P-256, RSA); a P-384/P-521
 * key is refused rather than producing a bundle no sigstore verifier accepts.
 */
import { createHash } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import { UsageError } from '../errors.js';
import { parseDigest } from '../oci/digest.js';
import { signBytes, type SigningKey, type VerificationKey } from './keys.js';

export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** The spelling of v0.3 used before the `.v0.3+json` form; still a v0.3 bundle. */
const BUNDLE_V03_LEGACY_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.3';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
const IN_TOTO_STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';

/** A bundle as JSON (the protobuf-specs JSON mapping), as stored in the registry. */
export type BundleJson = Record<string, unknown>;

export interface StatementSubject {
  name?: string;
  digest: Record<string, string>;
  annotations?: Record<string, unknown>;
}

export interface SignStatement {
  _type: string;
  subject: StatementSubject[];
  predicateType: string;
  predicate?: unknown;
}

export type BundleCheck =
  | { status: 'verified'; statement: SignStatement; annotations: Record<string, unknown> }
  | { status: 'invalid'; reason: string }
  /** A bundle that is not an image signature (an attestation with another predicate type). */
  | { status: 'ignored'; reason: string };

/** sigstore's key hint: base64 of the SHA-256 of the PKIX public key, as sigstore-go writes it. */
export function keyHint(key: VerificationKey): string {
  return createHash('sha256')
    .update(key.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}

/** Refuses keys whose signatures a sigstore verifier would check with the wrong hash. */
export function assertBundleKey(key: VerificationKey): void {
  if (key.hash !== 'sha256') {
    throw new UsageError(
      `Sigstore bundles need a key that signs with SHA-256; this is an ${key.description} key`,
      {
        hint: 'use an ECDSA P-256 key (generate-key-pair) or the cosign .sig tag mode (--mode tag)',
      },
    );
  }
}

/**
 * The statement cosign signs for `digest`: in protojson field order, the `--annotation` pairs as
 * the subject's annotations (keys sorted, as a protobuf Struct prints them).
 */
export function buildSignStatement(digest: string, annotations?: Record<string, string>): Buffer {
  const { algorithm, hex } = parseDigest(digest);
  const sorted = Object.fromEntries(Object.entries(annotations ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
  const statement: SignStatement = {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ digest: { [algorithm]: hex }, annotations: sorted }],
    predicateType: COSIGN_SIGN_PREDICATE_TYPE,
    predicate: {},
  };
  return Buffer.from(JSON.stringify(statement));
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses an in-toto statement; throws an Error whose message is the reason it is not one. */
export function parseStatement(bytes: Uint8Array): SignStatement {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new Error('the signed payload is not JSON');
  }
  if (!isRecord(doc)) throw new Error('the signed payload is not an in-toto statement');
  if (doc._type !== IN_TOTO_STATEMENT_V1 && doc._type !== IN_TOTO_STATEMENT_V01) {
    throw new Error(`the signed payload is not an in-toto statement (_type ${JSON.stringify(doc._type)})`);
  }
  if (typeof doc.predicateType !== 'string') throw new Error('the statement has no predicateType');
  const subjects = doc.subject;
  if (!Array.isArray(subjects) || subjects.length === 0) throw new Error('the statement has no subject');
  for (const s of subjects) {
    if (!isRecord(s) || !isRecord(s.digest) || !Object.values(s.digest).every((v) => typeof v === 'string')) {
      throw new Error('a statement subject has no digest map');
    }
    if (s.annotations !== undefined && !isRecord(s.annotations)) {
      throw new Error('a statement subject has malformed annotations');
    }
  }
  return doc as unknown as SignStatement;
}

/** The subject of `statement` naming `digest`, if any. */
export function subjectFor(statement: SignStatement, digest: string): StatementSubject | undefined {
  const { algorithm, hex } = parseDigest(digest);
  return statement.subject.find((s) => s.digest[algorithm] === hex);
}

/** Signs `statement` into a bundle v0.3 (DSSE, public-key hint, no tlog or timestamps). */
export async function createSignatureBundle(key: SigningKey, statement: Uint8Array): Promise<BundleJson> {
  assertBundleKey(key);
  const [{ DSSEBundleBuilder }, { bundleToJSON }] = await Promise.all([
    import('@sigstore/sign'),
    import('@sigstore/bundle'),
  ]);
  const publicKeyPem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const hint = keyHint(key);
  const builder = new DSSEBundleBuilder({
    signer: {
      // The signer sees the DSSE pre-authentication encoding, never the raw statement.
      sign: (data: Buffer) =>
        Promise.resolve({
          signature: signBytes(key, data),
          key: { $case: 'publicKey' as const, publicKey: publicKeyPem, hint },
        }),
    },
    witnesses: [],
  });
  const bundle = await builder.create({ data: Buffer.from(statement), type: IN_TOTO_PAYLOAD_TYPE });
  if (bundle.mediaType !== BUNDLE_V03_MEDIA_TYPE) {
    // @sigstore/bundle picks v0.3 for public-key material; anything else would be a library change.
    throw new Error(`@sigstore/sign produced a ${bundle.mediaType} bundle, expected v0.3`);
  }
  return bundleToJSON(bundle);
}

function invalid(reason: string): BundleCheck {
  return { status: 'invalid', reason };
}

/**
 * Checks one bundle against `key` as a signature of `digest`: structure (@sigstore/bundle), the
 * DSSE signature (@sigstore/verify with the key as the only trust material and no tlog,
 * certificate-log or timestamp requirement), then the statement's claims: cosign's sign predicate,
 * a subject naming the digest, and any required annotations.
 */
export async function checkSignatureBundle(
  bytes: Uint8Array,
  opts: { key: VerificationKey; digest: string; annotations?: Record<string, string> },
): Promise<BundleCheck> {
  const [{ bundleFromJSON }, { Verifier, toSignedEntity, toTrustMaterial }] = await Promise.all([
    import('@sigstore/bundle'),
    import('@sigstore/verify'),
  ]);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return invalid('the bundle is not JSON');
  }
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (err) {
    const fields = (err as { fields?: string[] }).fields;
    return invalid(`not a valid Sigstore bundle${fields?.length ? ` (${fields.join(', ')})` : ''}`);
  }
  if (bundle.mediaType !== BUNDLE_V03_MEDIA_TYPE && bundle.mediaType !== BUNDLE_V03_LEGACY_MEDIA_TYPE) {
    return invalid(`bundle media type ${bundle.mediaType} is not v0.3`);
  }
  if (bundle.content.$case !== 'dsseEnvelope') {
    return invalid('the bundle holds a message signature, not a DSSE in-toto statement');
  }
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return invalid(`the envelope's payload type is ${envelope.payloadType}, not in-toto`);
  }
  let statement: SignStatement | undefined;
  let statementError = '';
  try {
    statement = parseStatement(envelope.payload);
  } catch (err) {
    statementError = (err as Error).message;
  }
  // Attestations share the bundle media type; only cosign's sign predicate is a signature. This is
  // decided on the unverified payload: a forged predicate type can only hide a signature, and an
  // image with nothing else valid is then unsigned, which fails verification all the same.
  if (statement && statement.predicateType !== COSIGN_SIGN_PREDICATE_TYPE) {
    return { status: 'ignored', reason: `an attestation (${statement.predicateType}), not a signature` };
  }
  if (bundle.verificationMaterial.content.$case !== 'publicKey') {
    return invalid('signed with a certificate (keyless), not with a key');
  }
  if (opts.key.hash !== 'sha256') {
    return invalid(`an ${opts.key.description} key cannot check a Sigstore bundle (SHA-256 only)`);
  }
  const { publicKey } = opts.key;
  const verifier = new Verifier(
    toTrustMaterial(
      { mediaType: '', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] },
      // The hint is unauthenticated: the given key is the only candidate, whatever the bundle names.
      () => ({ publicKey, validFor: () => true }),
    ),
    { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 },
  );
  try {
    verifier.verify(toSignedEntity(bundle));
  } catch (err) {
    const code = (err as { code?: string }).code;
    return invalid(
      code === 'SIGNATURE_ERROR'
        ? 'the signature does not match the public key'
        : `verification failed: ${(err as Error).message}`,
    );
  }
  if (!statement) return invalid(statementError);
  const subject = subjectFor(statement, opts.digest);
  if (!subject) {
    const claimed = statement.subject
      .flatMap((s) => Object.entries(s.digest).map(([alg, hex]) => `${alg}:${hex}`))
      .join(', ');
    return invalid(`signed for another image (${claimed})`);
  }
  const annotations = subject.annotations ?? {};
  const missing = Object.entries(opts.annotations ?? {}).find(([k, v]) => annotations[k] !== v);
  if (missing) return invalid(`annotation ${missing[0]} is not "${missing[1]}"`);
  return { status: 'verified', statement, annotations };
}
