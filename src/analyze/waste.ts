/**
 * Bytes an image could shed, by cause, from the merged tree and the layer scans. Pure.
 *
 * File categories count uncompressed bytes of regular files; a file that falls in two categories
 * is counted once in `totalBytes`. Categories over the final filesystem: package-manager caches,
 * tests inside node_modules, source maps, documentation, build toolchains and headers. Over the
 * layers: versions deleted or overwritten by a later layer (still shipped in the lower blob), and
 * identical content added again by a later layer (by sha256, when files were hashed).
 * Compression findings are separate (compressed bytes): layers whose stored size exceeds our
 * gzip -9 measurement (see gzip-estimate.ts) by at least 10 % and 512 bytes.
 */
import type { MergedFile, MergedTree } from './file-tree.js';
import type { LayerScan } from './layer-reader.js';

export type WasteCategory =
  | 'package-cache'
  | 'node-modules-tests'
  | 'source-maps'
  | 'docs'
  | 'build-toolchain'
  | 'deleted-later'
  | 'overwritten-later'
  | 'duplicate-content';

export interface WasteItem {
  /** Path in the image, with a leading "/". */
  path: string;
  /** Layer (0-based) whose blob holds these bytes. */
  layer: number;
  size: number;
  detail?: string;
}

export interface WasteGroup {
  category: WasteCategory;
  title: string;
  hint: string;
  bytes: number;
  files: number;
  /** The largest items (at most `maxItems`). */
  items: WasteItem[];
}

export interface CompressionFinding {
  layer: number;
  digest: string;
  compression: 'gzip' | 'zstd' | 'none';
  storedBytes: number;
  uncompressedBytes: number;
  estimatedGzip9Bytes: number;
  savingBytes: number;
  /** The whole layer was recompressed (else a block sample was). */
  exact: boolean;
  sampledBytes: number;
}

export interface ReclaimableReport {
  /** Uncompressed bytes over all file categories, each file counted once. */
  totalBytes: number;
  categories: WasteGroup[];
  compression: CompressionFinding[];
  /** Σ savingBytes of the compression findings (compressed bytes). */
  compressionSavingBytes: number;
}

const INFO: Record<WasteCategory, { title: string; hint: string }> = {
  'package-cache': {
    title: 'package manager caches',
    hint: 'clean them in the same RUN: apt-get clean && rm -rf /var/lib/apt/lists/*, apk add --no-cache, npm ci --cache /tmp/c && rm -rf /tmp/c, pip install --no-cache-dir',
  },
  'node-modules-tests': {
    title: 'tests inside node_modules',
    hint: 'install production dependencies only (npm ci --omit=dev) and prune test folders',
  },
  'source-maps': { title: 'source maps (*.map)', hint: 'do not ship source maps in runtime images' },
  docs: {
    title: 'documentation and man pages',
    hint: 'exclude /usr/share/doc, man and info pages (dpkg path-exclude, or remove them in the same RUN); copyright files are kept',
  },
  'build-toolchain': {
    title: 'build toolchain and headers in the final image',
    hint: 'build in a separate stage and copy only the results (multi-stage build)',
  },
  'deleted-later': {
    title: 'files deleted by a later layer',
    hint: 'delete files in the same RUN that creates them; a later RUN only hides them',
  },
  'overwritten-later': {
    title: 'files replaced by a later layer',
    hint: 'write each file once; chmod/chown in a later RUN copies the whole file (COPY --chmod/--chown instead)',
  },
  'duplicate-content': {
    title: 'identical content added again by a later layer',
    hint: 'copy the content once, or link to it',
  },
};

const CACHE_PATTERNS: RegExp[] = [
  /^var\/cache\/apt\//,
  /^var\/lib\/apt\/lists\//,
  /^var\/cache\/apk\//,
  /^etc\/apk\/cache\//,
  /^var\/cache\/(yum|dnf)\//,
  /^(root|home\/[^/]+)\/\.npm\//,
  /^(root|home\/[^/]+)\/\.cache\/(pip|yarn|pnpm)\//,
  /^usr\/local\/share\/\.cache\/yarn\//,
];

const DOC_PATTERNS: RegExp[] = [/^usr\/(local\/)?share\/(doc|man|info|gtk-doc)\//, /^usr\/share\/doc-base\//];

const TOOLCHAIN_DIRS: RegExp[] = [/^usr\/(lib|libexec)\/gcc(-cross)?\//, /^usr\/(local\/)?include\//];
const TOOLCHAIN_BIN =
  /^(usr\/(local\/)?)?bin\/((([a-z0-9_]+-)+)?(gcc|g\+\+|c\+\+|cpp|cc|clang|clang\+\+|make|gmake|cmake|ld|ld\.bfd|ld\.gold|as|gfortran|rustc|cargo|go)(-\d+(\.\d+)*)?)$/;

const NODE_TESTS = /(^|\/)node_modules\/(.+\/)?(test|tests|__tests__)\//;

function categoriesOf(path: string): WasteCategory[] {
  const out: WasteCategory[] = [];
  if (CACHE_PATTERNS.some((r) => r.test(path))) out.push('package-cache');
  if (NODE_TESTS.test(path)) out.push('node-modules-tests');
  if (path.endsWith('.map')) out.push('source-maps');
  if (DOC_PATTERNS.some((r) => r.test(path)) && !/\/copyright$/.test(path)) out.push('docs');
  if (TOOLCHAIN_DIRS.some((r) => r.test(path)) || TOOLCHAIN_BIN.test(path)) out.push('build-toolchain');
  return out;
}

const show = (path: string): string => `/${path}`;

export function findReclaimable(
  layers: readonly LayerScan[],
  tree: MergedTree,
  opts: { maxItems?: number } = {},
): ReclaimableReport {
  const maxItems = opts.maxItems ?? 50;
  const groups = new Map<WasteCategory, { items: WasteItem[]; bytes: number }>();
  const counted = new Map<string, number>();
  const add = (category: WasteCategory, item: WasteItem): void => {
    let g = groups.get(category);
    if (!g) {
      g = { items: [], bytes: 0 };
      groups.set(category, g);
    }
    g.items.push(item);
    g.bytes += item.size;
    counted.set(`${item.layer}\0${item.path}`, item.size);
  };

  const regular = (f: MergedFile): boolean => f.entry.type === 'file';
  for (const f of tree.files) {
    if (!regular(f)) continue;
    for (const c of categoriesOf(f.path)) add(c, { path: show(f.path), layer: f.layer, size: f.entry.size });
  }

  for (const h of tree.hidden) {
    if (h.entry.type !== 'file' || h.entry.size === 0) continue;
    if (h.reason === 'overwritten') {
      add('overwritten-later', {
        path: show(h.path),
        layer: h.layer,
        size: h.entry.size,
        detail: `replaced in layer ${h.hiddenBy + 1}${h.sameContent ? ' with identical content (only metadata changed)' : ''}`,
      });
    } else {
      add('deleted-later', {
        path: show(h.path),
        layer: h.layer,
        size: h.entry.size,
        detail: `${h.reason === 'opaque' ? 'hidden by an opaque directory' : 'deleted'} in layer ${h.hiddenBy + 1}`,
      });
    }
  }

  const byHash = new Map<string, MergedFile[]>();
  for (const f of tree.files) {
    if (!regular(f) || f.entry.size === 0 || f.entry.sha256 === undefined) continue;
    const list = byHash.get(f.entry.sha256);
    if (list) list.push(f);
    else byHash.set(f.entry.sha256, [f]);
  }
  for (const list of byHash.values()) {
    if (list.length < 2) continue;
    const firstLayer = Math.min(...list.map((f) => f.layer));
    const original = list.find((f) => f.layer === firstLayer)!;
    for (const f of list) {
      if (f.layer === firstLayer) continue;
      add('duplicate-content', {
        path: show(f.path),
        layer: f.layer,
        size: f.entry.size,
        detail: `same content as ${show(original.path)} (layer ${original.layer + 1})`,
      });
    }
  }

  const order: WasteCategory[] = [
    'deleted-later',
    'overwritten-later',
    'duplicate-content',
    'package-cache',
    'build-toolchain',
    'docs',
    'node-modules-tests',
    'source-maps',
  ];
  const categories: WasteGroup[] = [];
  for (const category of order) {
    const g = groups.get(category);
    if (!g) continue;
    const items = [...g.items].sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
    categories.push({
      category,
      ...INFO[category],
      bytes: g.bytes,
      files: g.items.length,
      items: items.slice(0, maxItems),
    });
  }

  const compression: CompressionFinding[] = [];
  for (const l of layers) {
    if (!l.gzip9) continue;
    const saving = l.size - l.gzip9.estimatedBytes;
    if (saving < 512 || saving < l.size * 0.1) continue;
    compression.push({
      layer: l.index,
      digest: l.digest,
      compression: l.compression,
      storedBytes: l.size,
      uncompressedBytes: l.uncompressedSize,
      estimatedGzip9Bytes: l.gzip9.estimatedBytes,
      savingBytes: saving,
      exact: l.gzip9.exact,
      sampledBytes: l.gzip9.sampledBytes,
    });
  }

  let totalBytes = 0;
  for (const size of counted.values()) totalBytes += size;
  return {
    totalBytes,
    categories,
    compression,
    compressionSavingBytes: compression.reduce((n, c) => n + c.savingBytes, 0),
  };
}

/** For tests and callers that want the categories of a single path. */
export function wasteCategoriesOf(path: string): WasteCategory[] {
  return categoriesOf(path.replace(/^\/+/, ''));
}
