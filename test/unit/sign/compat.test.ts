/**
 * Compatibility with what the real cosign writes, from recorded artefacts (see
 * test/fixtures/cosign/README.md for their sources): cosign-made encrypted keys decrypt, and
 * signatures cosign stored for real images verify with our code — and altered ones do not.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { decodePem } from '../../../src/sign/pem.js';
import { loadPrivateKey, loadPublicKey, signBytes, verifyBytes } from '../../../src/sign/keys.js';
import { buildPayload, parsePayload } from '../../../src/sign/payload.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'cosign');
const fixture = (p: string): string => readFileSync(join(FIXTURES, p), 'utf8');

function scryptN(pem: string): number {
  const doc = JSON.parse(decodePem(pem)!.bytes.toString()) as { kdf: { params: { N: number } } };
  return doc.kdf.params.N;
}

/** `cosign download signature` output: one entry per layer of the .sig manifest. */
interface DownloadedSignature {
  Base64Signature: string;
  Payload: string;
}

describe('encrypted private keys written by cosign', () => {
  it.each([
    ['cosign/sigstore-hello.key', 'hello', 32768, 'ENCRYPTED SIGSTORE PRIVATE KEY'],
    ['cosign/cosign-pemtype-hello.key', 'hello', 32768, 'ENCRYPTED COSIGN PRIVATE KEY'],
    ['sigstore-rs/cosign_generated_encrypted_empty_private.key', '', 65536, 'ENCRYPTED SIGSTORE PRIVATE KEY'],
    ['dangerzone/dangerzone-testing.key', 'password', 65536, 'ENCRYPTED SIGSTORE PRIVATE KEY'],
  ])('%s decrypts (password %j, N=%i) to a usable ECDSA P-256 key', async (file, password, n, type) => {
    const pem = fixture(file);
    expect(decodePem(pem)!.type).toBe(type);
    expect(scryptN(pem)).toBe(n);
    const key = await loadPrivateKey(pem, Buffer.from(password), file);
    expect(key.description).toBe('ECDSA P-256');
    const sig = signBytes(key, Buffer.from('payload'));
    expect(verifyBytes(key, Buffer.from('payload'), sig)).toBe(true);
  });

  it('refuses them with a wrong password', async () => {
    await expect(loadPrivateKey(fixture('cosign/sigstore-hello.key'), Buffer.from('hello!'))).rejects.toThrow(
      /wrong password/,
    );
    await expect(
      loadPrivateKey(fixture('sigstore-rs/cosign_generated_encrypted_empty_private.key'), Buffer.from(' ')),
    ).rejects.toThrow(/wrong password/);
  });

  it('refuses a SEC 1 key inside the envelope, as cosign does ("use ParseECPrivateKey instead")', async () => {
    const err: unknown = await loadPrivateKey(
      fixture('cosign/cosign-ec-sec1-hello.key'),
      Buffer.from('hello'),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(/not a PKCS #8 private key/);
  });
});

describe('signatures made by cosign sign --key', () => {
  const dangerzoneKey = loadPublicKey(fixture('dangerzone/test.pub.key'));
  const dir = join(FIXTURES, 'dangerzone', 'signatures');
  const files = readdirSync(dir);

  it.each(files.filter((f) => f.startsWith('valid-')))('%s verifies', (file) => {
    const digest = `sha256:${/^valid-([0-9a-f]{64})\.json$/.exec(file)![1]}`;
    const sigs = JSON.parse(readFileSync(join(dir, file), 'utf8')) as DownloadedSignature[];
    expect(sigs.length).toBeGreaterThan(0);
    for (const s of sigs) {
      const payload = Buffer.from(s.Payload, 'base64');
      expect(verifyBytes(dangerzoneKey, payload, Buffer.from(s.Base64Signature, 'base64'))).toBe(true);
      const parsed = parsePayload(payload);
      expect(parsed.critical.image['docker-manifest-digest']).toBe(digest);
      // And cosign's payload is exactly the one we would build for the same image.
      expect(buildPayload(parsed.critical.identity['docker-reference'], digest)).toEqual(payload);
    }
  });

  it.each(files.filter((f) => f.startsWith('tampered-')))('%s does not verify', (file) => {
    const sigs = JSON.parse(readFileSync(join(dir, file), 'utf8')) as DownloadedSignature[];
    for (const s of sigs) {
      const payload = Buffer.from(s.Payload, 'base64');
      expect(verifyBytes(dangerzoneKey, payload, Buffer.from(s.Base64Signature, 'base64'))).toBe(false);
    }
  });

  it("verifies dangerzone's published production signature with its published key", () => {
    // crane manifest ghcr.io/freedomofpress/dangerzone/v1:sha256-7396780b….sig, and the key in its Rekor entry.
    const key = loadPublicKey(
      '-----BEGIN PUBLIC KEY-----\n' +
        'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE3CUlnwh825Z5wQAJV6TekEi6bCK2\n' +
        'YvAg7A+aeerM5hvc4CCCJFBae5AjnsjGHv4V/3xzssck6e51W+b0jU4qVw==\n' +
        '-----END PUBLIC KEY-----\n',
    );
    const payload = buildPayload(
      'ghcr.io/freedomofpress/dangerzone/v1',
      'sha256:7396780b5862cf8b37527854a2a2331e5c746b6a71aa1f424258c3bfaf3a1bd7',
    );
    const signature = Buffer.from(
      'MEQCIAQScnT03MVfmxjYyW5qAmvQ6TSoukPuw0HmSVlMBwYEAiAzGb76cvDb4CHJ+H6tD00bW1Sh1CK6opaRmI2ist4p2A==',
      'base64',
    );
    expect(verifyBytes(key, payload, signature)).toBe(true);
    expect(verifyBytes(dangerzoneKey, payload, signature)).toBe(false);
  });

  it("verifies sigstore-rs's recorded key-based cosign signature", () => {
    // sigstore-rs src/cosign/signature_layers.rs, build_correct_signature_layer_without_bundle().
    const key = loadPublicKey(
      '-----BEGIN PUBLIC KEY-----\n' +
        'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENptdY/l3nB0yqkXLBWkZWQwo6+cu\n' +
        'OSWS1X9vPavpiQOoTTGC0xX57OojUadxF1cdQmrsiReWg2Wn4FneJfa8xw==\n' +
        '-----END PUBLIC KEY-----\n',
    );
    const payload = buildPayload(
      'registry-testing.svc.lan/busybox',
      'sha256:f3cfc9d0dbf931d3db4685ec659b7ac68e2a578219da4aae65427886e649b06b',
    );
    const signature = Buffer.from(
      'MEUCIQD6q/COgzOyW0YH1Dk+CCYSt4uAhm3FDHUwvPI55zwnlwIgE0ZK58ZOWpZw8YVmBapJhBqCfdPekIknimuO0xH8Jh8=',
      'base64',
    );
    expect(verifyBytes(key, payload, signature)).toBe(true);
  });
});
