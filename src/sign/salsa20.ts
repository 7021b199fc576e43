/**
 * Salsa20/20, HSalsa20 and XSalsa20 (D. J. Bernstein, "Salsa20 specification" and "Extending the
 * Salsa20 nonce"), which node:crypto does not offer. Only what NaCl's secretbox needs: a keystream
 * XOR with a 32-byte key and a 24-byte nonce. Little-endian 32-bit words throughout.
 */

/** "expand 32-byte k" as four little-endian words. */
const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] as const;

function u32le(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>>
    0
  );
}

function putU32le(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value & 0xff;
  out[offset + 1] = (value >>> 8) & 0xff;
  out[offset + 2] = (value >>> 16) & 0xff;
  out[offset + 3] = (value >>> 24) & 0xff;
}

function rotl(v: number, n: number): number {
  return (v << n) | (v >>> (32 - n));
}

/** The initial 16-word state: constants on the diagonal, key around them, `input` in the middle. */
function initialState(key: Uint8Array, input: Uint8Array): Uint32Array {
  const s = new Uint32Array(16);
  s[0] = SIGMA[0];
  s[5] = SIGMA[1];
  s[10] = SIGMA[2];
  s[15] = SIGMA[3];
  for (let i = 0; i < 4; i++) {
    s[1 + i] = u32le(key, 4 * i);
    s[11 + i] = u32le(key, 16 + 4 * i);
    s[6 + i] = u32le(input, 4 * i);
  }
  return s;
}

/** The quarter-round: b ^= (a+d)<<<7, c ^= (b+a)<<<9, d ^= (c+b)<<<13, a ^= (d+c)<<<18. */
function quarter(x: Uint32Array, a: number, b: number, c: number, d: number): void {
  let va = x[a]!;
  let vb = x[b]!;
  let vc = x[c]!;
  let vd = x[d]!;
  vb ^= rotl((va + vd) | 0, 7);
  vc ^= rotl((vb + va) | 0, 9);
  vd ^= rotl((vc + vb) | 0, 13);
  va ^= rotl((vd + vc) | 0, 18);
  x[a] = va;
  x[b] = vb;
  x[c] = vc;
  x[d] = vd;
}

/** Twenty rounds (ten column + row double-rounds) on a copy of `state`. */
function rounds(state: Uint32Array): Uint32Array {
  const x = new Uint32Array(state);
  for (let i = 0; i < 10; i++) {
    quarter(x, 0, 4, 8, 12);
    quarter(x, 5, 9, 13, 1);
    quarter(x, 10, 14, 2, 6);
    quarter(x, 15, 3, 7, 11);
    quarter(x, 0, 1, 2, 3);
    quarter(x, 5, 6, 7, 4);
    quarter(x, 10, 11, 8, 9);
    quarter(x, 15, 12, 13, 14);
  }
  return x;
}

/** HSalsa20: a 32-byte subkey from a 32-byte key and a 16-byte input (no final addition). */
export function hsalsa20(key: Uint8Array, input: Uint8Array): Buffer {
  if (key.length !== 32) throw new RangeError('hsalsa20: key must be 32 bytes');
  if (input.length !== 16) throw new RangeError('hsalsa20: input must be 16 bytes');
  const x = rounds(initialState(key, input));
  const out = Buffer.alloc(32);
  [0, 5, 10, 15, 6, 7, 8, 9].forEach((word, i) => putU32le(out, 4 * i, x[word]!));
  return out;
}

/** XORs `data` with the Salsa20 keystream of `key` and an 8-byte nonce, block counter from 0. */
export function salsa20Xor(key: Uint8Array, nonce8: Uint8Array, data: Uint8Array): Buffer {
  if (key.length !== 32) throw new RangeError('salsa20: key must be 32 bytes');
  if (nonce8.length !== 8) throw new RangeError('salsa20: nonce must be 8 bytes');
  const input = new Uint8Array(16);
  input.set(nonce8, 0);
  const state = initialState(key, input);
  const out = Buffer.alloc(data.length);
  const block = Buffer.alloc(64);
  for (let offset = 0, counter = 0; offset < data.length; offset += 64, counter++) {
    // Words 8 and 9 hold the 64-bit block counter; messages here never pass 2^32 blocks.
    state[8] = counter >>> 0;
    state[9] = Math.floor(counter / 0x100000000) >>> 0;
    const x = rounds(state);
    for (let i = 0; i < 16; i++) putU32le(block, 4 * i, (x[i]! + state[i]!) >>> 0);
    const n = Math.min(64, data.length - offset);
    for (let i = 0; i < n; i++) out[offset + i] = data[offset + i]! ^ block[i]!;
  }
  return out;
}

/** XSalsa20: HSalsa20 turns the first 16 nonce bytes into a subkey for Salsa20 with the last 8. */
export function xsalsa20Xor(key: Uint8Array, nonce24: Uint8Array, data: Uint8Array): Buffer {
  if (nonce24.length !== 24) throw new RangeError('xsalsa20: nonce must be 24 bytes');
  return salsa20Xor(hsalsa20(key, nonce24.subarray(0, 16)), nonce24.subarray(16, 24), data);
}
