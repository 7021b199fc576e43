/**
 * Minimal deterministic ustar (POSIX.1-1988) writer: enough for image layers with files, directories
 * and symlinks. Every entry gets the same owner, mtime and modes so identical input → identical bytes.
 */

export type TarEntry =
  | { type: 'file'; path: string; data: string | Buffer; mode?: number }
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'symlink'; path: string; target: string };

/** 2000-01-01T00:00:00Z: fixed so layer digests never depend on when a test ran. */
export const FIXED_MTIME = 946684800;

const BLOCK = 512;

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar field too long (${bytes.length} > ${length}): ${value}`);
  bytes.copy(header, offset);
}

// Numeric fields are zero-padded octal followed by a NUL, filling the field.
function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  const digits = value.toString(8);
  if (digits.length > length - 1) throw new Error(`tar numeric field overflow: ${value}`);
  writeString(header, offset, length, digits.padStart(length - 1, '0') + '\0');
}

/** ustar splits long paths into prefix (≤155 bytes) + '/' + name (≤100 bytes). */
function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '')
      return { name, prefix };
  }
  throw new Error(`path too long for ustar: ${path}`);
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const path = entry.type === 'dir' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
  const { name, prefix } = splitPath(path);
  const mode = entry.type === 'symlink' ? 0o777 : (entry.mode ?? (entry.type === 'dir' ? 0o755 : 0o644));
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, FIXED_MTIME);
  block.fill(0x20, 148, 156); // checksum is computed with its own field as 8 spaces
  writeString(block, 156, 1, entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2');
  if (entry.type === 'symlink') writeString(block, 157, 100, entry.target);
  writeString(block, 257, 6, 'ustar\0');
  writeString(block, 263, 2, '00');
  writeString(block, 265, 32, 'root');
  writeString(block, 297, 32, 'root');
  writeString(block, 345, 155, prefix);
  let sum = 0;
  for (const byte of block) sum += byte;
  // Six octal digits, NUL, space: the historical layout every reader accepts.
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** Serialize entries in the given order into an uncompressed tar archive. */
export function makeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.type === 'file' ? Buffer.from(entry.data) : Buffer.alloc(0);
    parts.push(header(entry, data.length), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(2 * BLOCK)); // end-of-archive marker
  return Buffer.concat(parts);
}

/** Turn `{ 'etc/': '', 'etc/hosts': '...' }` into entries: a trailing '/' makes a directory. */
export function entriesFromFiles(files: Record<string, string | Buffer>): TarEntry[] {
  return Object.entries(files).map(([path, data]): TarEntry =>
    path.endsWith('/') ? { type: 'dir', path } : { type: 'file', path, data },
  );
}
