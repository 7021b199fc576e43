import { describe, expect, it } from 'vitest';
import { mergeLayers } from '../../../src/analyze/file-tree.js';
import { findReclaimable, wasteCategoriesOf } from '../../../src/analyze/waste.js';
import type { LayerScan } from '../../../src/analyze/layer-reader.js';
import { HAND_IMAGE, scanFixtureLayers, type FixtureEntry } from '../../support/layer-fixtures.js';

async function report(layers: FixtureEntry[][]) {
  const scans = await scanFixtureLayers(layers);
  return findReclaimable(scans, mergeLayers(scans));
}

describe('findReclaimable', () => {
  // HAND_IMAGE (see efficiency.test.ts): config.json 400 (layer 1) replaced by 450 (layer 2), which
  // layer 3 deletes; app/data/a.txt 300 and b.txt 200 hidden by layer 3's opaque directory; the
  // 100-byte copy of os-release added again in layer 2; a 1000-byte apt cache.
  it('the hand-computed image: deleted 950, overwritten 400, duplicate 100, cache 1000 = 2450', async () => {
    const r = await report(HAND_IMAGE);
    const by = Object.fromEntries(r.categories.map((c) => [c.category, c]));
    expect(Object.keys(by)).toEqual([
      'deleted-later',
      'overwritten-later',
      'duplicate-content',
      'package-cache',
    ]);
    expect(by['deleted-later']).toMatchObject({ bytes: 950, files: 3 });
    expect(by['deleted-later']!.items).toEqual([
      { path: '/app/config.json', layer: 1, size: 450, detail: 'deleted in layer 3' },
      { path: '/app/data/a.txt', layer: 0, size: 300, detail: 'hidden by an opaque directory in layer 3' },
      { path: '/app/data/b.txt', layer: 0, size: 200, detail: 'hidden by an opaque directory in layer 3' },
    ]);
    expect(by['overwritten-later']).toMatchObject({
      bytes: 400,
      items: [{ path: '/app/config.json', layer: 0, size: 400, detail: 'replaced in layer 2' }],
    });
    expect(by['duplicate-content']).toMatchObject({
      bytes: 100,
      items: [
        {
          path: '/app/copy-of-release',
          layer: 1,
          size: 100,
          detail: 'same content as /etc/os-release (layer 1)',
        },
      ],
    });
    expect(by['package-cache']).toMatchObject({
      bytes: 1000,
      items: [{ path: '/var/cache/apt/pkgcache.bin', layer: 0 }],
    });
    expect(r.totalBytes).toBe(2450);
  });

  it('final-filesystem categories, each file counted once in the total', async () => {
    const r = await report([
      [
        { path: 'usr/share/doc/curl/README', data: 'd'.repeat(100) },
        { path: 'usr/share/doc/curl/copyright', data: 'license' },
        { path: 'usr/share/man/man1/curl.1.gz', data: 'm'.repeat(50) },
        { path: 'usr/bin/gcc-12', data: 'g'.repeat(70) },
        { path: 'usr/bin/curl', data: 'c'.repeat(10) },
        { path: 'usr/lib/gcc/x86_64-linux-gnu/12/cc1', data: 'c'.repeat(80) },
        { path: 'usr/include/stdio.h', data: 'h'.repeat(5) },
        { path: 'app/node_modules/lodash/test/test.js', data: 't'.repeat(30) },
        { path: 'app/node_modules/lodash/lodash.js', data: 'l'.repeat(30) },
        { path: 'app/dist/main.js.map', data: 's'.repeat(40) },
        { path: 'root/.npm/_cacache/index', data: 'n'.repeat(20) },
        { path: 'root/.cache/pip/http/x', data: 'p'.repeat(20) },
        { path: 'var/cache/apk/APKINDEX.tar.gz', data: 'a'.repeat(20) },
        { path: 'var/lib/apt/lists/deb.debian.org_dists', data: 'l'.repeat(20) },
        // A test directory inside node_modules that is also a source map: counted once.
        { path: 'app/node_modules/x/tests/fixture.js.map', data: 'b'.repeat(9) },
      ],
    ]);
    const bytes = Object.fromEntries(r.categories.map((c) => [c.category, c.bytes]));
    expect(bytes).toEqual({
      'package-cache': 80,
      'build-toolchain': 155,
      docs: 150,
      'node-modules-tests': 39,
      'source-maps': 49,
    });
    expect(r.totalBytes).toBe(80 + 155 + 150 + 30 + 40 + 9);
  });

  it('categories of single paths', () => {
    expect(wasteCategoriesOf('/usr/bin/make')).toEqual(['build-toolchain']);
    expect(wasteCategoriesOf('/usr/bin/x86_64-linux-gnu-gcc-12')).toEqual(['build-toolchain']);
    expect(wasteCategoriesOf('/usr/bin/makedepend')).toEqual([]);
    expect(wasteCategoriesOf('/home/node/.npm/_logs/x.log')).toEqual(['package-cache']);
    expect(wasteCategoriesOf('/usr/share/doc/x/copyright')).toEqual([]);
    expect(wasteCategoriesOf('/srv/node_modules/a/node_modules/b/__tests__/t.js')).toEqual([
      'node-modules-tests',
    ]);
  });

  it('flags layers whose stored size beats gzip -9 by 10 % and 512 bytes', () => {
    const layer = (index: number, size: number, estimated: number, compression: 'none' | 'gzip'): LayerScan =>
      ({
        index,
        digest: `sha256:${String(index).repeat(64)}`,
        size,
        compression,
        uncompressedSize: 10_000,
        gzip9: {
          estimatedBytes: estimated,
          exact: true,
          sampledBytes: 10_000,
          sampleCompressedBytes: estimated,
          method: 'whole-layer',
        },
      }) as unknown as LayerScan;
    const r = findReclaimable(
      [layer(0, 10_000, 2_000, 'none'), layer(1, 2_100, 2_000, 'gzip'), layer(2, 9_000, 8_000, 'gzip')],
      mergeLayers([]),
    );
    expect(r.compression).toEqual([
      {
        layer: 0,
        digest: `sha256:${'0'.repeat(64)}`,
        compression: 'none',
        storedBytes: 10_000,
        uncompressedBytes: 10_000,
        estimatedGzip9Bytes: 2_000,
        savingBytes: 8_000,
        exact: true,
        sampledBytes: 10_000,
      },
      expect.objectContaining({ layer: 2, savingBytes: 1_000 }),
    ]);
    expect(r.compressionSavingBytes).toBe(9_000);
  });
});
