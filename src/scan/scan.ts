/**
 * A scan from reports to verdict: read (or produce) Trivy reports, apply the policy, and render
 * the outcome as a table, our JSON document, or SARIF.
 */
import { UsageError } from '../errors.js';
import { formatPlatform, parsePlatform } from '../oci/platform.js';
import type { Colors } from '../cli/output.js';
import { applyPolicy, type PolicyOptions, type PolicyResult } from './policy.js';
import { renderTable } from './render-table.js';
import type { SarifLog } from './sarif.js';
import { readTrivyReport, type ReportMeta, type ScanReport } from './trivy-report.js';
import { vulnerabilitiesToSarif } from './trivy-sarif.js';
import type { IgnoreRule } from './trivyignore.js';
import type { Finding, Severity, Summary } from './types.js';
import { VERSION } from '../version.js';

export type ScanFormat = 'table' | 'json' | 'sarif';

export interface ReportInput {
  file: string;
  platform?: string;
}

// Go's GOOS values: a label must name a real OS, so "out/x=y.json" stays a file name.
const PLATFORM_LABEL =
  /^((?:aix|android|darwin|dragonfly|freebsd|illumos|ios|js|linux|netbsd|openbsd|plan9|solaris|wasip1|windows)\/[a-z0-9_]+(?:\/[a-z0-9.]+)?)=(.+)$/;

/** `linux/arm64=report.json` or `report.json`. */
export function parseInputSpec(spec: string): ReportInput {
  const m = PLATFORM_LABEL.exec(spec);
  if (!m) {
    if (spec === '') throw new UsageError('--input needs a file');
    return { file: spec };
  }
  return { platform: formatPlatform(parsePlatform(m[1] ?? '')), file: m[2] ?? '' };
}

/** Several reports must each say which platform they are for; platforms must not repeat. */
export function checkInputs(inputs: readonly ReportInput[]): void {
  if (inputs.length > 1 && inputs.some((i) => !i.platform)) {
    throw new UsageError('several --input reports need a platform each', {
      hint: 'label them: --input linux/amd64=amd64.json --input linux/arm64=arm64.json',
    });
  }
  const seen = new Set<string>();
  for (const i of inputs) {
    if (i.platform && seen.has(i.platform))
      throw new UsageError(`--input names platform ${i.platform} twice`);
    if (i.platform) seen.add(i.platform);
  }
}

export function readReports(inputs: readonly ReportInput[]): Promise<ScanReport[]> {
  return Promise.all(inputs.map((i) => readTrivyReport(i.file, i.platform)));
}

export interface ScanOutcome {
  artifact: string;
  reports: ReportMeta[];
  policy: PolicyResult;
}

/** Applies the policy to the findings of every report. */
export function evaluate(
  reports: readonly ScanReport[],
  policy: PolicyOptions,
  artifact?: string,
): ScanOutcome {
  const metas = reports.map((r) => r.meta);
  return {
    artifact: artifact ?? metas[0]?.artifactName ?? metas[0]?.source ?? 'image',
    reports: metas,
    policy: applyPolicy(
      reports.flatMap((r) => r.findings),
      policy,
    ),
  };
}

/** The `--json` / `--format json` document. Field names are stable. */
export interface ScanJson {
  artifact: {
    name: string;
    type?: string;
    trivyVersion?: string;
    platforms?: string[];
    images: { platform?: string; imageId?: string; os?: string; source: string }[];
  };
  summary: Summary;
  findings: Finding[];
  ignored: (Pick<
    Finding,
    'platform' | 'target' | 'vulnerabilityId' | 'pkgName' | 'installedVersion' | 'severity'
  > & {
    ignoredBy: { file?: string; line?: number; statement?: string; expires?: string };
  })[];
  gate: { passed: boolean; exitCode: number; severities: Severity[]; ignoreStatuses: string[] };
}

export function toJsonDocument(o: ScanOutcome, ignoreFile?: string): ScanJson {
  const first = o.reports[0];
  const platforms = o.reports.flatMap((r) => (r.platform ? [r.platform] : []));
  const p = o.policy;
  return {
    artifact: {
      name: o.artifact,
      ...(first?.artifactType ? { type: first.artifactType } : {}),
      ...(first?.trivyVersion ? { trivyVersion: first.trivyVersion } : {}),
      ...(platforms.length > 0 ? { platforms } : {}),
      images: o.reports.map((r) => ({
        ...(r.platform ? { platform: r.platform } : {}),
        ...(r.imageId ? { imageId: r.imageId } : {}),
        ...(r.os ? { os: r.os } : {}),
        source: r.source,
      })),
    },
    summary: p.summary,
    findings: p.findings,
    ignored: p.ignored.map(({ finding: f, rule }) => ({
      ...(f.platform ? { platform: f.platform } : {}),
      target: f.target,
      vulnerabilityId: f.vulnerabilityId,
      pkgName: f.pkgName,
      installedVersion: f.installedVersion,
      severity: f.severity,
      ignoredBy: ignoredBy(rule, ignoreFile),
    })),
    gate: { ...p.gate, severities: p.severities, ignoreStatuses: p.ignoreStatuses },
  };
}

function ignoredBy(rule: IgnoreRule, file: string | undefined): ScanJson['ignored'][number]['ignoredBy'] {
  return {
    ...(file ? { file } : {}),
    ...(rule.line ? { line: rule.line } : {}),
    ...(rule.statement ? { statement: rule.statement } : {}),
    ...(rule.expiresAt ? { expires: rule.expiresAt.toISOString().slice(0, 10) } : {}),
  };
}

export function toSarifLog(o: ScanOutcome): SarifLog {
  return vulnerabilitiesToSarif(o.policy.findings, o.reports, { name: 'ghcr-optimize', version: VERSION });
}

/** The outcome as text in `format`; `c` colours the table (pass no-colour for files). */
export function renderOutcome(o: ScanOutcome, format: ScanFormat, c: Colors, ignoreFile?: string): string {
  switch (format) {
    case 'table':
      return `${renderTable({ artifact: o.artifact, policy: o.policy }, c)}\n`;
    case 'json':
      return `${JSON.stringify(toJsonDocument(o, ignoreFile), null, 2)}\n`;
    case 'sarif':
      return `${JSON.stringify(toSarifLog(o), null, 2)}\n`;
  }
}
