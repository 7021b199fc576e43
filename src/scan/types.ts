/**
 * The vocabulary of vulnerability scanning, shared by the Trivy reader, the policy, and the
 * renderers. Severities and statuses are Trivy's (trivy-db `types.Severity`, `types.Status`).
 */

/** Most severe first: the order of summaries and of the table's summary line. */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Every status trivy-db knows. Trivy omits `Status` when it is `unknown`, and does not report
 * `not_affected` or `under_investigation` findings by default, but a report may carry any of them.
 */
export const STATUSES = [
  'fixed',
  'affected',
  'will_not_fix',
  'fix_deferred',
  'end_of_life',
  'not_affected',
  'under_investigation',
  'unknown',
] as const;
export type Status = (typeof STATUSES)[number];

/** What `--ignore-unfixed` ignores, exactly as Trivy's flag does. */
export const UNFIXED_STATUSES: readonly Status[] = [
  'affected',
  'will_not_fix',
  'fix_deferred',
  'end_of_life',
];

/** CVSS data of the vulnerability's severity source (the vendor whose severity Trivy chose). */
export interface Cvss {
  v2Vector?: string;
  v2Score?: number;
  v3Vector?: string;
  v3Score?: number;
  v40Vector?: string;
  v40Score?: number;
}

/** A line range in the file that declares the package (lockfiles); Trivy's `Package.Locations`. */
export interface LineRange {
  startLine: number;
  endLine: number;
}

/** One vulnerability in one installed package: a Trivy `DetectedVulnerability` with its result's context. */
export interface Finding {
  /** `linux/arm64` when the report was one of several per-platform reports. */
  platform?: string;
  /** Trivy's `Result.Target`, e.g. `ghcr.io/o/app:1 (alpine 3.20.3)` or `app/package-lock.json`. */
  target: string;
  /** `os-pkgs`, `lang-pkgs`, … */
  class: string;
  /** `alpine`, `debian`, `npm`, `cargo`, … */
  type?: string;
  vulnerabilityId: string;
  pkgName: string;
  pkgId?: string;
  pkgPath?: string;
  purl?: string;
  installedVersion: string;
  fixedVersion?: string;
  /** One of STATUSES, or whatever a newer Trivy wrote; `unknown` when the report had none. */
  status: string;
  severity: Severity;
  severitySource?: string;
  title?: string;
  description?: string;
  primaryUrl?: string;
  cvss?: Cvss;
  layerDigest?: string;
  /** Where the package is declared, when Trivy listed packages (`--list-all-pkgs`). */
  locations?: LineRange[];
}

export type Summary = Record<Severity, number>;

export function emptySummary(): Summary {
  return { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
}

export function summarize(findings: readonly Pick<Finding, 'severity'>[]): Summary {
  const s = emptySummary();
  for (const f of findings) s[f.severity]++;
  return s;
}

/** `CRITICAL: 2, HIGH: 1` — only severities that occur; `none` when there are none. */
export function formatSummary(summary: Summary): string {
  const parts = SEVERITIES.filter((sev) => summary[sev] > 0).map((sev) => `${sev}: ${summary[sev]}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

/** Larger is more severe (CRITICAL 4 … UNKNOWN 0), like trivy-db's CompareSeverityString. */
export function severityRank(s: Severity): number {
  return SEVERITIES.length - 1 - SEVERITIES.indexOf(s);
}
