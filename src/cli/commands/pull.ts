import { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../errors.js';
import { parseLocation } from '../../ref/index.js';
import { openLocation } from '../../content/open.js';
import { parsePlatformList } from '../../oci/platform.js';
import { defaultCacheDir } from '../../transfer/blob-cache.js';
import { SummaryCollector, combineListeners } from '../../transfer/events.js';
import { pullImage, pullToArchive } from '../../transfer/pull.js';
import { formatBytes, shortDigest } from '../output.js';
import { positiveInt, type Runner } from '../context.js';
import { describeSummary, progressFor } from '../transfer-output.js';
import { record } from '../record.js';

export function pullCommand(run: Runner) {
  return new Command('pull')
    .description('pull an image into an OCI layout or docker-archive through the shared blob cache')
    .argument('<reference>', 'registry reference, e.g. ghcr.io/OWNER/IMAGE:TAG')
    .requiredOption('-o, --output <destination>', 'oci:DIR:TAG or docker-archive:FILE[:NAME:TAG]')
    .option('--cache <dir>', 'blob cache directory (default $XDG_CACHE_HOME/ghcr-optimize/blobs)')
    .option('--platform <list>', 'only these platforms (a docker-archive takes one; default: this machine’s)')
    .addHelpText(
      'after',
      `
Every pull shares one content-addressed cache, verified on read: a second pull of an image
that shares layers with an earlier one fetches only what is missing.

Examples:
  ghcr-optimize pull ghcr.io/OWNER/app:1.2.3 --output oci:./layout:1.2.3
  ghcr-optimize pull ghcr.io/OWNER/app:1.2.3 --output docker-archive:app.tar:app:1.2.3 --platform linux/arm64
  docker load < app.tar`,
    )
    .action((reference, opts) =>
      run(async (ctx) => {
        const src = parseLocation(reference);
        if (src.transport !== 'docker')
          throw new UsageError('pull reads from a registry', { hint: 'use copy for oci: sources' });
        const dst = parseLocation(opts.output, { defaultTag: false });
        if (dst.transport === 'docker') {
          throw new UsageError('--output must be oci:DIR:TAG or docker-archive:FILE', {
            hint: 'to copy between registries use copy',
          });
        }
        const platforms = opts.platform ? parsePlatformList(opts.platform) : undefined;
        const cacheDir = opts.cache ?? defaultCacheDir();
        const collector = new SummaryCollector();
        const progress = progressFor(ctx, `pull ${reference}`);
        const common = {
          cacheDir,
          concurrency: positiveInt(ctx.globals.concurrency, '--concurrency', 6, 64),
          ...(platforms ? { platforms } : {}),
          signal: ctx.signal,
          onEvent: combineListeners(collector.listener, progress.listener),
        };
        try {
          const from = await openLocation(src, () => ctx.client([src.ref.registry]));
          const ref = from.reference ?? 'latest';
          const result =
            dst.transport === 'docker-archive'
              ? await pullToArchive(from.target, ref, dst, common)
              : await pullImage(
                  from.target,
                  ref,
                  (await openLocation(dst, () => ctx.client([]), { create: true })).target,
                  dst.tag ?? src.ref.tag,
                  common,
                );
          progress.stop();
          // The copier sees every blob it writes to the output as copied; those the cache served
          // were not fetched from the registry, and the insights' cache hit ratio counts them so.
          const finished = collector.finish();
          const served = Math.min(result.cache.hits, finished.blobs.copied);
          const summary = {
            ...finished,
            blobs: {
              ...finished.blobs,
              copied: finished.blobs.copied - served,
              cached: finished.blobs.cached + served,
            },
          };
          await record(ctx, (st) =>
            st.recordTransfer(summary, { source: reference, destination: opts.output, command: 'pull' }),
          );
          ctx.out.result({ reference, output: opts.output, ...result, summary }, () =>
            [
              `pulled ${reference} → ${opts.output}: ${shortDigest(result.digest)}`,
              `cache ${cacheDir}: ${result.cache.hits} hits, ${result.cache.misses} fetched (${formatBytes(result.cache.bytesFetched)} from the registry)`,
              describeSummary(summary),
            ].join('\n'),
          );
        } finally {
          progress.stop();
        }
      }),
    );
}
