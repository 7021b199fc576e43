/**
 * Sigstore bundles for image signatures: the statement, the bundle (checked with @sigstore/bundle's
 * validators and @sigstore/verify directly, not only through our checker), every way a bundle can
 * be wrong, and the referrer manifest / fallback index bytes.
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  BUNDLE_V03_MEDIA_TYPE as LIB_V03,
  assertBundleLatest,
  bundleFromJSON,
  bundleToJSON,
  isBundleWithPublicKey,
} from '@sigstore/bundle';
import { MessageSignatureBundleBuilder } from '@sigstore/sign';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  BUNDLE_V03_MEDIA_TYPE,
  COSIGN_SIGN_PREDICATE_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  assertBundleKey,
  buildSignStatement,
  checkSignatureBundle,
  createSignatureBundle,
  keyHint,
  parseStatement,
} from '../../../src/sign/bundle.js';
import { loadPublicKey, signBytes, type SigningKey } from '../../../src/sign/keys.js';
import { encodePem } from '../../../src/sign/pem.js';
import { fallbackIndex } from '../../../src/sign/referrer-push.js';
import { bundleReferrerManifest, rfc3339 } from '../../../src/sign/referrer.js';
import { overallStatus } from '../../../src/sign/verify.js';

const sha256 = (b: Uint8Array | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const DIGEST = sha256('the image');
const OTHER = sha256('another image');

function signingKey(curve = 'prime256v1'): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const pub = loadPublicKey(encodePem('PUBLIC KEY', publicKey.export({ type: 'spki', format: 'der' })));
  return { ...pub, privateKey };
}

const keyA = signingKey();
const keyB = signingKey();

/** @sigstore/verify on its own: the key as the only trust material, nothing else required. */
function sigstoreVerify(json: unknown, publicKey: KeyObject): void {
  const verifier = new Verifier(
    toTrustMaterial(
      { mediaType: '', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] },
      () => ({ publicKey, validFor: () => true }),
    ),
    { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 },
  );
  verifier.verify(toSignedEntity(bundleFromJSON(json)));
}

interface JsonBundle {
  mediaType: string;
  verificationMaterial: Record<string, unknown>;
  dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string; keyid?: string }[] };
}

async function bundleFor(
  key: SigningKey,
  digest = DIGEST,
  annotations?: Record<string, string>,
): Promise<JsonBundle> {
  return (await createSignatureBundle(key, buildSignStatement(digest, annotations))) as unknown as JsonBundle;
}

const bytes = (doc: unknown): Buffer => Buffer.from(JSON.stringify(doc));

describe('the signed statement', () => {
  it('is an in-toto Statement v1 naming the digest, with cosign’s sign predicate', () => {
    const hex = DIGEST.slice(7);
    expect(buildSignStatement(DIGEST).toString()).toBe(
      `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"${hex}"},"annotations":{}}],` +
        '"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}',
    );
    const withAnnotations = JSON.parse(buildSignStatement(DIGEST, { z: '1', a: '2' }).toString()) as {
      subject: { annotations: Record<string, string> }[];
    };
    expect(Object.keys(withAnnotations.subject[0]!.annotations)).toEqual(['a', 'z']);
  });

  it('parses only in-toto statements with subjects', () => {
    expect(() => parseStatement(Buffer.from('nope'))).toThrow('not JSON');
    expect(() => parseStatement(Buffer.from('{"_type":"x"}'))).toThrow('not an in-toto statement');
    expect(() =>
      parseStatement(
        Buffer.from('{"_type":"https://in-toto.io/Statement/v1","predicateType":"p","subject":[]}'),
      ),
    ).toThrow('no subject');
    expect(parseStatement(buildSignStatement(DIGEST)).predicateType).toBe(COSIGN_SIGN_PREDICATE_TYPE);
  });
});

describe('createSignatureBundle', () => {
  it('makes a v0.3 DSSE bundle with a public-key hint that @sigstore/bundle and @sigstore/verify accept', async () => {
    const json = await bundleFor(keyA);
    expect(json.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(json.mediaType).toBe(LIB_V03);
    expect(json.verificationMaterial).toEqual({
      publicKey: { hint: keyHint(keyA) },
      timestampVerificationData: {},
    });
    expect(json.dsseEnvelope.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
    expect(Buffer.from(json.dsseEnvelope.payload, 'base64')).toEqual(buildSignStatement(DIGEST));
    // The hint is sigstore-go's: base64 of the SHA-256 of the PKIX key.
    expect(keyHint(keyA)).toBe(
      createHash('sha256')
        .update(keyA.publicKey.export({ type: 'spki', format: 'der' }))
        .digest('base64'),
    );

    const parsed = bundleFromJSON(json);
    expect(() => assertBundleLatest(parsed)).not.toThrow();
    expect(isBundleWithPublicKey(parsed)).toBe(true);
    expect(bundleToJSON(parsed)).toEqual(json); // a JSON round trip changes nothing
    expect(() => sigstoreVerify(json, keyA.publicKey)).not.toThrow();
    expect(() => sigstoreVerify(json, keyB.publicKey)).toThrow(/signature verification failed/);
  });

  it('refuses keys @sigstore/verify would check with the wrong hash', async () => {
    const p384 = signingKey('secp384r1');
    expect(() => assertBundleKey(p384)).toThrow(UsageError);
    await expect(createSignatureBundle(p384, buildSignStatement(DIGEST))).rejects.toThrow(/SHA-256/);
    expect(() => assertBundleKey(keyA)).not.toThrow();
  });
});

describe('checkSignatureBundle', () => {
  const check = (doc: unknown, opts: Partial<Parameters<typeof checkSignatureBundle>[1]> = {}) =>
    checkSignatureBundle(Buffer.isBuffer(doc) ? doc : bytes(doc), { key: keyA, digest: DIGEST, ...opts });

  it('verifies a good bundle and returns the signed annotations', async () => {
    const result = await check(await bundleFor(keyA, DIGEST, { git_sha: 'abc' }));
    expect(result).toMatchObject({ status: 'verified', annotations: { git_sha: 'abc' } });
    expect(
      await check(await bundleFor(keyA, DIGEST, { git_sha: 'abc' }), { annotations: { git_sha: 'abc' } }),
    ).toMatchObject({ status: 'verified' });
  });

  it('rejects a wrong key, a tampered payload or signature, another digest and a missing annotation', async () => {
    const good = await bundleFor(keyA);
    expect(await check(good, { key: keyB })).toEqual({
      status: 'invalid',
      reason: 'the signature does not match the public key',
    });

    const payload = Buffer.from(good.dsseEnvelope.payload, 'base64');
    const flipped = Buffer.from(payload);
    flipped[flipped.length - 3]! ^= 0x01;
    const tamperedPayload = {
      ...good,
      dsseEnvelope: { ...good.dsseEnvelope, payload: flipped.toString('base64') },
    };
    expect(await check(tamperedPayload)).toMatchObject({
      status: 'invalid',
      reason: 'the signature does not match the public key',
    });

    const sig = Buffer.from(good.dsseEnvelope.signatures[0]!.sig, 'base64');
    sig[sig.length - 1]! ^= 0x01;
    const tamperedSig = {
      ...good,
      dsseEnvelope: {
        ...good.dsseEnvelope,
        signatures: [{ ...good.dsseEnvelope.signatures[0]!, sig: sig.toString('base64') }],
      },
    };
    expect(await check(tamperedSig)).toMatchObject({
      status: 'invalid',
      reason: 'the signature does not match the public key',
    });

    expect(await check(await bundleFor(keyA, OTHER))).toEqual({
      status: 'invalid',
      reason: `signed for another image (${OTHER})`,
    });
    expect(await check(good, { annotations: { env: 'prod' } })).toEqual({
      status: 'invalid',
      reason: 'annotation env is not "prod"',
    });
  });

  it('rejects what is not a v0.3 DSSE key bundle', async () => {
    expect(await check(Buffer.from('{'))).toEqual({ status: 'invalid', reason: 'the bundle is not JSON' });
    expect(await check({ mediaType: BUNDLE_V03_MEDIA_TYPE })).toMatchObject({
      status: 'invalid',
      reason: expect.stringMatching(/^not a valid Sigstore bundle \(.*content/) as unknown,
    });
    const good = await bundleFor(keyA);
    expect(await check({ ...good, mediaType: 'application/vnd.dev.sigstore.bundle.v0.9+json' })).toEqual({
      status: 'invalid',
      reason: 'bundle media type application/vnd.dev.sigstore.bundle.v0.9+json is not v0.3',
    });
    expect(
      await check({ ...good, dsseEnvelope: { ...good.dsseEnvelope, payloadType: 'text/plain' } }),
    ).toMatchObject({
      status: 'invalid',
      reason: "the envelope's payload type is text/plain, not in-toto",
    });

    // A message-signature bundle (cosign sign-blob's kind) signs bytes, not a statement about an image.
    const message = await new MessageSignatureBundleBuilder({
      signer: {
        sign: (data: Buffer) =>
          Promise.resolve({
            signature: signBytes(keyA, data),
            key: { $case: 'publicKey' as const, publicKey: 'unused', hint: keyHint(keyA) },
          }),
      },
      witnesses: [],
    }).create({ data: buildSignStatement(DIGEST) });
    const messageJson = {
      ...(bundleToJSON(message) as Record<string, unknown>),
      mediaType: BUNDLE_V03_MEDIA_TYPE,
    };
    expect(await check(messageJson)).toEqual({
      status: 'invalid',
      reason: 'the bundle holds a message signature, not a DSSE in-toto statement',
    });
  });

  it('skips attestations (another predicate type) rather than calling them invalid', async () => {
    const statement = Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ digest: { sha256: DIGEST.slice(7) } }],
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: {},
      }),
    );
    expect(await check(await createSignatureBundle(keyA, statement))).toEqual({
      status: 'ignored',
      reason: 'an attestation (https://slsa.dev/provenance/v1), not a signature',
    });
  });
});

describe('the referrer manifest and the fallback index', () => {
  const subject = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: DIGEST, size: 321 };
  const bundle = { digest: sha256('bundle'), size: 1234 };

  it('is cosign’s layout: empty config, one bundle layer, subject, artifactType, annotations', () => {
    const created = new Date('2026-03-08T18:18:20.406Z');
    const { bytes: raw, annotations } = bundleReferrerManifest({ subject, bundle, created });
    const m = JSON.parse(raw.toString()) as Record<string, unknown>;
    expect(Object.keys(m)).toEqual([
      'schemaVersion',
      'mediaType',
      'config',
      'layers',
      'annotations',
      'subject',
      'artifactType',
    ]);
    expect(m).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        size: 2,
        digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      },
      layers: [
        {
          mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          size: 1234,
          digest: bundle.digest,
          annotations: {
            'org.opencontainers.image.title': `${bundle.digest.replace(':', '-')}.sigstore.json`,
          },
        },
      ],
      annotations: {
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1',
        'org.opencontainers.image.created': '2026-03-08T18:18:20Z',
      },
      subject,
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    });
    expect(annotations).toEqual(m.annotations);
    expect(rfc3339(new Date(0))).toBe('1970-01-01T00:00:00Z');
  });

  it('creates, appends to and de-duplicates the fallback index, keeping foreign fields', () => {
    const a = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256('a'),
      size: 1,
      artifactType: 'x',
    };
    const b = { ...a, digest: sha256('b') };
    const first = fallbackIndex(undefined, a);
    expect(JSON.parse(first.toString())).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [a],
    });
    const foreign = Buffer.from(
      JSON.stringify({ ...JSON.parse(first.toString()), annotations: { keep: 'me' } }),
    );
    const second = JSON.parse(fallbackIndex(foreign, b).toString()) as {
      manifests: unknown[];
      annotations: unknown;
    };
    expect(second.manifests).toEqual([a, b]);
    expect(second.annotations).toEqual({ keep: 'me' });
    const again = JSON.parse(
      fallbackIndex(Buffer.from(JSON.stringify(second)), { ...a, size: 9 }).toString(),
    ) as {
      manifests: unknown[];
    };
    expect(again.manifests).toEqual([b, { ...a, size: 9 }]);
  });
});

describe('overallStatus', () => {
  it('is invalid when any checked place is, else verified when one is, else unsigned', () => {
    expect(overallStatus(['verified', 'unsigned'])).toBe('verified');
    expect(overallStatus(['verified', 'invalid'])).toBe('invalid');
    expect(overallStatus(['unsigned', 'invalid'])).toBe('invalid');
    expect(overallStatus(['unsigned', 'unsigned'])).toBe('unsigned');
    expect(overallStatus([])).toBe('unsigned');
  });
});
