/**
 * cosign's key files. `cosign.key` is a PEM block of type "ENCRYPTED SIGSTORE PRIVATE KEY" (or the
 * older "ENCRYPTED COSIGN PRIVATE KEY") whose bytes are go-securesystemslib's encrypted JSON around a
 * PKCS #8 DER private key; `cosign.pub` is a PKIX "PUBLIC KEY" PEM block. New keys are ECDSA P-256,
 * as `cosign generate-key-pair` makes them. Signing and verification pick the hash the way sigstore's
 * LoadDefaultSignerVerifier does: SHA-256 for P-256 and RSA (PKCS #1 v1.5), SHA-384 for P-384,
 * SHA-512 for P-521.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { UsageError } from '../errors.js';
import { DecryptError, decryptWithPassword, encryptWithPassword, type KdfStrength } from './encrypted.js';
import { decodePem, encodePem } from './pem.js';

export const SIGSTORE_PRIVATE_KEY_PEM_TYPE = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_PRIVATE_KEY_PEM_TYPE = 'ENCRYPTED COSIGN PRIVATE KEY';
export const PUBLIC_KEY_PEM_TYPE = 'PUBLIC KEY';

export type SignatureHash = 'sha256' | 'sha384' | 'sha512';

/** A public key and the hash its signatures use. */
export interface VerificationKey {
  publicKey: KeyObject;
  hash: SignatureHash;
  /** "ECDSA P-256", "RSA 3072", … for messages. */
  description: string;
  /** sha256 of the PKIX (SubjectPublicKeyInfo) DER: the same for the .key and the .pub of a pair. */
  fingerprint: string;
}

export interface SigningKey extends VerificationKey {
  privateKey: KeyObject;
}

export interface GeneratedKeyPair {
  /** The contents of cosign.key. */
  privateKeyPem: string;
  /** The contents of cosign.pub. */
  publicKeyPem: string;
  fingerprint: string;
}

const CURVES: Record<string, { name: string; hash: SignatureHash }> = {
  prime256v1: { name: 'P-256', hash: 'sha256' },
  secp384r1: { name: 'P-384', hash: 'sha384' },
  secp521r1: { name: 'P-521', hash: 'sha512' },
};

function describeKey(publicKey: KeyObject, what: string): Omit<VerificationKey, 'publicKey'> {
  const fingerprint = `sha256:${createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')}`;
  const type = publicKey.asymmetricKeyType;
  const details = publicKey.asymmetricKeyDetails ?? {};
  if (type === 'ec') {
    const curve = CURVES[details.namedCurve ?? ''];
    if (!curve) {
      throw new UsageError(`${what}: ECDSA curve ${details.namedCurve ?? '(unknown)'} is not supported`, {
        hint: 'cosign keys use P-256 (also accepted: P-384, P-521)',
      });
    }
    return { hash: curve.hash, description: `ECDSA ${curve.name}`, fingerprint };
  }
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < 2048 || bits > 4096) {
      throw new UsageError(`${what}: RSA key size ${bits} is not supported (2048 to 4096 bits)`);
    }
    return { hash: 'sha256', description: `RSA ${bits}`, fingerprint };
  }
  throw new UsageError(`${what}: ${type ?? 'unknown'} keys are not supported`, {
    hint:
      type === 'ed25519'
        ? 'cosign signs with Ed25519ph, which node:crypto lacks; use an ECDSA P-256 key (generate-key-pair)'
        : 'use an ECDSA P-256 key (generate-key-pair)',
  });
}

/** A new ECDSA P-256 key pair, the private key encrypted under `password` (which may be empty). */
export async function generateKeyPair(
  password: Uint8Array,
  opts: { strength?: KdfStrength } = {},
): Promise<GeneratedKeyPair> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  try {
    const encrypted = await encryptWithPassword(pkcs8, password, opts.strength);
    return {
      privateKeyPem: encodePem(SIGSTORE_PRIVATE_KEY_PEM_TYPE, encrypted),
      publicKeyPem: encodePem(PUBLIC_KEY_PEM_TYPE, publicKey.export({ type: 'spki', format: 'der' })),
      fingerprint: describeKey(publicKey, 'new key').fingerprint,
    };
  } finally {
    pkcs8.fill(0);
  }
}

/** Decrypts a cosign private key file; `what` names it in errors (usually its path). */
export async function loadPrivateKey(
  text: string | Uint8Array,
  password: Uint8Array,
  what = 'private key',
): Promise<SigningKey> {
  const block = decodePem(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'));
  if (!block) throw new UsageError(`${what}: not a PEM file`, { hint: 'give the cosign.key file' });
  if (block.type !== SIGSTORE_PRIVATE_KEY_PEM_TYPE && block.type !== COSIGN_PRIVATE_KEY_PEM_TYPE) {
    throw new UsageError(`${what}: unsupported PEM type "${block.type}"`, {
      hint:
        block.type === PUBLIC_KEY_PEM_TYPE
          ? 'that is a public key; signing needs the private key (cosign.key)'
          : `expected "${SIGSTORE_PRIVATE_KEY_PEM_TYPE}" as written by generate-key-pair or cosign`,
    });
  }
  let der: Buffer;
  try {
    der = await decryptWithPassword(block.bytes, password);
  } catch (err) {
    if (!(err instanceof DecryptError)) throw err;
    if (err.reason === 'password') {
      throw new UsageError(`${what}: cannot decrypt the key: wrong password`, {
        hint: 'set COSIGN_PASSWORD to the password the key was created with (it may be empty)',
      });
    }
    throw new UsageError(`${what}: cannot decrypt the key: ${err.message}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new UsageError(`${what}: the decrypted key is not a PKCS #8 private key`);
  } finally {
    der.fill(0);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, ...describeKey(publicKey, what) };
}

/** Reads a PKIX "PUBLIC KEY" PEM file (cosign.pub). */
export function loadPublicKey(text: string | Uint8Array, what = 'public key'): VerificationKey {
  const block = decodePem(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'));
  if (!block) throw new UsageError(`${what}: not a PEM file`, { hint: 'give the cosign.pub file' });
  if (block.type !== PUBLIC_KEY_PEM_TYPE) {
    throw new UsageError(`${what}: expected a "${PUBLIC_KEY_PEM_TYPE}" PEM block, found "${block.type}"`, {
      hint: block.type.includes('PRIVATE') ? 'verification needs the public key (cosign.pub)' : undefined,
    });
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: block.bytes, format: 'der', type: 'spki' });
  } catch {
    throw new UsageError(`${what}: not a valid PKIX public key`);
  }
  return { publicKey, ...describeKey(publicKey, what) };
}

/** The signature of `data`: ASN.1 DER for ECDSA, PKCS #1 v1.5 for RSA. */
export function signBytes(key: SigningKey, data: Uint8Array): Buffer {
  return cryptoSign(key.hash, data, key.privateKey);
}

/** Whether `signature` is `key`'s signature of `data`. Malformed signatures are simply invalid. */
export function verifyBytes(key: VerificationKey, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return cryptoVerify(key.hash, data, key.publicKey, signature);
  } catch {
    return false;
  }
}
