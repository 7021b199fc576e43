import { resolve as resolvePath } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { analysisSummary, analyzeImage, type ImageAnalysis } from '../../analyze/analyze.js';
import { openLocation } from '../../content/open.js';
import type { ReadTarget } from '../../content/target.js';
import { UsageError, isGhcrOptimizeError } from '../../errors.js';
import { formatLocation, parseLocation, sameRegistry, type Location } from '../../ref/index.js';
import { resolveServices } from '../../config/services.js';
import { parseCompression, zstdProgram } from '../../optimize/compress.js';
import { optimizeImage, type ImageSizes, type OptimizeResult } from '../../optimize/optimize.js';
import { recommend, type Recommendation } from '../../optimize/recommend.js';
import { stripRules } from '../../optimize/strip.js';
import { positiveInt, type Context, type Runner } from '../context.js';
import { collect } from '../options.js';
import { formatBytes, formatTable, shortDigest, type Output } from '../output.js';
import { record } from '../record.js';
import { CACHE_HELP, NO_CACHE_HELP, cacheChoice, openImage, renderAnalysis } from './analyze.js';
import { analysisFigures } from '../../store/events.js';

/** The images to work on: each argument (a configured service's name, or a REF), else every service's `latest`. */
function imageRefs(args: readonly string[], ctx: Context): string[] {
  const services = ctx.config.services;
  const configured = services === undefined || services === null ? [] : resolveServices(ctx.config);
  if (args.length === 0) {
    if (configured.length === 0) {
      throw new UsageError('optimize-images: name an image, or configure services', {
        hint: 'e.g. ghcr-optimize optimize-images ghcr.io/OWNER/IMAGE:TAG, or list images under "services:" in ghcr-optimize.yaml',
      });
    }
    return configured.map((s) => `${s.image}:latest`);
  }
  return args.map((a) => {
    const service = configured.find((s) => s.name === a);
    return service ? `${service.image}:latest` : a;
  });
}

function tagOf(loc: Location): string | undefined {
  return loc.transport === 'docker' ? loc.ref.tag : loc.transport === 'oci' ? loc.tag : undefined;
}

/** Whether writing `dst` would move the tag `src` was read from. */
export function sameTag(src: Location, dst: Location): boolean {
  const tag = tagOf(src);
  if (tag === undefined || tag !== tagOf(dst)) return false;
  if (src.transport === 'docker' && dst.transport === 'docker') {
    return sameRegistry(src.ref.registry, dst.ref.registry) && src.ref.repository === dst.ref.repository;
  }
  if (src.transport === 'oci' && dst.transport === 'oci')
    return resolvePath(src.dir) === resolvePath(dst.dir);
  return false;
}

/** Every image of a reference: itself, or each platform of an index (attestations left out). */
async function imagesOf(target: ReadTarget, ref: string, signal: AbortSignal): Promise<string[]> {
  const root = await target.fetchManifest(ref, signal);
  if (root.parsed.kind === 'manifest') return [ref];
  return root.parsed.index.manifests
    .filter(
      (d) =>
        d.platform?.os !== 'unknown' &&
        d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest',
    )
    .map((d) => d.digest);
}

interface Report {
  reference: string;
  analysis?: ImageAnalysis;
  recommendations?: Recommendation[];
  error?: unknown;
}

function renderRecommendations(recs: readonly Recommendation[], out: Output): string {
  if (recs.length === 0) return `${out.c.bold('Recommendations:')} none, the image looks lean`;
  const table = formatTable(
    ['#', 'SAVES', 'WHAT', 'HOW'],
    recs.map((r) => [
      String(r.rank),
      `${formatBytes(r.savingBytes)}${r.unit === 'compressed' ? ' (compressed)' : ''}`,
      r.title,
      r.apply ?? 'rebuild',
    ]),
  );
  const details = recs.flatMap((r) => recommendationDetail(r, out));
  return [out.c.bold('Recommendations:'), ...table.split('\n').map((l) => `  ${l}`), '', ...details].join(
    '\n',
  );
}

/** One recommendation: why (the hint), the evidence, and the change to make. */
export function recommendationDetail(r: Recommendation, out: Output): string[] {
  const c = out.c;
  const lines = [`  ${c.bold(`${r.rank}. ${r.title}`)}`, c.dim(`     ${r.hint}`)];
  for (const e of r.evidence) {
    const where = `layer ${e.layer.index}${e.layer.digest ? ` ${e.layer.digest}` : ''}`;
    lines.push(
      `     ${e.path ?? '(whole layer)'}  ${formatBytes(e.bytes)}  ${where}${e.detail ? `, ${e.detail}` : ''}`,
    );
  }
  if (r.moreEvidence) {
    lines.push(c.dim(`     … ${r.moreEvidence.count} more, ${formatBytes(r.moreEvidence.bytes)}`));
  }
  for (const ch of r.changes) {
    lines.push(`     ${c.cyan(`${ch.file}:`)}`);
    for (const l of ch.snippet.split('\n')) lines.push(`       ${l.startsWith('#') ? c.dim(l) : l}`);
  }
  lines.push('');
  return lines;
}

function sizeLine(label: string, s: ImageSizes): string {
  return `${label} ${formatBytes(s.compressedBytes)} compressed, ${formatBytes(s.uncompressedBytes)} uncompressed, ${s.layers} layer${s.layers === 1 ? '' : 's'}`;
}

function renderResult(src: string, dst: string, r: OptimizeResult, out: Output): string {
  const c = out.c;
  const lines = [
    `${c.bold('Optimized')} ${src} → ${dst}`,
    `Digest:  ${r.digest}`,
    `Mode:    ${r.mode}, ${r.compression}; verified: final file tree matches the source's (minus stripped paths)`,
    '',
    formatTable(
      ['PLATFORM', 'LAYERS', 'BEFORE', 'AFTER', 'UNCOMPRESSED', 'STRIPPED'],
      r.platforms.map((p) => [
        p.platform,
        `${p.before.layers} → ${p.after.layers}`,
        formatBytes(p.before.compressedBytes),
        formatBytes(p.after.compressedBytes),
        `${formatBytes(p.before.uncompressedBytes)} → ${formatBytes(p.after.uncompressedBytes)}`,
        p.stripped.length === 0
          ? '-'
          : p.stripped.map((s) => `${s.rule}: ${s.paths} paths, ${formatBytes(s.bytes)}`).join('; '),
      ]),
    ),
    '',
    sizeLine('Before:', r.before),
    sizeLine('After: ', r.after),
    `Saved:  ${formatBytes(Math.max(r.savedBytes, 0))} (${r.savedPercent.toFixed(1)} %)${r.savedBytes < 0 ? c.yellow(` — the result is ${formatBytes(-r.savedBytes)} larger`) : ''}`,
  ];
  for (const d of r.dropped) lines.push(c.dim(`not carried over: ${shortDigest(d.digest)} (${d.reason})`));
  return lines.join('\n');
}

export function optimizeImagesCommand(run: Runner) {
  return new Command('optimize-images')
    .description(
      'analysis and ranked recommendations for each image (default: every configured service); with --apply, write an optimized copy: squashed, caches stripped, recompressed, verified',
    )
    .argument('[images...]', 'image references (REF, oci:DIR:TAG) or names of configured services')
    .option('--apply', 'rewrite the image (exactly one) and write it to --output')
    .option('--output <ref>', 'with --apply: where to write it, oci:DIR:TAG or a registry reference')
    .option('--replace', 'with --apply: allow --output to be the source tag itself')
    .option('--keep-layers', 'with --apply: keep the layers as they are, only recompress them')
    .option('--strip <rule>', 'with --apply: also strip this (docs); caches are stripped by default', collect)
    .option('--no-strip', 'with --apply: strip nothing')
    .option(
      '--compression <algo[:level]>',
      'with --apply: gzip[:1-9] (default gzip:9) or zstd[:1-19] (default 19)',
    )
    .option('--jobs <n>', 'layers read at once (default 3)')
    .option('--top <n>', 'rows shown per list in the analysis (default 5)')
    .option('--cache <dir>', CACHE_HELP)
    .option('--no-cache', NO_CACHE_HELP)
    .addHelpText(
      'after',
      `
Without --apply nothing is written: each image (each platform of an index) is analysed as
"analyze" does and the fixes are ranked by the bytes they would save (estimated; SAVES says
when the figure is compressed bytes). Each comes with its evidence (the largest paths, the
layer that holds them with its command, bytes) and the change to make: the RUN to write,
.dockerignore entries, a multi-stage build, a smaller base of the same kind (identified from
labels, history and os-release; sizes are about, from Docker Hub) or the build's compression.
Registry blobs are read through the blob cache (see "pull"); --no-cache bypasses it.

--apply builds a new image per platform: one layer holding the final file tree (files deleted or
replaced by later layers are gone), minus stripped paths (caches: apt/apk/yum/dnf caches and
lists, npm/pip/yarn/pnpm caches; docs: /usr/share/doc, man and info pages, copyright files
kept), compressed as asked. zstd needs the zstd program and writes OCI media types. The result
is written by digest, read back and compared with the source (type, mode, owner, size, content
hash and link target of every path); only then is the tag set. The source tag is never
overwritten unless --replace.

Examples:
  ghcr-optimize optimize-images                     # every service in ghcr-optimize.yaml, tag latest
  ghcr-optimize optimize-images ghcr.io/OWNER/APP:1.2 --json
  ghcr-optimize optimize-images ghcr.io/OWNER/APP:1.2 --apply --output ghcr.io/OWNER/APP:1.2-slim
  ghcr-optimize optimize-images oci:./layout:app --apply --output oci:./slim:app --strip docs --compression zstd
  ghcr-optimize optimize-images ghcr.io/OWNER/APP:1.2 --apply --keep-layers --compression gzip:9 --output ghcr.io/OWNER/APP:1.2 --replace`,
    )
    .action((images, opts) =>
      run(async (ctx) => {
        const jobs = positiveInt(opts.jobs, '--jobs', 3, 32);
        const top = positiveInt(opts.top, '--top', 5, 100000);
        const applyOnly = {
          '--output': opts.output !== undefined,
          '--replace': opts.replace === true,
          '--keep-layers': opts.keepLayers === true,
          '--strip/--no-strip': opts.strip !== undefined,
          '--compression': opts.compression !== undefined,
        };
        if (!opts.apply) {
          const misplaced = Object.entries(applyOnly).find(([, given]) => given);
          if (misplaced)
            throw new UsageError(`${misplaced[0]} only applies with --apply`, { hint: 'add --apply' });
          await report(ctx, imageRefs(images, ctx), jobs, top, cacheChoice(opts.cache));
          return;
        }

        if (images.length !== 1) {
          throw new UsageError(`--apply rewrites one image; got ${images.length}`, {
            hint: 'name exactly one REF (or service) with --apply',
          });
        }
        if (opts.output === undefined) {
          throw new UsageError('--apply needs --output', {
            hint: 'e.g. --output ghcr.io/OWNER/APP:1.2-slim or --output oci:./slim:app',
          });
        }
        if (opts.keepLayers && Array.isArray(opts.strip)) {
          throw new UsageError('--keep-layers cannot strip paths', {
            hint: 'drop --strip, or drop --keep-layers',
          });
        }
        const strip = opts.keepLayers ? [] : stripRules(opts.strip);
        const compression = parseCompression(opts.compression ?? 'gzip');
        if (compression.algorithm === 'zstd') zstdProgram();

        const [source] = imageRefs(images, ctx);
        const dstLoc = parseLocation(opts.output);
        if (dstLoc.transport === 'docker-archive') {
          throw new UsageError('--output must be a registry reference or oci:DIR:TAG', {
            hint: 'write to a layout, then "ghcr-optimize copy" it elsewhere',
          });
        }
        const dstTag = tagOf(dstLoc);
        const pinned = dstLoc.transport === 'docker' ? dstLoc.ref.digest : dstLoc.digest;
        if (dstTag === undefined || pinned !== undefined) {
          throw new UsageError(`--output ${opts.output} must name a tag (and no digest)`, {
            hint: `e.g. ${dstLoc.transport === 'oci' ? `oci:${dstLoc.dir}:optimized` : 'ghcr.io/OWNER/APP:slim'}`,
          });
        }
        const src = await openImage(source!, ctx, { cache: cacheChoice(opts.cache) });
        if (sameTag(src.loc, dstLoc) && !opts.replace) {
          throw new UsageError(`--output ${opts.output} is the source tag; refusing to overwrite it`, {
            hint: 'write to another tag, or pass --replace to move the tag to the optimized image',
          });
        }
        const dst = await openLocation(
          dstLoc,
          () => ctx.client(dstLoc.transport === 'docker' ? [dstLoc.ref.registry] : []),
          { create: true },
        );
        const result = await optimizeImage(src.opened.target, src.ref, dst.target, dstTag, {
          strip,
          keepLayers: opts.keepLayers === true,
          compression,
          concurrency: jobs,
          signal: ctx.signal,
          onProgress: (m) => ctx.out.info(m),
        });
        const srcName = formatLocation(src.loc);
        const dstName = formatLocation(dstLoc);
        // The rewritten image's size goes into the size trend under its own name; a squash has
        // no waste left by construction (keep-layers keeps whatever waste there was: unknown here).
        if (result.mode === 'squash') {
          await record(ctx, (st) =>
            st.recordAnalysis(
              {
                bytes: result.after.uncompressedBytes,
                storedBytes: result.after.compressedBytes,
                layers: result.after.layers,
              },
              { bytes: 0, reclaimableBytes: 0, efficiency: 1 },
              { image: dstName, command: 'optimize-images --apply' },
            ),
          );
        }
        ctx.out.result({ source: srcName, destination: dstName, ...result }, () =>
          renderResult(srcName, dstName, result, ctx.out),
        );
      }),
    );
}

async function report(
  ctx: Context,
  refs: string[],
  jobs: number,
  top: number,
  cache: string | false | undefined,
): Promise<void> {
  const reports: Report[] = [];
  for (const reference of refs) {
    try {
      const { loc, opened, ref } = await openImage(reference, ctx, { cache });
      const name = formatLocation(loc);
      for (const image of await imagesOf(opened.target, ref, ctx.signal)) {
        const analysis = await analyzeImage(opened.target, image, { concurrency: jobs, signal: ctx.signal });
        reports.push({ reference: name, analysis, recommendations: recommend(analysis) });
        await record(ctx, (st) => st.recordAnalysis(...analysisFigures(analysis, name, 'optimize-images')));
      }
    } catch (err) {
      if (!isGhcrOptimizeError(err) || err.kind === 'cancelled') throw err;
      reports.push({ reference, error: err });
    }
  }

  const doc = {
    images: reports.map((r) =>
      r.analysis
        ? {
            reference: r.reference,
            ...(r.analysis.platform ? { platform: r.analysis.platform } : {}),
            recommendations: r.recommendations,
            analysis: analysisSummary(r.analysis),
          }
        : {
            reference: r.reference,
            error: {
              kind: isGhcrOptimizeError(r.error) ? r.error.kind : 'error',
              message: (r.error as Error).message,
            },
          },
    ),
  };
  ctx.out.result(doc, () =>
    reports
      .map((r) =>
        r.analysis
          ? `${renderAnalysis(r.reference, r.analysis, ctx.out, top, undefined)}\n\n${renderRecommendations(r.recommendations ?? [], ctx.out)}`
          : `${ctx.out.c.bold(r.reference)}\n  ${ctx.out.c.red('error:')} ${(r.error as Error).message}`,
      )
      .join(`\n\n${'─'.repeat(60)}\n\n`),
  );
  const failed = reports.find((r) => r.error !== undefined);
  if (failed) {
    const count = reports.filter((r) => r.error !== undefined).length;
    const first = failed.error as Error & { hint?: string };
    // The report is printed; the exit code still says that not every image could be analysed.
    throw Object.assign(first, {
      message: `${count} of ${refs.length} image${refs.length === 1 ? '' : 's'} could not be analysed: ${first.message}`,
    });
  }
}
