/**
 * Poly1305 (RFC 8439 §2.5), the one-time authenticator of NaCl's secretbox. Arithmetic modulo
 * 2^130 - 5 uses BigInt: the messages it authenticates here (an encrypted private key) are a few
 * hundred bytes, so clarity beats speed.
 */

const P = (1n << 130n) - 5n;
const CLAMP = 0x0ffffffc0ffffffc0ffffffc0fffffffn;
const MASK128 = (1n << 128n) - 1n;

function leToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** The 16-byte tag of `message` under a 32-byte one-time key (r ‖ s). */
export function poly1305(message: Uint8Array, key: Uint8Array): Buffer {
  if (key.length !== 32) throw new RangeError('poly1305: key must be 32 bytes');
  const r = leToBigInt(key.subarray(0, 16)) & CLAMP;
  const s = leToBigInt(key.subarray(16, 32));
  let acc = 0n;
  for (let offset = 0; offset < message.length; offset += 16) {
    const block = message.subarray(offset, Math.min(offset + 16, message.length));
    // Each block gets a 1 byte appended above its last byte (the "high bit").
    const n = leToBigInt(block) | (1n << BigInt(8 * block.length));
    acc = ((acc + n) * r) % P;
  }
  let tag = (acc + s) & MASK128;
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) {
    out[i] = Number(tag & 0xffn);
    tag >>= 8n;
  }
  return out;
}
