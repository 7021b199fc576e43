/** Shared by copy/pull/push: the progress display and the final summary line. */
import type { TransferSummary } from '../transfer/events.js';
import { formatBytes } from './output.js';
import { createProgress, type ProgressDisplay } from './progress.js';
import type { Context } from './context.js';

export function progressFor(ctx: Context, label: string): ProgressDisplay {
  return createProgress(process.stderr, {
    enabled: process.stderr.isTTY === true && !ctx.out.quiet && !ctx.out.json,
    colors: ctx.out.c,
    label,
  });
}

export function describeSummary(s: TransferSummary, dryRun = false): string {
  const verb = dryRun ? 'would copy' : 'copied';
  const parts = [
    `${s.blobs.copied} blobs ${verb}`,
    `${s.blobs.skipped} skipped`,
    `${s.blobs.mounted} mounted`,
    ...(s.blobs.cached > 0 ? [`${s.blobs.cached} from cache`] : []),
    `${s.manifests.copied} manifests ${verb}, ${s.manifests.skipped} skipped`,
    `${formatBytes(s.bytes)} in ${s.seconds.toFixed(2)} s (${s.mbPerSecond} MB/s)`,
  ];
  return parts.join(', ');
}
