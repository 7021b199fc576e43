/**
 * NaCl's crypto_secretbox (XSalsa20-Poly1305) in the layout golang.org/x/crypto/nacl/secretbox
 * uses: the box is the 16-byte Poly1305 tag followed by the ciphertext. The first 32 bytes of the
 * keystream are the Poly1305 key; the message is encrypted with the keystream after them.
 */
import { timingSafeEqual } from 'node:crypto';
import { poly1305 } from './poly1305.js';
import { xsalsa20Xor } from './salsa20.js';

export const SECRETBOX_KEY_BYTES = 32;
export const SECRETBOX_NONCE_BYTES = 24;
export const SECRETBOX_OVERHEAD = 16;

function checkSizes(nonce: Uint8Array, key: Uint8Array): void {
  if (key.length !== SECRETBOX_KEY_BYTES) throw new RangeError('secretbox: key must be 32 bytes');
  if (nonce.length !== SECRETBOX_NONCE_BYTES) throw new RangeError('secretbox: nonce must be 24 bytes');
}

/** Keystream XOR of 32 zero bytes followed by `data`: the Poly1305 key, then the transformed data. */
function streamWithPolyKey(data: Uint8Array, nonce: Uint8Array, key: Uint8Array): [Buffer, Buffer] {
  const padded = Buffer.alloc(32 + data.length);
  padded.set(data, 32);
  const out = xsalsa20Xor(key, nonce, padded);
  return [out.subarray(0, 32), out.subarray(32)];
}

/** Encrypts and authenticates `message`: tag ‖ ciphertext. */
export function secretboxSeal(message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Buffer {
  checkSizes(nonce, key);
  const [polyKey, ciphertext] = streamWithPolyKey(message, nonce, key);
  return Buffer.concat([poly1305(ciphertext, polyKey), ciphertext]);
}

/** The message of a box, or undefined when the tag does not match (wrong key or altered box). */
export function secretboxOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Buffer | undefined {
  checkSizes(nonce, key);
  if (box.length < SECRETBOX_OVERHEAD) return undefined;
  const tag = box.subarray(0, SECRETBOX_OVERHEAD);
  const ciphertext = box.subarray(SECRETBOX_OVERHEAD);
  // The Poly1305 key comes from the keystream alone, so derive it before decrypting anything.
  const [polyKey] = streamWithPolyKey(new Uint8Array(0), nonce, key);
  if (!timingSafeEqual(poly1305(ciphertext, polyKey), tag)) return undefined;
  return streamWithPolyKey(ciphertext, nonce, key)[1];
}
