/**
 * What the squashed layer holds: the image's final filesystem minus the stripped paths, in a
 * fixed order (paths sorted component by component, each hard link right after its target), each
 * entry naming the layer entry its content and header come from. Pure: it decides, the tar writer
 * writes.
 */
import type { MergedTree } from '../analyze/file-tree.js';
import type { LayerEntry, LayerScan } from '../analyze/layer-reader.js';
import { ancestors } from '../analyze/paths.js';
import { UsageError } from '../errors.js';
import { LinkResolver, type Version } from './links.js';
import { stripRuleFor, type StripRule } from './strip.js';
import { normalTree, type NormalEntry } from './tree-compare.js';

export interface PlannedEntry {
  path: string;
  /** Type, mode, owner, size and link target to write (a copied hard link: its target's). */
  entry: LayerEntry;
  /** The layer entry whose content (and mtime, device numbers, xattrs) this entry carries. */
  source: Version;
  /** Written as a hard link to this path (written earlier in the archive). */
  hardlinkTo?: string;
}

export interface StrippedPath {
  path: string;
  rule: StripRule;
  type: LayerEntry['type'];
  size: number;
}

export interface SquashPlan {
  entries: PlannedEntry[];
  stripped: StrippedPath[];
  /** Hard links written as copies because their target was stripped or has changed since. */
  copiedLinks: string[];
  /** The final tree the written layer must unpack to. */
  expected: Map<string, NormalEntry>;
}

export function planSquash(
  scans: readonly LayerScan[],
  tree: MergedTree,
  rules: readonly StripRule[],
): SquashPlan {
  const resolver = new LinkResolver(scans, tree);

  // Non-directories that match a rule go; a matching directory goes only when nothing below it
  // stays (a kept copyright file keeps its package's doc directory).
  const matched = new Map<string, StripRule>();
  for (const f of tree.files) {
    const rule = stripRuleFor(f.path, rules);
    if (rule) matched.set(f.path, rule);
  }
  const needed = new Set<string>();
  for (const f of tree.files) {
    if (matched.has(f.path) && f.entry.type !== 'dir') continue;
    if (!matched.has(f.path)) for (const a of ancestors(f.path)) needed.add(a);
  }
  const stripped: StrippedPath[] = [];
  const excluded = new Set<string>();
  for (const f of tree.files) {
    const rule = matched.get(f.path);
    if (!rule || (f.entry.type === 'dir' && needed.has(f.path))) continue;
    excluded.add(f.path);
    stripped.push({
      path: f.path,
      rule,
      type: f.entry.type,
      size: f.entry.type === 'file' ? f.entry.size : 0,
    });
  }
  const isExcluded = (p: string): boolean => excluded.has(p);

  const planned: PlannedEntry[] = [];
  const copiedLinks: string[] = [];
  for (const f of tree.files) {
    if (excluded.has(f.path)) continue;
    if (f.entry.type === 'other') {
      throw new UsageError(`/${f.path} has a tar entry type this rewrite cannot write`, {
        hint: 'use --keep-layers, which recompresses the layers without rewriting their entries',
      });
    }
    const own = resolver.versionOf(f);
    if (f.entry.type !== 'hardlink') {
      planned.push({ path: f.path, entry: f.entry, source: own });
    } else if (resolver.intact(f, isExcluded)) {
      planned.push({ path: f.path, entry: f.entry, source: own, hardlinkTo: f.entry.linkTarget ?? '' });
    } else {
      const target = resolver.resolve(own);
      planned.push({ path: f.path, entry: { ...target.entry, path: f.path }, source: target });
      copiedLinks.push(f.path);
    }
  }

  return {
    entries: linksAfterTargets(planned),
    stripped,
    copiedLinks,
    expected: normalTree(scans, tree, excluded, resolver),
  };
}

/**
 * Keeps the sorted order but holds each hard link back until its target has been written (a tar
 * link must name an earlier entry).
 */
export function linksAfterTargets(sorted: readonly PlannedEntry[]): PlannedEntry[] {
  const out: PlannedEntry[] = [];
  const written = new Set<string>();
  const waiting = new Map<string, PlannedEntry[]>();
  const emit = (e: PlannedEntry): void => {
    out.push(e);
    written.add(e.path);
    const held = waiting.get(e.path);
    if (held) {
      waiting.delete(e.path);
      for (const h of held) emit(h);
    }
  };
  for (const e of sorted) {
    if (e.hardlinkTo !== undefined && !written.has(e.hardlinkTo)) {
      const list = waiting.get(e.hardlinkTo);
      if (list) list.push(e);
      else waiting.set(e.hardlinkTo, [e]);
      continue;
    }
    emit(e);
  }
  if (waiting.size > 0) {
    const [target] = waiting.keys();
    throw new Error(`hard link target /${target} is not in the plan`);
  }
  return out;
}
