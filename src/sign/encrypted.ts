/**
 * The password protection of cosign's private keys: go-securesystemslib's `encrypted` package.
 * A JSON document
 *
 *   {"kdf":{"name":"scrypt","params":{"N":…,"r":8,"p":1},"salt":"<base64>"},
 *    "cipher":{"name":"nacl/secretbox","nonce":"<base64>"},"ciphertext":"<base64>"}
 *
 * where scrypt(password, salt) gives the 32-byte secretbox key. Decryption accepts exactly the three
 * parameter sets the Go package accepts (anything else could be a denial of service); encryption
 * uses its current default, "standard" (N = 2^16).
 */
import { randomBytes, scrypt as scryptCallback } from 'node:crypto';
import { secretboxOpen, secretboxSeal } from './secretbox.js';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** go-securesystemslib's KDFParameterStrength levels. */
export const KDF_STRENGTHS = {
  /** N = 2^15: what cosign wrote before go-securesystemslib 0.8 (cosign ≤ 2.2). */
  legacy: { N: 32768, r: 8, p: 1 },
  /** N = 2^16: the package default, written by current cosign. */
  standard: { N: 65536, r: 8, p: 1 },
  /** N = 2^17: OWASP's recommendation. */
  owasp: { N: 131072, r: 8, p: 1 },
} as const satisfies Record<string, ScryptParams>;

export type KdfStrength = keyof typeof KDF_STRENGTHS;

const SALT_BYTES = 32;
const NONCE_BYTES = 24;
const KEY_BYTES = 32;

/** Why decryption failed: the caller decides how to phrase it for its users. */
export class DecryptError extends Error {
  constructor(
    readonly reason: 'format' | 'parameters' | 'password',
    message: string,
  ) {
    super(message);
    this.name = 'DecryptError';
  }
}

function scryptKey(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  // Node refuses more than 32 MiB by default; scrypt needs 128·N·r bytes (128 MiB for OWASP).
  const maxmem = 128 * params.N * params.r * params.p + 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, KEY_BYTES, { ...params, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Encrypts `plaintext` under `password`; the JSON bytes Go's json.Marshal would produce. */
export async function encryptWithPassword(
  plaintext: Uint8Array,
  password: Uint8Array,
  strength: KdfStrength = 'standard',
): Promise<Buffer> {
  const params = KDF_STRENGTHS[strength];
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const key = await scryptKey(password, salt, params);
  const ciphertext = secretboxSeal(plaintext, nonce, key);
  key.fill(0);
  // Field order and names follow the Go structs; base64 is the standard alphabet with padding.
  return Buffer.from(
    JSON.stringify({
      kdf: {
        name: 'scrypt',
        params: { N: params.N, r: params.r, p: params.p },
        salt: salt.toString('base64'),
      },
      cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
      ciphertext: ciphertext.toString('base64'),
    }),
  );
}

function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

function base64Field(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw new DecryptError('format', `${what} is not base64`);
  }
  return Buffer.from(value, 'base64');
}

/** The plaintext of an encrypted document; DecryptError when it is malformed or the password is wrong. */
export async function decryptWithPassword(document: Uint8Array, password: Uint8Array): Promise<Buffer> {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(document).toString('utf8'));
  } catch {
    throw new DecryptError('format', 'the encrypted key is not JSON');
  }
  const kdf = field(doc, 'kdf');
  const cipher = field(doc, 'cipher');
  if (field(kdf, 'name') !== 'scrypt') {
    throw new DecryptError('format', `unknown kdf name ${JSON.stringify(field(kdf, 'name') ?? null)}`);
  }
  if (field(cipher, 'name') !== 'nacl/secretbox') {
    throw new DecryptError('format', `unknown cipher name ${JSON.stringify(field(cipher, 'name') ?? null)}`);
  }
  const raw = field(kdf, 'params');
  const params = { N: field(raw, 'N'), r: field(raw, 'r'), p: field(raw, 'p') };
  const known = Object.values(KDF_STRENGTHS).find(
    (k) => k.N === params.N && k.r === params.r && k.p === params.p,
  );
  if (!known) throw new DecryptError('parameters', 'unsupported scrypt parameters');
  const salt = base64Field(field(kdf, 'salt'), 'the salt');
  const nonce = base64Field(field(cipher, 'nonce'), 'the nonce');
  const ciphertext = base64Field(field(doc, 'ciphertext'), 'the ciphertext');
  if (nonce.length !== NONCE_BYTES) throw new DecryptError('format', 'incorrect nonce size');
  const key = await scryptKey(password, salt, known);
  const plaintext = secretboxOpen(ciphertext, nonce, key);
  key.fill(0);
  if (!plaintext) throw new DecryptError('password', 'decryption failed');
  return plaintext;
}
