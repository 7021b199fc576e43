/**
 * Hard links across a stack of layers. A tar hard link names an earlier entry of its own layer
 * or, when the layer adds only the link, a file of the layers below; either way the link shares
 * the inode the target had at that moment, so a later layer that replaces or deletes the target
 * does not change what the link holds. The rewrite must know that version to keep the link (when
 * the target still has it) or to write the link as a copy of it. Pure.
 */
import { mergeLayers, type MergedFile, type MergedTree } from '../analyze/file-tree.js';
import type { LayerEntry, LayerScan } from '../analyze/layer-reader.js';
import { UsageError } from '../errors.js';

/** One entry of one layer: where a version of a path (and its content) comes from. */
export interface Version {
  layer: number;
  ordinal: number;
  entry: LayerEntry;
}

const MAX_CHAIN = 32;

export class LinkResolver {
  readonly #scans: readonly LayerScan[];
  readonly #tree: MergedTree;
  readonly #ordinals = new Map<number, Map<LayerEntry, number>>();
  readonly #below = new Map<number, MergedTree>();

  constructor(scans: readonly LayerScan[], tree: MergedTree) {
    this.#scans = scans;
    this.#tree = tree;
  }

  #scan(layer: number): LayerScan {
    const scan = this.#scans.find((s) => s.index === layer);
    if (!scan) throw new Error(`no scan of layer ${layer}`);
    return scan;
  }

  /** Position of `entry` in its layer's entries (entries are compared by identity). */
  ordinalOf(layer: number, entry: LayerEntry): number {
    let map = this.#ordinals.get(layer);
    if (!map) {
      map = new Map(this.#scan(layer).entries.map((e, i) => [e, i]));
      this.#ordinals.set(layer, map);
    }
    const ordinal = map.get(entry);
    if (ordinal === undefined) throw new Error(`entry ${entry.path} is not in layer ${layer}`);
    return ordinal;
  }

  versionOf(file: MergedFile): Version {
    return { layer: file.layer, ordinal: this.ordinalOf(file.layer, file.entry), entry: file.entry };
  }

  /** The non-link version a hard link finally shares (itself when it is no hard link). */
  resolve(v: Version): Version {
    let current = v;
    for (let depth = 0; current.entry.type === 'hardlink'; depth++) {
      if (depth >= MAX_CHAIN) {
        throw new UsageError(`/${v.entry.path}: a chain of more than ${MAX_CHAIN} hard links`);
      }
      current = this.#target(current);
    }
    return current;
  }

  #target(link: Version): Version {
    const target = link.entry.linkTarget ?? '';
    const entries = this.#scan(link.layer).entries;
    for (let i = link.ordinal - 1; i >= 0; i--) {
      if (entries[i]!.path === target) return { layer: link.layer, ordinal: i, entry: entries[i]! };
    }
    let below = this.#below.get(link.layer);
    if (!below) {
      below = mergeLayers(this.#scans.filter((s) => s.index < link.layer));
      this.#below.set(link.layer, below);
    }
    const lower = below.get(target);
    if (!lower) {
      throw new UsageError(
        `/${link.entry.path} in layer ${link.layer + 1} is a hard link to /${target}, which does not exist`,
        { hint: 'the source image is broken: it cannot be unpacked either' },
      );
    }
    return this.versionOf(lower);
  }

  /**
   * Whether the visible hard link `file` still shares the final version of its target, so the
   * rewrite can keep it as a hard link; `excluded` paths are not in the rewritten image.
   */
  intact(file: MergedFile, excluded: (path: string) => boolean): boolean {
    const target = file.entry.linkTarget ?? '';
    const final = this.#tree.get(target);
    if (!final || excluded(target)) return false;
    const a = this.resolve(this.versionOf(file));
    const b = this.resolve(this.versionOf(final));
    return a.layer === b.layer && a.ordinal === b.ordinal;
  }
}
