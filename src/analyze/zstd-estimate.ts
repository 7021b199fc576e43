/**
 * How small the poorly compressed layers would be as zstd -19, next to the gzip -9 figure.
 *
 * Node 20 has no zstd compressor, so the `zstd` program compresses (as `optimize-images
 * --compression zstd` does); without it on PATH the estimate is reported as unavailable and the
 * analysis goes on. The sample is the one the gzip -9 estimator takes (gzip-estimate.ts): the
 * same block size, the same stride from the same expected size, the same budget, so both figures
 * describe the same bytes. The estimator is not fed during the first pass (the layer reader owns
 * that stream), so only the layers the gzip measurement already flagged are read a second time;
 * a registry source reads them from the blob cache.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Readable, pipeline } from 'node:stream';
import type { ReadTarget } from '../content/target.js';
import type { Compression } from '../oci/media-types.js';
import type { Descriptor } from '../oci/schema.js';
import { mapLimit } from '../util/concurrency.js';
import { createDecompressor } from './decompress.js';
import { DEFAULT_SAMPLE_BUDGET, SAMPLE_BLOCK } from './gzip-estimate.js';
import type { CompressionFinding } from './waste.js';
import { findProgram } from '../util/find-program.js';

/** The level `optimize-images --compression zstd` writes by default, so the estimate predicts it. */
export const ZSTD_ESTIMATE_LEVEL = 19;

export interface ZstdLayerEstimate {
  layer: number;
  /** Estimated zstd -19 size of the whole tar; exact when the whole tar was sampled. */
  estimatedBytes: number;
  /** Stored bytes minus the estimate (may be negative: zstd would not help). */
  savingBytes: number;
  exact: boolean;
  sampledBytes: number;
}

export type ZstdReport =
  | {
      available: true;
      level: number;
      layers: ZstdLayerEstimate[];
      /** Σ of the positive savings. */
      savingBytes: number;
      /** Layers whose estimate failed (the program crashed, the re-read failed), with why. */
      failed: { layer: number; reason: string }[];
    }
  | { available: false; level: number; reason: string };

/** The `zstd` program on PATH, or undefined. */
export function findZstd(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findProgram('zstd', env);
}

/**
 * The blocks GzipSampler keeps: every `stride`-th SAMPLE_BLOCK of the tar, until the budget is
 * used. `expectedBytes` is what the layer reader guessed before reading (stored size, ×4 when
 * compressed), which fixes the stride.
 */
export async function* sampleBlocks(
  tar: AsyncIterable<Buffer>,
  expectedBytes: number,
  budget = DEFAULT_SAMPLE_BUDGET,
): AsyncGenerator<Buffer, void, undefined> {
  const cap = Math.max(SAMPLE_BLOCK, budget);
  const blocks = Math.ceil(Math.max(1, expectedBytes) / SAMPLE_BLOCK);
  const stride = Math.max(1, Math.ceil(blocks / Math.floor(cap / SAMPLE_BLOCK)));
  let offset = 0;
  let sampled = 0;
  for await (const chunk of tar) {
    let at = 0;
    while (at < chunk.length) {
      const block = Math.floor(offset / SAMPLE_BLOCK);
      const take = Math.min(chunk.length - at, (block + 1) * SAMPLE_BLOCK - offset);
      if (block % stride === 0 && sampled + take <= cap) {
        yield chunk.subarray(at, at + take);
        sampled += take;
      }
      at += take;
      offset += take;
    }
    // The rest would be skipped anyway: stop reading.
    if (sampled >= cap) return;
  }
}

/** Bytes `zstd -LEVEL` makes of `input`. */
export async function zstdCompressedSize(
  program: string,
  input: AsyncIterable<Buffer>,
  level = ZSTD_ESTIMATE_LEVEL,
  signal?: AbortSignal,
): Promise<{ inputBytes: number; outputBytes: number }> {
  const child = spawn(program, ['-q', '-c', `-${level}`, '--no-progress', '-'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(signal ? { signal } : {}),
  });
  let outputBytes = 0;
  let inputBytes = 0;
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (outputBytes += d.length));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
  const counted = Readable.from(
    (async function* () {
      for await (const chunk of input) {
        inputBytes += chunk.length;
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
  const fed = new Promise<void>((resolve, reject) =>
    pipeline(counted, child.stdin, (err) => (err ? reject(err) : resolve())),
  );
  const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    await fed;
    const [code, sig] = await closed;
    if (code !== 0) throw new Error(`zstd exited with ${code ?? sig}: ${stderr.trim() || 'no message'}`);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { inputBytes, outputBytes };
}

export interface ZstdEstimateOptions {
  /** The gzip estimator's budget (AnalyzeOptions.compressionSample); default 4 MiB. */
  compressionSample?: number;
  concurrency?: number;
  signal?: AbortSignal;
  /** Where to look for `zstd` (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Measures every compression finding's layer with zstd -19; never throws but for cancellation. */
export async function estimateZstd(
  target: ReadTarget,
  layers: readonly Descriptor[],
  findings: readonly CompressionFinding[],
  opts: ZstdEstimateOptions = {},
): Promise<ZstdReport> {
  const level = ZSTD_ESTIMATE_LEVEL;
  const program = findZstd(opts.env);
  if (program === undefined) {
    return {
      available: false,
      level,
      reason: 'the zstd program is not on PATH (apt-get install zstd, brew install zstd)',
    };
  }
  const budget = opts.compressionSample ?? DEFAULT_SAMPLE_BUDGET;
  const estimates: ZstdLayerEstimate[] = [];
  const failed: { layer: number; reason: string }[] = [];
  await mapLimit(findings, opts.concurrency ?? 2, async (f) => {
    const desc = layers[f.layer];
    if (!desc) return;
    const expected = f.compression === 'none' ? desc.size : desc.size * 4;
    try {
      const blob = target.fetchBlob(desc, opts.signal);
      const tar = decompressed(blob, f.compression);
      const { inputBytes, outputBytes } = await zstdCompressedSize(
        program,
        sampleBlocks(tar, expected, budget),
        level,
        opts.signal,
      );
      blob.destroy();
      const exact = inputBytes === f.uncompressedBytes;
      const estimatedBytes =
        exact || inputBytes === 0
          ? outputBytes
          : Math.round((outputBytes / inputBytes) * f.uncompressedBytes);
      estimates.push({
        layer: f.layer,
        estimatedBytes,
        savingBytes: f.storedBytes - estimatedBytes,
        exact,
        sampledBytes: inputBytes,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      failed.push({ layer: f.layer, reason: err instanceof Error ? err.message : String(err) });
    }
  });
  estimates.sort((a, b) => a.layer - b.layer);
  failed.sort((a, b) => a.layer - b.layer);
  return {
    available: true,
    level,
    layers: estimates,
    savingBytes: estimates.reduce((n, e) => n + Math.max(0, e.savingBytes), 0),
    failed,
  };
}

function decompressed(blob: Readable, compression: Compression): AsyncIterable<Buffer> {
  const inflate = createDecompressor(compression);
  pipeline(blob, inflate, () => undefined);
  return inflate;
}

/** The estimate of one layer, for renderers. */
export function zstdFor(report: ZstdReport | undefined, layer: number): ZstdLayerEstimate | undefined {
  return report?.available ? report.layers.find((l) => l.layer === layer) : undefined;
}
