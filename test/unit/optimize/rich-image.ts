/**
 * The image the optimize tests rewrite: a file written, overwritten and deleted across layers, a
 * file deleted by a later layer, an opaque directory, hard links (kept, pointing at a stripped
 * file, pointing at a file replaced later, pointing into a lower layer), symlinks, a setuid
 * binary, an owned file, a long path, apt and npm caches and docs.
 */
import type { FixtureEntry } from '../../support/layer-fixtures.js';

const fill = (n: number, ch: string): string => ch.repeat(n);
export const LONG_DIR = `app/deep/${'x'.repeat(70)}/${'y'.repeat(70)}`;

export const RICH_IMAGE: FixtureEntry[][] = [
  [
    { type: 'dir', path: 'app/' },
    { path: 'app/config.json', data: fill(400, 'c') },
    { type: 'dir', path: 'app/data/' },
    { path: 'app/data/a.txt', data: fill(300, 'a') },
    { path: 'app/data/b.txt', data: fill(200, 'b') },
    { path: 'app/shared', data: 'shared content' },
    { type: 'hardlink', path: 'app/shared-link', target: 'app/shared' },
    { path: 'app/old', data: 'old version' },
    { type: 'hardlink', path: 'app/old-link', target: 'app/old' },
    { type: 'dir', path: 'etc/' },
    { path: 'etc/os-release', data: 'ID=test\n' },
    { type: 'dir', path: 'usr/bin/' },
    { path: 'usr/bin/su', data: 'setuid binary', mode: 0o4755 },
    { path: 'usr/bin/tool', data: 'tool binary', mode: 0o755 },
    { type: 'symlink', path: 'usr/bin/tool-link', target: 'tool' },
    { type: 'symlink', path: 'usr/bin/abs-link', target: '/etc/os-release' },
    { type: 'dir', path: 'usr/share/doc/pkg/' },
    { path: 'usr/share/doc/pkg/README', data: fill(700, 'r') },
    { path: 'usr/share/doc/pkg/copyright', data: 'GPL' },
    { type: 'dir', path: 'var/cache/apt/' },
    { path: 'var/cache/apt/pkgcache.bin', data: fill(1000, 'p') },
    { path: 'var/cache/apt/hardcache', data: 'cached' },
    { type: 'hardlink', path: 'app/cache-link', target: 'var/cache/apt/hardcache' },
    { type: 'dir', path: 'var/lib/apt/lists/' },
    { path: 'var/lib/apt/lists/deb_Packages', data: fill(900, 'l') },
    { type: 'dir', path: 'root/' },
    { type: 'dir', path: 'root/.npm/' },
    { type: 'dir', path: 'root/.npm/_cacache/' },
    { type: 'dir', path: 'root/.npm/_cacache/index-v5/' },
    { path: 'root/.npm/_cacache/index-v5/aa', data: fill(600, 'n') },
    { type: 'dir', path: 'tmp/', mode: 0o1777 },
    { path: 'tmp/scratch.bin', data: fill(5000, 's') },
  ],
  [
    { type: 'dir', path: 'app/' },
    { path: 'app/config.json', data: fill(450, 'C') },
    { path: 'app/old', data: 'new version' },
    { path: 'app/new.txt', data: 'new file' },
    { path: 'app/owned', data: 'owned', mode: 0o640, uid: 1000, gid: 1000 },
    { type: 'whiteout', path: 'tmp/scratch.bin' },
  ],
  [
    { type: 'dir', path: 'app/' },
    { type: 'dir', path: 'app/data/' },
    { type: 'opaque', path: 'app/data' },
    { path: 'app/data/c.txt', data: fill(50, 'n') },
    { type: 'whiteout', path: 'app/config.json' },
    { type: 'hardlink', path: 'app/later-link', target: 'app/new.txt' },
    { path: `${LONG_DIR}/file.txt`, data: 'deep' },
  ],
];

/** [path, type, hard link target] of the squashed layer, in write order, caches stripped. */
export const SQUASHED_ENTRIES: [string, string, string?][] = [
  ['app', 'dir'],
  ['app/cache-link', 'file'],
  ['app/data', 'dir'],
  ['app/data/c.txt', 'file'],
  [`${LONG_DIR}/file.txt`, 'file'],
  ['app/new.txt', 'file'],
  ['app/later-link', 'hardlink', 'app/new.txt'],
  ['app/old', 'file'],
  ['app/old-link', 'file'],
  ['app/owned', 'file'],
  ['app/shared', 'file'],
  ['app/shared-link', 'hardlink', 'app/shared'],
  ['etc', 'dir'],
  ['etc/os-release', 'file'],
  ['root', 'dir'],
  ['root/.npm', 'dir'],
  ['tmp', 'dir'],
  ['usr/bin', 'dir'],
  ['usr/bin/abs-link', 'symlink'],
  ['usr/bin/su', 'file'],
  ['usr/bin/tool', 'file'],
  ['usr/bin/tool-link', 'symlink'],
  ['usr/share/doc/pkg', 'dir'],
  ['usr/share/doc/pkg/README', 'file'],
  ['usr/share/doc/pkg/copyright', 'file'],
  ['var/cache/apt', 'dir'],
  ['var/lib/apt/lists', 'dir'],
];

export const STRIPPED_CACHES = [
  'root/.npm/_cacache',
  'root/.npm/_cacache/index-v5',
  'root/.npm/_cacache/index-v5/aa',
  'var/cache/apt/hardcache',
  'var/cache/apt/pkgcache.bin',
  'var/lib/apt/lists/deb_Packages',
];
