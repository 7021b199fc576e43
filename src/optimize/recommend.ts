/**
 * Ranked recommendations from an analysis: what each fix would save, biggest first, and whether
 * `optimize-images --apply` does it for you or the Dockerfile has to change. Pure.
 */
import type { ReclaimableReport, WasteCategory } from '../analyze/waste.js';

export interface Recommendation {
  rank: number;
  id: string;
  title: string;
  /** Estimated saving; `unit` says whether uncompressed file bytes or compressed blob bytes. */
  savingBytes: number;
  unit: 'uncompressed' | 'compressed';
  /** The --apply flags that do it, or undefined when only a rebuild can. */
  apply?: string;
  hint: string;
}

interface Input {
  reclaimable: ReclaimableReport;
}

const MANUAL: WasteCategory[] = ['duplicate-content', 'build-toolchain', 'node-modules-tests', 'source-maps'];

export function recommend(a: Input): Recommendation[] {
  const bytes = (c: WasteCategory): number =>
    a.reclaimable.categories.find((g) => g.category === c)?.bytes ?? 0;
  const group = (c: WasteCategory) => a.reclaimable.categories.find((g) => g.category === c);
  const out: Omit<Recommendation, 'rank'>[] = [];

  const hidden = bytes('deleted-later') + bytes('overwritten-later');
  if (hidden > 0) {
    out.push({
      id: 'squash',
      title: 'files deleted or replaced by a later layer are still shipped',
      savingBytes: hidden,
      unit: 'uncompressed',
      apply: '--apply',
      hint: 'squashing drops them; in the Dockerfile, delete files in the same RUN that creates them',
    });
  }
  if (bytes('package-cache') > 0) {
    out.push({
      id: 'strip-caches',
      title: 'package manager caches',
      savingBytes: bytes('package-cache'),
      unit: 'uncompressed',
      apply: '--apply (caches are stripped by default)',
      hint: group('package-cache')!.hint,
    });
  }
  if (bytes('docs') > 0) {
    out.push({
      id: 'strip-docs',
      title: 'documentation and man pages',
      savingBytes: bytes('docs'),
      unit: 'uncompressed',
      apply: '--apply --strip docs',
      hint: group('docs')!.hint,
    });
  }
  if (a.reclaimable.compressionSavingBytes > 0) {
    out.push({
      id: 'recompress',
      title: 'layers compress better with gzip -9',
      savingBytes: a.reclaimable.compressionSavingBytes,
      unit: 'compressed',
      apply: '--apply (or --apply --keep-layers to recompress only)',
      hint: 'or try --compression zstd for smaller and faster-to-unpack layers',
    });
  }
  for (const c of MANUAL) {
    const g = group(c);
    if (!g || g.bytes === 0) continue;
    out.push({ id: c, title: g.title, savingBytes: g.bytes, unit: 'uncompressed', hint: g.hint });
  }
  return out
    .sort((x, y) => y.savingBytes - x.savingBytes || (x.id < y.id ? -1 : 1))
    .map((r, i) => ({ rank: i + 1, ...r }));
}
