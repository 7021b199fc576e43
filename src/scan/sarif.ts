/**
 * SARIF 2.1.0 for any finding: one rule per rule id, one result per finding, levels and
 * `security-severity` as GitHub code scanning reads them. Vulnerabilities use it through
 * trivy-sarif.ts (driver "Trivy"); later lint/analysis findings use it directly (driver
 * "ghcr-optimize").
 */
import { VERSION } from '../version.js';
import type { LineRange, Severity } from './types.js';

export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifRule {
  id: string;
  name?: string;
  shortDescription: SarifMessage;
  fullDescription?: SarifMessage;
  defaultConfiguration: { level: SarifLevel };
  helpUri?: string;
  help?: SarifMessage;
  properties?: Record<string, unknown>;
}

export interface SarifLocation {
  physicalLocation: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
  };
  message?: SarifMessage;
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  properties?: Record<string, unknown>;
}

export interface SarifToolComponent {
  name: string;
  fullName?: string;
  informationUri?: string;
  version?: string;
}

export interface SarifRun {
  tool: { driver: SarifToolComponent & { rules: SarifRule[] } };
  conversion?: { tool: { driver: SarifToolComponent } };
  results: SarifResult[];
  columnKind: 'utf16CodeUnits';
  properties?: Record<string, unknown>;
}

export interface SarifLog {
  version: '2.1.0';
  $schema: string;
  runs: SarifRun[];
}

/** A finding of any kind, ready for SARIF. */
export interface SarifFinding {
  ruleId: string;
  /** A readable rule name, e.g. `OsPackageVulnerability`. */
  ruleName?: string;
  shortDescription: string;
  fullDescription?: string;
  helpUri?: string;
  help?: SarifMessage;
  /** Sets the level and the default `security-severity`. */
  severity: Severity;
  /** Overrides the severity's default score (e.g. a CVSS base score), as a decimal string. */
  securitySeverity?: string;
  /** Rule tags; GitHub treats a rule tagged `security` as a security alert. Default: [severity]. */
  tags?: string[];
  ruleProperties?: Record<string, unknown>;
  message: string;
  uri: string;
  uriBaseId?: string;
  /** Default: line 1. */
  regions?: LineRange[];
  locationMessage?: string;
  properties?: Record<string, unknown>;
}

export interface ToSarifOptions {
  /** Default: ghcr-optimize. */
  tool?: SarifToolComponent;
  /** Set when the results were converted from another tool's output. */
  conversion?: SarifToolComponent;
  runProperties?: Record<string, unknown>;
}

/** Trivy's mapping: CRITICAL/HIGH error, MEDIUM warning, LOW/UNKNOWN note. */
export function severityToLevel(s: Severity): SarifLevel {
  switch (s) {
    case 'CRITICAL':
    case 'HIGH':
      return 'error';
    case 'MEDIUM':
      return 'warning';
    case 'LOW':
    case 'UNKNOWN':
      return 'note';
  }
}

/** Trivy's default `security-severity` when there is no CVSS v3 score. */
export function severityToScore(s: Severity): string {
  switch (s) {
    case 'CRITICAL':
      return '9.5';
    case 'HIGH':
      return '8.0';
    case 'MEDIUM':
      return '5.5';
    case 'LOW':
      return '2.0';
    case 'UNKNOWN':
      return '0.0';
  }
}

export const GHCR_OPTIMIZE_TOOL: SarifToolComponent = {
  name: 'ghcr-optimize',
  fullName: 'ghcr-optimize container image analysis',
  version: VERSION,
};

/** Keys in code-unit order, as Go writes maps, so output is stable and diffable against Trivy's. */
function sorted(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function location(f: SarifFinding, r: LineRange): SarifLocation {
  // No line information (an image, a misconfiguration without cause): line 1, as Trivy writes it.
  const { startLine, endLine } = r.startLine === 0 && r.endLine === 0 ? { startLine: 1, endLine: 1 } : r;
  return {
    physicalLocation: {
      artifactLocation: { uri: f.uri, ...(f.uriBaseId ? { uriBaseId: f.uriBaseId } : {}) },
      region: { startLine, startColumn: 1, endLine, endColumn: 1 },
    },
    ...(f.locationMessage !== undefined ? { message: { text: f.locationMessage } } : {}),
  };
}

function rule(f: SarifFinding): SarifRule {
  return {
    id: f.ruleId,
    ...(f.ruleName ? { name: f.ruleName } : {}),
    shortDescription: { text: f.shortDescription },
    ...(f.fullDescription !== undefined ? { fullDescription: { text: f.fullDescription } } : {}),
    defaultConfiguration: { level: severityToLevel(f.severity) },
    ...(f.helpUri ? { helpUri: f.helpUri } : {}),
    ...(f.help ? { help: f.help } : {}),
    properties: sorted({
      ...f.ruleProperties,
      tags: f.tags ?? [f.severity],
      'security-severity': f.securitySeverity ?? severityToScore(f.severity),
    }),
  };
}

/**
 * One SARIF run. Rules are indexed in order of first use; like Trivy (go-sarif's AddRule), a
 * later finding with the same rule id updates the rule's descriptions.
 */
export function toSarif(findings: readonly SarifFinding[], opts: ToSarifOptions = {}): SarifLog {
  const rules: SarifRule[] = [];
  const index = new Map<string, number>();
  const results: SarifResult[] = [];
  for (const f of findings) {
    let i = index.get(f.ruleId);
    if (i === undefined) {
      i = rules.length;
      index.set(f.ruleId, i);
    }
    rules[i] = rule(f);
    const regions = f.regions && f.regions.length > 0 ? f.regions : [{ startLine: 1, endLine: 1 }];
    results.push({
      ruleId: f.ruleId,
      ruleIndex: i,
      level: severityToLevel(f.severity),
      message: { text: f.message },
      locations: regions.map((r) => location(f, r)),
      ...(f.properties ? { properties: f.properties } : {}),
    });
  }
  const tool = opts.tool ?? GHCR_OPTIMIZE_TOOL;
  return {
    version: '2.1.0',
    $schema: SARIF_SCHEMA_URI,
    runs: [
      {
        tool: { driver: { ...tool, rules } },
        ...(opts.conversion ? { conversion: { tool: { driver: opts.conversion } } } : {}),
        results,
        columnKind: 'utf16CodeUnits',
        ...(opts.runProperties ? { properties: sorted(opts.runProperties) } : {}),
      },
    ],
  };
}
