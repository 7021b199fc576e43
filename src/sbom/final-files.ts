/**
 * The content a container would read at a path: the visible version in the merged tree (later
 * layers, whiteouts and opaque directories applied), following symlinks and hard links, taken
 * from the captured bytes of the layer that supplied it. Pure.
 */
import type { MergedTree } from '../analyze/file-tree.js';
import type { LayerScan } from '../analyze/layer-reader.js';
import { dirname, normaliseEntryPath } from '../analyze/paths.js';

const MAX_LINKS = 16;

export type FinalFile =
  | { ok: true; path: string; content: Buffer }
  | {
      ok: false;
      path: string;
      reason: 'missing' | 'not-a-file' | 'not-captured' | 'too-large';
      size?: number;
    };

/** A symlink target resolved against the link's directory, as a path from the root. */
export function resolveLink(linkPath: string, target: string): string | undefined {
  const joined = target.startsWith('/') ? target.slice(1) : `${dirname(linkPath)}/${target}`;
  // Lexical resolution; ".." above the root stays at the root, as the kernel does.
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const norm = normaliseEntryPath(parts.join('/'));
  return norm.ok && norm.path !== '' ? norm.path : undefined;
}

export function readFinalFile(tree: MergedTree, scans: readonly LayerScan[], path: string): FinalFile {
  let current = path;
  for (let hop = 0; hop <= MAX_LINKS; hop++) {
    const file = tree.get(current);
    if (!file) return { ok: false, path, reason: 'missing' };
    const e = file.entry;
    if (e.type === 'symlink' || e.type === 'hardlink') {
      const next = e.type === 'symlink' ? resolveLink(current, e.linkTarget ?? '') : e.linkTarget;
      if (next === undefined) return { ok: false, path, reason: 'missing' };
      current = next;
      continue;
    }
    if (e.type !== 'file') return { ok: false, path, reason: 'not-a-file' };
    const scan = scans.find((s) => s.index === file.layer);
    const tooLarge = scan?.tooLargeToCapture.get(current);
    if (tooLarge !== undefined) return { ok: false, path, reason: 'too-large', size: tooLarge };
    const content = scan?.captured.get(current);
    if (content === undefined) return { ok: false, path, reason: 'not-captured' };
    return { ok: true, path: current, content };
  }
  return { ok: false, path, reason: 'missing' };
}
