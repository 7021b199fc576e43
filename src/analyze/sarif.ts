/**
 * Lint and analysis findings as SARIF 2.1.0, through the shared builder in scan/sarif.ts: one
 * rule per lint checkpoint (CIS-DI-…, DKL-…) or analysis category, one result per alert or
 * file. As Trivy does for image findings, the first location is the image reference; a finding
 * about a file also names the file, relative to the image's root (uriBaseId ROOTPATH). Pure.
 */
import type { Severity } from '../scan/types.js';
import { toSarif, type SarifFinding, type SarifLog } from '../scan/sarif.js';
import type { ImageAnalysis } from './analyze.js';
import type { CiEvaluation } from './ci.js';
import type { LintResult } from './lint.js';

export interface ImageContext {
  /** The reference as printed (registry ref or oci:DIR:TAG). */
  image: string;
  digest?: string;
  platform?: string;
}

/** dockle levels → severities whose SARIF levels are FATAL error, WARN warning, INFO note. */
const LINT_SEVERITY: Record<string, Severity | undefined> = { FATAL: 'HIGH', WARN: 'MEDIUM', INFO: 'LOW' };

/** The file an alert is about, when it names one (the alert texts are dockle's). */
export function alertPath(code: string, alert: string): string | undefined {
  const patterns: Record<string, RegExp[]> = {
    'CIS-DI-0008': [/^set[ug]id file: \S+ (.+)$/],
    'CIS-DI-0010': [
      /^Suspicious (?:filename|file extension) found : (\S+)/,
      /^npm registry token found : (\S+)/,
    ],
    'DKL-LI-0003': [/^unnecessary file : (.+)$/, /^Suspicious directory : (.+)$/],
  };
  for (const re of patterns[code] ?? []) {
    const m = re.exec(alert);
    if (m) return m[1]!.replace(/^\/+/, '');
  }
  return undefined;
}

function runProperties(ctx: ImageContext): Record<string, unknown> {
  return {
    imageName: ctx.image,
    ...(ctx.digest ? { imageDigest: ctx.digest } : {}),
    ...(ctx.platform ? { platform: ctx.platform } : {}),
  };
}

/** Adds the file location that toSarif's single-URI findings cannot carry. */
function withPaths(log: SarifLog, paths: readonly (string | undefined)[]): SarifLog {
  const run = log.runs[0]!;
  run.results.forEach((r, i) => {
    const path = paths[i];
    if (path === undefined || path === '') return;
    r.locations.push({
      physicalLocation: {
        artifactLocation: { uri: path, uriBaseId: 'ROOTPATH' },
        region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
      },
      message: { text: `/${path} in the image` },
    });
  });
  return log;
}

export function lintToSarif(result: LintResult, ctx: ImageContext): SarifLog {
  const findings: SarifFinding[] = [];
  const paths: (string | undefined)[] = [];
  for (const check of result.checks) {
    const severity = LINT_SEVERITY[check.level];
    if (severity === undefined) continue;
    const alerts = check.alerts.length > 0 ? check.alerts : [check.title];
    for (const alert of alerts) {
      findings.push({
        ruleId: check.code,
        shortDescription: check.title,
        fullDescription: `${check.code}: ${check.title} (${check.code.startsWith('GHO-') ? 'ghcr-optimize check' : 'dockle checkpoint'}, level ${check.level})`,
        severity,
        tags: ['security', 'container-image', check.level],
        ruleProperties: { level: check.level },
        message: `${check.title}: ${alert}`,
        uri: ctx.image,
        locationMessage: `${ctx.image}: ${check.code}`,
        properties: { level: check.level },
      });
      paths.push(alertPath(check.code, alert));
    }
  }
  return withPaths(toSarif(findings, { runProperties: runProperties(ctx) }), paths);
}

const mib = (n: number): string => `${(n / (1024 * 1024)).toFixed(2)} MiB`;

/** Waste is about size, not security: no security-severity, so GitHub files it as quality. */
function dropSecuritySeverity(log: SarifLog): SarifLog {
  for (const rule of log.runs[0]!.tool.driver.rules) {
    if (rule.properties) delete rule.properties['security-severity'];
  }
  return log;
}

export function analysisToSarif(a: ImageAnalysis, ctx: ImageContext, ci?: CiEvaluation): SarifLog {
  const findings: SarifFinding[] = [];
  const paths: (string | undefined)[] = [];
  const push = (f: SarifFinding, path?: string): void => {
    findings.push(f);
    paths.push(path);
  };
  for (const g of a.reclaimable.categories) {
    const rule = {
      ruleId: `waste/${g.category}`,
      ruleName: g.title.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase()),
      shortDescription: g.title,
      fullDescription: g.hint,
      help: { text: g.hint },
      severity: 'MEDIUM' as const,
      tags: ['efficiency', 'container-image', g.category],
      uri: ctx.image,
    };
    for (const item of g.items) {
      push(
        {
          ...rule,
          message: `${g.title}: ${item.path} (${mib(item.size)} in layer ${item.layer + 1}${item.detail ? `, ${item.detail}` : ''})`,
          locationMessage: `${ctx.image}: ${item.path}`,
          properties: { bytes: item.size, layer: item.layer + 1 },
        },
        item.path.replace(/^\/+/, ''),
      );
    }
    if (g.files > g.items.length) {
      const shownBytes = g.items.reduce((n, i) => n + i.size, 0);
      push({
        ...rule,
        message: `${g.title}: ${g.files - g.items.length} more files (${mib(g.bytes - shownBytes)}); ${mib(g.bytes)} in ${g.files} files in all`,
        properties: { bytes: g.bytes - shownBytes, files: g.files - g.items.length },
      });
    }
  }
  for (const c of a.reclaimable.compression) {
    const stored = c.compression === 'none' ? 'stored uncompressed' : `stored as ${c.compression}`;
    push({
      ruleId: 'compression/gzip9',
      ruleName: 'LayerCompression',
      shortDescription: 'Layer would be smaller recompressed',
      fullDescription: 'A layer that gzip -9 would store noticeably smaller than it is stored now.',
      help: { text: 'rebuild or recompress the layer with gzip -9 (or zstd) to save transfer and storage' },
      severity: 'LOW',
      tags: ['efficiency', 'container-image', 'compression'],
      uri: ctx.image,
      message: `layer ${c.layer + 1} (${c.digest}) is ${stored}: ${mib(c.storedBytes)}; gzip -9 gives ~${mib(c.estimatedGzip9Bytes)} (save ~${mib(c.savingBytes)}${c.exact ? '' : ', estimated from a sample'})`,
      properties: { layer: c.layer + 1, digest: c.digest, savingBytes: c.savingBytes },
    });
  }
  for (const r of ci?.rules ?? []) {
    if (r.status !== 'FAIL') continue;
    push({
      ruleId: `ci/${r.rule}`,
      shortDescription: `dive CI rule ${r.rule}`,
      fullDescription: `The image fails dive's CI rule ${r.rule} (threshold ${r.threshold}).`,
      severity: 'HIGH',
      tags: ['efficiency', 'container-image', 'ci'],
      uri: ctx.image,
      message: `${r.rule}: ${r.message}`,
      properties: { threshold: r.threshold },
    });
  }
  const log = toSarif(findings, {
    runProperties: {
      ...runProperties(ctx),
      efficiency: a.dive.efficiency,
      wastedBytes: a.dive.wastedBytes,
      reclaimableBytes: a.dive.reclaimableBytes,
    },
  });
  return withPaths(dropSecuritySeverity(log), paths);
}
