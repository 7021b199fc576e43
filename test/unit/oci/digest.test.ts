import { createHash } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ExitCode, IntegrityError, UsageError } from '../../../src/errors.js';
import {
  DigestVerifier,
  computeDigest,
  isDigest,
  parseDigest,
  verifyBytes,
} from '../../../src/oci/digest.js';

const SHA256_EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SHA256_HELLO = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
const SHA512_EMPTY =
  'sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e';
const SHA512_HELLO =
  'sha512:9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043';
const HEX64 = 'a'.repeat(64);
const HEX128 = 'b'.repeat(128);

describe('parseDigest / isDigest', () => {
  const VALID: readonly [string, string, string][] = [
    [SHA256_EMPTY, 'sha256', SHA256_EMPTY.slice(7)],
    [SHA512_HELLO, 'sha512', SHA512_HELLO.slice(7)],
    [`sha256:${HEX64}`, 'sha256', HEX64],
    [`sha512:${HEX128}`, 'sha512', HEX128],
  ];
  it.each(VALID)('parses %s', (digest, algorithm, hex) => {
    expect(parseDigest(digest)).toEqual({ algorithm, hex });
    expect(isDigest(digest)).toBe(true);
  });

  const INVALID: readonly [string, string][] = [
    ['empty', ''],
    ['no algorithm', HEX64],
    ['no hex', 'sha256:'],
    ['uppercase hex', `sha256:${'A'.repeat(64)}`],
    ['uppercase algorithm', `SHA256:${HEX64}`],
    ['unsupported algorithm', `sha384:${'c'.repeat(96)}`],
    ['md5', `md5:${'d'.repeat(32)}`],
    ['sha256 too short', `sha256:${'a'.repeat(63)}`],
    ['sha256 too long', `sha256:${'a'.repeat(65)}`],
    ['sha256 with sha512 length', `sha256:${HEX128}`],
    ['sha512 with sha256 length', `sha512:${HEX64}`],
    ['non-hex character', `sha256:${'a'.repeat(63)}g`],
    ['leading whitespace', ` sha256:${HEX64}`],
    ['trailing newline', `sha256:${HEX64}\n`],
    ['dash separator', `sha256-${HEX64}`],
    ['tag', 'latest'],
  ];
  it.each(INVALID)('rejects %s', (_name, digest) => {
    expect(isDigest(digest)).toBe(false);
    expect(() => parseDigest(digest)).toThrow(UsageError);
  });

  it('the error is a usage error naming the input', () => {
    try {
      parseDigest('sha256:abc');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).exitCode).toBe(ExitCode.Usage);
      expect((e as UsageError).message).toBe('invalid digest "sha256:abc": sha256 needs 64 hex digits');
    }
  });

  it('the format error carries a hint', () => {
    expect(() => parseDigest('nope')).toThrow(
      expect.objectContaining({
        message: 'invalid digest "nope"',
        hint: expect.stringContaining('sha256:<64 lowercase hex>'),
      }),
    );
  });
});

describe('computeDigest', () => {
  const CASES: readonly [string, string | Uint8Array, 'sha256' | 'sha512' | undefined, string][] = [
    ['sha256 of ""', '', 'sha256', SHA256_EMPTY],
    ['sha256 of "hello"', 'hello', 'sha256', SHA256_HELLO],
    ['sha256 is the default', 'hello', undefined, SHA256_HELLO],
    ['sha512 of ""', '', 'sha512', SHA512_EMPTY],
    ['sha512 of "hello"', 'hello', 'sha512', SHA512_HELLO],
    ['bytes and string agree', new TextEncoder().encode('hello'), 'sha256', SHA256_HELLO],
    ['empty bytes', new Uint8Array(0), 'sha256', SHA256_EMPTY],
  ];
  it.each(CASES)('%s', (_name, data, algorithm, expected) => {
    expect(computeDigest(data, algorithm)).toBe(expected);
  });

  it('hashes a string as UTF-8', () => {
    expect(computeDigest('é')).toBe(computeDigest(Buffer.from([0xc3, 0xa9])));
  });
});

describe('verifyBytes', () => {
  const hello = Buffer.from('hello');

  it.each([
    ['sha256 with size', hello, SHA256_HELLO, 5],
    ['sha256 without size', hello, SHA256_HELLO, undefined],
    ['sha512', hello, SHA512_HELLO, 5],
    ['empty', new Uint8Array(0), SHA256_EMPTY, 0],
  ] as const)('accepts %s', (_name, data, digest, size) => {
    expect(() => verifyBytes(data, digest, size)).not.toThrow();
  });

  it('wrong digest → IntegrityError naming both digests', () => {
    try {
      verifyBytes(Buffer.from('hellp'), SHA256_HELLO, 5, 'manifest ghcr.io/o/a:1');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IntegrityError);
      expect((e as IntegrityError).exitCode).toBe(ExitCode.Integrity);
      expect((e as IntegrityError).message).toBe(
        `manifest ghcr.io/o/a:1 digest mismatch: expected ${SHA256_HELLO}, got ${computeDigest('hellp')}`,
      );
    }
  });

  it('wrong size → IntegrityError before hashing', () => {
    try {
      verifyBytes(hello, SHA256_HELLO, 6);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IntegrityError);
      expect((e as IntegrityError).message).toBe(`content ${SHA256_HELLO}: expected 6 bytes, got 5`);
    }
  });

  it('a sha256 digest of the right bytes checked as sha512 fails', () => {
    expect(() => verifyBytes(hello, SHA512_EMPTY)).toThrow(IntegrityError);
  });

  it('an invalid expected digest is a usage error, not an integrity error', () => {
    expect(() => verifyBytes(hello, 'sha256:nope')).toThrow(UsageError);
  });
});

/** Pipes chunks through a verifier and collects what came out. */
async function runVerifier(
  chunks: Buffer[],
  expected: string,
  size?: number,
): Promise<{ out: Buffer; verifier: DigestVerifier }> {
  const verifier = new DigestVerifier(expected, size);
  const parts: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    verifier,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        parts.push(chunk);
        cb();
      },
    }),
  );
  return { out: Buffer.concat(parts), verifier };
}

describe('DigestVerifier', () => {
  const data = Buffer.from('the quick brown fox jumps over the lazy dog');
  const digest = computeDigest(data);
  const split = (b: Buffer, ...at: number[]): Buffer[] =>
    [0, ...at, b.length].slice(1).map((end, i, ends) => b.subarray(i === 0 ? 0 : ends[i - 1], end));

  it('passes good data through unchanged, with or without a size', async () => {
    for (const size of [data.length, undefined]) {
      const { out, verifier } = await runVerifier(split(data, 3, 10, 11, 40), digest, size);
      expect(out.equals(data)).toBe(true);
      expect(verifier.bytesSeen).toBe(data.length);
    }
  });

  it('verifies sha512', async () => {
    const { out } = await runVerifier([Buffer.from('hel'), Buffer.from('lo')], SHA512_HELLO, 5);
    expect(out.toString()).toBe('hello');
  });

  it('accepts empty content', async () => {
    const { out } = await runVerifier([], SHA256_EMPTY, 0);
    expect(out.length).toBe(0);
  });

  it('one corrupted byte → IntegrityError (digest mismatch)', async () => {
    const bad = Buffer.from(data);
    bad[17] = bad[17]! ^ 0x01;
    const err = await runVerifier(split(bad, 5, 20), digest, data.length).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toBe(
      `blob digest mismatch: expected ${digest}, got ${computeDigest(bad)}`,
    );
  });

  it('fewer bytes than size → IntegrityError at the end', async () => {
    const err = await runVerifier([data.subarray(0, 10)], digest, data.length).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toBe(`blob ${digest}: expected ${data.length} bytes, got 10`);
  });

  it('more bytes than size → IntegrityError during the stream', async () => {
    const err = await runVerifier([data, Buffer.from('!')], digest, data.length).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toBe(`blob ${digest}: more than the expected ${data.length} bytes`);
  });

  it('more bytes than size errors before the writer ends, and the excess is not passed on', async () => {
    const verifier = new DigestVerifier(digest, 10, 'layer');
    const passed: Buffer[] = [];
    verifier.on('data', (c: Buffer) => passed.push(c));
    const errored = new Promise<Error>((resolve) => verifier.once('error', resolve));
    let finished = false;
    verifier.once('finish', () => (finished = true));

    verifier.write(data.subarray(0, 6));
    verifier.write(data.subarray(6, 12)); // 12 > 10: must fail now, with end() never called
    const err = await errored;

    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toBe(`layer ${digest}: more than the expected 10 bytes`);
    expect(Buffer.concat(passed).equals(data.subarray(0, 6))).toBe(true);
    expect(finished).toBe(false);
    expect(verifier.destroyed).toBe(true);
  });

  it('an oversized first chunk fails immediately', async () => {
    const verifier = new DigestVerifier(SHA256_HELLO, 5);
    const errored = new Promise<Error>((resolve) => verifier.once('error', resolve));
    verifier.write(Buffer.from('hello world'));
    expect(await errored).toBeInstanceOf(IntegrityError);
  });

  it('counts bytes as they pass', async () => {
    const verifier = new DigestVerifier(digest, data.length);
    const sink = new PassThrough();
    verifier.pipe(sink);
    sink.resume();
    expect(verifier.bytesSeen).toBe(0);
    verifier.write(data.subarray(0, 7));
    await new Promise((r) => setImmediate(r));
    expect(verifier.bytesSeen).toBe(7);
    verifier.end(data.subarray(7));
    await new Promise((r) => verifier.once('finish', r));
    expect(verifier.bytesSeen).toBe(data.length);
  });

  it('resumes from a prefix hash and start offset', async () => {
    const cut = 12;
    const prefix = createHash('sha256').update(data.subarray(0, cut));
    const verifier = new DigestVerifier(digest, data.length, 'blob', prefix, cut);
    expect(verifier.bytesSeen).toBe(cut);
    const parts: Buffer[] = [];
    await pipeline(
      Readable.from([data.subarray(cut, 30), data.subarray(30)]),
      verifier,
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          parts.push(chunk);
          cb();
        },
      }),
    );
    expect(Buffer.concat(parts).equals(data.subarray(cut))).toBe(true);
    expect(verifier.bytesSeen).toBe(data.length);
  });

  it('a resumed stream with the wrong remainder fails', async () => {
    const cut = 12;
    const prefix = createHash('sha256').update(data.subarray(0, cut));
    const verifier = new DigestVerifier(digest, data.length, 'blob', prefix, cut);
    const tail = Buffer.from(data.subarray(cut));
    tail[0] = tail[0]! ^ 0xff;
    await expect(
      pipeline(Readable.from([tail]), verifier, new Writable({ write: (_c, _e, cb) => cb() })),
    ).rejects.toThrow(/digest mismatch/);
  });

  it('rejects an invalid expected digest at construction', () => {
    expect(() => new DigestVerifier('sha256:short')).toThrow(UsageError);
  });
});
