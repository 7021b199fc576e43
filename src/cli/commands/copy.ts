import { Command, Option } from '@commander-js/extra-typings';
import { UsageError } from '../../errors.js';
import { formatLocation, parseLocation, type Location } from '../../ref/index.js';
import { openLocation } from '../../content/open.js';
import { parsePlatformList } from '../../oci/platform.js';
import { copyImage, copyRepository, type CopyResult } from '../../transfer/copy.js';
import { SummaryCollector, combineListeners } from '../../transfer/events.js';
import { pullToArchive } from '../../transfer/pull.js';
import { positiveInt, type Runner } from '../context.js';
import { describeSummary, progressFor } from '../transfer-output.js';
import { shortDigest } from '../output.js';
import { defaultCacheDir } from '../../transfer/blob-cache.js';
import { record } from '../record.js';

function registriesOf(...locs: Location[]): string[] {
  return locs.flatMap((l) => (l.transport === 'docker' ? [l.ref.registry] : []));
}

export function copyCommand(run: Runner) {
  return new Command('copy')
    .description('copy an image, index or whole repository between registries and OCI layouts')
    .argument('<source>', 'registry reference or oci:DIR:TAG')
    .argument('<destination>', 'registry reference, oci:DIR:TAG or docker-archive:FILE[:REF]')
    .option('--all-tags', 'copy every tag of the source repository, skipping tags already identical')
    .option(
      '--platform <list>',
      'only these platforms, e.g. linux/amd64,linux/arm64 (one platform copies that image alone)',
    )
    .option('--all-platforms', 'copy every platform of an index, keeping its digest (the default)')
    .option('--include-referrers', 'also copy signatures, attestations and other referrers')
    .addOption(
      new Option('--format <format>', 'convert manifests (changes digests)').choices([
        'oci',
        'v2s2',
      ] as const),
    )
    .option('--dry-run', 'show what would be copied, change nothing')
    .addHelpText(
      'after',
      `
Digests are preserved: an index is copied with every platform unless --platform narrows it.
Blobs the destination already has are skipped, and within one registry they are mounted
instead of transferred.

Examples:
  ghcr-optimize copy ghcr.io/OWNER/app:1.2.3 registry.internal:5000/app:1.2.3
  ghcr-optimize copy ghcr.io/OWNER/app registry.internal:5000/app --all-tags
  ghcr-optimize copy ghcr.io/OWNER/app:1.2.3 oci:./layout:1.2.3 --platform linux/arm64
  ghcr-optimize copy oci:./layout:1.2.3 ghcr.io/OWNER/app:1.2.3 --include-referrers
  ghcr-optimize copy ghcr.io/OWNER/app:1.2.3 docker-archive:app.tar`,
    )
    .action((source, destination, opts) =>
      run(async (ctx) => {
        if (opts.platform && opts.allPlatforms)
          throw new UsageError('use either --platform or --all-platforms');
        const src = parseLocation(source, { defaultTag: !opts.allTags });
        const dst = parseLocation(destination, { defaultTag: false });
        if (src.transport === 'docker-archive') {
          throw new UsageError('docker-archive: is only supported as a destination', {
            hint: 'copy from a registry or oci: layout',
          });
        }
        const platforms = opts.platform ? parsePlatformList(opts.platform) : undefined;
        const concurrency = positiveInt(ctx.globals.concurrency, '--concurrency', 6, 64);
        const client = () => ctx.client(registriesOf(src, dst));
        const collector = new SummaryCollector();
        const progress = progressFor(ctx, `copy ${source} → ${destination}`);
        const onEvent = combineListeners(collector.listener, progress.listener);
        const common = {
          concurrency,
          ...(platforms ? { platforms } : {}),
          ...(opts.includeReferrers ? { includeReferrers: true } : {}),
          ...(opts.dryRun ? { dryRun: true } : {}),
          ...(opts.format ? { format: opts.format } : {}),
          signal: ctx.signal,
          onEvent,
        };
        try {
          if (dst.transport === 'docker-archive') {
            if (opts.allTags) throw new UsageError('--all-tags cannot write a docker-archive');
            const opened = await openLocation(src, client);
            const result = await pullToArchive(opened.target, opened.reference ?? 'latest', dst, {
              ...common,
              cacheDir: defaultCacheDir(),
            });
            progress.stop();
            const summary = collector.finish();
            ctx.out.result(
              { source, destination, ...result, summary },
              () => `${source} → ${destination}: ${shortDigest(result.digest)}\n${describeSummary(summary)}`,
            );
            return;
          }
          const from = await openLocation(src, client);
          // A dry run must not even create the destination layout.
          const to = await openLocation(dst, client, opts.dryRun ? { allowMissing: true } : { create: true });
          if (opts.allTags) {
            if (src.transport === 'docker' && (src.ref.tag || src.ref.digest)) {
              throw new UsageError('--all-tags takes a repository without a tag or digest');
            }
            const results = await copyRepository(from.target, to.target, common);
            progress.stop();
            const summary = collector.finish();
            if (!opts.dryRun)
              await record(ctx, (st) => st.recordTransfer(summary, { source, destination, command: 'copy' }));
            const tags = [...results].map(([tag, r]) => ({ tag, ...r }));
            ctx.out.result({ source, destination, tags, summary, dryRun: opts.dryRun === true }, () =>
              [
                ...tags.map(
                  (t) => `${t.tag}: ${t.unchanged ? 'already identical' : `copied ${shortDigest(t.digest)}`}`,
                ),
                describeSummary(summary, opts.dryRun),
              ].join('\n'),
            );
            return;
          }
          const srcRef = from.reference;
          if (srcRef === undefined) throw new UsageError(`${source} names no tag or digest`);
          // A destination without a tag keeps the source's tag (or is written by digest).
          const dstTag =
            to.reference ??
            (src.transport === 'docker' ? src.ref.tag : src.transport === 'oci' ? src.tag : undefined);
          if (dst.transport === 'docker' && dst.ref.digest && !dst.ref.tag) {
            throw new UsageError('the destination must be a tag (or a repository), not a digest', {
              hint: `e.g. ${formatLocation(dst).replace(/@.*$/, ':TAG')}`,
            });
          }
          const result: CopyResult = await copyImage(from.target, to.target, srcRef, dstTag, common);
          progress.stop();
          const summary = collector.finish();
          if (!opts.dryRun)
            await record(ctx, (st) => st.recordTransfer(summary, { source, destination, command: 'copy' }));
          ctx.out.result({ source, destination, ...result, summary, dryRun: opts.dryRun === true }, () => {
            const head = result.unchanged
              ? `${destination} already has ${shortDigest(result.digest)}; nothing to do`
              : `${opts.dryRun ? 'would copy' : 'copied'} ${source} → ${destination}: ${result.digest}`;
            const rewritten =
              result.digest !== result.sourceDigest
                ? `\nnote: the platform filter or format conversion produced a new digest (source ${shortDigest(result.sourceDigest)})`
                : '';
            return `${head}${rewritten}\n${describeSummary(summary, opts.dryRun)}`;
          });
        } finally {
          progress.stop();
        }
      }),
    );
}
