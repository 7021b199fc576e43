/**
 * Compressing a rewritten layer into a file while hashing both sides: the tar (the config's
 * diff_id) and the compressed bytes (the blob digest). gzip uses node:zlib. Node 20 has no zstd
 * compressor and fzstd only decodes, so zstd runs the `zstd` program as a child process (see
 * docs/DECISIONS.md); without it, zstd is refused before any work starts.
 */
import { spawn } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { MissingToolError, UsageError } from '../errors.js';
import { findProgram } from '../util/find-program.js';

export interface CompressionSpec {
  algorithm: 'gzip' | 'zstd';
  level: number;
}

export const DEFAULT_LEVEL = { gzip: 9, zstd: 19 } as const;
const LEVELS = { gzip: [1, 9], zstd: [1, 19] } as const;

/** "gzip", "gzip:6", "zstd", "zstd:12". */
export function parseCompression(text: string): CompressionSpec {
  const m = /^(gzip|zstd)(?::(\d+))?$/.exec(text.trim().toLowerCase());
  if (!m) {
    throw new UsageError(`--compression must be gzip[:LEVEL] or zstd[:LEVEL], got "${text}"`, {
      hint: 'e.g. --compression gzip:9 or --compression zstd:19',
    });
  }
  const algorithm = m[1] as CompressionSpec['algorithm'];
  const level = m[2] === undefined ? DEFAULT_LEVEL[algorithm] : Number(m[2]);
  const [min, max] = LEVELS[algorithm];
  if (level < min || level > max) {
    throw new UsageError(`${algorithm} level must be from ${min} to ${max}, got ${level}`);
  }
  return { algorithm, level };
}

export function formatCompression(spec: CompressionSpec): string {
  return `${spec.algorithm}:${spec.level}`;
}

/** The `zstd` program on PATH, or a MissingToolError saying what to do. */
export function zstdProgram(env: NodeJS.ProcessEnv = process.env): string {
  const found = findProgram('zstd', env);
  if (found) return found;
  throw new MissingToolError('zstd compression needs the zstd program, which is not on PATH', {
    hint: 'install it (apt-get install zstd, brew install zstd) or use --compression gzip',
  });
}

/** Counts and hashes what passes through. */
class Tap extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

export interface CompressedBlob {
  file: string;
  digest: string;
  size: number;
  diffId: string;
  uncompressedSize: number;
}

/** Compresses the tar `source` into `file`. */
export async function compressToFile(
  source: AsyncIterable<Buffer> | Readable,
  spec: CompressionSpec,
  file: string,
  signal?: AbortSignal,
): Promise<CompressedBlob> {
  const tarTap = new Tap();
  const blobTap = new Tap();
  const input = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
  const opts = signal ? { signal } : {};
  if (spec.algorithm === 'gzip') {
    await pipeline(input, tarTap, createGzip({ level: spec.level }), blobTap, createWriteStream(file), opts);
  } else {
    const child = spawn(zstdProgram(), ['-q', '-c', `-${spec.level}`, '--no-progress', '-'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const exited = new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, sig) =>
        code === 0
          ? resolve()
          : reject(new Error(`zstd exited with ${code ?? sig}: ${stderr.trim() || 'no message'}`)),
      );
    });
    try {
      await Promise.all([
        pipeline(input, tarTap, child.stdin, opts),
        pipeline(child.stdout, blobTap, createWriteStream(file), opts),
        exited,
      ]);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }
  return {
    file,
    digest: `sha256:${blobTap.hash.digest('hex')}`,
    size: blobTap.bytes,
    diffId: `sha256:${tarTap.hash.digest('hex')}`,
    uncompressedSize: tarTap.bytes,
  };
}
