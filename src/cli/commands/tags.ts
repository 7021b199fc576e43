import { Command } from '@commander-js/extra-typings';
import { parseLocation, formatRepository } from '../../ref/index.js';
import { UsageError } from '../../errors.js';
import { openLocation } from '../../content/open.js';
import { mapLimit } from '../../util/concurrency.js';
import { formatTable } from '../output.js';
import { positiveInt, type Runner } from '../context.js';

export function tagsCommand(run: Runner) {
  return new Command('tags')
    .description('list every tag of a repository (registry or oci: layout), following pagination')
    .argument('<repository>', 'e.g. ghcr.io/OWNER/IMAGE, localhost:5000/app or oci:DIR')
    .option('--digests', 'add the digest each tag points to (concurrent HEAD requests)')
    .addHelpText(
      'after',
      `
Examples:
  ghcr-optimize tags ghcr.io/OWNER/IMAGE
  ghcr-optimize tags ghcr.io/OWNER/IMAGE --digests --json
  ghcr-optimize tags oci:./layout`,
    )
    .action((repository, opts) =>
      run(async (ctx) => {
        const loc = parseLocation(repository, { defaultTag: false });
        if (loc.transport === 'docker' && (loc.ref.tag || loc.ref.digest)) {
          throw new UsageError(`"${repository}" names a tag or digest; tags takes a repository`, {
            hint: `try: ghcr-optimize tags ${formatRepository(loc.ref)}`,
          });
        }
        const registries = loc.transport === 'docker' ? [loc.ref.registry] : [];
        const { target } = await openLocation(loc, () => ctx.client(registries));
        const tags = (await target.tags(ctx.signal)).sort();
        if (!opts.digests) {
          ctx.out.result(tags, () => tags.join('\n'));
          return;
        }
        const limit = positiveInt(ctx.globals.concurrency, '--concurrency', 8, 64);
        const rows = await mapLimit(tags, limit, async (tag) => {
          const d = await target.resolve(tag, ctx.signal);
          return { tag, digest: d.digest, mediaType: d.mediaType };
        });
        ctx.out.result(rows, () =>
          formatTable(
            ['TAG', 'DIGEST'],
            rows.map((r) => [r.tag, r.digest]),
          ),
        );
      }),
    );
}
