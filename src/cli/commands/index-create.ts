import { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../errors.js';
import { parseLocation } from '../../ref/index.js';
import { openLocation } from '../../content/open.js';
import { createIndex } from '../../transfer/index-create.js';
import { formatTable } from '../output.js';
import type { Runner } from '../context.js';
import { collect } from '../options.js';

export function indexCommand(run: Runner) {
  const index = new Command('index').description('multi-platform indexes');
  index
    .command('create')
    .description('assemble a multi-platform index from per-platform images (like buildx imagetools create)')
    .argument('<reference>', 'the index to write, e.g. ghcr.io/OWNER/app:1.2.3')
    .requiredOption('--from <reference>', 'a per-platform image or an index (repeatable)', collect)
    .option('--annotation <key=value>', 'index annotation (repeatable)', collect)
    .option('--dry-run', 'print the index that would be written')
    .addHelpText(
      'after',
      `
Each image's platform is read from its config. Images from other repositories of the same
registry are mounted into the target repository; images from other registries are copied.

Examples:
  ghcr-optimize index create ghcr.io/OWNER/app:1.2.3 \\
    --from ghcr.io/OWNER/app:1.2.3-amd64 --from ghcr.io/OWNER/app:1.2.3-arm64
  ghcr-optimize index create ghcr.io/OWNER/app:latest --from ghcr.io/OWNER/app:1.2.3 \\
    --annotation org.opencontainers.image.version=1.2.3`,
    )
    .action((reference, opts) =>
      run(async (ctx) => {
        const dst = parseLocation(reference);
        if (dst.transport !== 'docker' || !dst.ref.tag) {
          throw new UsageError('index create writes to a registry tag', {
            hint: 'e.g. ghcr.io/OWNER/app:1.2.3',
          });
        }
        const annotations: Record<string, string> = {};
        for (const a of opts.annotation ?? []) {
          const eq = a.indexOf('=');
          if (eq <= 0) throw new UsageError(`invalid --annotation "${a}"`, { hint: 'use key=value' });
          annotations[a.slice(0, eq)] = a.slice(eq + 1);
        }
        const fromLocs = opts.from.map((f) => parseLocation(f));
        const registries = [
          dst.ref.registry,
          ...fromLocs.flatMap((l) => (l.transport === 'docker' ? [l.ref.registry] : [])),
        ];
        const to = await openLocation(dst, () => ctx.client(registries));
        const sources = [];
        for (const loc of fromLocs) {
          const opened = await openLocation(loc, () => ctx.client(registries));
          if (opened.reference === undefined) throw new UsageError('every --from needs a tag or digest');
          sources.push({ target: opened.target, reference: opened.reference });
        }
        const result = await createIndex(to.target, dst.ref.tag, sources, {
          annotations,
          ...(opts.dryRun ? { dryRun: true } : {}),
          signal: ctx.signal,
        });
        ctx.out.result({ reference, ...result, dryRun: opts.dryRun === true }, () =>
          [
            `${opts.dryRun ? 'would write' : 'wrote'} ${reference}: ${result.digest}`,
            formatTable(
              ['PLATFORM', 'DIGEST', 'FROM'],
              result.manifests.map((m) => [m.platform ?? '-', m.digest, m.from]),
            ),
          ].join('\n'),
        );
      }),
    );
  return index;
}
