import { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../errors.js';
import { parseLocation } from '../../ref/index.js';
import { openLocation } from '../../content/open.js';
import { parsePlatformList } from '../../oci/platform.js';
import { BlobCache, CachingSource, defaultCacheDir } from '../../transfer/blob-cache.js';
import { planCacheRetention, type CacheRetentionPolicy } from '../../transfer/blob-cache-usage.js';
import { configuredRepositories } from '../../retention/targets.js';
import { formatRepository } from '../../ref/index.js';
import { warmCache } from '../../transfer/cache-warm.js';
import { SummaryCollector, combineListeners } from '../../transfer/events.js';
import { formatDuration, parseDuration, parseSize } from '../../util/units.js';
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
    .description('remove blobs by age and size limits; shows the plan first and removes exactly that')
    .option('--cache <dir>', 'blob cache directory')
    .option('--retention', 'the cache retention rules: unused 24h, 2GB per repository (see below)')
    .option('--max-size-per-repo <size>', 'each repository (service) keeps at most this much, e.g. 2GB')
    .option('--max-size <size>', 'keep the whole cache at or below this size, e.g. 10GB')
    .option('--older-than <duration>', 'remove blobs not used for this long, e.g. 24h, 7d')
    .option('--dry-run', 'show what would be removed')
    .addHelpText(
      'after',
      `
--retention applies the same rules as image retention to the local cache: blobs not used for
24h go (config cache.maxAge), and each repository the blobs were pulled for keeps at most 2GB
(config cache.maxSizePerService, or services.NAME.cache.maxSize for one service), evicting its
least recently used blobs first. A blob several repositories use counts for each; it is removed
when every repository holding it let it go (the others keep it). --older-than and
--max-size-per-repo override the rules' values; --max-size also caps the whole cache.

Without --dry-run the plan shown is executed exactly; a blob or marker used again since the
plan was made is kept (and reported as skipped).

Examples:
  ghcr-optimize cache prune --retention --dry-run
  ghcr-optimize cache prune --retention --max-size-per-repo 500MB --json
  ghcr-optimize cache prune --max-size 2GB --dry-run
  ghcr-optimize cache prune --older-than 24h`,
    )
    .action((opts) =>
      run(async (ctx) => {
        if (!opts.retention && !opts.maxSize && !opts.olderThan && !opts.maxSizePerRepo)
          throw new UsageError(
            'cache prune needs --retention, --max-size-per-repo, --max-size and/or --older-than',
            {
              hint: 'e.g. ghcr-optimize cache prune --retention --dry-run',
            },
          );
        const policy = prunePolicy(ctx.config, opts);
        const c = new BlobCache(opts.cache ?? defaultCacheDir());
        const [entries, usage] = await Promise.all([c.entries(), c.usage.list()]);
        const plan = planCacheRetention(entries, usage, policy, new Date());
        const dryRun = opts.dryRun === true;
        const skipped: { digest: string; repository?: string; reason: string }[] = [];
        if (!dryRun) {
          const removed = new Set<string>();
          for (const e of plan.remove) {
            if (!(await c.removePlanned(e.digest, e.lastUsed))) {
              skipped.push({ digest: e.digest, reason: 'used since the plan' });
              continue;
            }
            removed.add(e.digest);
            for (const h of e.repositories) await c.usage.release(h.key, e.digest);
          }
          for (const r of plan.release) {
            if (r.blobRemoved) continue; // went with its blob above (or the blob was kept)
            if (!(await c.usage.release(r.key, r.digest, r.lastUsed)))
              skipped.push({ digest: r.digest, repository: r.repository, reason: 'used since the plan' });
          }
          for (const s of plan.stale) await c.usage.release(s.key, s.digest);
        }
        const result = {
          dir: c.dir,
          dryRun,
          policy: {
            ...(policy.maxAgeMs !== undefined ? { maxAge: formatDuration(policy.maxAgeMs) } : {}),
            ...(policy.maxSizePerRepository !== undefined
              ? { maxSizePerRepository: policy.maxSizePerRepository }
              : {}),
            ...(policy.repositoryLimits && policy.repositoryLimits.size > 0
              ? { repositoryLimits: Object.fromEntries(policy.repositoryLimits) }
              : {}),
            ...(policy.maxSize !== undefined ? { maxSize: policy.maxSize } : {}),
          },
          removed: plan.remove.map((e) => ({
            digest: e.digest,
            size: e.size,
            lastUsed: e.lastUsed.toISOString(),
            reason: e.reason,
            repositories: e.repositories.map((h) => h.repository),
          })),
          released: plan.release
            .filter((r) => !r.blobRemoved)
            .map((r) => ({
              repository: r.repository,
              digest: r.digest,
              size: r.size,
              lastUsed: r.lastUsed.toISOString(),
            })),
          repositories: plan.repositories,
          skipped,
          bytesFreed: plan.bytesFreed,
          remaining: plan.remaining,
        };
        ctx.out.result(result, () => renderPrune(result));
      }),
    );
  return cache;
}

interface PruneFlags {
  retention?: boolean;
  maxSizePerRepo?: string;
  maxSize?: string;
  olderThan?: string;
}

const DEFAULT_CACHE_MAX_AGE = '24h';
const DEFAULT_CACHE_MAX_SIZE_PER_SERVICE = '2GB';

function sizeSetting(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new UsageError(`config ${where}: expected a size such as 2GB`);
  return typeof value === 'number' ? value : parseSize(value, where);
}

/** Per-service `services.NAME.cache.maxSize`, by the repository the service is pulled from. */
export function serviceCacheLimits(config: Readonly<Record<string, unknown>>): Map<string, number> {
  const out = new Map<string, number>();
  const services = config.services;
  if (services === null || typeof services !== 'object') return out;
  const entries: [string | number, unknown][] = Array.isArray(services)
    ? services.map((s, i) => [i, s])
    : Object.entries(services as Record<string, unknown>);
  for (const [name, entry] of entries) {
    if (entry === null || typeof entry !== 'object') continue;
    const max = (entry as { cache?: { maxSize?: unknown } }).cache?.maxSize;
    const limit = sizeSetting(max, `services.${name}.cache.maxSize`);
    if (limit === undefined) continue;
    const one = Array.isArray(services) ? [entry] : { [name]: entry };
    for (const repo of configuredRepositories({ ...config, services: one }))
      out.set(formatRepository(repo), limit);
  }
  return out;
}

/** The prune policy: flags first, then (with --retention) the config, then the defaults. */
export function prunePolicy(
  config: Readonly<Record<string, unknown>>,
  opts: PruneFlags,
): CacheRetentionPolicy {
  const section = (config.cache ?? {}) as Record<string, unknown>;
  const older =
    opts.olderThan ??
    (opts.retention
      ? typeof section.maxAge === 'string'
        ? section.maxAge
        : DEFAULT_CACHE_MAX_AGE
      : undefined);
  const age = older !== undefined ? parseDuration(older) : undefined;
  if (age === 'forever' && opts.olderThan !== undefined)
    throw new UsageError('--older-than forever would never remove anything');
  const perRepo =
    opts.maxSizePerRepo !== undefined
      ? parseSize(opts.maxSizePerRepo, '--max-size-per-repo')
      : opts.retention
        ? (sizeSetting(section.maxSizePerService, 'cache.maxSizePerService') ??
          parseSize(DEFAULT_CACHE_MAX_SIZE_PER_SERVICE))
        : undefined;
  const limits = opts.retention && opts.maxSizePerRepo === undefined ? serviceCacheLimits(config) : undefined;
  return {
    ...(age !== undefined && age !== 'forever' ? { maxAgeMs: age } : {}),
    ...(perRepo !== undefined ? { maxSizePerRepository: perRepo } : {}),
    ...(limits && limits.size > 0 ? { repositoryLimits: limits } : {}),
    ...(opts.maxSize !== undefined ? { maxSize: parseSize(opts.maxSize, '--max-size') } : {}),
  };
}

interface PruneResult {
  dryRun: boolean;
  removed: { digest: string; size: number; lastUsed: string; reason: string; repositories: string[] }[];
  released: { repository: string; digest: string; size: number; lastUsed: string }[];
  repositories: { repository: string; limit?: number; before: number; after: number; blobs: number }[];
  skipped: { digest: string; repository?: string; reason: string }[];
  bytesFreed: number;
  remaining: number;
}

const REASONS: Record<string, string> = {
  age: 'unused too long',
  'repository-limit': 'over repository limit',
  'max-size': 'over cache size',
};

function renderPrune(r: PruneResult): string {
  const lines: string[] = [];
  lines.push(
    r.removed.length > 0
      ? formatTable(
          ['BLOB', 'SIZE', 'LAST USED', 'REASON', 'REPOSITORIES'],
          r.removed.map((e) => [
            shortDigest(e.digest),
            formatBytes(e.size),
            e.lastUsed,
            REASONS[e.reason] ?? e.reason,
            e.repositories.join(', ') || '-',
          ]),
        )
      : 'nothing to remove',
  );
  if (r.released.length > 0) {
    lines.push(
      '',
      `${r.dryRun ? 'would be released' : 'released'} by repositories over their limit (another repository keeps the blob):`,
      formatTable(
        ['REPOSITORY', 'BLOB', 'SIZE', 'LAST USED'],
        r.released.map((e) => [e.repository, shortDigest(e.digest), formatBytes(e.size), e.lastUsed]),
      ),
    );
  }
  const limited = r.repositories.filter((f) => f.limit !== undefined);
  if (limited.length > 0) {
    lines.push(
      '',
      formatTable(
        ['REPOSITORY', 'LIMIT', 'BEFORE', 'AFTER'],
        limited.map((f) => [
          f.repository,
          formatBytes(f.limit!),
          formatBytes(f.before),
          formatBytes(f.after),
        ]),
      ),
    );
  }
  for (const s of r.skipped)
    lines.push(`kept ${shortDigest(s.digest)}${s.repository ? ` for ${s.repository}` : ''}: ${s.reason}`);
  lines.push(
    `${r.dryRun ? 'would free' : 'freed'} ${formatBytes(r.bytesFreed)} (${r.removed.length} blobs); ${r.remaining} remain`,
  );
  return lines.join('\n');
}
