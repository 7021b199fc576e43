import { basename, resolve } from 'node:path';
import { Command, Option } from '@commander-js/extra-typings';
import { formatLocation, type Location } from '../../ref/index.js';
import { FileSystemError } from '../../errors.js';
import { writeFileAtomic } from '../../content/atomic-file.js';
import { parsePlatform } from '../../oci/platform.js';
import { buildSbom, renderSbom, SBOM_FORMATS, type ImageNaming } from '../../sbom/sbom.js';
import { creationTime } from '../../sbom/identity.js';
import { VERSION } from '../../version.js';
import { positiveInt, type Runner } from '../context.js';
import { CACHE_HELP, NO_CACHE_HELP, cacheChoice, openImage } from './analyze.js';

/** How the document names the image, and the pkg:oci purl's name and repository_url. */
function naming(loc: Location): ImageNaming {
  const name = formatLocation(loc);
  if (loc.transport === 'docker') {
    const repository = `${loc.ref.registry}/${loc.ref.repository}`;
    return { name, repository, shortName: loc.ref.repository.split('/').at(-1)! };
  }
  if (loc.transport === 'oci') return { name, shortName: basename(resolve(loc.dir)) };
  return { name, shortName: basename(loc.file).replace(/\.tar$/, '') };
}

export function sbomCommand(run: Runner) {
  return new Command('sbom')
    .description(
      "list an image's packages (dpkg, apk, npm, Python) as an SPDX 2.3 or CycloneDX 1.5 SBOM, without trivy",
    )
    .argument('<reference>', 'e.g. ghcr.io/OWNER/IMAGE:TAG, IMAGE@sha256:…, oci:DIR:TAG')
    .addOption(new Option('--format <format>', 'spdx-json (default) or cyclonedx-json').choices(SBOM_FORMATS))
    .option('--output <file>', 'write the SBOM to FILE (atomically) instead of standard output')
    .option('--platform <os/arch[/variant]>', 'describe one child of a multi-platform index')
    .option('--cache <dir>', CACHE_HELP)
    .option('--no-cache', NO_CACHE_HELP)
    .option('--jobs <n>', 'layers read at once (default 3)')
    .addHelpText(
      'after',
      `
Packages come from the image's final filesystem (a database deleted or replaced by a later layer
counts as it is in the end): dpkg (/var/lib/dpkg/status and distroless status.d/), apk
(/lib/apk/db/installed), npm (package-lock.json and node_modules/*/package.json) and Python
(*.dist-info/METADATA, *.egg-info/PKG-INFO). The OS comes from /etc/os-release.
Output is deterministic: sorted, with the creation time from SOURCE_DATE_EPOCH, else the image's
own creation time. With --output and --json, a summary is printed instead of the document.

Examples:
  ghcr-optimize sbom ghcr.io/OWNER/IMAGE:1.2 > sbom.spdx.json
  ghcr-optimize sbom ghcr.io/OWNER/IMAGE:1.2 --format cyclonedx-json --output sbom.cdx.json
  ghcr-optimize sbom oci:./layout:app --platform linux/arm64 --format cyclonedx-json
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) ghcr-optimize sbom ghcr.io/OWNER/IMAGE:1.2`,
    )
    .action((reference, opts) =>
      run(async (ctx) => {
        const format = opts.format ?? 'spdx-json';
        const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
        const jobs = positiveInt(opts.jobs, '--jobs', 3, 32);
        // A bad SOURCE_DATE_EPOCH is a usage error: found before any layer is read.
        creationTime(process.env.SOURCE_DATE_EPOCH, undefined, new Date());
        const { loc, opened, ref } = await openImage(reference, ctx, { cache: cacheChoice(opts.cache) });
        const { sbom, config } = await buildSbom(opened.target, ref, naming(loc), {
          ...(platform ? { platform } : {}),
          concurrency: jobs,
          signal: ctx.signal,
        });
        for (const w of sbom.warnings) ctx.out.warn(w);
        const created = creationTime(process.env.SOURCE_DATE_EPOCH, config.created, new Date());
        const text = renderSbom(sbom, format, { created, toolVersion: VERSION });
        if (opts.output === undefined) {
          ctx.out.raw(text);
          return;
        }
        const file = resolve(opts.output);
        await writeFileAtomic(file, text).catch((err: unknown) => {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === undefined) throw err;
          throw new FileSystemError(`cannot write the SBOM to ${file} (${code})`, {
            hint:
              code === 'EISDIR'
                ? '--output takes a file name, not a directory'
                : 'check the path, its permissions and the free space',
            cause: err,
          });
        });
        const summary = {
          reference: sbom.image.name,
          digest: sbom.image.digest,
          ...(sbom.image.platform ? { platform: sbom.image.platform } : {}),
          format,
          output: file,
          created,
          ...(sbom.os ? { os: sbom.os } : {}),
          packages: sbom.packages.length,
          byType: Object.fromEntries(
            [...new Set(sbom.packages.map((p) => p.ecosystem))].map((e) => [
              e,
              sbom.packages.filter((p) => p.ecosystem === e).length,
            ]),
          ),
          warnings: sbom.warnings,
        };
        const counts = Object.entries(summary.byType)
          .map(([e, n]) => `${n} ${e}`)
          .join(', ');
        if (ctx.out.json) ctx.out.result(summary, () => '');
        else
          ctx.out.info(
            `wrote ${format} to ${file}: ${sbom.packages.length} packages${counts ? ` (${counts})` : ''}`,
          );
      }),
    );
}
