/**
 * Layer bytes → tar bytes. The compression is read from the first bytes (gzip 1f 8b, zstd
 * 28 b5 2f fd), not trusted from the media type: registries hold layers whose media type lies.
 * zstd uses zlib's decoder where Node has one (22.15+), else fzstd (pure JS), with a cap on the
 * window a frame may ask for so a hostile header cannot make us allocate gigabytes.
 */
import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress } from 'fzstd';
import type { Compression } from '../oci/media-types.js';

export const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
export const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/** Needs at least 4 bytes to tell zstd from a tar; fewer bytes can only be a tiny (invalid) tar. */
export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && Buffer.from(head.subarray(0, 4)).equals(ZSTD_MAGIC)) return 'zstd';
  return 'none';
}

/** The window size a zstd frame header declares (RFC 8878 §3.1.1.1), or undefined if unreadable. */
export function zstdWindowSize(head: Uint8Array): number | undefined {
  if (head.length < 6 || !Buffer.from(head.subarray(0, 4)).equals(ZSTD_MAGIC)) return undefined;
  const descriptor = head[4]!;
  const singleSegment = (descriptor >> 5) & 1;
  if (!singleSegment) {
    const wd = head[5]!;
    const base = 2 ** (10 + (wd >> 3));
    return base + (base / 8) * (wd & 7);
  }
  // Single segment: the window is the frame content size, which follows the dictionary id.
  const fcsFlag = descriptor >> 6;
  const dictBytes = [0, 1, 2, 4][descriptor & 3]!;
  const fcsBytes = [1, 2, 4, 8][fcsFlag]!;
  const at = 5 + dictBytes;
  if (head.length < at + fcsBytes) return undefined;
  let size = 0;
  for (let i = fcsBytes - 1; i >= 0; i--) size = size * 256 + head[at + i]!;
  return fcsBytes === 2 ? size + 256 : size;
}

type ZlibWithZstd = typeof zlib & { createZstdDecompress?: (opts?: { chunkSize?: number }) => Transform };

/**
 * Output chunk size of the decompressors. zlib's default (16 KiB) makes every stage downstream
 * (digest, tar parser, stream plumbing) pay its per-chunk cost eight times as often: with 128 KiB
 * chunks inflating a 500 MB image costs under half the CPU time. The tar parser slices entries out
 * of these chunks, so nothing larger than one chunk is ever held per layer.
 */
export const DECOMPRESS_CHUNK = 128 * 1024;

/** fzstd as a Node Transform. Output blocks are copied: fzstd reuses its window buffer. */
class FzstdDecompress extends Transform {
  readonly #decoder: Decompress;

  constructor() {
    super();
    this.#decoder = new Decompress((data) => {
      if (data.length > 0) this.push(Buffer.from(data));
    });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.#decoder.push(chunk);
      done();
    } catch (err) {
      done(asError(err, 'zstd'));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.#decoder.push(new Uint8Array(0), true);
      done();
    } catch (err) {
      done(asError(err, 'zstd'));
    }
  }
}

function asError(err: unknown, what: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  return new Error(`${what} data is corrupt: ${message}`);
}

/** A decompressing transform for `compression`; a pass-through for uncompressed tars. */
export function createDecompressor(compression: Compression): Transform {
  switch (compression) {
    case 'gzip':
      return zlib.createGunzip({ chunkSize: DECOMPRESS_CHUNK });
    case 'zstd': {
      const native = (zlib as ZlibWithZstd).createZstdDecompress;
      return native ? native({ chunkSize: DECOMPRESS_CHUNK }) : new FzstdDecompress();
    }
    case 'none':
      return new Transform({
        transform(chunk: Buffer, _enc, done) {
          done(null, chunk);
        },
      });
  }
}
