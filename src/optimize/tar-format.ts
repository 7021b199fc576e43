/**
 * Tar headers for rewritten layers: POSIX ustar, with a pax extended header ('x') for whatever
 * ustar cannot hold — long or non-ASCII names and link targets, big ids, sizes or times — and
 * for carried-over pax records (extended attributes). Every field comes from the entry, nothing
 * from the clock or the machine, so the same entries give the same bytes. Pure.
 */
import type { EntryType } from '../analyze/layer-reader.js';

export interface TarHeader {
  path: string;
  type: Exclude<EntryType, 'other'>;
  mode: number;
  uid: number;
  gid: number;
  /** Content bytes (regular files only). */
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Symlink target, or the path a hard link names. */
  linkTarget?: string;
  uname?: string;
  gname?: string;
  devMajor?: number;
  devMinor?: number;
  /** Extra pax records (e.g. `SCHILY.xattr.user.x`), written as they are. */
  pax?: Record<string, string>;
}

export const BLOCK = 512;
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

const TYPEFLAG: Record<TarHeader['type'], string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;

// NUL cannot occur (the reader refuses it); anything above 0x7f needs pax.
const isAscii = (s: string): boolean => [...s].every((ch) => ch.charCodeAt(0) < 0x80);

function put(block: Buffer, offset: number, length: number, value: string): void {
  Buffer.from(value, 'utf8').copy(block, offset, 0, length);
}

function putOctal(block: Buffer, offset: number, length: number, value: number): void {
  put(block, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

/** ustar's name/prefix split; undefined when the path does not fit (then pax carries it). */
function splitPath(path: string): { name: string; prefix: string } | undefined {
  if (!isAscii(path)) return undefined;
  if (path.length <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (prefix.length <= 155 && name.length <= 100 && name !== '') return { name, prefix };
  }
  return undefined;
}

/** One pax record: "<len> <key>=<value>\n", where len counts the whole record, itself included. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = Buffer.byteLength(body);
  let len = bodyBytes + String(bodyBytes).length;
  if (String(len).length + bodyBytes !== len) len = String(len).length + bodyBytes;
  return `${len}${body}`;
}

function ustarBlock(
  h: TarHeader,
  name: string,
  prefix: string,
  size: number,
  typeflag: string,
  linkname: string,
  numbers: { uid: number; gid: number; mtime: number },
): Buffer {
  const block = Buffer.alloc(BLOCK);
  put(block, 0, 100, name);
  putOctal(block, 100, 8, h.mode & 0o7777);
  putOctal(block, 108, 8, numbers.uid);
  putOctal(block, 116, 8, numbers.gid);
  putOctal(block, 124, 12, size);
  putOctal(block, 136, 12, numbers.mtime);
  block.fill(0x20, 148, 156);
  put(block, 156, 1, typeflag);
  put(block, 157, 100, linkname);
  put(block, 257, 6, 'ustar\0');
  put(block, 263, 2, '00');
  if (h.uname && isAscii(h.uname) && h.uname.length <= 32) put(block, 265, 32, h.uname);
  if (h.gname && isAscii(h.gname) && h.gname.length <= 32) put(block, 297, 32, h.gname);
  putOctal(block, 329, 8, Math.min(h.devMajor ?? 0, MAX_OCTAL_7));
  putOctal(block, 337, 8, Math.min(h.devMinor ?? 0, MAX_OCTAL_7));
  put(block, 345, 155, prefix);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** A short ASCII stand-in for names that only pax can carry. */
function fallbackName(path: string, max: number): string {
  const ascii = path.replace(/[^\x20-\x7e]/g, '_');
  return ascii.length <= max ? ascii : ascii.slice(ascii.length - max);
}

/** The header block(s) of one entry: [pax header, pax data, padding,] ustar header. */
export function encodeHeader(h: TarHeader): Buffer {
  const path = h.type === 'dir' ? `${h.path.replace(/\/+$/, '')}/` : h.path;
  const linkname = h.type === 'symlink' || h.type === 'hardlink' ? (h.linkTarget ?? '') : '';
  const size = h.type === 'file' ? h.size : 0;
  const records = new Map<string, string>(Object.entries(h.pax ?? {}));

  const split = splitPath(path);
  if (!split) records.set('path', path);
  const linkFits = isAscii(linkname) && linkname.length <= 100;
  if (!linkFits) records.set('linkpath', linkname);
  if (h.uid > MAX_OCTAL_7) records.set('uid', String(h.uid));
  if (h.gid > MAX_OCTAL_7) records.set('gid', String(h.gid));
  if (size > MAX_OCTAL_11) records.set('size', String(size));
  const mtime = Math.floor(h.mtime);
  const mtimeFits = mtime >= 0 && mtime <= MAX_OCTAL_11;
  if (!mtimeFits) records.set('mtime', String(mtime));
  if (h.uname && !(isAscii(h.uname) && h.uname.length <= 32)) records.set('uname', h.uname);
  if (h.gname && !(isAscii(h.gname) && h.gname.length <= 32)) records.set('gname', h.gname);

  const numbers = {
    uid: h.uid > MAX_OCTAL_7 ? 0 : h.uid,
    gid: h.gid > MAX_OCTAL_7 ? 0 : h.gid,
    mtime: mtimeFits ? mtime : 0,
  };
  const main = ustarBlock(
    h,
    split ? split.name : fallbackName(path, 100),
    split ? split.prefix : '',
    size > MAX_OCTAL_11 ? 0 : size,
    TYPEFLAG[h.type],
    linkFits ? linkname : fallbackName(linkname, 100),
    numbers,
  );
  if (records.size === 0) return main;

  // Sorted keys: the same records always give the same bytes.
  const data = Buffer.from(
    [...records.keys()]
      .sort()
      .map((k) => paxRecord(k, records.get(k)!))
      .join(''),
    'utf8',
  );
  const slash = path.replace(/\/$/, '').lastIndexOf('/');
  const paxName = fallbackName(`PaxHeaders/${path.replace(/\/$/, '').slice(slash + 1)}`, 100);
  const pax = ustarBlock(
    { path: paxName, type: 'file', mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: numbers.mtime },
    paxName,
    '',
    data.length,
    'x',
    '',
    { uid: 0, gid: 0, mtime: numbers.mtime },
  );
  return Buffer.concat([pax, data, padding(data.length), main]);
}

export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}
