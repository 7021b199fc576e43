/**
 * The final filesystem of an image as the verification compares it: per path the type, mode,
 * owner, size, content hash and link target a container would see. A hard link shows the
 * attributes of the inode it shares, and `hardlinkTo` only while it is still a link to a path
 * that holds the same version. Pure.
 */
import type { MergedTree } from '../analyze/file-tree.js';
import type { EntryType, LayerScan } from '../analyze/layer-reader.js';
import { LinkResolver } from './links.js';

export interface NormalEntry {
  path: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  sha256?: string;
  linkTarget?: string;
  hardlinkTo?: string;
}

export function normalTree(
  scans: readonly LayerScan[],
  tree: MergedTree,
  excluded: ReadonlySet<string> = new Set(),
  resolver = new LinkResolver(scans, tree),
): Map<string, NormalEntry> {
  const out = new Map<string, NormalEntry>();
  const isExcluded = (p: string): boolean => excluded.has(p);
  for (const file of tree.files) {
    if (excluded.has(file.path)) continue;
    const link = file.entry.type === 'hardlink';
    const e = link ? resolver.resolve(resolver.versionOf(file)).entry : file.entry;
    const n: NormalEntry = {
      path: file.path,
      type: e.type,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      size: e.type === 'file' ? e.size : 0,
    };
    if (e.type === 'file' && e.sha256 !== undefined) n.sha256 = e.sha256;
    if (e.type === 'symlink') n.linkTarget = e.linkTarget ?? '';
    if (link && resolver.intact(file, isExcluded)) n.hardlinkTo = file.entry.linkTarget ?? '';
    out.set(file.path, n);
  }
  return out;
}

export interface TreeDifference {
  path: string;
  problem: 'missing' | 'unexpected' | 'differs';
  /** For "differs": the fields that differ, with both values. */
  fields?: { field: string; expected: unknown; actual: unknown }[];
}

const FIELDS = ['type', 'mode', 'uid', 'gid', 'size', 'sha256', 'linkTarget', 'hardlinkTo'] as const;

export function compareTrees(
  expected: ReadonlyMap<string, NormalEntry>,
  actual: ReadonlyMap<string, NormalEntry>,
): TreeDifference[] {
  const out: TreeDifference[] = [];
  for (const [path, e] of expected) {
    const a = actual.get(path);
    if (!a) {
      out.push({ path, problem: 'missing' });
      continue;
    }
    const fields = FIELDS.filter((f) => e[f] !== a[f]).map((f) => ({
      field: f,
      expected: e[f],
      actual: a[f],
    }));
    if (fields.length > 0) out.push({ path, problem: 'differs', fields });
  }
  for (const path of actual.keys()) if (!expected.has(path)) out.push({ path, problem: 'unexpected' });
  return out;
}

/** "/etc/x: mode 0644 ≠ 0600" style lines for an error message. */
export function describeDifference(d: TreeDifference): string {
  if (d.problem === 'missing') return `/${d.path}: missing from the written image`;
  if (d.problem === 'unexpected') return `/${d.path}: present in the written image but not expected`;
  const parts = (d.fields ?? []).map((f) => {
    const show = (v: unknown): string =>
      f.field === 'mode' && typeof v === 'number'
        ? `0${v.toString(8)}`
        : f.field === 'sha256' && typeof v === 'string'
          ? v.slice(0, 12)
          : String(v);
    return `${f.field} ${show(f.expected)} → ${show(f.actual)}`;
  });
  return `/${d.path}: ${parts.join(', ')}`;
}
