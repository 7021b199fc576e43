import { Command, Option } from '@commander-js/extra-typings';
import { createColors } from 'picocolors';
import { UsageError, fileSystemError } from '../../errors.js';
import { writeFileAtomic } from '../../content/atomic-file.js';
import { openLocation } from '../../content/open.js';
import { describe } from '../../inspect/describe.js';
import { formatPlatform, parsePlatform } from '../../oci/platform.js';
import { parseLocation, type Location } from '../../ref/index.js';
import { ScanGateError } from '../../scan/errors.js';
import { parseExitCode, parseSeverityList, parseStatusList } from '../../scan/policy.js';
import {
  checkInputs,
  evaluate,
  parseInputSpec,
  readReports,
  renderOutcome,
  type ScanFormat,
} from '../../scan/scan.js';
import type { ScanReport } from '../../scan/trivy-report.js';
import { layoutScanEnv, requireTrivy, runTrivy, type TrivyTarget } from '../../scan/trivy-runner.js';
import { stageImage } from '../../scan/stage.js';
import { OciLayoutTarget } from '../../content/oci-layout.js';
import type { ReadTarget } from '../../content/target.js';
import type { Platform } from '../../oci/schema.js';
import { findCredential } from '../../registry/credentials/index.js';
import { defaultCacheDir } from '../../transfer/blob-cache.js';
import { loadIgnoreFile, type IgnoreFile } from '../../scan/trivyignore.js';
import { formatSummary } from '../../scan/types.js';
import { positiveInt, type Context, type Runner } from '../context.js';
import { record } from '../record.js';
import { collect } from '../options.js';

function trivyTarget(loc: Location, input: string): TrivyTarget {
  switch (loc.transport) {
    case 'docker':
      return { kind: 'image', ref: input.replace(/^docker:\/\//, '') };
    case 'oci':
      return { kind: 'input', path: loc.dir };
    case 'docker-archive':
      return { kind: 'input', path: loc.file };
  }
}

/** The non-attestation platforms of `reference` (one entry for a single image). */
async function platformsOf(loc: Location, ctx: Context): Promise<string[]> {
  const registries = loc.transport === 'docker' ? [loc.ref.registry] : [];
  const opened = await openLocation(loc, () => ctx.client(registries));
  const d = await describe(opened.target, opened.reference ?? 'latest', { signal: ctx.signal });
  if (d.platforms) return d.platforms.filter((p) => !p.attestation).map((p) => p.platform);
  return d.image?.platform ? [d.image.platform] : [];
}

/** Where trivy should read the image from instead of pulling it itself; undefined: let it pull. */
interface StagingSource {
  target: ReadTarget;
  reference: string;
  cacheDir?: string;
}

/**
 * True when trivy pulling `registry` itself would lack what we have: a credential (flags, GHCR
 * tokens, docker config, credential helpers) or transport settings (CA files, insecure hosts).
 * Anonymous pulls of public images stay with trivy, whose layer cache skips known layers.
 */
async function weShouldPull(registry: string, ctx: Context): Promise<boolean> {
  const g = ctx.globals;
  const rc = ctx.config.registries?.[registry];
  if (g.insecure || (g.caFile ?? []).length > 0 || rc?.insecure || rc?.caFile) return true;
  const explicit = await ctx.explicitCredentials();
  return (await findCredential(registry, explicit ? { explicit } : {})) !== undefined;
}

async function stagingSource(
  loc: Location,
  platforms: (Platform | undefined)[],
  ctx: Context,
): Promise<StagingSource | undefined> {
  switch (loc.transport) {
    case 'docker': {
      if (!(await weShouldPull(loc.ref.registry, ctx))) return undefined;
      const opened = await openLocation(loc, () => ctx.client([loc.ref.registry]));
      return { target: opened.target, reference: opened.reference ?? 'latest', cacheDir: defaultCacheDir() };
    }
    case 'oci': {
      // trivy --input reads the layout's first image whatever --platform says: pick it out ourselves
      // whenever a platform, tag or digest narrows the choice.
      if (!loc.tag && !loc.digest && platforms.every((p) => p === undefined)) return undefined;
      const layout = await OciLayoutTarget.open(loc.dir);
      const first = (await layout.readIndex()).manifests[0]?.digest;
      const reference = loc.digest ?? loc.tag ?? first;
      if (!reference) throw new UsageError(`${loc.dir}: the OCI layout holds no image`);
      return { target: layout, reference };
    }
    case 'docker-archive':
      return undefined;
  }
}

async function scanWithTrivy(
  reference: string,
  opts: { perPlatform?: boolean; platform?: string },
  ctx: Context,
): Promise<ScanReport[]> {
  // Before anything else: a missing tool is the one error worth reporting first.
  const executable = await requireTrivy();
  const loc = parseLocation(reference);
  const platforms: (Platform | undefined)[] = opts.perPlatform
    ? (await platformsOf(loc, ctx)).map(parsePlatform)
    : [opts.platform ? parsePlatform(opts.platform) : undefined];
  if (platforms.length === 0) platforms.push(undefined);
  const staging = await stagingSource(loc, platforms, ctx);
  const reports: ScanReport[] = [];
  // One at a time: trivy locks its cache and vulnerability DB (and one staged copy on disk at a time).
  for (const platform of platforms) {
    const label = platform ? formatPlatform(platform) : undefined;
    const what = `${reference}${label ? ` (${label})` : ''}`;
    if (!staging) {
      ctx.out.info(`scanning ${what} with trivy…`);
      reports.push(
        await runTrivy({
          executable,
          target: trivyTarget(loc, reference),
          ...(label ? { platform: label } : {}),
          signal: ctx.signal,
        }),
      );
      continue;
    }
    if (staging.cacheDir) ctx.out.info(`pulling ${what} for trivy…`);
    const staged = await stageImage(staging.target, staging.reference, {
      ...(platform ? { platform } : {}),
      ...(staging.cacheDir ? { cacheDir: staging.cacheDir } : {}),
      concurrency: positiveInt(ctx.globals.concurrency, '--concurrency', 6, 64),
      signal: ctx.signal,
    });
    try {
      ctx.out.info(`scanning ${what} with trivy…`);
      reports.push(
        await runTrivy({
          executable,
          target: { kind: 'input', path: staged.dir },
          ...(label ? { platform: label } : {}),
          env: layoutScanEnv(),
          signal: ctx.signal,
        }),
      );
    } finally {
      await staged.remove();
    }
  }
  return reports;
}

function resolveFormat(format: ScanFormat | undefined, json: boolean | undefined): ScanFormat {
  if (json && format === 'table') throw new UsageError('--json and --format table contradict each other');
  return format ?? (json ? 'json' : 'table');
}

export function scanCommand(run: Runner) {
  return new Command('scan')
    .description(
      'find vulnerabilities with Trivy (or read Trivy reports), apply a policy, report as table/JSON/SARIF',
    )
    .argument('[reference]', 'image to scan, e.g. ghcr.io/OWNER/IMAGE:TAG, oci:DIR; optional with --input')
    .option(
      '--input <[platform=]file>',
      'read an existing Trivy JSON report instead of running trivy; repeat with platforms to merge per-platform reports',
      collect,
    )
    .option('--severity <list>', 'severities that count, e.g. CRITICAL,HIGH (default: all)')
    .option(
      '--ignore-unfixed',
      'ignore vulnerabilities without a fix (affected, will_not_fix, fix_deferred, end_of_life)',
    )
    .option(
      '--ignore-status <list>',
      'ignore vulnerabilities with these statuses, e.g. will_not_fix,end_of_life',
    )
    .option(
      '--ignore-file <file>',
      'Trivy ignore file, .trivyignore or .trivyignore.yaml; must exist (default: ./.trivyignore if present)',
    )
    .option(
      '--exit-code <n>',
      'exit with N when vulnerabilities remain after the policy (default 0, as trivy)',
    )
    .addOption(
      new Option('--format <format>', 'output format (default: table, or json with --json)').choices([
        'table',
        'json',
        'sarif',
      ] as const),
    )
    .option('--output <file>', 'write the result to FILE instead of standard output')
    .option('--per-platform', 'scan each platform of a multi-platform image separately and merge the results')
    .option('--platform <os/arch[/variant]>', 'scan this platform of a multi-platform image')
    .addHelpText(
      'after',
      `
Trivy (https://trivy.dev) does the scanning and must be on PATH, unless --input gives reports it
wrote ("trivy image --format json --output report.json IMAGE"). Without trivy the exit code is 10.
With --exit-code N the exit code is N when vulnerabilities remain, as with trivy.

Private images: when we have a credential for the registry (--username/--password-stdin,
GHCR_TOKEN/GITHUB_TOKEN for ghcr.io, docker config, credential helpers) or it needs --insecure or
a CA file, we pull the image ourselves (through the blob cache) into a temporary OCI layout, one
platform at a time, and trivy reads that ("trivy image --input DIR"); it never gets the secret.
Public images without a credential are left to "trivy image REF".

Examples:
  ghcr-optimize scan ghcr.io/OWNER/IMAGE:1.2.3 --severity CRITICAL,HIGH --ignore-unfixed --exit-code 1
  ghcr-optimize scan ghcr.io/OWNER/IMAGE:1.2.3 --per-platform --format sarif --output trivy.sarif
  ghcr-optimize scan --input report.json --severity CRITICAL,HIGH --json
  ghcr-optimize scan ghcr.io/OWNER/IMAGE:1.2.3 --input linux/amd64=amd64.json --input linux/arm64=arm64.json --format sarif`,
    )
    .action((reference, opts) =>
      run(async (ctx) => {
        const format = resolveFormat(opts.format, ctx.globals.json);
        const inputs = (opts.input ?? []).map(parseInputSpec);
        if (inputs.length === 0 && reference === undefined) {
          throw new UsageError('give an image reference to scan, or --input with a Trivy JSON report', {
            hint: 'ghcr-optimize scan ghcr.io/OWNER/IMAGE:TAG, or ghcr-optimize scan --input report.json',
          });
        }
        checkInputs(inputs);
        if (inputs.length > 0 && opts.platform) {
          throw new UsageError(
            '--platform selects what trivy scans; label a report instead: --input linux/arm64=report.json',
          );
        }
        if (opts.perPlatform && opts.platform) {
          throw new UsageError('use either --per-platform (every platform) or --platform (one), not both');
        }
        if (inputs.length === 1 && opts.perPlatform && !inputs[0]?.platform) {
          throw new UsageError('--per-platform with --input needs the platform of each report', {
            hint: 'label them: --input linux/amd64=amd64.json --input linux/arm64=arm64.json',
          });
        }
        const policy = {
          ...(opts.severity !== undefined ? { severities: parseSeverityList(opts.severity) } : {}),
          ...(opts.ignoreStatus !== undefined ? { ignoreStatuses: parseStatusList(opts.ignoreStatus) } : {}),
          ignoreUnfixed: opts.ignoreUnfixed === true,
          exitCode: opts.exitCode === undefined ? 0 : parseExitCode(opts.exitCode),
        };
        const ignore: IgnoreFile | undefined = await loadIgnoreFile(opts.ignoreFile ?? '.trivyignore', {
          explicit: opts.ignoreFile !== undefined,
        });
        for (const w of ignore?.warnings ?? []) ctx.out.warn(w);
        for (const r of ignore?.expired ?? []) {
          const where = r.line ? `${ignore?.path}:${r.line}` : (ignore?.path ?? '');
          ctx.out.warn(
            `${where}: ${r.id} expired on ${r.expiresAt?.toISOString().slice(0, 10)} and is no longer ignored`,
          );
        }

        const reports =
          inputs.length > 0
            ? await readReports(inputs)
            : await scanWithTrivy(
                reference ?? '',
                {
                  ...(opts.perPlatform ? { perPlatform: true } : {}),
                  ...(opts.platform ? { platform: opts.platform } : {}),
                },
                ctx,
              );
        const outcome = evaluate(reports, { ...policy, ignoreRules: ignore?.rules ?? [] }, reference);
        const colors = opts.output ? createColors(false) : ctx.out.c;
        const text = renderOutcome(outcome, format, colors, ignore?.path);
        const { findings, summary, gate } = outcome.policy;
        await record(ctx, (st) =>
          st.recordScan(summary, {
            image: reference ?? opts.input?.join(' ') ?? 'report',
            command: 'scan',
            fixable: findings.filter((f) => f.fixedVersion).length,
            ok: gate.passed,
          }),
        );
        if (opts.output) {
          await writeFileAtomic(opts.output, text).catch((err: unknown) => {
            throw fileSystemError(err);
          });
          ctx.out.info(
            `wrote ${format} to ${opts.output}: ${findings.length} vulnerabilities (${formatSummary(summary)})`,
          );
        } else {
          ctx.out.raw(text);
        }
        if (!gate.passed && gate.exitCode !== 0) {
          throw new ScanGateError(
            `${findings.length} vulnerabilities remain after the policy (${formatSummary(summary)})`,
            gate.exitCode,
            {
              hint: 'upgrade the affected packages, narrow --severity, or accept IDs in .trivyignore (exp:YYYY-MM-DD)',
            },
          );
        }
      }),
    );
}
