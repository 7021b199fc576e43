/**
 * XSalsa20-Poly1305 (NaCl secretbox) against published test vectors: NaCl/libsodium's secretbox,
 * core (HSalsa20) and box vectors, and RFC 8439's Poly1305 examples.
 */
import { describe, expect, it } from 'vitest';
import { poly1305 } from '../../../src/sign/poly1305.js';
import { hsalsa20, salsa20Xor, xsalsa20Xor } from '../../../src/sign/salsa20.js';
import { secretboxOpen, secretboxSeal } from '../../../src/sign/secretbox.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// NaCl tests/secretbox.c, libsodium test/default/secretbox.c (the same numbers as the box tests).
const FIRSTKEY = hex('1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389');
const NONCE = hex('69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37');
const MESSAGE = hex(`
  be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c61296cdc3c01
  233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde048977eb48f59ffd
  4924ca1c60902e52f0a089bc76897040e082f937763848645e0705`);
const BOX = hex(`
  f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c531a1186ac0dfc17c
  98dce87b4da7f011ec48c97271d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae90224368517acfea
  bd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74e355a5`);

describe('HSalsa20', () => {
  it('derives NaCl core1 firstkey from the box shared secret and a zero input', () => {
    const shared = hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
    expect(hsalsa20(shared, Buffer.alloc(16))).toEqual(FIRSTKEY);
  });

  it('derives NaCl core2 secondkey from firstkey and the nonce prefix', () => {
    expect(hsalsa20(FIRSTKEY, NONCE.subarray(0, 16)).toString('hex')).toBe(
      'dc908dda0b9344a953629b733820778880f3ceb421bb61b91cbd4c3e66256ce4',
    );
  });

  it('refuses keys and inputs of the wrong size', () => {
    expect(() => hsalsa20(Buffer.alloc(31), Buffer.alloc(16))).toThrow(RangeError);
    expect(() => hsalsa20(Buffer.alloc(32), Buffer.alloc(15))).toThrow(RangeError);
  });
});

describe('XSalsa20', () => {
  it('is its own inverse and crosses 64-byte block boundaries consistently', () => {
    const data = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
    const once = xsalsa20Xor(FIRSTKEY, NONCE, data);
    expect(once).not.toEqual(data);
    expect(xsalsa20Xor(FIRSTKEY, NONCE, once)).toEqual(data);
    // A prefix of the stream is the stream of the prefix.
    expect(xsalsa20Xor(FIRSTKEY, NONCE, data.subarray(0, 65))).toEqual(once.subarray(0, 65));
  });

  it('is Salsa20 under the HSalsa20 subkey with the last 8 nonce bytes', () => {
    const data = Buffer.alloc(100, 7);
    const subkey = hsalsa20(FIRSTKEY, NONCE.subarray(0, 16));
    expect(xsalsa20Xor(FIRSTKEY, NONCE, data)).toEqual(salsa20Xor(subkey, NONCE.subarray(16), data));
  });
});

describe('Poly1305', () => {
  it('matches RFC 8439 §2.5.2', () => {
    const key = hex('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b');
    expect(poly1305(Buffer.from('Cryptographic Forum Research Group'), key).toString('hex')).toBe(
      'a8061dc1305136c6c22b8baf0c0127a9',
    );
  });

  it('matches RFC 8439 A.3 test vector #1 (all zero) and #2 (r = 0: the tag is s)', () => {
    expect(poly1305(Buffer.alloc(64), Buffer.alloc(32)).toString('hex')).toBe('00'.repeat(16));
    const s = hex('36e5f6b5c5e06070f0efca96227a863e');
    const text = Buffer.from(
      'Any submission to the IETF intended by the Contributor for publication as all or part of an IETF ' +
        'Internet-Draft or RFC and any statement made within the context of an IETF activity is considered ' +
        'an "IETF Contribution". Such statements include oral statements in IETF sessions, as well as ' +
        'written and electronic communications made at any time or place, which are addressed to',
    );
    expect(poly1305(text, Buffer.concat([Buffer.alloc(16), s]))).toEqual(s);
  });

  it('handles a message that is not a multiple of 16 bytes and the empty message', () => {
    const key = hex('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b');
    // With no blocks the accumulator stays 0, so the tag is s.
    expect(poly1305(Buffer.alloc(0), key)).toEqual(key.subarray(16));
    expect(poly1305(Buffer.from('x'), key)).toHaveLength(16);
  });
});

describe('secretbox', () => {
  it('seals the NaCl test message to the published box (tag ‖ ciphertext)', () => {
    expect(MESSAGE).toHaveLength(131);
    expect(secretboxSeal(MESSAGE, NONCE, FIRSTKEY)).toEqual(BOX);
  });

  it('opens the published box', () => {
    expect(secretboxOpen(BOX, NONCE, FIRSTKEY)).toEqual(MESSAGE);
  });

  it('refuses a box with any byte changed, a wrong key, a wrong nonce, or too short', () => {
    for (const at of [0, 15, 16, 100, BOX.length - 1]) {
      const bad = Buffer.from(BOX);
      bad[at] = bad[at]! ^ 1;
      expect(secretboxOpen(bad, NONCE, FIRSTKEY), `byte ${at}`).toBeUndefined();
    }
    const otherKey = Buffer.from(FIRSTKEY);
    otherKey[0] = otherKey[0]! ^ 0x80;
    expect(secretboxOpen(BOX, NONCE, otherKey)).toBeUndefined();
    const otherNonce = Buffer.from(NONCE);
    otherNonce[23] = otherNonce[23]! ^ 1;
    expect(secretboxOpen(BOX, otherNonce, FIRSTKEY)).toBeUndefined();
    expect(secretboxOpen(BOX.subarray(0, 15), NONCE, FIRSTKEY)).toBeUndefined();
  });

  it('round-trips the empty message (a bare 16-byte tag)', () => {
    const box = secretboxSeal(Buffer.alloc(0), NONCE, FIRSTKEY);
    expect(box).toHaveLength(16);
    expect(secretboxOpen(box, NONCE, FIRSTKEY)).toEqual(Buffer.alloc(0));
  });

  it('refuses keys and nonces of the wrong size', () => {
    expect(() => secretboxSeal(MESSAGE, NONCE.subarray(0, 23), FIRSTKEY)).toThrow(RangeError);
    expect(() => secretboxOpen(BOX, NONCE, FIRSTKEY.subarray(1))).toThrow(RangeError);
  });
});
