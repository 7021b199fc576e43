/**
 * Layer fixtures for the analysis tests: tar bytes written with tar-stream's packer (pax long
 * names, hard links, modes, owners, whiteouts, opaque markers), hand-made GNU long-name and
 * hostile headers, and layers compressed with gzip, the Debian `zstd` CLI, or not at all.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import type { CliOptions, CliResult } from './cli.js';
import { runCli } from './cli.js';
import type { Layer } from './images.js';
import { scanLayer, type LayerScan, type ScanOptions } from '../../src/analyze/layer-reader.js';
import { whichTool } from './tools.js';

export type FixtureEntry =
  | { type?: 'file'; path: string; data?: string | Buffer; mode?: number; uid?: number; gid?: number }
  | { type: 'dir'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'hardlink'; path: string; target: string; mode?: number }
  /** Removes `path` from lower layers (writes `dir/.wh.name`). */
  | { type: 'whiteout'; path: string }
  /** Hides the lower contents of directory `path` (writes `path/.wh..wh..opq`). */
  | { type: 'opaque'; path: string };

const MTIME = new Date(946684800 * 1000);

function splitName(path: string): { dir: string; name: string } {
  const i = path.lastIndexOf('/');
  return i === -1 ? { dir: '', name: path } : { dir: path.slice(0, i + 1), name: path.slice(i + 1) };
}

/** Tar bytes via tar-stream's packer (ustar; pax headers for long names and links). */
export async function packTar(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const e of entries) {
    const base = { mtime: MTIME, uname: 'root', gname: 'root' };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      switch (e.type) {
        case undefined:
        case 'file':
          pack.entry(
            { ...base, name: e.path, type: 'file', mode: e.mode ?? 0o644, uid: e.uid ?? 0, gid: e.gid ?? 0 },
            Buffer.from(e.data ?? ''),
            cb,
          );
          return;
        case 'dir':
          pack.entry(
            {
              ...base,
              name: e.path,
              type: 'directory',
              mode: e.mode ?? 0o755,
              uid: e.uid ?? 0,
              gid: e.gid ?? 0,
            },
            cb,
          );
          return;
        case 'symlink':
          pack.entry({ ...base, name: e.path, type: 'symlink', linkname: e.target, mode: 0o777 }, cb);
          return;
        case 'hardlink':
          pack.entry({ ...base, name: e.path, type: 'link', linkname: e.target, mode: e.mode ?? 0o644 }, cb);
          return;
        case 'whiteout': {
          const { dir, name } = splitName(e.path);
          pack.entry({ ...base, name: `${dir}.wh.${name}`, type: 'file', mode: 0 }, Buffer.alloc(0), cb);
          return;
        }
        case 'opaque':
          pack.entry(
            { ...base, name: `${e.path.replace(/\/$/, '')}/.wh..wh..opq`, type: 'file', mode: 0 },
            Buffer.alloc(0),
            cb,
          );
          return;
      }
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

// ---- hand-made headers (GNU long names, hostile input) ----

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, '0') + '\0';
}

/** One raw 512-byte header; `magic` 'gnu' writes "ustar  \0" like GNU tar, 'ustar' POSIX. */
export function rawHeader(opts: {
  name: string;
  size?: number;
  typeflag?: string;
  mode?: number;
  linkname?: string;
  magic?: 'ustar' | 'gnu';
}): Buffer {
  const b = Buffer.alloc(512);
  b.write(opts.name.slice(0, 100), 0, 'utf8');
  b.write(octal(opts.mode ?? 0o644, 8), 100);
  b.write(octal(0, 8), 108);
  b.write(octal(0, 8), 116);
  b.write(octal(opts.size ?? 0, 12), 124);
  b.write(octal(946684800, 12), 136);
  b.fill(0x20, 148, 156);
  b.write(opts.typeflag ?? '0', 156);
  if (opts.linkname) b.write(opts.linkname.slice(0, 100), 157, 'utf8');
  if ((opts.magic ?? 'ustar') === 'gnu') b.write('ustar  \0', 257, 'binary');
  else b.write('ustar\u000000', 257, 'binary');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(octal(sum, 7) + ' ', 148);
  return b;
}

export function pad512(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}

export const END_OF_ARCHIVE = Buffer.alloc(1024);

/** A GNU tar with 'L' (long name) and 'K' (long link) records, as `tar --format=gnu` writes. */
export function gnuLongNameTar(
  files: { path: string; data?: string; linkTo?: string; symlinkTo?: string }[],
): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const data = Buffer.from(f.data ?? '');
    if (Buffer.byteLength(f.path) > 99) {
      const name = Buffer.from(`${f.path}\0`);
      parts.push(
        rawHeader({ name: '././@LongLink', size: name.length, typeflag: 'L', magic: 'gnu' }),
        pad512(name),
      );
    }
    const link = f.linkTo ?? f.symlinkTo;
    if (link !== undefined && Buffer.byteLength(link) > 99) {
      const name = Buffer.from(`${link}\0`);
      parts.push(
        rawHeader({ name: '././@LongLink', size: name.length, typeflag: 'K', magic: 'gnu' }),
        pad512(name),
      );
    }
    const typeflag = f.linkTo !== undefined ? '1' : f.symlinkTo !== undefined ? '2' : '0';
    parts.push(
      rawHeader({
        name: f.path,
        size: typeflag === '0' ? data.length : 0,
        typeflag,
        magic: 'gnu',
        ...(link !== undefined ? { linkname: link } : {}),
      }),
    );
    if (typeflag === '0') parts.push(pad512(data));
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

/** A pax extended header record block ("len key=value\n"), `bodySize` bytes long. */
export function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.from(`${len}${body}`);
}

// ---- compression and layers ----

export type FixtureCompression = 'gzip' | 'zstd' | 'none';

export const ZSTD = '/usr/bin/zstd';

export function haveZstd(): boolean {
  return whichTool('zstd') !== undefined;
}

/** Compress with node's gzip (level 6 unless given), the `zstd` CLI, or not at all. */
export function compress(data: Buffer, how: FixtureCompression, level?: number): Buffer {
  if (how === 'none') return data;
  if (how === 'gzip') return gzipSync(data, { level: level ?? 6 });
  const zstd = whichTool('zstd') ?? ZSTD;
  const r = spawnSync(zstd, ['-q', '-c', `-${level ?? 3}`, '-'], { input: data, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr.toString()}`);
  return r.stdout;
}

const LAYER_TYPES: Record<FixtureCompression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A layer for makeImage from tar bytes; `mediaType` may lie about the compression on purpose. */
export function layerFromTar(tarBytes: Buffer, how: FixtureCompression = 'gzip', mediaType?: string): Layer {
  const data = compress(tarBytes, how);
  return {
    data,
    digest: sha(data),
    size: data.length,
    mediaType: mediaType ?? LAYER_TYPES[how],
    diffId: sha(tarBytes),
  };
}

export async function fixtureLayer(
  entries: FixtureEntry[],
  how: FixtureCompression = 'gzip',
): Promise<Layer> {
  return layerFromTar(await packTar(entries), how);
}

/** A Descriptor-shaped view of a fixture layer, for scanLayer(). */
export function layerRef(
  layer: Layer,
  index = 0,
): { index: number; digest: string; mediaType: string; size: number } {
  return { index, digest: layer.digest, mediaType: layer.mediaType, size: layer.size };
}

const fill = (n: number, ch: string): string => ch.repeat(n);

/**
 * The hand-computed image of the analysis tests: a file written, overwritten and deleted; an
 * opaque directory; a hard link; a duplicate of another layer's file; an apt cache.
 */
export const HAND_IMAGE: FixtureEntry[][] = [
  [
    { type: 'dir', path: 'app/' },
    { path: 'app/config.json', data: fill(400, 'c') },
    { type: 'dir', path: 'app/data/' },
    { path: 'app/data/a.txt', data: fill(300, 'a') },
    { path: 'app/data/b.txt', data: fill(200, 'b') },
    { type: 'dir', path: 'etc/' },
    { path: 'etc/os-release', data: fill(100, 'o') },
    { type: 'dir', path: 'var/cache/apt/' },
    { path: 'var/cache/apt/pkgcache.bin', data: fill(1000, 'p') },
  ],
  [
    { type: 'dir', path: 'app/' },
    { path: 'app/config.json', data: fill(450, 'C') },
    { path: 'app/copy-of-release', data: fill(100, 'o') },
    { type: 'hardlink', path: 'app/link', target: 'app/config.json' },
  ],
  [
    { type: 'dir', path: 'app/' },
    { type: 'dir', path: 'app/data/' },
    { type: 'opaque', path: 'app/data' },
    { path: 'app/data/c.txt', data: fill(50, 'n') },
    { type: 'whiteout', path: 'app/config.json' },
  ],
];

/** Scans of layers built from entry lists (uncompressed, through the real reader), indexed 0…n-1. */
export async function scanFixtureLayers(
  layers: FixtureEntry[][],
  opts: ScanOptions = {},
): Promise<LayerScan[]> {
  return Promise.all(
    layers.map(async (entries, index) => {
      const layer = await fixtureLayer(entries, 'none');
      return scanLayer(chunked(layer.data, 4096), layerRef(layer, index), { compressionSample: 0, ...opts });
    }),
  );
}

/** A readable of `data` in small chunks, so parsers meet chunk boundaries everywhere. */
export function chunked(data: Buffer, size = 1000): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    })(),
  );
}

/**
 * An uncompressed tar with one file of `fileBytes` zero bytes, generated on the fly in 1 MiB
 * chunks: a big layer that never exists in memory.
 */
export function hugeZeroTar(fileBytes: number, name = 'big.bin'): Readable {
  return Readable.from(
    (function* () {
      yield rawHeader({ name, size: fileBytes });
      const chunk = Buffer.alloc(1024 * 1024);
      let left = fileBytes;
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        yield n === chunk.length ? chunk : chunk.subarray(0, n);
        left -= n;
      }
      const rest = fileBytes % 512;
      if (rest) yield Buffer.alloc(512 - rest);
      yield END_OF_ARCHIVE;
    })(),
  );
}

/** `ghcr-optimize ...args` (analyze and lint are registered commands). */
export function runAnalyzeCli(args: string[], opts: CliOptions): Promise<CliResult> {
  return runCli(args, opts);
}
