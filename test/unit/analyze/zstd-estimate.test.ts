/**
 * The zstd -19 estimate next to gzip -9: measured with the real `zstd` program on the same
 * sample blocks, and "unavailable" (never a failure) when the program is not on PATH.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisSummary, analyzeImage } from '../../../src/analyze/analyze.js';
import { OciLayoutTarget } from '../../../src/content/oci-layout.js';
import { sampleBlocks, zstdCompressedSize, findZstd } from '../../../src/analyze/zstd-estimate.js';
import { SAMPLE_BLOCK } from '../../../src/analyze/gzip-estimate.js';
import { makeImage, writeOciLayout } from '../../support/fixtures.js';
import { fixtureLayer, packTar, ZSTD } from '../../support/layer-fixtures.js';
import { makeTempDir, removeTempDir } from '../../support/lifecycle.js';
import { requireTool } from '../../support/tools.js';
import { spawnSync } from 'node:child_process';

requireTool('zstd');

let dir: string;
let tar: Buffer;
beforeAll(async () => {
  dir = makeTempDir('zstd-estimate');
  // Compressible text stored uncompressed: both estimators flag it.
  tar = await packTar([
    { path: 'app/data.txt', data: 'the quick brown fox jumps over the lazy dog\n'.repeat(2000) },
  ]);
  const image = makeImage({
    layers: [
      await fixtureLayer(
        [{ path: 'app/data.txt', data: 'the quick brown fox jumps over the lazy dog\n'.repeat(2000) }],
        'none',
      ),
    ],
  });
  await writeOciLayout(join(dir, 'layout'), [{ tag: 'plain', imageOrIndex: image }]);
});
afterAll(() => removeTempDir(dir));

describe('zstd estimate', () => {
  it('a poorly compressed layer gets both estimates; the zstd one is exactly what zstd -19 makes of the tar', async () => {
    const target = await OciLayoutTarget.open(join(dir, 'layout'));
    const a = await analyzeImage(target, 'plain');
    const expected = spawnSync(ZSTD, ['-q', '-c', '-19', '-'], { input: tar }).stdout.length;
    expect(a.reclaimable.compression).toHaveLength(1);
    expect(a.zstd).toEqual({
      available: true,
      level: 19,
      layers: [
        {
          layer: 0,
          estimatedBytes: expected,
          savingBytes: tar.length - expected,
          exact: true,
          sampledBytes: tar.length,
        },
      ],
      savingBytes: tar.length - expected,
      failed: [],
    });
    const summary = analysisSummary(a);
    expect(summary.reclaimable.compression[0]).toMatchObject({
      estimatedGzip9Bytes: a.reclaimable.compression[0]!.estimatedGzip9Bytes,
      estimatedZstdBytes: expected,
      zstdSavingBytes: tar.length - expected,
    });
    expect(summary.reclaimable.zstd).toEqual({
      available: true,
      level: 19,
      savingBytes: tar.length - expected,
      failed: [],
    });
  });

  it('without zstd on PATH the estimate says unavailable and the analysis still succeeds', async () => {
    const saved = process.env.PATH;
    process.env.PATH = join(dir, 'no-such-bin');
    try {
      expect(findZstd()).toBeUndefined();
      const a = await analyzeImage(await OciLayoutTarget.open(join(dir, 'layout')), 'plain');
      expect(a.reclaimable.compression).toHaveLength(1);
      expect(a.zstd).toEqual({
        available: false,
        level: 19,
        reason: 'the zstd program is not on PATH (apt-get install zstd, brew install zstd)',
      });
      const c = analysisSummary(a).reclaimable.compression[0]!;
      expect([c.estimatedZstdBytes, c.zstdSavingBytes]).toEqual([null, null]);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('samples the blocks the gzip estimator samples', async () => {
    const data = Buffer.alloc(10 * SAMPLE_BLOCK);
    for (let b = 0; b < 10; b++) data.fill(b, b * SAMPLE_BLOCK, (b + 1) * SAMPLE_BLOCK);
    const parts: Buffer[] = [];
    for (let at = 0; at < data.length; at += 50_000) parts.push(data.subarray(at, at + 50_000));
    const chunks = () => Readable.from(parts, { objectMode: false }) as AsyncIterable<Buffer>;
    const out: Buffer[] = [];
    // 10 blocks, a 3-block budget: stride 4 → blocks 0, 4, 8.
    for await (const c of sampleBlocks(chunks(), data.length, 3 * SAMPLE_BLOCK)) out.push(c);
    const sample = Buffer.concat(out);
    expect(sample.length).toBe(3 * SAMPLE_BLOCK);
    expect([sample[0], sample[SAMPLE_BLOCK], sample[2 * SAMPLE_BLOCK]]).toEqual([0, 4, 8]);
    const one = () => Readable.from([Buffer.from('hello')], { objectMode: false }) as AsyncIterable<Buffer>;
    const r = await zstdCompressedSize(findZstd()!, one());
    expect(r).toEqual({
      inputBytes: 5,
      outputBytes: spawnSync(ZSTD, ['-q', '-c', '-19', '-'], { input: 'hello' }).stdout.length,
    });
  });
});
