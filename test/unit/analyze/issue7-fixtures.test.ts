/**
 * Issue #7's test list, the cases the other analysis tests do not already pin down: an opaque
 * directory over a file the same layer adds again, a hard link next to a real duplicate, GNU
 * long-name and long-link records over the header limit, and headers that claim more data than
 * the layer holds. Numbers are worked out by hand from dive's formula (src/analyze/efficiency.ts).
 */
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../../src/errors.js';
import { buildDiveTrees, diveMetrics } from '../../../src/analyze/efficiency.js';
import { mergeLayers } from '../../../src/analyze/file-tree.js';
import { scanLayer } from '../../../src/analyze/layer-reader.js';
import { findReclaimable } from '../../../src/analyze/waste.js';
import {
  END_OF_ARCHIVE,
  chunked,
  layerFromTar,
  layerRef,
  pad512,
  rawHeader,
  scanFixtureLayers,
  type FixtureEntry,
} from '../../support/layer-fixtures.js';

async function analyse(layers: FixtureEntry[][]) {
  const scans = await scanFixtureLayers(layers);
  return { dive: diveMetrics(buildDiveTrees(scans)), waste: findReclaimable(scans, mergeLayers(scans)) };
}

async function refusal(tar: Buffer): Promise<IntegrityError> {
  const layer = layerFromTar(tar, 'gzip');
  const err = await scanLayer(chunked(layer.data, 65536), layerRef(layer)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IntegrityError);
  const e = err as IntegrityError;
  expect(e.message).toMatch(/^layer 1 \(sha256:[0-9a-f]{12}\): /);
  return e;
}

describe('opaque directory over a file added again in the same layer', () => {
  // Layer 0: d/x 100, d/y 30. Layer 1: d/.wh..wh..opq + d/x 50 (dive ignores the opaque marker).
  // dive: /d/x cumulative 100 + 50 = 150, min 50, count 2; /d/y 30 once.
  //   Σcum = 180, Σmin = 80 → efficiency 80/180; wasted 150; reclaimable 100;
  //   sizeBytes 130 + 50 = 180; userSizeBytes 50 → userWastedPercent 150/50 = 3.
  // Ours: both lower files are hidden by the opaque directory: 100 + 30 = 130, each counted once
  // (the hidden d/x is not also "replaced").
  it('dive 80/180, wasted 150, reclaimable 100; hidden 130 counted once', async () => {
    const { dive, waste } = await analyse([
      [
        { type: 'dir', path: 'd/' },
        { path: 'd/x', data: 'x'.repeat(100) },
        { path: 'd/y', data: 'y'.repeat(30) },
      ],
      [
        { type: 'dir', path: 'd/' },
        { type: 'opaque', path: 'd' },
        { path: 'd/x', data: 'X'.repeat(50) },
      ],
    ]);
    expect(dive).toEqual({
      efficiency: 80 / 180,
      sizeBytes: 180,
      userSizeBytes: 50,
      wastedBytes: 150,
      reclaimableBytes: 100,
      userWastedPercent: 3,
      inefficiencies: [{ path: '/d/x', count: 2, cumulativeSize: 150, minSize: 50, layers: [0, 1] }],
    });
    expect(waste.totalBytes).toBe(130);
    expect(waste.categories.map((c) => [c.category, c.bytes, c.files])).toEqual([['deleted-later', 130, 2]]);
    expect(waste.categories[0]!.items).toEqual([
      { path: '/d/x', layer: 0, size: 100, detail: 'hidden by an opaque directory in layer 2' },
      { path: '/d/y', layer: 0, size: 30, detail: 'hidden by an opaque directory in layer 2' },
    ]);
  });
});

describe('a hard link is not a duplicate; a copy is', () => {
  // Layer 0: bin/tool 500. Layer 1: bin/tool-alias hard link → bin/tool (0 bytes in the tar),
  // srv/tool-copy 500 (the same bytes). Every path is seen once: efficiency 1, wasted 0;
  // sizeBytes 1000, userSizeBytes 500. Ours: only the copy, 500.
  it('efficiency 1, wasted 0; duplicate-content 500 for the copy only', async () => {
    const tool = 't'.repeat(500);
    const { dive, waste } = await analyse([
      [{ path: 'bin/tool', data: tool, mode: 0o755 }],
      [
        { type: 'hardlink', path: 'bin/tool-alias', target: 'bin/tool' },
        { path: 'srv/tool-copy', data: tool },
      ],
    ]);
    expect(dive).toMatchObject({
      efficiency: 1,
      sizeBytes: 1000,
      userSizeBytes: 500,
      wastedBytes: 0,
      reclaimableBytes: 0,
      userWastedPercent: 0,
      inefficiencies: [],
    });
    expect(waste.totalBytes).toBe(500);
    expect(waste.categories).toEqual([
      expect.objectContaining({
        category: 'duplicate-content',
        bytes: 500,
        files: 1,
        items: [
          { path: '/srv/tool-copy', layer: 1, size: 500, detail: 'same content as /bin/tool (layer 1)' },
        ],
      }),
    ]);
  });
});

describe('oversized and lying tar headers are refused', () => {
  const fiveMiB = Buffer.alloc(5 * 1024 * 1024, 0x61);

  it.each([
    ['L', '0'],
    ['K', '2'],
  ])('a GNU %s (long name / long link) record over 4 MiB', async (typeflag, next) => {
    const tar = Buffer.concat([
      rawHeader({ name: '././@LongLink', size: fiveMiB.length, typeflag, magic: 'gnu' }),
      fiveMiB,
      rawHeader({ name: 'x', typeflag: next, magic: 'gnu', ...(next === '2' ? { linkname: 'y' } : {}) }),
      END_OF_ARCHIVE,
    ]);
    const err = await refusal(tar);
    expect(err.message).toMatch(/a tar header \(pax or GNU long name\) exceeds the 4 MiB limit$/);
    expect(err.hint).toMatch(/malicious/);
  });

  it('a header whose octal size claims 8 GiB of data that is not there', async () => {
    const tar = Buffer.concat([
      rawHeader({ name: 'big', size: 8 * 1024 ** 3 - 1 }),
      pad512(Buffer.from('tiny')),
      END_OF_ARCHIVE,
    ]);
    expect((await refusal(tar)).message).toMatch(/the tar archive is truncated$/);
  });

  it('a header whose base-256 size claims 2^50 bytes', async () => {
    const h = rawHeader({ name: 'huge', size: 0 });
    // GNU base-256: high bit of the first byte set, the value big-endian in the 12-byte field.
    h.fill(0, 124, 136);
    h[124] = 0x80;
    h.writeUInt32BE(0x40000, 128); // 0x40000 << 32 = 2^50
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of h) sum += byte;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    expect((await refusal(Buffer.concat([h, END_OF_ARCHIVE]))).message).toMatch(
      /the tar archive is truncated$/,
    );
  });
});
