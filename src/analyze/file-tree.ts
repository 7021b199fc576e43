/**
 * The image's filesystem as a container sees it, built by stacking layer scans the way overlayfs
 * does (OCI image-spec `layer.md`): in each layer, first its whiteouts and opaque directories
 * hide lower content (never content of the same layer), then its entries are added; an entry
 * replaces the lower one at its path, and a non-directory replacing a directory hides the
 * directory's contents. Every change is recorded per path (added / modified / removed, by
 * layer), and every version that ends up hidden is kept as a `HiddenVersion`: those bytes are
 * still shipped in their layer's blob. Pure.
 */
import type { LayerEntry, LayerScan } from './layer-reader.js';
import { comparePaths } from './paths.js';

export type Change = 'added' | 'modified' | 'removed';

export interface PathEvent {
  layer: number;
  change: Change;
  /** Size of the version added or modified (the removed one for "removed"). */
  size: number;
}

export interface MergedFile {
  path: string;
  entry: LayerEntry;
  /** Layer that supplied the visible version. */
  layer: number;
}

export type HiddenReason = 'deleted' | 'overwritten' | 'opaque';

export interface HiddenVersion {
  path: string;
  entry: LayerEntry;
  /** Layer whose blob still holds these bytes. */
  layer: number;
  /** Layer that hid them. */
  hiddenBy: number;
  reason: HiddenReason;
  /** An overwrite with identical content (only the mode or owner changed, dive#110). */
  sameContent?: boolean;
}

export interface MergedTree {
  /** Visible files, directories and links, sorted by path. */
  files: MergedFile[];
  /** Versions present in some layer but not visible in the image. */
  hidden: HiddenVersion[];
  /** What happened at each path, layer by layer (removed paths included). */
  events: Map<string, PathEvent[]>;
  /** Visible entry at `path` (no leading slash), if any. */
  get(path: string): MergedFile | undefined;
}

interface Node {
  children: Map<string, Node>;
  file?: MergedFile;
}

const newNode = (): Node => ({ children: new Map() });

export function mergeLayers(layers: readonly LayerScan[]): MergedTree {
  const root = newNode();
  const hidden: HiddenVersion[] = [];
  const events = new Map<string, PathEvent[]>();
  const record = (path: string, ev: PathEvent): void => {
    const list = events.get(path);
    if (list) list.push(ev);
    else events.set(path, [ev]);
  };

  const find = (path: string): Node | undefined => {
    let node: Node | undefined = root;
    for (const part of path.split('/')) {
      node = node.children.get(part);
      if (!node) return undefined;
    }
    return node;
  };

  /** Hides `node` and everything below it. */
  const hideSubtree = (node: Node, layer: number, reason: HiddenReason): void => {
    for (const child of node.children.values()) hideSubtree(child, layer, reason);
    node.children.clear();
    if (node.file) {
      hidden.push({
        path: node.file.path,
        entry: node.file.entry,
        layer: node.file.layer,
        hiddenBy: layer,
        reason,
      });
      record(node.file.path, { layer, change: 'removed', size: node.file.entry.size });
      delete node.file;
    }
  };

  const remove = (path: string, layer: number, reason: HiddenReason): void => {
    const parts = path.split('/');
    const name = parts.pop()!;
    const parent = parts.length === 0 ? root : find(parts.join('/'));
    const node = parent?.children.get(name);
    if (!parent || !node) return;
    hideSubtree(node, layer, reason);
    parent.children.delete(name);
  };

  for (const scan of layers) {
    const layer = scan.index;
    for (const dir of scan.opaqueDirs) {
      const node = dir === '' ? root : find(dir);
      if (!node) continue;
      for (const child of node.children.values()) hideSubtree(child, layer, 'opaque');
      node.children.clear();
    }
    for (const w of scan.whiteouts) remove(w.target, layer, 'deleted');
    for (const entry of scan.entries) {
      let node = root;
      for (const part of entry.path.split('/')) {
        let next = node.children.get(part);
        if (!next) {
          next = newNode();
          node.children.set(part, next);
        }
        node = next;
      }
      const previous = node.file;
      if (previous) {
        const prev = previous.entry;
        if (prev.type === 'dir' && entry.type !== 'dir') {
          for (const child of node.children.values()) hideSubtree(child, layer, 'overwritten');
          node.children.clear();
        }
        const isDirRefresh =
          prev.type === 'dir' &&
          entry.type === 'dir' &&
          prev.mode === entry.mode &&
          prev.uid === entry.uid &&
          prev.gid === entry.gid;
        if (prev.type !== 'dir') {
          const same = prev.sha256 !== undefined && prev.sha256 === entry.sha256 && prev.size === entry.size;
          hidden.push({
            path: entry.path,
            entry: prev,
            layer: previous.layer,
            hiddenBy: layer,
            reason: 'overwritten',
            ...(same ? { sameContent: true } : {}),
          });
        }
        if (!isDirRefresh) record(entry.path, { layer, change: 'modified', size: entry.size });
      } else {
        record(entry.path, { layer, change: 'added', size: entry.size });
      }
      node.file = { path: entry.path, entry, layer };
    }
  }

  const files: MergedFile[] = [];
  const walk = (node: Node): void => {
    if (node.file) files.push(node.file);
    for (const child of node.children.values()) walk(child);
  };
  walk(root);
  files.sort((a, b) => comparePaths(a.path, b.path));
  const byPath = new Map(files.map((f) => [f.path, f]));
  return { files, hidden, events, get: (path) => byPath.get(path.replace(/^\/+/, '')) };
}
