/**
 * go-securesystemslib's `encrypted` format (scrypt + NaCl secretbox in JSON), which wraps cosign's
 * private keys, against the vectors in its own encrypted_test.go.
 */
import { describe, expect, it } from 'vitest';
import {
  DecryptError,
  KDF_STRENGTHS,
  decryptWithPassword,
  encryptWithPassword,
} from '../../../src/sign/encrypted.js';

const PASS = Buffer.from('supersecret');

// encrypted_test.go TestDecrypt: Encrypt("reallyimportant") with Legacy parameters.
const DECRYPT_VECTOR =
  '{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"N9a7x5JFGbrtB2uBR81jPwp0eiLR4A7FV3mjVAQrg1g="},"cipher":{"name":"nacl/secretbox","nonce":"2h8HxMmgRfuYdpswZBQaU3xJ1nkA/5Ik"},"ciphertext":"SEW6sUh0jf2wfdjJGPNS9+bkk2uB+Cxamf32zR8XkQ=="}';

// encrypted_test.go kdfVectors: Marshal("reallyimportant") (the JSON of a Go []byte) per strength.
const KDF_VECTORS = {
  legacy:
    '{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"WO3mVvyTwJ9vwT5/Tk5OW5WPIBUofMjcpEfrLnfY4uA="},"cipher":{"name":"nacl/secretbox","nonce":"tCy7HcTFr4uxv4Nrg/DWmncuZ148U1MX"},"ciphertext":"08n43p5G5yviPEZpO7tPPF4aZQkWiWjkv4taFdhDBA0tamKH4nw="}',
  standard:
    '{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"FhzPOt9/bJG4PTq6lQ6ecG6GzaOuOy/ynG5+yRiFlNs="},"cipher":{"name":"nacl/secretbox","nonce":"aw1ng1jHaDz/tQ7V2gR9O2+IGQ8xJEuE"},"ciphertext":"HycvuLZL4sYH0BrYTh4E/H20VtAW6u5zL5Pr+IBjYLYnCPzDkq8="}',
  owasp:
    '{"kdf":{"name":"scrypt","params":{"N":131072,"r":8,"p":1},"salt":"m38E3kouJTtiheLQN22NQ8DTito5hrjpUIskqcd375k="},"cipher":{"name":"nacl/secretbox","nonce":"Y6PM13yA+o44pE/W1ZBwczeGnTV/m9Zc"},"ciphertext":"6H8sqj1K6B6yDjtH5AQ6lbFigg/C2yDDJc4rYJ79w9aVPImFIPI="}',
} as const;

// encrypted_test.go TestUnsupportedKDFParameters.
const UNSUPPORTED_VECTOR =
  '{"kdf":{"name":"scrypt","params":{"N":99,"r":99,"p":99},"salt":"cZFcQJdwPhPyhU1R4qkl0qVOIjZd4V/7LYYAavq166k="},"cipher":{"name":"nacl/secretbox","nonce":"7vhRS7j0hEPBWV05skAdgLj81AkGeE7U"},"ciphertext":"6WYU/YSXVbYzl/NzaeAzmjLyfFhOOjLc0d8/GFV0aBFdJvyCcXc="}';

async function decryptError(doc: string, password = PASS): Promise<DecryptError> {
  const err = await decryptWithPassword(Buffer.from(doc), password).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DecryptError);
  return err as DecryptError;
}

describe('decryptWithPassword (go-securesystemslib vectors)', () => {
  it('decrypts the TestDecrypt vector', async () => {
    expect((await decryptWithPassword(Buffer.from(DECRYPT_VECTOR), PASS)).toString()).toBe('reallyimportant');
  });

  it.each(Object.entries(KDF_VECTORS))('decrypts the %s-strength vector', async (_name, doc) => {
    // Marshal encrypts json.Marshal([]byte("reallyimportant")): a base64 JSON string.
    const plain = await decryptWithPassword(Buffer.from(doc), PASS);
    expect(JSON.parse(plain.toString()) as string).toBe(Buffer.from('reallyimportant').toString('base64'));
  });

  it('refuses parameters outside the three known sets before running scrypt', async () => {
    const err = await decryptError(UNSUPPORTED_VECTOR);
    expect(err.reason).toBe('parameters');
    expect(err.message).toBe('unsupported scrypt parameters');
  });

  it('reports a wrong password', async () => {
    const err = await decryptError(DECRYPT_VECTOR, Buffer.from('Supersecret'));
    expect(err.reason).toBe('password');
  });

  it('reports a tampered ciphertext as a failed decryption', async () => {
    const doc = JSON.parse(DECRYPT_VECTOR) as { ciphertext: string };
    const bytes = Buffer.from(doc.ciphertext, 'base64');
    bytes[0] = bytes[0]! ^ 0xff;
    doc.ciphertext = bytes.toString('base64');
    expect((await decryptError(JSON.stringify(doc))).reason).toBe('password');
  });

  it('names what is malformed', async () => {
    expect((await decryptError('not json')).message).toMatch(/not JSON/);
    expect((await decryptError(DECRYPT_VECTOR.replace('"scrypt"', '"pbkdf2"'))).message).toBe(
      'unknown kdf name "pbkdf2"',
    );
    expect((await decryptError(DECRYPT_VECTOR.replace('nacl/secretbox', 'aes-gcm'))).message).toBe(
      'unknown cipher name "aes-gcm"',
    );
    expect(
      (await decryptError(DECRYPT_VECTOR.replace('2h8HxMmgRfuYdpswZBQaU3xJ1nkA/5Ik', 'AAAA'))).message,
    ).toBe('incorrect nonce size');
    expect((await decryptError(DECRYPT_VECTOR.replace('SEW6', '!EW6'))).message).toMatch(
      /ciphertext is not base64/,
    );
  });
});

describe('encryptWithPassword', () => {
  it('writes the Go JSON layout with the standard (N=65536) parameters by default', async () => {
    const doc = await encryptWithPassword(Buffer.from('secret'), PASS);
    const text = doc.toString();
    expect(text).toMatch(
      /^\{"kdf":\{"name":"scrypt","params":\{"N":65536,"r":8,"p":1\},"salt":"[A-Za-z0-9+/]{43}="\},"cipher":\{"name":"nacl\/secretbox","nonce":"[A-Za-z0-9+/]{32}"\},"ciphertext":"[A-Za-z0-9+/]+=*"\}$/,
    );
    // 6 bytes of message + 16 of tag.
    expect(Buffer.from((JSON.parse(text) as { ciphertext: string }).ciphertext, 'base64')).toHaveLength(22);
    expect((await decryptWithPassword(doc, PASS)).toString()).toBe('secret');
  });

  it.each(Object.keys(KDF_STRENGTHS) as (keyof typeof KDF_STRENGTHS)[])(
    'round-trips with %s parameters',
    async (strength) => {
      const doc = await encryptWithPassword(Buffer.from('x'), Buffer.alloc(0), strength);
      expect((JSON.parse(doc.toString()) as { kdf: { params: unknown } }).kdf.params).toEqual(
        KDF_STRENGTHS[strength],
      );
      expect((await decryptWithPassword(doc, Buffer.alloc(0))).toString()).toBe('x');
    },
  );

  it('uses a fresh salt and nonce every time', async () => {
    const a = JSON.parse((await encryptWithPassword(Buffer.from('x'), PASS, 'legacy')).toString()) as {
      kdf: { salt: string };
      cipher: { nonce: string };
    };
    const b = JSON.parse(
      (await encryptWithPassword(Buffer.from('x'), PASS, 'legacy')).toString(),
    ) as typeof a;
    expect(a.kdf.salt).not.toBe(b.kdf.salt);
    expect(a.cipher.nonce).not.toBe(b.cipher.nonce);
  });
});
