/**
 * dive's image metrics, reproduced exactly (wagoodman/dive `dive/filetree/efficiency.go`,
 * `dive/image/analysis.go`), plus our corrected waste figure. Pure.
 *
 * dive builds one tree per layer from the tar entries (missing parent directories become empty
 * nodes; `.wh..wh.*` markers are dropped but their parents created) and visits the *leaves* of
 * each layer in order. Per path (whiteout markers count at the path they remove):
 *   - a regular leaf contributes its tar size;
 *   - a whiteout contributes, if the removed path was an explicit directory in the layers below,
 *     the size of everything under it in those stacked layers, else 0;
 *   - cumulative = Σ contributions, min = smallest contribution.
 * efficiency = Σ min / Σ cumulative (1 when nothing was counted). A path seen in two or more
 * layers is an "inefficiency"; dive's `wastedBytes` = Σ cumulative of those — every copy,
 * the one that stays included (dive#684). `reclaimableBytes` = Σ (cumulative − min) is what
 * could actually be saved. `sizeBytes` = Σ layer sizes (Σ entry sizes per layer);
 * `userWastedPercent` = wastedBytes / (sizeBytes − layer 0's size).
 *
 * One deliberate difference: a whiteout of a path that does not exist below makes dive log an
 * error and skip the rest of that layer; here it simply contributes 0.
 */
import type { LayerScan } from './layer-reader.js';
import { compareBytes, WHITEOUT_PREFIX, META_PREFIX } from './paths.js';

/** dive's per-node FileInfo (the `fileList` items of its JSON export). */
export interface DiveFileInfo {
  path: string;
  typeFlag: number;
  linkName: string;
  size: number;
  /** Go's os.FileMode: permission bits plus type and setuid/setgid/sticky flags. */
  fileMode: number;
  uid: number;
  gid: number;
  isDir: boolean;
}

const EMPTY_INFO: DiveFileInfo = {
  path: '',
  typeFlag: 0,
  linkName: '',
  size: 0,
  fileMode: 0,
  uid: 0,
  gid: 0,
  isDir: false,
};

export interface DiveNode {
  name: string;
  children: Map<string, DiveNode>;
  info: DiveFileInfo;
  explicit: boolean;
}

export interface DiveTree {
  index: number;
  root: DiveNode;
  /** Σ of entry sizes (dive's `tree.FileSize`). */
  sizeBytes: number;
}

export type DiveLayerInput = Pick<
  LayerScan,
  'index' | 'entries' | 'whiteouts' | 'metaMarkers' | 'contentSize'
>;

const GO_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
} as const;

/** A tar header's mode as Go's `header.FileInfo().Mode()` reports it. */
export function goFileMode(mode: number, typeFlag: number): number {
  let m = mode & 0o777;
  if (mode & 0o4000) m += GO_MODE.setuid;
  if (mode & 0o2000) m += GO_MODE.setgid;
  if (mode & 0o1000) m += GO_MODE.sticky;
  switch (typeFlag) {
    case 50:
      m += GO_MODE.symlink;
      break;
    case 51:
      m += GO_MODE.device + GO_MODE.charDevice;
      break;
    case 52:
      m += GO_MODE.device;
      break;
    case 53:
      m += GO_MODE.dir;
      break;
    case 54:
      m += GO_MODE.namedPipe;
      break;
  }
  return m;
}

function newNode(name: string): DiveNode {
  return { name, children: new Map(), info: EMPTY_INFO, explicit: false };
}

/** dive's `FileTree.AddPath`: creates missing parents as empty nodes, replaces the leaf's info. */
function addPath(root: DiveNode, path: string, info: DiveFileInfo | undefined): void {
  let node = root;
  for (const name of path.split('/')) {
    if (name === '') continue;
    let next = node.children.get(name);
    if (!next) {
      if (name.startsWith(META_PREFIX)) return;
      next = newNode(name);
      node.children.set(name, next);
    }
    node = next;
  }
  if (info) {
    node.info = info;
    node.explicit = true;
  }
}

/** One dive tree per layer. */
export function buildDiveTrees(layers: readonly DiveLayerInput[]): DiveTree[] {
  return layers.map((scan) => {
    const root = newNode('');
    for (const e of scan.entries) {
      addPath(root, e.path, {
        path: e.path,
        typeFlag: e.typeFlag,
        linkName: e.linkTarget ?? '',
        size: e.size,
        fileMode: goFileMode(e.mode, e.typeFlag),
        uid: e.uid,
        gid: e.gid,
        isDir: e.type === 'dir',
      });
    }
    for (const w of scan.whiteouts) {
      addPath(root, w.markerPath, {
        path: w.markerPath,
        typeFlag: w.typeFlag,
        linkName: '',
        size: w.size,
        fileMode: goFileMode(w.mode, w.typeFlag),
        uid: w.uid,
        gid: w.gid,
        isDir: false,
      });
    }
    for (const m of scan.metaMarkers) addPath(root, m, undefined);
    return { index: scan.index, root, sizeBytes: scan.contentSize };
  });
}

function sortedChildren(node: DiveNode): DiveNode[] {
  return [...node.children.values()].sort((a, b) => compareBytes(a.name, b.name));
}

/** Depth-first, children before their parent, siblings in Go string order (dive's visit order). */
export function* visitChildFirst(node: DiveNode, path = ''): Generator<{ node: DiveNode; path: string }> {
  for (const child of sortedChildren(node)) {
    const childPath = path === '' ? child.name : `${path}/${child.name}`;
    yield* visitChildFirst(child, childPath);
    yield { node: child, path: childPath };
  }
}

const isWhiteoutName = (name: string): boolean => name.startsWith(WHITEOUT_PREFIX);
const stripWhiteout = (path: string): string => {
  const i = path.lastIndexOf('/');
  const name = path.slice(i + 1);
  return isWhiteoutName(name) ? path.slice(0, i + 1) + name.slice(WHITEOUT_PREFIX.length) : path;
};

interface StackNode {
  children: Map<string, StackNode>;
  size: number;
  isDir: boolean;
}

/** dive's `FileTree.Stack`: whiteouts remove, every other node (empty ones too) is (re)added. */
function stack(onto: StackNode, layer: DiveTree): void {
  for (const { node, path } of visitChildFirst(layer.root)) {
    if (isWhiteoutName(node.name)) {
      const parts = stripWhiteout(path).split('/');
      const name = parts.pop()!;
      let parent: StackNode | undefined = onto;
      for (const p of parts) parent = parent?.children.get(p);
      parent?.children.delete(name);
      continue;
    }
    let at = onto;
    for (const p of path.split('/')) {
      let next = at.children.get(p);
      if (!next) {
        next = emptyStackNode();
        at.children.set(p, next);
      }
      at = next;
    }
    at.size = node.info.size;
    at.isDir = node.info.isDir;
  }
}

const emptyStackNode = (): StackNode => ({ children: new Map(), size: 0, isDir: false });

/** dive's `FileTree.Copy`: every node as it is, whiteout markers included. */
function copyTree(node: DiveNode): StackNode {
  const out: StackNode = { children: new Map(), size: node.info.size, isDir: node.info.isDir };
  for (const [name, child] of node.children) out.children.set(name, copyTree(child));
  return out;
}

function subtreeSize(node: StackNode): number {
  let n = node.size;
  for (const child of node.children.values()) n += subtreeSize(child);
  return n;
}

function lookup(root: StackNode, path: string): StackNode | undefined {
  let node: StackNode | undefined = root;
  for (const p of path.split('/')) {
    node = node?.children.get(p);
    if (!node) return undefined;
  }
  return node;
}

export interface Inefficiency {
  /** As dive prints it: "/etc/app.conf". */
  path: string;
  /** How many layers touched the path (dive's `count`). */
  count: number;
  /** Σ of its sizes over those layers (dive's `sizeBytes` for the path). */
  cumulativeSize: number;
  /** Its smallest size; cumulative − min is what could be reclaimed. */
  minSize: number;
  /** Layer indexes (0-based) in order. */
  layers: number[];
}

export interface DiveMetrics {
  /** Σ min / Σ cumulative over every path; 1 for an empty image. */
  efficiency: number;
  /** Σ layer sizes (uncompressed file content). */
  sizeBytes: number;
  /** Σ sizes of layers after the first (dive treats layer 0 as the base image). */
  userSizeBytes: number;
  /** dive's figure: every copy of every inefficient path, the surviving one included. */
  wastedBytes: number;
  /** Σ (cumulative − min): the bytes a rebuild could actually save. */
  reclaimableBytes: number;
  /** wastedBytes / userSizeBytes; 0 when both are 0, Infinity (JSON null) when only the latter is. */
  userWastedPercent: number;
  /** Paths seen in two or more layers, in dive's order (largest cumulative size first). */
  inefficiencies: Inefficiency[];
}

interface PathData {
  path: string;
  cumulative: number;
  min: number;
  layers: number[];
}

export function diveMetrics(trees: readonly DiveTree[]): DiveMetrics {
  const byPath = new Map<string, PathData>();
  const discovered: PathData[] = [];
  // dive sizes a whiteout against StackTreeRange(trees, 0, i-1): a copy of layer 0 with layers
  // 0..i-1 stacked on it (for layer 0: the bare copy). Kept incrementally here.
  const stacked = trees[0] ? copyTree(trees[0].root) : emptyStackNode();

  for (const tree of trees) {
    for (const { node, path } of visitChildFirst(tree.root)) {
      if (node.children.size > 0) continue;
      let size: number;
      if (isWhiteoutName(node.name)) {
        const previous = lookup(stacked, stripWhiteout(path));
        size = previous?.isDir ? subtreeSize(previous) : 0;
      } else {
        size = node.info.size;
      }
      const key = `/${stripWhiteout(path)}`;
      let data = byPath.get(key);
      if (!data) {
        data = { path: key, cumulative: 0, min: -1, layers: [] };
        byPath.set(key, data);
      }
      data.cumulative += size;
      if (data.min < 0 || size < data.min) data.min = size;
      data.layers.push(tree.index);
      if (data.layers.length === 2) discovered.push(data);
    }
    stack(stacked, tree);
  }

  let minimum = 0;
  let discoveredTotal = 0;
  let reclaimable = 0;
  for (const d of byPath.values()) {
    minimum += d.min;
    discoveredTotal += d.cumulative;
    reclaimable += d.cumulative - d.min;
  }
  const efficiency = discoveredTotal === 0 ? 1 : minimum / discoveredTotal;

  // Go's sort.Sort (ascending by cumulative size) is stable for dive's usual handful of paths;
  // the export then lists them in reverse.
  const ordered = discovered
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.cumulative - b.d.cumulative || a.i - b.i)
    .map(({ d }) => d)
    .reverse();
  const inefficiencies = ordered.map((d) => ({
    path: d.path,
    count: d.layers.length,
    cumulativeSize: d.cumulative,
    minSize: d.min,
    layers: d.layers,
  }));
  const wastedBytes = inefficiencies.reduce((n, x) => n + x.cumulativeSize, 0);
  const sizeBytes = trees.reduce((n, t) => n + t.sizeBytes, 0);
  const userSizeBytes = trees.reduce((n, t, i) => (i === 0 ? n : n + t.sizeBytes), 0);
  const userWastedPercent =
    userSizeBytes === 0 ? (wastedBytes === 0 ? 0 : Infinity) : wastedBytes / userSizeBytes;
  return {
    efficiency,
    sizeBytes,
    userSizeBytes,
    wastedBytes,
    reclaimableBytes: reclaimable,
    userWastedPercent,
    inefficiencies,
  };
}
