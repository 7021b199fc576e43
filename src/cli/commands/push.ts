import { Command, Option } from '@commander-js/extra-typings';
import type { Config } from '../../config/config.js';
import { resolveServices } from '../../config/services.js';
import { UsageError } from '../../errors.js';
import { parseLocation } from '../../ref/index.js';
import { openLocation } from '../../content/open.js';
import { copyImage } from '../../transfer/copy.js';
import { SummaryCollector, combineListeners } from '../../transfer/events.js';
import { shortDigest } from '../output.js';
import { positiveInt, type Runner } from '../context.js';
import { describeSummary, progressFor } from '../transfer-output.js';
import { record } from '../record.js';

/** The configured service names; none when the config names no services or cannot resolve them. */
function serviceNames(config: Config): string[] {
  try {
    return resolveServices(config).map((s) => s.name);
  } catch {
    return [];
  }
}

/**
 * The seeds' `push <service> --platforms …` built and pushed a service: that is `build --push`
 * here. One line saying so beats commander's "unknown option" or a reference parse error.
 */
export function seedFormError(source: string, platforms: string | undefined): UsageError {
  const service = source.startsWith('oci:') ? 'SERVICE' : source;
  return new UsageError(
    `push takes an OCI layout and a reference; to build and push a service use: ghcr-optimize build ${service} --push${
      platforms !== undefined ? ` --platforms ${platforms}` : ''
    }`,
  );
}

export function pushCommand(run: Runner) {
  return (
    new Command('push')
      .description('push an image or index from an OCI layout to a registry')
      .usage('[options] <source> <reference>')
      .argument('<source>', 'oci:DIR:TAG (written by ghcr-optimize, buildah, skopeo, …)')
      // Optional for commander only, so the seed form `push SERVICE --platforms …` reaches the action
      // and gets pointed at `build`; the action requires it.
      .argument('[reference]', 'registry reference, e.g. ghcr.io/OWNER/IMAGE:TAG (required)')
      .option('--include-referrers', 'also push the layout’s signature and attestation tags')
      .addOption(new Option('--platforms <list>', 'not a push option: see build --push').hideHelp())
      .addHelpText(
        'after',
        `
Blobs the registry already has are skipped; the tag is written last, after everything it
references is in place.

To build a configured service and push it (the seed workflows' "push SERVICE --platforms …"),
use build: ghcr-optimize build SERVICE --push --platforms linux/amd64,linux/arm64

Examples:
  ghcr-optimize push oci:./layout:1.2.3 ghcr.io/OWNER/app:1.2.3
  buildah push app oci:./out:app && ghcr-optimize push oci:./out:app ghcr.io/OWNER/app:latest`,
      )
      .action((source, reference, opts) => {
        // --platforms is never a push option: answer without loading (or tripping over) the config.
        if (opts.platforms !== undefined) {
          return run(() => Promise.reject(seedFormError(source, opts.platforms)), { config: false });
        }
        return run(async (ctx) => {
          if (serviceNames(ctx.config).includes(source)) throw seedFormError(source, undefined);
          if (reference === undefined)
            throw new UsageError('push needs a source and a registry reference', {
              hint: 'e.g. ghcr-optimize push oci:./layout:1.2.3 ghcr.io/OWNER/app:1.2.3',
            });
          const src = parseLocation(source, { defaultTag: false });
          const dst = parseLocation(reference);
          if (src.transport !== 'oci')
            throw new UsageError('push reads an OCI layout: oci:DIR:TAG', {
              hint: 'use copy between registries',
            });
          if (dst.transport !== 'docker')
            throw new UsageError('push writes to a registry reference', { hint: 'use copy for layouts' });
          if (!dst.ref.tag)
            throw new UsageError('push needs a destination tag', { hint: `e.g. ${reference}:latest` });
          const collector = new SummaryCollector();
          const progress = progressFor(ctx, `push ${source} → ${reference}`);
          try {
            const from = await openLocation(src, () => ctx.client([]));
            const to = await openLocation(dst, () => ctx.client([dst.ref.registry]));
            if (from.reference === undefined) {
              const tags = await from.target.tags();
              if (tags.length !== 1)
                throw new UsageError(`${source} holds ${tags.length} tags; name one`, {
                  hint: `e.g. oci:${src.dir}:${tags[0] ?? 'TAG'}`,
                });
            }
            const ref = from.reference ?? (await from.target.tags())[0]!;
            const result = await copyImage(from.target, to.target, ref, dst.ref.tag, {
              concurrency: positiveInt(ctx.globals.concurrency, '--concurrency', 6, 64),
              ...(opts.includeReferrers ? { includeReferrers: true } : {}),
              signal: ctx.signal,
              onEvent: combineListeners(collector.listener, progress.listener),
            });
            progress.stop();
            const summary = collector.finish();
            await record(ctx, (st) =>
              st.recordTransfer(summary, { source, destination: reference, command: 'push' }),
            );
            ctx.out.result(
              { source, reference, ...result, summary },
              () =>
                `${result.unchanged ? `${reference} already has` : 'pushed'} ${shortDigest(result.digest)}\n${describeSummary(summary)}`,
            );
          } finally {
            progress.stop();
          }
        });
      })
  );
}
