import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from '@commander-js/extra-typings';
import { formatLocation, parseLocation, type Location } from '../../ref/index.js';
import { FileSystemError, UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../content/atomic-file.js';
import { openLocation } from '../../content/open.js';
import type { ReadTarget } from '../../content/target.js';
import { BlobCache, CachingSource, defaultCacheDir } from '../../transfer/blob-cache.js';
import { parsePlatform } from '../../oci/platform.js';
import { analysisSummary, analyzeImage, type ImageAnalysis } from '../../analyze/analyze.js';
import {
  DEFAULT_CI_RULES,
  evaluateCi,
  parseDiveCi,
  validateCiRules,
  type CiEvaluation,
  type CiRuleValues,
} from '../../analyze/ci.js';
import { diveExport, layerCommands } from '../../analyze/dive-export.js';
import { zstdFor } from '../../analyze/zstd-estimate.js';
import { PolicyError } from '../../analyze/errors.js';
import { formatBytes, formatTable, shortDigest, type Output } from '../output.js';
import { positiveInt, type Context, type Runner } from '../context.js';
import { record } from '../record.js';
import { analysisFigures } from '../../store/events.js';

/** `--cache DIR` / `--no-cache` as commander gives them: a directory, false, or unset (the default). */
export function cacheChoice(value: string | boolean | undefined): string | false | undefined {
  return value === false ? false : typeof value === 'string' ? value : undefined;
}

export const CACHE_HELP = 'blob cache directory (default $XDG_CACHE_HOME/ghcr-optimize/blobs)';
export const NO_CACHE_HELP = 'read registry blobs straight from the registry, without the blob cache';

/**
 * Parses REF, opens its target and insists on a tag or digest (shared with `lint`, `sbom` and
 * `optimize-images`). Registry blobs are read through the shared blob cache, as `pull` reads
 * them: a blob is fetched once, verified, kept, and verified again on every later read; an OCI
 * layout is already on disk and is read directly. `cache: false` turns the cache off.
 */
export async function openImage(
  reference: string,
  ctx: Context,
  opts: { cache?: string | false } = {},
): Promise<{
  loc: Location;
  opened: { target: ReadTarget; reference: string | undefined };
  ref: string;
  tag: string | undefined;
  cache: CachingSource | undefined;
}> {
  const loc = parseLocation(reference);
  const registries = loc.transport === 'docker' ? [loc.ref.registry] : [];
  const opened = await openLocation(loc, () => ctx.client(registries));
  if (opened.reference === undefined) {
    throw new UsageError(`"${reference}" names no tag or digest`, {
      hint: `try ${formatLocation(loc)}:latest`,
    });
  }
  const tag = loc.transport === 'docker' ? loc.ref.tag : loc.transport === 'oci' ? loc.tag : undefined;
  const cache =
    loc.transport === 'docker' && opts.cache !== false
      ? new CachingSource(opened.target, new BlobCache(opts.cache ?? defaultCacheDir()))
      : undefined;
  return {
    loc,
    opened: { target: cache ?? opened.target, reference: opened.reference },
    ref: opened.reference,
    tag,
    cache,
  };
}

const FORMATS = ['text', 'json', 'dive-json', 'sarif'] as const;

/** Rule values: dive's defaults, then the .dive-ci file, then flags. */
async function ciRules(
  opts: {
    ciConfig?: string;
    lowestEfficiency?: string;
    highestWastedBytes?: string;
    highestUserWastedPercent?: string;
  },
  out: Output,
): Promise<CiRuleValues> {
  const values: CiRuleValues = { ...DEFAULT_CI_RULES };
  const file = opts.ciConfig ?? '.dive-ci';
  if (opts.ciConfig !== undefined || existsSync(file)) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(
        `cannot read CI config ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
    const parsed = parseDiveCi(text, file);
    for (const w of parsed.warnings) out.warn(w);
    Object.assign(values, parsed.rules);
  }
  if (opts.lowestEfficiency !== undefined) values['lowest-efficiency'] = opts.lowestEfficiency;
  if (opts.highestWastedBytes !== undefined) values['highest-wasted-bytes'] = opts.highestWastedBytes;
  if (opts.highestUserWastedPercent !== undefined) {
    values['highest-user-wasted-percent'] = opts.highestUserWastedPercent;
  }
  validateCiRules(values);
  return values;
}

export function analyzeCommand(run: Runner) {
  return new Command('analyze')
    .description(
      'stream every layer and report wasted space: dive-compatible efficiency, reclaimable bytes by cause, compression',
    )
    .argument('<reference>', 'e.g. ghcr.io/OWNER/IMAGE:TAG, IMAGE@sha256:…, oci:DIR:TAG')
    .option('--platform <os/arch[/variant]>', 'analyse one child of a multi-platform index')
    .addOption(
      new Option(
        '--format <format>',
        'text, json (same as --json), dive-json (dive --json export) or sarif (SARIF 2.1.0)',
      ).choices(FORMATS),
    )
    .option('--ci', "evaluate dive's CI rules; exit code 9 when one fails")
    .option('--ci-config <file>', 'CI rules file (default: .dive-ci when present)')
    .option('--lowest-efficiency <ratio>', 'with --ci: fail below this efficiency (default 0.9)')
    .option(
      '--highest-wasted-bytes <size>',
      'with --ci: fail above this many wasted bytes, e.g. 20MB (default disabled)',
    )
    .option(
      '--highest-user-wasted-percent <ratio>',
      'with --ci: fail above this wasted/user-bytes ratio (default 0.1)',
    )
    .option('--jobs <n>', 'layers analysed at once (default 3)')
    .option('--top <n>', 'rows shown per list in text output (default 10)')
    .option('--no-hash', 'do not hash file contents (skips duplicate-content detection)')
    .option('--html <file>', 'also write a self-contained HTML report (opens offline) to this file')
    .option('--cache <dir>', CACHE_HELP)
    .option('--no-cache', NO_CACHE_HELP)
    .addHelpText(
      'after',
      `
Metrics: efficiency, wastedBytes and userWastedPercent are computed exactly as dive does
(wastedBytes counts every copy of a path seen in two or more layers, the kept one included);
reclaimableBytes = sum of (cumulative - smallest copy) is what a rebuild would actually save.
CI rules (dive's names and defaults) come from .dive-ci, then flags; "disabled" turns one off.
CI mode is only enabled by --ci (the CI environment variable is ignored).
Registry blobs are read through the blob cache \`pull\` uses (verified on every read), so a second
analysis of the same image fetches no layer again; --no-cache reads straight from the registry.
Layers whose compression gzip -9 beats are also measured with zstd -19 when the zstd program is
on PATH (else the zstd estimate says unavailable).

Examples:
  ghcr-optimize analyze ghcr.io/OWNER/IMAGE:latest
  ghcr-optimize analyze ghcr.io/OWNER/IMAGE:latest --platform linux/arm64 --json
  ghcr-optimize analyze oci:./layout:app --format dive-json > dive.json
  ghcr-optimize analyze ghcr.io/OWNER/IMAGE:latest --format sarif > analyze.sarif
  ghcr-optimize analyze ghcr.io/OWNER/IMAGE:latest --html report.html
  ghcr-optimize analyze ghcr.io/OWNER/IMAGE:1.2 --ci --lowest-efficiency 0.95 --highest-wasted-bytes 20MB`,
    )
    .action((reference, opts) =>
      run(async (ctx) => {
        const ruleFlags = [opts.lowestEfficiency, opts.highestWastedBytes, opts.highestUserWastedPercent];
        if (!opts.ci && (ruleFlags.some((f) => f !== undefined) || opts.ciConfig !== undefined)) {
          throw new UsageError('CI rule options only apply with --ci', { hint: 'add --ci' });
        }
        const format = opts.format ?? (ctx.out.json ? 'json' : 'text');
        const rules = opts.ci ? await ciRules(opts, ctx.out) : undefined;
        const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
        const jobs = positiveInt(opts.jobs, '--jobs', 3, 32);
        const top = positiveInt(opts.top, '--top', 10, 100000);
        const { loc, opened, ref } = await openImage(reference, ctx, { cache: cacheChoice(opts.cache) });
        const analysis = await analyzeImage(opened.target, ref, {
          ...(platform ? { platform } : {}),
          concurrency: jobs,
          hashFiles: opts.hash,
          signal: ctx.signal,
        });
        const name = formatLocation(loc);
        const ci = rules ? evaluateCi(analysis.dive, rules) : undefined;
        const html = opts.html === undefined ? undefined : resolve(opts.html);
        if (html !== undefined) await writeHtmlReport(html, name, analysis, top, ci);
        await record(ctx, (st) => st.recordAnalysis(...analysisFigures(analysis, name, 'analyze')));

        if (format === 'sarif') {
          const { analysisToSarif } = await import('../../analyze/sarif.js');
          const ctxInfo = {
            image: name,
            digest: analysis.digest,
            ...(analysis.platform ? { platform: analysis.platform } : {}),
          };
          ctx.out.raw(`${JSON.stringify(analysisToSarif(analysis, ctxInfo, ci), null, 2)}\n`);
        } else if (format === 'dive-json') {
          const commands = layerCommands(analysis.config, analysis.scans.length);
          const doc = diveExport(analysis.diveTrees, analysis.dive, analysis.scans, commands);
          ctx.out.raw(`${JSON.stringify(doc, null, 2)}\n`);
        } else if (format === 'json') {
          ctx.out.raw(
            `${JSON.stringify({ reference: name, ...analysisSummary(analysis), ...(ci ? { ci } : {}), ...(html ? { htmlReport: html } : {}) }, null, 2)}\n`,
          );
        } else {
          ctx.out.raw(`${renderAnalysis(name, analysis, ctx.out, top, ci)}\n`);
        }
        if (html !== undefined) ctx.out.info(`HTML report written to ${html}`);
        if (ci && !ci.pass) {
          const failed = ci.rules.filter((r) => r.status === 'FAIL');
          throw new PolicyError(
            `CI rules failed: ${failed.map((r) => `${r.rule} (${r.message})`).join('; ')}`,
            {
              hint: 'see the Inefficient files and Reclaimable sections of the report for what to fix',
            },
          );
        }
      }),
    );
}

/** The report never appears half-written: a reader sees the old file or the whole new one. */
async function writeHtmlReport(
  file: string,
  name: string,
  analysis: ImageAnalysis,
  top: number,
  ci: CiEvaluation | undefined,
): Promise<void> {
  const { renderHtmlReport } = await import('../../analyze/html-report.js');
  const page = renderHtmlReport(name, analysis, {
    top: Math.max(top, 20),
    ...(ci ? { ci } : {}),
    generatedAt: new Date(),
  });
  try {
    await writeFileAtomic(file, page);
  } catch (err) {
    // The error names the temp file; the user wants to hear about the path they gave.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined) throw err;
    throw new FileSystemError(`cannot write the HTML report ${file} (${code})`, {
      hint:
        code === 'ENOTDIR'
          ? 'a part of the path is a file, not a directory'
          : code === 'EISDIR'
            ? '--html takes a file name, not a directory'
            : 'check the path, its permissions and the free space',
      cause: err,
    });
  }
}

const percent = (n: number): string =>
  Number.isFinite(n) ? `${(n * 100).toFixed(2)} %` : 'n/a (no user layers)';

function clip(text: string, width: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > width ? `${oneLine.slice(0, width - 1)}…` : oneLine;
}

const indent = (text: string, by = '  '): string =>
  text
    .split('\n')
    .map((l) => by + l)
    .join('\n');

export function renderAnalysis(
  name: string,
  a: ImageAnalysis,
  out: Output,
  top: number,
  ci: CiEvaluation | undefined,
): string {
  const c = out.c;
  const lines: string[] = [];
  lines.push(`${c.bold(name)}${a.platform ? ` (${a.platform})` : ''}`);
  lines.push(`Digest:  ${a.digest}`);
  lines.push('', c.bold('Layers:'));
  lines.push(
    indent(
      formatTable(
        ['#', 'DIGEST', 'STORED', 'UNCOMPRESSED', 'FILES', 'COMMAND'],
        a.layers.map((l) => [
          String(l.index + 1),
          shortDigest(l.digest),
          `${formatBytes(l.storedBytes)}${l.compression === 'none' ? ' (tar)' : l.compression === 'zstd' ? ' (zstd)' : ''}`,
          formatBytes(l.uncompressedBytes),
          String(l.entries),
          clip(l.command, 60),
        ]),
      ),
    ),
  );
  const mismatched = a.layers.filter((l) => l.compressionMismatch);
  for (const l of mismatched) {
    lines.push(
      c.yellow(`  layer ${l.index + 1}: media type ${l.mediaType} but the bytes are ${l.compression}`),
    );
  }

  const d = a.dive;
  lines.push('', c.bold('Analysis:'));
  lines.push(`  efficiency:         ${percent(d.efficiency)}`);
  lines.push(
    `  wastedBytes:        ${d.wastedBytes} bytes (${formatBytes(d.wastedBytes)})  ${c.dim('dive: every copy of paths in 2+ layers')}`,
  );
  lines.push(
    `  reclaimableBytes:   ${d.reclaimableBytes} bytes (${formatBytes(d.reclaimableBytes)})  ${c.dim('the extra copies only')}`,
  );
  lines.push(`  userWastedPercent:  ${percent(d.userWastedPercent)}`);

  if (d.inefficiencies.length === 0) {
    lines.push('', `${c.bold('Inefficient files:')} (none)`);
  } else {
    const shown = d.inefficiencies.slice(0, top);
    const more =
      d.inefficiencies.length > shown.length ? ` (top ${shown.length} of ${d.inefficiencies.length})` : '';
    lines.push('', `${c.bold('Inefficient files:')}${more}`);
    lines.push(
      indent(
        formatTable(
          ['COUNT', 'WASTED', 'RECLAIMABLE', 'LAYERS', 'FILE PATH'],
          shown.map((x) => [
            String(x.count),
            formatBytes(x.cumulativeSize),
            formatBytes(x.cumulativeSize - x.minSize),
            x.layers.map((i) => i + 1).join(','),
            x.path,
          ]),
        ),
      ),
    );
  }

  const r = a.reclaimable;
  if (r.categories.length === 0) {
    lines.push('', `${c.bold('Reclaimable space:')} nothing found`);
  } else {
    lines.push(
      '',
      `${c.bold('Reclaimable space:')} ${formatBytes(r.totalBytes)} uncompressed (each file counted once)`,
    );
    for (const g of r.categories) {
      lines.push(
        `  ${c.bold(g.title)}: ${formatBytes(g.bytes)} in ${g.files} file${g.files === 1 ? '' : 's'}`,
      );
      for (const item of g.items.slice(0, Math.min(top, 5))) {
        lines.push(
          `    ${item.path}  ${formatBytes(item.size)}  layer ${item.layer + 1}${item.detail ? `, ${item.detail}` : ''}`,
        );
      }
      if (g.files > Math.min(top, 5)) lines.push(c.dim(`    … ${g.files - Math.min(top, 5)} more`));
      lines.push(c.dim(`    hint: ${g.hint}`));
    }
  }
  if (r.compression.length > 0) {
    const z = a.zstd;
    const zstdTotal = z?.available ? `, ~${formatBytes(z.savingBytes)} with zstd -${z.level}` : '';
    lines.push(
      '',
      `${c.bold('Compression:')} ~${formatBytes(r.compressionSavingBytes)} smaller with gzip -9${zstdTotal}`,
    );
    for (const f of r.compression) {
      const stored = f.compression === 'none' ? 'stored uncompressed' : `stored as ${f.compression}`;
      const how = f.exact
        ? 'measured on the whole layer'
        : `estimated from a ${formatBytes(f.sampledBytes)} sample`;
      const zl = zstdFor(z, f.layer);
      const zstd = zl
        ? `; zstd -${z!.level} gives ~${formatBytes(zl.estimatedBytes)} (save ~${formatBytes(Math.max(0, zl.savingBytes))})`
        : z
          ? '; zstd: unavailable'
          : '';
      lines.push(
        `  layer ${f.layer + 1} is ${stored}: ${formatBytes(f.storedBytes)}; gzip -9 gives ~${formatBytes(f.estimatedGzip9Bytes)} (save ~${formatBytes(f.savingBytes)}, ${how})${zstd}`,
      );
    }
    if (z && !z.available) lines.push(c.dim(`  zstd estimate unavailable: ${z.reason}`));
    else if (z?.available) {
      for (const x of z.failed)
        lines.push(c.dim(`  zstd estimate of layer ${x.layer + 1} failed: ${x.reason}`));
    }
  }

  if (ci) {
    lines.push('', c.bold('Evaluation:'));
    for (const rule of [...ci.rules].sort((x, y) => (x.rule < y.rule ? -1 : 1))) {
      const status =
        rule.status === 'PASS'
          ? c.green('PASS')
          : rule.status === 'FAIL'
            ? c.red(c.bold('FAIL'))
            : c.dim('SKIP');
      lines.push(`  ${status}  ${rule.rule} (${rule.message})`);
    }
    const tally = (s: string): number => ci.rules.filter((x) => x.status === s).length;
    const parts = [
      ['pass', tally('PASS')],
      ['fail', tally('FAIL')],
      ['skip', tally('SKIP')],
    ]
      .filter(([, n]) => (n as number) > 0)
      .map(([k, n]) => `${k}:${n}`);
    lines.push('', `${ci.pass ? c.green('PASS') : c.red(c.bold('FAIL'))} ${c.dim(`[${parts.join(' ')}]`)}`);
  }
  return lines.join('\n');
}
