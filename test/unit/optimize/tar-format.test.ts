import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as tar from 'tar-stream';
import { scanLayer } from '../../../src/analyze/layer-reader.js';
import {
  END_OF_ARCHIVE,
  encodeHeader,
  padding,
  paxRecord,
  type TarHeader,
} from '../../../src/optimize/tar-format.js';
import { chunked } from '../../support/layer-fixtures.js';
import { requireTool } from '../../support/tools.js';

function archive(entries: { h: TarHeader; data?: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const { h, data } of entries) {
    parts.push(encodeHeader(h));
    if (data) parts.push(data, padding(data.length));
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

async function headers(bytes: Buffer): Promise<tar.Header[]> {
  const out: tar.Header[] = [];
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      out.push(entry.header);
      entry.resume();
    }
  })();
  extract.end(bytes);
  await done;
  return out;
}

const base = { mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 946684800 };
const longDir = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(60)}`;

describe('encodeHeader', () => {
  it('round-trips names, modes, owners, times and links through tar-stream', async () => {
    const bytes = archive([
      { h: { ...base, path: 'etc', type: 'dir', mode: 0o755 } },
      {
        h: { ...base, path: 'etc/shadow', type: 'file', mode: 0, size: 3, mtime: 0 },
        data: Buffer.from('s:x'),
      },
      {
        h: { ...base, path: 'usr/bin/su', type: 'file', mode: 0o4755, size: 2, uid: 12, gid: 34 },
        data: Buffer.from('su'),
      },
      { h: { ...base, path: `${longDir}/name.txt`, type: 'file', size: 1 }, data: Buffer.from('x') },
      { h: { ...base, path: `${'n'.repeat(300)}`, type: 'file' } },
      { h: { ...base, path: 'caf\u00e9/\u00fc.txt', type: 'file' } },
      { h: { ...base, path: 'link', type: 'symlink', mode: 0o777, linkTarget: `/${'t'.repeat(150)}` } },
      { h: { ...base, path: 'hard', type: 'hardlink', linkTarget: 'etc/shadow' } },
      { h: { ...base, path: 'big-ids', type: 'file', uid: 5_000_000, gid: 70_000_000 } },
      { h: { ...base, path: 'dev/null', type: 'char', mode: 0o666, devMajor: 1, devMinor: 3 } },
      { h: { ...base, path: 'fifo', type: 'fifo' } },
      { h: { ...base, path: 'x', type: 'file', pax: { 'SCHILY.xattr.user.note': 'hello' } } },
    ]);
    const hs = await headers(bytes);
    expect(hs.map((h) => [h.name, h.type])).toEqual([
      ['etc/', 'directory'],
      ['etc/shadow', 'file'],
      ['usr/bin/su', 'file'],
      [`${longDir}/name.txt`, 'file'],
      ['n'.repeat(300), 'file'],
      ['caf\u00e9/\u00fc.txt', 'file'],
      ['link', 'symlink'],
      ['hard', 'link'],
      ['big-ids', 'file'],
      ['dev/null', 'character-device'],
      ['fifo', 'fifo'],
      ['x', 'file'],
    ]);
    expect(hs[1]).toMatchObject({ mode: 0, size: 3 });
    expect(hs[1]!.mtime.getTime()).toBe(0);
    expect(hs[2]).toMatchObject({ mode: 0o4755, uid: 12, gid: 34 });
    expect(hs[6]!.linkname).toBe(`/${'t'.repeat(150)}`);
    expect(hs[7]!.linkname).toBe('etc/shadow');
    expect(hs[8]!.pax).toMatchObject({ uid: '5000000', gid: '70000000' });
    expect(hs[9]).toMatchObject({ devmajor: 1, devminor: 3, mode: 0o666 });
    expect(hs[11]!.pax).toMatchObject({ 'SCHILY.xattr.user.note': 'hello' });
  });

  it('the layer reader sees the same entries (big ids through pax)', async () => {
    const bytes = archive([
      {
        h: { ...base, path: 'big-ids', type: 'file', uid: 5_000_000, gid: 70_000_000, size: 1 },
        data: Buffer.from('b'),
      },
      { h: { ...base, path: `${longDir}/n`, type: 'symlink', linkTarget: 'x'.repeat(120) } },
    ]);
    const scan = await scanLayer(
      chunked(bytes, 100),
      { index: 0, digest: 'sha256:0', mediaType: 'x', size: bytes.length },
      {
        compressionSample: 0,
      },
    );
    expect(scan.entries).toMatchObject([
      { path: 'big-ids', type: 'file', uid: 5_000_000, gid: 70_000_000, size: 1 },
      { path: `${longDir}/n`, type: 'symlink', linkTarget: 'x'.repeat(120) },
    ]);
  });

  it('is deterministic and pads headers to 512-byte blocks', () => {
    const h: TarHeader = { ...base, path: 'n'.repeat(300), type: 'file', pax: { b: '2', a: '1' } };
    const one = encodeHeader(h);
    expect(one.equals(encodeHeader({ ...h, pax: { a: '1', b: '2' } }))).toBe(true);
    expect(one.length % 512).toBe(0);
  });

  it('pax records count their own length', () => {
    for (const value of ['', 'x', 'y'.repeat(86), 'y'.repeat(87), 'z'.repeat(995)]) {
      const r = paxRecord('path', value);
      expect(Number(r.split(' ')[0])).toBe(Buffer.byteLength(r));
    }
  });

  it.skipIf(!requireTool('tar'))('GNU tar lists the archive, owners, modes and links included', () => {
    const bytes = archive([
      {
        h: {
          ...base,
          path: 'a',
          type: 'file',
          size: 1,
          mode: 0o4750,
          uid: 1000,
          gid: 1000,
          uname: 'app',
          gname: 'app',
        },
        data: Buffer.from('a'),
      },
      { h: { ...base, path: 'b', type: 'hardlink', linkTarget: 'a' } },
      { h: { ...base, path: `${'p'.repeat(200)}`, type: 'symlink', linkTarget: 'a' } },
    ]);
    const r = spawnSync('tar', ['-tvf', '-', '--numeric-owner'], { input: bytes });
    expect(r.status, r.stderr.toString()).toBe(0);
    const lines = r.stdout.toString().trim().split('\n');
    expect(lines[0]).toMatch(/^-rwsr-x--- 1000\/1000\s+1 2000-01-01 00:00 a$/);
    expect(lines[1]).toMatch(/ b link to a$/);
    expect(lines[2]).toMatch(new RegExp(` ${'p'.repeat(200)} -> a$`));
  });
});
