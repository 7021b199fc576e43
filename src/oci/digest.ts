/** Content digests: parse, compute, and verify while bytes stream past. */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { IntegrityError, UsageError } from '../errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
const DIGEST_RE = /^(sha256|sha512):([0-9a-f]+)$/;

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
}

export function parseDigest(digest: string): ParsedDigest {
  const m = DIGEST_RE.exec(digest);
  if (!m) {
    throw new UsageError(`invalid digest "${digest}"`, {
      hint: 'a digest looks like sha256:<64 lowercase hex> or sha512:<128 lowercase hex>',
    });
  }
  const algorithm = m[1] as DigestAlgorithm;
  const hex = m[2]!;
  if (hex.length !== HEX_LENGTH[algorithm]) {
    throw new UsageError(
      `invalid digest "${digest}": ${algorithm} needs ${HEX_LENGTH[algorithm]} hex digits`,
    );
  }
  return { algorithm, hex };
}

export function isDigest(value: string): boolean {
  const m = DIGEST_RE.exec(value);
  return m !== null && m[2]!.length === HEX_LENGTH[m[1] as DigestAlgorithm];
}

export function computeDigest(data: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/**
 * Throws unless `data` has exactly the expected digest (and size, when known). The error text names
 * what was fetched so a user can tell which object a registry corrupted.
 */
export function verifyBytes(data: Uint8Array, expected: string, size?: number, what = 'content'): void {
  if (size !== undefined && data.byteLength !== size) {
    throw new IntegrityError(`${what} ${expected}: expected ${size} bytes, got ${data.byteLength}`, {
      hint: 'the registry or a proxy served different content than the descriptor promised',
    });
  }
  const { algorithm } = parseDigest(expected);
  const actual = computeDigest(data, algorithm);
  if (actual !== expected) {
    throw new IntegrityError(`${what} digest mismatch: expected ${expected}, got ${actual}`, {
      hint: 'the registry or a proxy served corrupted content; nothing was written',
    });
  }
}

/**
 * A pass-through stream that hashes and counts bytes. It fails as soon as more bytes than `size`
 * arrive (so a hostile server cannot make us buffer or write without bound) and, at the end, fails
 * unless the digest and size match. Consumers that write to disk must only commit after 'finish'.
 */
export class DigestVerifier extends Transform {
  readonly #hash: Hash;
  readonly #expected: string;
  readonly #size: number | undefined;
  readonly #what: string;
  #seen = 0;

  /** `startOffset`/`prefixHash` let a resumed download continue hashing where it stopped. */
  constructor(expected: string, size?: number, what = 'blob', prefixHash?: Hash, startOffset = 0) {
    super();
    const { algorithm } = parseDigest(expected);
    this.#hash = prefixHash ?? createHash(algorithm);
    this.#expected = expected;
    this.#size = size;
    this.#what = what;
    this.#seen = startOffset;
  }

  get bytesSeen(): number {
    return this.#seen;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#size !== undefined && this.#seen > this.#size) {
      cb(
        new IntegrityError(`${this.#what} ${this.#expected}: more than the expected ${this.#size} bytes`, {
          hint: 'the registry served more data than the descriptor size; nothing was kept',
        }),
      );
      return;
    }
    this.#hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.#size !== undefined && this.#seen !== this.#size) {
      cb(
        new IntegrityError(
          `${this.#what} ${this.#expected}: expected ${this.#size} bytes, got ${this.#seen}`,
          {
            hint: 'the transfer was cut short or the registry served different content; nothing was kept',
          },
        ),
      );
      return;
    }
    const actual = `${parseDigest(this.#expected).algorithm}:${this.#hash.digest('hex')}`;
    if (actual !== this.#expected) {
      cb(
        new IntegrityError(`${this.#what} digest mismatch: expected ${this.#expected}, got ${actual}`, {
          hint: 'the registry or a proxy served corrupted content; nothing was kept',
        }),
      );
      return;
    }
    cb();
  }
}
