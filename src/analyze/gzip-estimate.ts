/**
 * How small a layer would be as gzip -9, measured rather than guessed.
 *
 * Method: while the uncompressed tar streams past, a systematic sample of fixed-size blocks (every
 * k-th block, k chosen from the layer's expected size so the sample fits the budget) is fed to
 * zlib's gzip at level 9, memLevel 9. The estimate is `compressed(sample) / sample × tar size`.
 * When the whole tar fits the budget, every block is sampled and the figure is exact: it is the
 * size `gzip -9` (zlib level 9) gives for that tar. Nothing is kept in memory but zlib's own
 * window and whatever it has not consumed yet (at most the budget).
 */
import { once } from 'node:events';
import { createGzip, constants, type Gzip } from 'node:zlib';

export const DEFAULT_SAMPLE_BUDGET = 4 * 1024 * 1024;
export const SAMPLE_BLOCK = 128 * 1024;

export interface Gzip9Estimate {
  /** Uncompressed bytes fed to the compressor. */
  sampledBytes: number;
  /** What those bytes compressed to. */
  sampleCompressedBytes: number;
  /** Estimated gzip -9 size of the whole tar; exact when `exact`. */
  estimatedBytes: number;
  exact: boolean;
  method: 'whole-layer' | 'block-sample';
}

export class GzipSampler {
  readonly #gzip: Gzip;
  readonly #stride: number;
  readonly #budget: number;
  #offset = 0;
  #sampled = 0;
  #compressed = 0;
  #skippedAny = false;

  /** `expectedBytes` sizes the stride; a wrong guess only biases the sample towards the start. */
  constructor(expectedBytes: number, budget = DEFAULT_SAMPLE_BUDGET) {
    this.#budget = Math.max(SAMPLE_BLOCK, budget);
    const blocks = Math.ceil(Math.max(1, expectedBytes) / SAMPLE_BLOCK);
    const budgetBlocks = Math.floor(this.#budget / SAMPLE_BLOCK);
    this.#stride = Math.max(1, Math.ceil(blocks / budgetBlocks));
    this.#gzip = createGzip({ level: 9, memLevel: 9, strategy: constants.Z_DEFAULT_STRATEGY });
    this.#gzip.on('data', (d: Buffer) => (this.#compressed += d.length));
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const block = Math.floor(this.#offset / SAMPLE_BLOCK);
      const blockEnd = (block + 1) * SAMPLE_BLOCK;
      const take = Math.min(chunk.length - at, blockEnd - this.#offset);
      if (block % this.#stride === 0 && this.#sampled + take <= this.#budget) {
        this.#gzip.write(chunk.subarray(at, at + take));
        this.#sampled += take;
      } else {
        this.#skippedAny = true;
      }
      at += take;
      this.#offset += take;
    }
  }

  async finish(): Promise<Gzip9Estimate> {
    this.#gzip.end();
    await once(this.#gzip, 'end');
    const exact = !this.#skippedAny;
    const estimatedBytes =
      exact || this.#sampled === 0
        ? this.#compressed
        : Math.round((this.#compressed / this.#sampled) * this.#offset);
    return {
      sampledBytes: this.#sampled,
      sampleCompressedBytes: this.#compressed,
      estimatedBytes,
      exact,
      method: exact ? 'whole-layer' : 'block-sample',
    };
  }

  abort(): void {
    this.#gzip.destroy();
  }
}
