/** Key pairs in cosign's file format: generation, loading, signing, and the errors users meet. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { encryptWithPassword } from '../../../src/sign/encrypted.js';
import {
  generateKeyPair,
  loadPrivateKey,
  loadPublicKey,
  signBytes,
  verifyBytes,
} from '../../../src/sign/keys.js';
import { decodePem, encodePem } from '../../../src/sign/pem.js';

const PASS = Buffer.from('correct horse');

/** The UsageError a promise rejects with, or a function throws. */
async function usageError(p: Promise<unknown> | (() => unknown)): Promise<UsageError> {
  const pending = typeof p === 'function' ? Promise.resolve().then(p) : p;
  const err: unknown = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return err as UsageError;
}

describe('PEM', () => {
  it('writes 64-column lines and a final newline, like pem.EncodeToMemory', () => {
    const pem = encodePem('TEST', Buffer.alloc(100, 1));
    const lines = pem.split('\n');
    expect(lines[0]).toBe('-----BEGIN TEST-----');
    expect(lines[1]).toHaveLength(64);
    expect(lines[3]).toHaveLength(8); // 100 bytes: 136 base64 characters
    expect(lines[4]).toBe('-----END TEST-----');
    expect(pem.endsWith('-----\n')).toBe(true);
    expect(decodePem(pem)).toEqual({ type: 'TEST', bytes: Buffer.alloc(100, 1) });
  });

  it('skips text before the block and reads CRLF files', () => {
    const pem = `comment\r\n${encodePem('A B', Buffer.from('hi')).replace(/\n/g, '\r\n')}`;
    expect(decodePem(pem)).toEqual({ type: 'A B', bytes: Buffer.from('hi') });
  });

  it('returns undefined for no block, an unterminated block, bad base64 or RFC 1421 headers', () => {
    expect(decodePem('nothing here')).toBeUndefined();
    expect(decodePem('-----BEGIN X-----\naGk=\n')).toBeUndefined();
    expect(decodePem('-----BEGIN X-----\na*Gk=\n-----END X-----\n')).toBeUndefined();
    expect(decodePem('-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n\naGk=\n-----END X-----\n')).toBeUndefined();
  });
});

describe('generateKeyPair', () => {
  it('writes an ENCRYPTED SIGSTORE PRIVATE KEY and a PKIX PUBLIC KEY that belong together', async () => {
    const pair = await generateKeyPair(PASS);
    expect(pair.privateKeyPem).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
    expect(pair.privateKeyPem).toMatch(/\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n$/);
    expect(pair.publicKeyPem).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/,
    );
    const inner = JSON.parse(decodePem(pair.privateKeyPem)!.bytes.toString()) as Record<string, unknown>;
    expect(Object.keys(inner)).toEqual(['kdf', 'cipher', 'ciphertext']);
    expect(inner.kdf).toMatchObject({ name: 'scrypt', params: { N: 65536, r: 8, p: 1 } });

    const key = await loadPrivateKey(pair.privateKeyPem, PASS);
    const pub = loadPublicKey(pair.publicKeyPem);
    expect(key.description).toBe('ECDSA P-256');
    expect(key.fingerprint).toBe(pub.fingerprint);
    expect(pair.fingerprint).toBe(pub.fingerprint);
    // The public key PEM is exactly the SPKI of the private key, as cosign's cryptoutils writes it.
    expect(pair.publicKeyPem).toBe(key.publicKey.export({ type: 'spki', format: 'pem' }));
  });

  it('accepts an empty password, as cosign does', async () => {
    const pair = await generateKeyPair(Buffer.alloc(0));
    await expect(loadPrivateKey(pair.privateKeyPem, Buffer.alloc(0))).resolves.toMatchObject({
      description: 'ECDSA P-256',
    });
  });
});

describe('loadPrivateKey', () => {
  it('refuses a wrong password with a hint about COSIGN_PASSWORD', async () => {
    const pair = await generateKeyPair(PASS);
    const err = await usageError(loadPrivateKey(pair.privateKeyPem, Buffer.from('wrong'), 'cosign.key'));
    expect(err.message).toBe('cosign.key: cannot decrypt the key: wrong password');
    expect(err.hint).toMatch(/COSIGN_PASSWORD/);
  });

  it('refuses a public key, an unencrypted key and non-PEM input, naming the problem', async () => {
    const pair = await generateKeyPair(PASS);
    expect((await usageError(loadPrivateKey(pair.publicKeyPem, PASS))).hint).toMatch(/public key/);
    const plain = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect((await usageError(loadPrivateKey(plain, PASS))).message).toMatch(
      /unsupported PEM type "PRIVATE KEY"/,
    );
    expect((await usageError(loadPrivateKey('hello', PASS))).message).toMatch(/not a PEM file/);
  });

  it('loads RSA keys (PKCS #1 v1.5 with SHA-256, like sigstore) and refuses Ed25519', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const rsaPem = encodePem(
      'ENCRYPTED COSIGN PRIVATE KEY',
      await encryptWithPassword(rsa.export({ type: 'pkcs8', format: 'der' }), PASS, 'legacy'),
    );
    const key = await loadPrivateKey(rsaPem, PASS);
    expect(key).toMatchObject({ description: 'RSA 2048', hash: 'sha256' });
    expect(verifyBytes(key, Buffer.from('m'), signBytes(key, Buffer.from('m')))).toBe(true);

    const ed = generateKeyPairSync('ed25519').privateKey;
    const edPem = encodePem(
      'ENCRYPTED SIGSTORE PRIVATE KEY',
      await encryptWithPassword(ed.export({ type: 'pkcs8', format: 'der' }), PASS, 'legacy'),
    );
    expect((await usageError(loadPrivateKey(edPem, PASS))).hint).toMatch(/Ed25519ph/);
  });

  it('uses SHA-384 for P-384 keys', async () => {
    const k = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    const pem = encodePem(
      'ENCRYPTED SIGSTORE PRIVATE KEY',
      await encryptWithPassword(k.export({ type: 'pkcs8', format: 'der' }), PASS, 'legacy'),
    );
    expect(await loadPrivateKey(pem, PASS)).toMatchObject({ description: 'ECDSA P-384', hash: 'sha384' });
  });
});

describe('loadPublicKey', () => {
  it('refuses a private key and garbage', async () => {
    const pair = await generateKeyPair(PASS);
    expect((await usageError(() => loadPublicKey(pair.privateKeyPem, 'k.pub'))).message).toBe(
      'k.pub: expected a "PUBLIC KEY" PEM block, found "ENCRYPTED SIGSTORE PRIVATE KEY"',
    );
    expect(
      (await usageError(() => loadPublicKey(encodePem('PUBLIC KEY', Buffer.from('junk'))))).message,
    ).toMatch(/not a valid PKIX public key/);
  });

  it('refuses curves cosign does not allow', async () => {
    const pub = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey;
    const pem = encodePem('PUBLIC KEY', pub.export({ type: 'spki', format: 'der' }));
    expect((await usageError(() => loadPublicKey(pem))).message).toMatch(/curve secp256k1 is not supported/);
  });
});

describe('signBytes / verifyBytes', () => {
  it('makes DER ECDSA signatures that verify only for the same data and key', async () => {
    const a = await loadPrivateKey((await generateKeyPair(PASS)).privateKeyPem, PASS);
    const b = await loadPrivateKey((await generateKeyPair(PASS)).privateKeyPem, PASS);
    const sig = signBytes(a, Buffer.from('payload'));
    expect(sig[0]).toBe(0x30); // ASN.1 SEQUENCE
    expect(verifyBytes(a, Buffer.from('payload'), sig)).toBe(true);
    expect(verifyBytes(a, Buffer.from('payloaD'), sig)).toBe(false);
    expect(verifyBytes(b, Buffer.from('payload'), sig)).toBe(false);
    expect(verifyBytes(a, Buffer.from('payload'), Buffer.from('not a signature'))).toBe(false);
  });
});
