import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../../src/errors.js';
import {
  ByteBudget,
  scanLayer,
  type LayerScan,
  type ScanOptions,
} from '../../../src/analyze/layer-reader.js';
import { detectCompression, zstdWindowSize } from '../../../src/analyze/decompress.js';
import {
  END_OF_ARCHIVE,
  chunked,
  compress,
  fixtureLayer,
  gnuLongNameTar,
  hugeZeroTar,
  layerFromTar,
  layerRef,
  packTar,
  pad512,
  paxRecord,
  rawHeader,
  type FixtureCompression,
} from '../../support/layer-fixtures.js';
import { requireTool } from '../../support/tools.js';

const haveZstd = requireTool('zstd');
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

async function scanTar(
  tar: Buffer,
  how: FixtureCompression = 'gzip',
  opts: ScanOptions = {},
  chunk = 777,
): Promise<LayerScan> {
  const layer = layerFromTar(tar, how);
  return scanLayer(chunked(layer.data, chunk), layerRef(layer), opts);
}

async function rejection(p: Promise<unknown>): Promise<IntegrityError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IntegrityError);
  return err as IntegrityError;
}

const SAMPLE: Parameters<typeof packTar>[0] = [
  { type: 'dir', path: './' },
  { type: 'dir', path: './etc/' },
  { path: './etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\n', mode: 0o644 },
  { path: 'usr/bin/su', data: 'ELF', mode: 0o4755, uid: 0, gid: 0 },
  { path: 'srv/app.bin', data: 'x'.repeat(3000), uid: 1000, gid: 1000 },
  { type: 'symlink', path: 'bin', target: 'usr/bin' },
  { type: 'symlink', path: 'etc/localtime', target: '/usr/share/zoneinfo/UTC' },
  { type: 'hardlink', path: 'usr/bin/su2', target: './usr/bin/su', mode: 0o4755 },
  { type: 'whiteout', path: 'var/cache/old.deb' },
  { type: 'opaque', path: 'opt/app' },
  { path: 'opt/app/.wh..wh.plnk', data: '' },
];

describe('scanLayer: formats', () => {
  it.each(['gzip', 'none', ...(haveZstd ? ['zstd'] : [])] as FixtureCompression[])(
    'reads a %s layer: entries, links, modes, whiteouts, opaque dirs, diff id and sizes',
    async (how) => {
      const tar = await packTar(SAMPLE);
      const scan = await scanTar(tar, how);
      expect(scan.compression).toBe(how);
      expect(scan.declaredCompression).toBe(how);
      expect(scan.diffId).toBe(`sha256:${sha(tar)}`);
      expect(scan.uncompressedSize).toBe(tar.length);
      // 30 + 3 + 3000 bytes of file content; links, dirs and markers are 0.
      expect(scan.contentSize).toBe(3033);
      expect(scan.entries.map((e) => [e.path, e.type, e.typeFlag, e.size])).toEqual([
        ['etc', 'dir', 53, 0],
        ['etc/passwd', 'file', 48, 30],
        ['usr/bin/su', 'file', 48, 3],
        ['srv/app.bin', 'file', 48, 3000],
        ['bin', 'symlink', 50, 0],
        ['etc/localtime', 'symlink', 50, 0],
        ['usr/bin/su2', 'hardlink', 49, 0],
      ]);
      const su = scan.entries.find((e) => e.path === 'usr/bin/su')!;
      expect(su.mode).toBe(0o4755);
      expect(scan.entries.find((e) => e.path === 'srv/app.bin')).toMatchObject({ uid: 1000, gid: 1000 });
      expect(scan.entries.find((e) => e.path === 'etc/localtime')?.linkTarget).toBe(
        '/usr/share/zoneinfo/UTC',
      );
      expect(scan.entries.find((e) => e.path === 'usr/bin/su2')?.linkTarget).toBe('usr/bin/su');
      expect(scan.whiteouts).toEqual([
        expect.objectContaining({
          target: 'var/cache/old.deb',
          markerPath: 'var/cache/.wh.old.deb',
          size: 0,
        }),
      ]);
      expect(scan.opaqueDirs).toEqual(['opt/app']);
      expect(scan.metaMarkers).toEqual(['opt/app/.wh..wh..opq', 'opt/app/.wh..wh.plnk']);
      expect(scan.entries.find((e) => e.path === 'etc/passwd')?.sha256).toBe(
        sha('root:x:0:0:root:/root:/bin/sh\n'),
      );
      expect(scan.captured.get('etc/passwd')?.toString()).toBe('root:x:0:0:root:/root:/bin/sh\n');
    },
  );

  it('trusts the magic bytes, not the media type', async () => {
    const tar = await packTar([{ path: 'a', data: 'hello' }]);
    const gz = gzipSync(tar);
    const lying = {
      index: 0,
      digest: `sha256:${sha(gz)}`,
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      size: gz.length,
    };
    const scan = await scanLayer(chunked(gz, 3), lying);
    expect(scan.declaredCompression).toBe('none');
    expect(scan.compression).toBe('gzip');
    expect(scan.entries.map((e) => e.path)).toEqual(['a']);
    expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBe('zstd');
    expect(detectCompression(Buffer.from('ustar'))).toBe('none');
  });

  it('reads pax long names, pax owners and GNU long names and link targets', async () => {
    const long = `deep/${'d'.repeat(120)}/${'f'.repeat(150)}.txt`;
    const pax = await packTar([
      { path: long, data: 'pax' },
      { type: 'symlink', path: 'short', target: long },
    ]);
    const scan = await scanTar(pax, 'gzip', {}, 13);
    expect(scan.entries.map((e) => e.path)).toEqual([long, 'short']);
    expect(scan.entries[1]?.linkTarget).toBe(long);

    // A pax record overriding uid/gid (what tar --format=posix writes for ids over 2097151).
    const record = Buffer.concat([paxRecord('uid', '3000000'), paxRecord('gid', '3000001')]);
    const paxOwner = Buffer.concat([
      rawHeader({ name: 'PaxHeader/owned', size: record.length, typeflag: 'x' }),
      pad512(record),
      rawHeader({ name: 'owned', size: 2 }),
      pad512(Buffer.from('hi')),
      END_OF_ARCHIVE,
    ]);
    const owned = await scanTar(paxOwner, 'none');
    expect(owned.entries[0]).toMatchObject({ path: 'owned', uid: 3000000, gid: 3000001, size: 2 });

    const gnuName = `g/${'n'.repeat(180)}`;
    const gnu = gnuLongNameTar([
      { path: gnuName, data: 'gnu' },
      { path: 'hard', linkTo: gnuName },
      { path: 'soft', symlinkTo: `/${gnuName}` },
    ]);
    const g = await scanTar(gnu, 'none', {}, 100);
    expect(g.entries.map((e) => [e.path, e.type, e.linkTarget])).toEqual([
      [gnuName, 'file', undefined],
      ['hard', 'hardlink', gnuName],
      ['soft', 'symlink', `/${gnuName}`],
    ]);
  });

  it('hashes file contents only when asked, and keeps only small captured files', async () => {
    const tar = await packTar([
      { path: 'etc/group', data: 'root:x:0:\n' },
      { path: 'etc/shadow', data: 'x'.repeat(2000) },
      { path: 'home/u/.npmrc', data: '//registry.npmjs.org/:_authToken=abc\n' },
      { path: 'data.bin', data: 'payload' },
      { path: 'empty', data: '' },
    ]);
    const scan = await scanTar(tar, 'gzip', { hashFiles: false, limits: { maxCapturedFileBytes: 1000 } });
    expect(scan.entries.every((e) => e.sha256 === undefined)).toBe(true);
    expect([...scan.captured.keys()].sort()).toEqual(['etc/group', 'home/u/.npmrc']);
    expect(scan.tooLargeToCapture.get('etc/shadow')).toBe(2000);

    const hashed = await scanTar(tar, 'gzip');
    expect(hashed.entries.find((e) => e.path === 'data.bin')?.sha256).toBe(sha('payload'));
    expect(hashed.entries.find((e) => e.path === 'empty')?.sha256).toBe(sha(''));
  });

  it('keeps both entries when a path appears twice in one layer (the later one wins when merged)', async () => {
    const tar = await packTar([
      { path: 'f', data: 'one' },
      { path: 'f', data: 'three' },
    ]);
    const scan = await scanTar(tar);
    expect(scan.entries.map((e) => e.size)).toEqual([3, 5]);
    expect(scan.contentSize).toBe(8);
  });

  it('reads an empty blob and an empty tar', async () => {
    const empty = await scanLayer(Readable.from([]), {
      index: 0,
      digest: `sha256:${sha('')}`,
      mediaType: 'x',
      size: 0,
    });
    expect(empty.entries).toEqual([]);
    const scan = await scanTar(END_OF_ARCHIVE, 'gzip');
    expect(scan.entries).toEqual([]);
    expect(scan.uncompressedSize).toBe(1024);
  });
});

describe('scanLayer: gzip -9 estimate', () => {
  it('is exact (what zlib level 9 gives) when the whole layer fits the sample', async () => {
    const tar = await packTar([{ path: 'text.txt', data: 'all work and no play '.repeat(2000) }]);
    const scan = await scanTar(tar, 'none', {}, 4096);
    expect(scan.gzip9).toEqual({
      sampledBytes: tar.length,
      sampleCompressedBytes: gzipSync(tar, { level: 9, memLevel: 9 }).length,
      estimatedBytes: gzipSync(tar, { level: 9, memLevel: 9 }).length,
      exact: true,
      method: 'whole-layer',
    });
  });

  it('samples blocks of a larger layer and scales the ratio', async () => {
    // 2 MiB of random bytes then 2 MiB of zeros: a biased "first N bytes" sample would say 100 %.
    const tar = await packTar([
      { path: 'random', data: randomBytes(2 * 1024 * 1024) },
      { path: 'zeros', data: Buffer.alloc(2 * 1024 * 1024) },
    ]);
    const scan = await scanTar(tar, 'none', { compressionSample: 512 * 1024 }, 65536);
    const g = scan.gzip9!;
    expect(g.exact).toBe(false);
    expect(g.method).toBe('block-sample');
    expect(g.sampledBytes).toBeLessThanOrEqual(512 * 1024);
    // The true gzip -9 size is ~2 MiB (the random half); the estimate should be near it.
    const truth = gzipSync(tar, { level: 9 }).length;
    expect(g.estimatedBytes).toBeGreaterThan(truth * 0.6);
    expect(g.estimatedBytes).toBeLessThan(truth * 1.4);
  });

  it('can be turned off', async () => {
    const scan = await scanTar(await packTar([{ path: 'a', data: 'a' }]), 'none', { compressionSample: 0 });
    expect(scan.gzip9).toBeUndefined();
  });
});

describe('scanLayer: hostile layers are refused with the layer and the entry named', () => {
  const label = /^layer 1 \(sha256:[0-9a-f]{12}\)/;

  it.each([
    ['../etc/passwd', /unsafe entry "\.\.\/etc\/passwd": a "\.\." component \(path traversal\)/],
    ['a/../../etc/cron.d/x', /unsafe entry "a\/\.\.\/\.\.\/etc\/cron\.d\/x": a "\.\." component/],
    ['/etc/passwd', /unsafe entry "\/etc\/passwd": an absolute path/],
  ])('%s', async (name, message) => {
    const tar = Buffer.concat([rawHeader({ name, size: 4 }), pad512(Buffer.from('evil')), END_OF_ARCHIVE]);
    const err = await rejection(scanTar(tar, 'gzip'));
    expect(err.message).toMatch(label);
    expect(err.message).toMatch(message);
    expect(err.hint).toMatch(/malicious/);
  });

  it('normalises absolute names when allowed', async () => {
    const tar = Buffer.concat([rawHeader({ name: '/etc/hosts', size: 0 }), END_OF_ARCHIVE]);
    const scan = await scanTar(tar, 'none', { allowAbsolutePaths: true });
    expect(scan.entries[0]?.path).toBe('etc/hosts');
  });

  it('symlinks and hard links that leave the root', async () => {
    const escape = await packTar([{ type: 'symlink', path: 'usr/lib/x', target: '../../../etc/shadow' }]);
    expect((await rejection(scanTar(escape))).message).toMatch(
      /symlink "usr\/lib\/x" → "\.\.\/\.\.\/\.\.\/etc\/shadow" points outside the image root/,
    );
    // Climbing to the root and back down is fine, so is an absolute target.
    const inside = await packTar([
      { type: 'symlink', path: 'usr/lib/x', target: '../../etc/shadow' },
      { type: 'symlink', path: 'y', target: '/../../etc/shadow' },
    ]);
    expect((await scanTar(inside)).entries).toHaveLength(2);
    expect((await scanTar(escape, 'gzip', { allowEscapingSymlinks: true })).entries).toHaveLength(1);

    const hard = Buffer.concat([
      rawHeader({ name: 'h', typeflag: '1', linkname: '../outside' }),
      END_OF_ARCHIVE,
    ]);
    expect((await rejection(scanTar(hard))).message).toMatch(
      /hard link "h" → "\.\.\/outside" points outside the image root/,
    );
  });

  it('a pax header over 4 MiB', async () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, 0x61);
    const tar = Buffer.concat([
      rawHeader({ name: 'PaxHeader/x', size: huge.length, typeflag: 'x' }),
      huge,
      END_OF_ARCHIVE,
    ]);
    const err = await rejection(scanTar(tar, 'gzip', {}, 65536));
    expect(err.message).toMatch(/a tar header \(pax or GNU long name\) exceeds the 4 MiB limit/);
  });

  it('a name longer than the path limit', async () => {
    const tar = await packTar([{ path: `${'a/'.repeat(2600)}f`, data: '' }]);
    const err = await rejection(scanTar(tar));
    expect(err.message).toMatch(/entry name of 5201 bytes exceeds the 4096-byte limit/);
  });

  it('a link target longer than the path limit', async () => {
    const tar = await packTar([{ type: 'symlink', path: 'l', target: `/${'t'.repeat(5000)}` }]);
    expect((await rejection(scanTar(tar))).message).toMatch(
      /link target of "l" is 5001 bytes, over the 4096-byte limit/,
    );
  });

  it('more entries than allowed', async () => {
    const tar = await packTar(Array.from({ length: 11 }, (_, i) => ({ path: `f${i}`, data: '' })));
    const err = await rejection(scanTar(tar, 'gzip', { limits: { maxEntries: 10 } }));
    expect(err.message).toMatch(/more than 10 entries/);
    expect(err.hint).toMatch(/maxEntries/);
  });

  it('a tar bomb: more uncompressed bytes than the layer or image limit', async () => {
    const tar = await packTar([{ path: 'zeros', data: Buffer.alloc(4 * 1024 * 1024) }]);
    const err = await rejection(scanTar(tar, 'gzip', { limits: { maxLayerBytes: 1024 * 1024 } }, 65536));
    expect(err.message).toMatch(/expands to more than 1048576 bytes uncompressed \(a tar bomb\?\)/);

    const budget = new ByteBudget(6 * 1024 * 1024);
    await scanTar(tar, 'gzip', { budget });
    const second = await rejection(scanTar(tar, 'gzip', { budget }));
    expect(second.message).toMatch(/the image expands to more than 6291456 bytes uncompressed/);
  });

  it('truncated, corrupt and non-tar data', async () => {
    const tar = await packTar([{ path: 'file', data: 'x'.repeat(5000) }]);
    expect((await rejection(scanTar(tar.subarray(0, 2048), 'none'))).message).toMatch(/truncated/);
    expect((await rejection(scanTar(randomBytes(4096), 'none'))).message).toMatch(
      /is not a valid tar archive/,
    );
    const gz = gzipSync(tar);
    gz.writeUInt8(gz.readUInt8(gz.length - 20) ^ 0xff, gz.length - 20);
    const corrupt = {
      index: 0,
      digest: `sha256:${sha(gz)}`,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      size: gz.length,
    };
    expect((await rejection(scanLayer(chunked(gz), corrupt))).message).toMatch(
      /cannot decompress|truncated|not a valid tar/,
    );
  });

  it('a zstd frame that asks for an oversized window', () => {
    // Frame header: magic, descriptor 0 (window descriptor follows), window log 31.
    const head = Buffer.from([
      0x28,
      0xb5,
      0x2f,
      0xfd,
      0x00,
      (31 - 10) << 3,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
    expect(zstdWindowSize(head)).toBe(2 ** 31);
    const blob = {
      index: 0,
      digest: `sha256:${sha(head)}`,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd',
      size: head.length,
    };
    return expect(scanLayer(chunked(head), blob)).rejects.toThrow(
      /zstd frame asks for a 2147483648-byte window/,
    );
  });

  it('passes the source’s own failure (e.g. a digest mismatch) through unchanged', async () => {
    const tar = await packTar([{ path: 'file', data: 'x'.repeat(100_000) }]);
    const gz = gzipSync(tar);
    const source = new PassThrough();
    const mismatch = new IntegrityError('blob sha256:abc: digest mismatch');
    source.write(gz.subarray(0, 1000));
    setTimeout(() => source.destroy(mismatch), 10);
    const err = await scanLayer(source, layerRef(layerFromTar(tar))).catch((e: unknown) => e);
    expect(err).toBe(mismatch);
  });
});

describe.skipIf(!haveZstd)('scanLayer: zstd from the Debian zstd CLI', () => {
  it('reads multi-frame (concatenated) zstd streams', async () => {
    const a = await packTar([{ path: 'a', data: 'first' }]);
    const frames = Buffer.concat([compress(a.subarray(0, 1024), 'zstd'), compress(a.subarray(1024), 'zstd')]);
    const blob = {
      index: 0,
      digest: `sha256:${sha(frames)}`,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd',
      size: frames.length,
    };
    const scan = await scanLayer(chunked(frames, 5), blob);
    expect(scan.compression).toBe('zstd');
    expect(scan.entries.map((e) => e.path)).toEqual(['a']);
    expect(scan.diffId).toBe(`sha256:${sha(a)}`);
  });

  it('reads a layer compressed by the zstd CLI', async () => {
    const layer = await fixtureLayer([{ path: 'usr/share/big.txt', data: 'zstd '.repeat(50_000) }], 'zstd');
    const scan = await scanLayer(chunked(layer.data, 4096), layerRef(layer));
    expect(scan.entries[0]).toMatchObject({ path: 'usr/share/big.txt', size: 250_000 });
    expect(scan.diffId).toBe(layer.diffId);
  });
});

describe('scanLayer: memory stays bounded', () => {
  it('streams a 256 MiB file through gzip without holding it', async () => {
    const size = 256 * 1024 * 1024;
    const gzip = createGzip({ level: 1 });
    const source = hugeZeroTar(size).pipe(gzip);
    global.gc?.();
    const before = process.memoryUsage();
    let peak = 0;
    const timer = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
    }, 20);
    const scan = await scanLayer(
      source,
      {
        index: 0,
        digest: 'sha256:unverified',
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        size: 300_000,
      },
      {
        compressionSample: 1024 * 1024,
      },
    );
    clearInterval(timer);
    expect(scan.entries).toEqual([expect.objectContaining({ path: 'big.bin', size })]);
    expect(scan.uncompressedSize).toBe(512 + size + 1024);
    // A copy of the file would be 256 MiB; streaming keeps us far below.
    expect(peak).toBeLessThan(96 * 1024 * 1024);
  }, 60_000);
});
