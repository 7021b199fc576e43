import { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../errors.js';
import { parseLocation } from '../../ref/index.js';
import { openLocation } from '../../content/open.js';
import { parsePlatformList } from '../../oci/platform.js';
import { BlobCache, CachingSource, defaultCacheDir, planPrune } from '../../transfer/blob-cache.js';
import { warmCache } from '../../transfer/cache-warm.js';
import { SummaryCollector, combineListeners } from '../../transfer/events.js';
import { parseDuration, parseSize } from '../../util/units.js';
import { formatBytes, formatTable, shortDigest } from '../output.js';
import { positiveInt, type Runner } from '../context.js';
import { progressFor } from '../transfer-output.js';
import { record } from '../record.js';

export function cacheWarmCommand(run: Runner) {
  return new Command('cache-warm')
    .description('prefetch the blobs of images into the shared blob cache, concurrently')
    .argument('<reference...>', 'registry references')
    .option('--cache <dir>', 'blob cache directory (default $XDG_CACHE_HOME/ghcr-optimize/blobs)')
    .option('--platform <list>', 'only these platforms of multi-platform images')
    .addHelpText(
      'after',
      `
Examples:
  ghcr-optimize cache-warm ghcr.io/OWNER/backend:latest ghcr.io/OWNER/frontend:latest
  ghcr-optimize cache-warm ghcr.io/OWNER/app:1.2.3 --platform linux/amd64 --json`,
    )
    .action((references, opts) =>
      run(async (ctx) => {
        const locs = references.map((r) => parseLocation(r));
        if (locs.some((l) => l.transport !== 'docker'))
          throw new UsageError('cache-warm reads registry references');
        const registries = locs.flatMap((l) => (l.transport === 'docker' ? [l.ref.registry] : []));
        const cache = new BlobCache(opts.cache ?? defaultCacheDir());
        const platforms = opts.platform ? parsePlatformList(opts.platform) : undefined;
        const collector = new SummaryCollector();
        const progress = progressFor(ctx, 'cache-warm');
        try {
          const results = await Promise.all(
            locs.map(async (loc, i) => {
              const opened = await openLocation(loc, () => ctx.client(registries));
              const source = new CachingSource(opened.target, cache);
              await warmCache(source, opened.reference ?? 'latest', {
                ...(platforms ? { platforms } : {}),
                concurrency: positiveInt(ctx.globals.concurrency, '--concurrency', 6, 64),
                signal: ctx.signal,
                onEvent: combineListeners(collector.listener, progress.listener),
              });
              return { reference: references[i]!, ...source.stats };
            }),
          );
          progress.stop();
          const summary = collector.finish();
          await record(ctx, (st) =>
            st.recordTransfer(summary, {
              source: references.join(' '),
              destination: cache.dir,
              command: 'cache-warm',
            }),
          );
          ctx.out.result({ cache: cache.dir, images: results, summary }, () =>
            [
              ...results.map(
                (r) =>
                  `${r.reference}: ${r.hits} already cached, ${r.misses} fetched (${formatBytes(r.bytesFetched)})`,
              ),
              `cache: ${cache.dir}`,
            ].join('\n'),
          );
        } finally {
          progress.stop();
        }
      }),
    );
}

export function cacheCommand(run: Runner) {
  const cache = new Command('cache').description('inspect and prune the shared blob cache');
  cache
    .command('stats')
    .description('entries, total size and age of the blob cache')
    .option('--cache <dir>', 'blob cache directory')
    .addHelpText('after', '\nExample:\n  ghcr-optimize cache stats --json')
    .action((opts) =>
      run(async (ctx) => {
        const c = new BlobCache(opts.cache ?? defaultCacheDir());
        const entries = await c.entries();
        const bytes = entries.reduce((n, e) => n + e.size, 0);
        const times = entries.map((e) => e.lastUsed.getTime());
        const stats = {
          dir: c.dir,
          entries: entries.length,
          bytes,
          ...(times.length > 0
            ? {
                oldestUse: new Date(Math.min(...times)).toISOString(),
                newestUse: new Date(Math.max(...times)).toISOString(),
              }
            : {}),
        };
        ctx.out.result(stats, () =>
          [
            `cache:   ${c.dir}`,
            `entries: ${entries.length}`,
            `size:    ${formatBytes(bytes)}`,
            ...(stats.oldestUse ? [`used:    ${stats.oldestUse} … ${stats.newestUse}`] : []),
          ].join('\n'),
        );
      }),
    );
  cache
    .command('prune')
    .description('remove least recently used blobs; shows the plan first and removes exactly that')
    .option('--cache <dir>', 'blob cache directory')
    .option('--max-size <size>', 'keep the cache at or below this size, e.g. 2GB')
    .option('--older-than <duration>', 'remove blobs not used for this long, e.g. 24h, 7d')
    .option('--dry-run', 'show what would be removed')
    .addHelpText(
      'after',
      `
Examples:
  ghcr-optimize cache prune --max-size 2GB --dry-run
  ghcr-optimize cache prune --older-than 24h`,
    )
    .action((opts) =>
      run(async (ctx) => {
        if (!opts.maxSize && !opts.olderThan)
          throw new UsageError('cache prune needs --max-size and/or --older-than');
        const older = opts.olderThan ? parseDuration(opts.olderThan) : undefined;
        if (older === 'forever') throw new UsageError('--older-than forever would never remove anything');
        const c = new BlobCache(opts.cache ?? defaultCacheDir());
        const entries = await c.entries();
        const plan = planPrune(
          entries,
          {
            ...(opts.maxSize ? { maxSize: parseSize(opts.maxSize, '--max-size') } : {}),
            ...(older !== undefined ? { olderThanMs: older } : {}),
          },
          new Date(),
        );
        if (!opts.dryRun) await c.remove(plan.map((e) => e.digest));
        const freed = plan.reduce((n, e) => n + e.size, 0);
        const result = {
          dir: c.dir,
          dryRun: opts.dryRun === true,
          removed: plan.map((e) => ({ digest: e.digest, size: e.size, lastUsed: e.lastUsed.toISOString() })),
          bytesFreed: freed,
          remaining: entries.length - plan.length,
        };
        ctx.out.result(result, () =>
          [
            plan.length > 0
              ? formatTable(
                  ['BLOB', 'SIZE', 'LAST USED'],
                  plan.map((e) => [shortDigest(e.digest), formatBytes(e.size), e.lastUsed.toISOString()]),
                )
              : 'nothing to remove',
            `${opts.dryRun ? 'would free' : 'freed'} ${formatBytes(freed)} (${plan.length} blobs); ${result.remaining} remain`,
          ].join('\n'),
        );
      }),
    );
  return cache;
}
