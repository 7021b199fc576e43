import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrityError, NotFoundError } from '../../../src/errors.js';
import { OciLayoutTarget } from '../../../src/content/oci-layout.js';
import type { ReadTarget } from '../../../src/content/target.js';
import type { Descriptor } from '../../../src/oci/schema.js';
import { analysisSummary, analyzeImage } from '../../../src/analyze/analyze.js';
import { LayerPool } from '../../../src/analyze/layer-pool.js';
import { scanLayer } from '../../../src/analyze/layer-reader.js';
import { makeImage, writeOciLayout } from '../../support/fixtures.js';
import { HAND_IMAGE, fixtureLayer, layerFromTar, packTar } from '../../support/layer-fixtures.js';
import { makeTempDir, removeTempDir } from '../../support/lifecycle.js';

let dir: string;
let target: OciLayoutTarget;
const layers: Awaited<ReturnType<typeof fixtureLayer>>[] = [];

beforeAll(async () => {
  dir = makeTempDir('layer-pool');
  layers.push(
    await fixtureLayer(
      [...HAND_IMAGE[0]!, { path: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\n' }],
      'gzip',
    ),
    await fixtureLayer(HAND_IMAGE[1]!, 'gzip'),
    await fixtureLayer(HAND_IMAGE[2]!, 'none'),
    // Large enough to span several posted batches (1 MiB each) and incompressible enough to matter.
    await fixtureLayer(
      [{ path: 'big.bin', data: Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i * 7919) % 251)) }],
      'gzip',
    ),
  );
  const evil = layerFromTar(
    await packTar([{ type: 'symlink', path: 'x', target: '../../../../etc/shadow' }]),
    'gzip',
  );
  await writeOciLayout(join(dir, 'layout'), [
    { tag: 'hand', imageOrIndex: makeImage({ layers }) },
    { tag: 'evil', imageOrIndex: makeImage({ layers: [layers[3]!, evil] }) },
  ]);
  target = await OciLayoutTarget.open(join(dir, 'layout'));
});
afterAll(() => removeTempDir(dir));

describe('layer scans in worker threads', () => {
  it('finds a worker entry when running from source', () => {
    expect(LayerPool.create(1)).toBeInstanceOf(LayerPool);
  });

  it('gives the same scans and summary as scanning on the calling thread', async () => {
    const inThread = await analyzeImage(target, 'hand', { threads: 0 });
    const inWorkers = await analyzeImage(target, 'hand', { threads: 2 });
    expect(analysisSummary(inWorkers)).toEqual(analysisSummary(inThread));
    expect(inWorkers.scans).toEqual(inThread.scans);
    const passwd = inWorkers.scans[0]!.captured.get('etc/passwd');
    expect(Buffer.isBuffer(passwd)).toBe(true);
    expect(passwd?.toString()).toBe('root:x:0:0:root:/root:/bin/sh\n');
    expect(inWorkers.scans[3]!.entries[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('scans one layer through the pool exactly as scanLayer does', async () => {
    const pool = LayerPool.create(1)!;
    try {
      const desc = { mediaType: layers[3]!.mediaType, digest: layers[3]!.digest, size: layers[3]!.size };
      const ref = { index: 3, ...desc };
      const viaPool = await pool.scan(target.fetchBlob(desc), ref, {});
      const direct = await scanLayer(target.fetchBlob(desc), ref);
      expect(viaPool).toEqual(direct);
      expect(viaPool.gzip9?.sampledBytes).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });

  it('reports a hostile layer with the same message, and stops reading the others', async () => {
    const err = await analyzeImage(target, 'evil', { threads: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(
      /^layer 2 \(sha256:[0-9a-f]{12}\): symlink "x" → "\.\.\/\.\.\/\.\.\/\.\.\/etc\/shadow" points outside the image root/,
    );
    expect((err as IntegrityError).hint).toBe('the layer may be malicious; it was not analysed');
  });

  it('shares the byte budget of the image across workers', async () => {
    const err = await analyzeImage(target, 'hand', { threads: 2, maxTotalBytes: 1_000_000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(/expands to more than 1000000 bytes uncompressed/);
  });

  it('throws the blob’s own failure as it is', async () => {
    const failing: ReadTarget = {
      name: target.name,
      resolve: (r) => target.resolve(r),
      fetchManifest: (r) => target.fetchManifest(r),
      exists: (d) => target.exists(d),
      tags: () => target.tags(),
      fetchBlob(desc: Descriptor): Readable {
        if (desc.digest !== layers[3]!.digest) return target.fetchBlob(desc);
        const inner = target.fetchBlob(desc);
        return Readable.from(
          (async function* () {
            for await (const c of inner) {
              yield c as Buffer;
              throw new NotFoundError('blob vanished half way');
            }
          })(),
        );
      },
    };
    const err = await analyzeImage(failing, 'hand', { threads: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe('blob vanished half way');
  });
});
