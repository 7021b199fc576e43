/**
 * Tar entry names as an image sees them: relative to the container root, without "./", never
 * leaving the root. Also the overlay whiteout conventions (`.wh.NAME`, `.wh..wh..opq`) and the
 * ordering dive walks a tree in. Pure functions.
 */

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
/** `.wh..wh.` names are overlay/AUFS metadata (opaque marker, `.wh..wh.plnk`, `.wh..wh.aufs`). */
export const META_PREFIX = '.wh..wh.';

export type NormalisedPath = { ok: true; path: string } | { ok: false; problem: string };

/**
 * "./usr/bin/" → "usr/bin"; "." and "./" → "" (the root itself). Refuses any ".." component and,
 * unless `allowAbsolute`, a leading "/" (tar writers for images never produce either).
 */
export function normaliseEntryPath(raw: string, allowAbsolute = false): NormalisedPath {
  if (raw.includes('\0')) return { ok: false, problem: 'a NUL byte in the name' };
  if (raw.startsWith('/') && !allowAbsolute) return { ok: false, problem: 'an absolute path' };
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return { ok: false, problem: 'a ".." component (path traversal)' };
    parts.push(part);
  }
  return { ok: true, path: parts.join('/') };
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Every proper ancestor of a path, outermost first: "a/b/c" → ["a", "a/b"]. */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

export type Whiteout =
  | { kind: 'none' }
  | { kind: 'whiteout'; target: string }
  | { kind: 'opaque'; dir: string }
  | { kind: 'meta' };

/** What a (normalised) entry path means to an overlay filesystem. */
export function classifyWhiteout(path: string): Whiteout {
  const name = basename(path);
  if (!name.startsWith(WHITEOUT_PREFIX)) return { kind: 'none' };
  if (name === OPAQUE_MARKER) return { kind: 'opaque', dir: dirname(path) };
  if (name.startsWith(META_PREFIX)) return { kind: 'meta' };
  const removed = name.slice(WHITEOUT_PREFIX.length);
  if (removed === '' || removed === '.' || removed === '..') return { kind: 'meta' };
  return { kind: 'whiteout', target: joinPath(dirname(path), removed) };
}

/**
 * Whether a symlink at `linkPath` pointing at `target` leaves the root when resolved lexically from
 * the link's directory. Absolute targets stay inside: the container's root is their root.
 */
export function symlinkEscapes(linkPath: string, target: string): boolean {
  if (target.startsWith('/')) return false;
  const stack = dirname(linkPath) === '' ? [] : dirname(linkPath).split('/');
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) return true;
      stack.pop();
    } else {
      stack.push(part);
    }
  }
  return false;
}

/**
 * dive visits children in Go's `sort.Strings` order, component by component; comparing whole
 * strings would put "a-b" before "a/c". Byte order on the UTF-8 encoding, like Go.
 */
export function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const c = compareBytes(pa[i]!, pb[i]!);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  // ASCII fast path; otherwise compare UTF-8 bytes as Go does.
  if (/^[\x20-\x7e]*$/.test(a) && /^[\x20-\x7e]*$/.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
