/**
 * dive's metrics, checked against numbers worked out by hand from dive's formula and against
 * dive's own fixtures: `dive/filetree/efficiency_test.go` (score 0.75) and the export snapshot
 * of `cmd/dive/cli/internal/command/export` (efficiency 0.9844212134184309, 32025 inefficient
 * bytes, 1220598 bytes), rebuilt here as layers with the same paths and sizes.
 */
import { describe, expect, it } from 'vitest';
import { buildDiveTrees, diveMetrics, goFileMode } from '../../../src/analyze/efficiency.js';
import { diveExport, layerCommands } from '../../../src/analyze/dive-export.js';
import { HAND_IMAGE, scanFixtureLayers, type FixtureEntry } from '../../support/layer-fixtures.js';

const bytes = (n: number, fill = 'x'): string => fill.repeat(n);
const metricsOf = async (layers: FixtureEntry[][]) =>
  diveMetrics(buildDiveTrees(await scanFixtureLayers(layers)));

describe('dive metrics: dive’s own efficiency_test', () => {
  // Layer 0 /etc/nginx/nginx.conf 2000, /etc/nginx/public 3000; layer 1 nginx.conf 5000,
  // /etc/athing 10000; layer 2 deletes /etc/nginx. No directory entries, so /etc/nginx is an
  // implicit node, not a directory: its whiteout counts 0.
  // Σmin = 2000 + 3000 + 10000 + 0 = 15000; Σcumulative = 7000 + 3000 + 10000 + 0 = 20000 → 0.75.
  it('scores 0.75 with one inefficiency (nginx.conf, 7000 bytes, layers 1 and 2)', async () => {
    const m = await metricsOf([
      [
        { path: 'etc/nginx/nginx.conf', data: bytes(2000) },
        { path: 'etc/nginx/public', data: bytes(3000) },
      ],
      [
        { path: 'etc/nginx/nginx.conf', data: bytes(5000) },
        { path: 'etc/athing', data: bytes(10000) },
      ],
      [{ type: 'whiteout', path: 'etc/nginx' }],
    ]);
    expect(m.efficiency).toBe(0.75);
    expect(m.inefficiencies).toEqual([
      { path: '/etc/nginx/nginx.conf', count: 2, cumulativeSize: 7000, minSize: 2000, layers: [0, 1] },
    ]);
    expect(m.wastedBytes).toBe(7000);
    expect(m.reclaimableBytes).toBe(5000);
    expect(m.sizeBytes).toBe(20000);
    expect(m.userSizeBytes).toBe(15000);
    expect(m.userWastedPercent).toBe(7000 / 15000);
  });

  // With directory entries in both lower layers, /etc/nginx is a directory when layer 2 deletes
  // it, and the whiteout counts what it removes: nginx.conf (5000, the stacked version) + public
  // (3000) = 8000, seen once. Σmin = 2000+3000+10000+8000 = 23000, Σcum = 28000.
  it('counts a deleted directory’s stacked contents when it was an explicit directory', async () => {
    const dirs: FixtureEntry[] = [
      { type: 'dir', path: 'etc/' },
      { type: 'dir', path: 'etc/nginx/' },
    ];
    const m = await metricsOf([
      [
        ...dirs,
        { path: 'etc/nginx/nginx.conf', data: bytes(2000) },
        { path: 'etc/nginx/public', data: bytes(3000) },
      ],
      [
        ...dirs,
        { path: 'etc/nginx/nginx.conf', data: bytes(5000) },
        { path: 'etc/athing', data: bytes(10000) },
      ],
      [
        { type: 'dir', path: 'etc/' },
        { type: 'whiteout', path: 'etc/nginx' },
      ],
    ]);
    expect(m.efficiency).toBe(23000 / 28000);
    expect(m.wastedBytes).toBe(7000);
  });

  it('an empty image scores 1 and wastes nothing', async () => {
    const m = await metricsOf([[{ type: 'dir', path: 'tmp/' }]]);
    expect(m).toMatchObject({
      efficiency: 1,
      wastedBytes: 0,
      reclaimableBytes: 0,
      userWastedPercent: 0,
      sizeBytes: 0,
    });
    expect(diveMetrics([]).efficiency).toBe(1);
  });
});

/** dive's export-test image (busybox + 13 layers), with the base layer reduced to three files. */
function diveSnapshotImage(): FixtureEntry[][] {
  const f6405 = bytes(6405, 's');
  const root: FixtureEntry = { type: 'dir', path: 'root/', mode: 0o700 };
  const example: FixtureEntry = { type: 'dir', path: 'root/example/' };
  const data: FixtureEntry = { type: 'dir', path: 'root/.data/' };
  return [
    [
      { type: 'dir', path: 'bin/' },
      { path: 'bin/busybox', data: bytes(1154361 - 340 - 243, 'b'), mode: 0o755 },
      { type: 'dir', path: 'etc/' },
      { path: 'etc/passwd', data: bytes(340, 'p') },
      { path: 'etc/shadow', data: bytes(243, 'h'), mode: 0o600 },
      root,
      { type: 'dir', path: 'tmp/', mode: 0o1777 },
    ],
    [{ path: 'somefile.txt', data: f6405, mode: 0o664 }],
    [
      root,
      example,
      { type: 'dir', path: 'root/example/really/' },
      { type: 'dir', path: 'root/example/really/nested/' },
    ],
    [root, example, { path: 'root/example/somefile1.txt', data: f6405 }],
    [root, example, { path: 'root/example/somefile1.txt', data: f6405, mode: 0o444 }],
    [root, example, { path: 'root/example/somefile2.txt', data: f6405 }],
    [root, example, { path: 'root/example/somefile3.txt', data: f6405 }],
    [
      root,
      example,
      { type: 'whiteout', path: 'root/example/somefile3.txt' },
      { path: 'root/saved.txt', data: f6405 },
    ],
    [root, { path: 'root/.saved.txt', data: f6405 }],
    [root, { type: 'whiteout', path: 'root/example' }],
    [
      root,
      data,
      { path: 'root/.data/tag.sh', data: bytes(917), mode: 0o775 },
      { path: 'root/.data/test.sh', data: bytes(1270), mode: 0o755 },
    ],
    [
      { type: 'dir', path: 'tmp/', mode: 0o1777 },
      { path: 'tmp/saved.again1.txt', data: f6405 },
    ],
    [root, data, { path: 'root/.data/saved.again2.txt', data: f6405 }],
    [root, { path: 'root/saved.txt', data: f6405, mode: 0o755 }],
  ];
}

describe('dive metrics: dive’s export snapshot', () => {
  // Inefficient paths: /root/saved.txt (layers 8, 14: 6405 + 6405), somefile1.txt (layers 4, 5:
  // 6405 + 6405) and somefile3.txt (layer 7: 6405, deleted in layer 8: 0) → 12810 + 12810 + 6405
  // = 32025. The whiteout of /root/example (layer 10) counts what it removed, 12810
  // (somefile1 + somefile2), but only once. Σcumulative = 1220598 + 12810 = 1233408;
  // Σ(cumulative − min) = 6405 + 6405 + 6405 = 19215; efficiency = 1214193 / 1233408.
  it('gives dive’s numbers and file references, in dive’s order', async () => {
    const scans = await scanFixtureLayers(diveSnapshotImage());
    const trees = buildDiveTrees(scans);
    const m = diveMetrics(trees);
    expect(m.efficiency).toBe(0.9844212134184309);
    expect(m.wastedBytes).toBe(32025);
    expect(m.sizeBytes).toBe(1220598);
    expect(m.reclaimableBytes).toBe(19215);
    expect(m.userSizeBytes).toBe(1220598 - 1154361);
    expect(m.userWastedPercent).toBe(32025 / 66237);

    const doc = diveExport(trees, m, scans, layerCommands(undefined, scans.length));
    expect(doc.image).toEqual({
      sizeBytes: 1220598,
      inefficientBytes: 32025,
      efficiencyScore: 0.9844212134184309,
      fileReference: [
        { count: 2, sizeBytes: 12810, file: '/root/saved.txt' },
        { count: 2, sizeBytes: 12810, file: '/root/example/somefile1.txt' },
        { count: 2, sizeBytes: 6405, file: '/root/example/somefile3.txt' },
      ],
    });
    expect(doc.layer.map((l) => l.sizeBytes)).toEqual([
      1154361, 6405, 0, 6405, 6405, 6405, 6405, 6405, 6405, 0, 2187, 6405, 6405, 6405,
    ]);
    // dive lists each layer's nodes children-first, siblings in byte order.
    expect(doc.layer[7]?.fileList).toEqual([
      {
        path: 'root/example/.wh.somefile3.txt',
        typeFlag: 48,
        linkName: '',
        size: 0,
        fileMode: 420,
        uid: 0,
        gid: 0,
        isDir: false,
      },
      {
        path: 'root/example',
        typeFlag: 53,
        linkName: '',
        size: 0,
        fileMode: 2147484141,
        uid: 0,
        gid: 0,
        isDir: true,
      },
      {
        path: 'root/saved.txt',
        typeFlag: 48,
        linkName: '',
        size: 6405,
        fileMode: 420,
        uid: 0,
        gid: 0,
        isDir: false,
      },
      {
        path: 'root',
        typeFlag: 53,
        linkName: '',
        size: 0,
        fileMode: 2147484096,
        uid: 0,
        gid: 0,
        isDir: true,
      },
    ]);
    expect(doc.layer[2]?.fileList.map((f) => f.path)).toEqual([
      'root/example/really/nested',
      'root/example/really',
      'root/example',
      'root',
    ]);
    expect(doc.layer[4]?.fileList[0]).toMatchObject({ path: 'root/example/somefile1.txt', fileMode: 292 });
    expect(doc.layer[0]?.fileList.find((f) => f.path === 'tmp')?.fileMode).toBe(2148532735);
    expect(doc.layer[1]).toMatchObject({
      index: 1,
      command: '(missing)',
      id: scans[1]!.digest.slice(7),
      digestId: scans[1]!.diffId,
    });
  });
});

describe('dive metrics: hand-computed image (written, overwritten, deleted; opaque; hard link; duplicate; cache)', () => {
  // Layer 0: app/config.json 400, app/data/{a 300, b 200}, etc/os-release 100, var/cache/apt/pkgcache.bin 1000 (2000)
  // Layer 1: app/config.json 450 (overwritten), app/copy-of-release 100 (same bytes as os-release),
  //          app/link → hard link to app/config.json (0)                                               (550)
  // Layer 2: opaque app/data + app/data/c.txt 50, whiteout app/config.json                               (50)
  // dive ignores opaque markers. Leaves: config.json 400, 450, and its whiteout 0 (a file → 0):
  // cumulative 850, min 0, count 3. Every other path is seen once.
  // Σcum = 850 + 300 + 200 + 100 + 1000 + 100 + 0 + 50 = 2600; Σmin = 2600 − 850 = 1750.
  it('efficiency 1750/2600, wastedBytes 850, reclaimable 850, user wasted 850/600', async () => {
    const m = await metricsOf(HAND_IMAGE);
    expect(m.efficiency).toBe(1750 / 2600);
    expect(m.efficiency).toBe(0.6730769230769231);
    expect(m.inefficiencies).toEqual([
      { path: '/app/config.json', count: 3, cumulativeSize: 850, minSize: 0, layers: [0, 1, 2] },
    ]);
    expect(m.wastedBytes).toBe(850);
    expect(m.reclaimableBytes).toBe(850);
    expect(m.sizeBytes).toBe(2600);
    expect(m.userSizeBytes).toBe(600);
    expect(m.userWastedPercent).toBe(850 / 600);
  });
});

describe('goFileMode', () => {
  it('matches Go’s header.FileInfo().Mode()', () => {
    expect(goFileMode(0o755, 53)).toBe(2147484141);
    expect(goFileMode(0o1777, 53)).toBe(2148532735);
    expect(goFileMode(0o4755, 48)).toBe(2 ** 23 + 0o755);
    expect(goFileMode(0o777, 50)).toBe(2 ** 27 + 0o777);
  });
});
