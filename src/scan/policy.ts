/**
 * The vulnerability gate, with Trivy's semantics (pkg/result/filter.go and `--exit-code`):
 *
 * 1. keep findings whose severity is in `--severity` (default: all five);
 * 2. drop findings whose status is in `--ignore-status` (`--ignore-unfixed` adds affected,
 *    will_not_fix, fix_deferred, end_of_life);
 * 3. drop findings matched by the ignore file (reported as ignored, with the rule);
 * 4. de-duplicate on (platform, target, id, package, installed version, package path), keeping
 *    the highest fixed version, as Trivy does;
 * 5. the gate fails when any finding is left; the exit code is `--exit-code N` then (default 0).
 */
import { UsageError } from '../errors.js';
import { matchIgnore, type IgnoreRule } from './trivyignore.js';
import {
  SEVERITIES,
  STATUSES,
  UNFIXED_STATUSES,
  isSeverity,
  severityRank,
  summarize,
  type Finding,
  type Severity,
  type Summary,
} from './types.js';

export interface PolicyOptions {
  /** Default: every severity. */
  severities?: readonly Severity[];
  ignoreStatuses?: readonly string[];
  ignoreUnfixed?: boolean;
  ignoreRules?: readonly IgnoreRule[];
  /** Exit code when findings remain (Trivy's `--exit-code`); default 0. */
  exitCode?: number;
}

export interface IgnoredFinding {
  finding: Finding;
  rule: IgnoreRule;
}

export interface Gate {
  passed: boolean;
  exitCode: number;
}

export interface PolicyResult {
  findings: Finding[];
  ignored: IgnoredFinding[];
  summary: Summary;
  gate: Gate;
  severities: Severity[];
  ignoreStatuses: string[];
}

/** `CRITICAL,high` → ['CRITICAL','HIGH']; an unknown name is a usage error. */
export function parseSeverityList(text: string): Severity[] {
  const out: Severity[] = [];
  for (const raw of text.split(',')) {
    const s = raw.trim().toUpperCase();
    if (s === '') continue;
    if (!isSeverity(s)) {
      throw new UsageError(`unknown severity "${raw.trim()}"`, {
        hint: `use any of ${SEVERITIES.join(',')}`,
      });
    }
    if (!out.includes(s)) out.push(s);
  }
  if (out.length === 0)
    throw new UsageError('--severity needs at least one severity', { hint: SEVERITIES.join(',') });
  return out;
}

export function parseStatusList(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const s = raw.trim().toLowerCase();
    if (s === '') continue;
    if (!(STATUSES as readonly string[]).includes(s)) {
      throw new UsageError(`unknown status "${raw.trim()}"`, { hint: `use any of ${STATUSES.join(',')}` });
    }
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** The statuses a run ignores: `--ignore-status` plus, with `--ignore-unfixed`, Trivy's unfixed set. */
export function effectiveIgnoreStatuses(
  opts: Pick<PolicyOptions, 'ignoreStatuses' | 'ignoreUnfixed'>,
): string[] {
  const out = [...(opts.ignoreStatuses ?? [])];
  if (opts.ignoreUnfixed) for (const s of UNFIXED_STATUSES) if (!out.includes(s)) out.push(s);
  return out;
}

/**
 * Trivy's result order (types.BySeverity) within one target: package name, installed version,
 * severity (most severe first), vulnerability ID, package path. Plain code-unit comparison, like Go.
 */
export function compareBySeverity(a: Finding, b: Finding): number {
  const str = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return (
    str(a.pkgName, b.pkgName) ||
    str(a.installedVersion, b.installedVersion) ||
    severityRank(b.severity) - severityRank(a.severity) ||
    str(a.vulnerabilityId, b.vulnerabilityId) ||
    str(a.pkgPath ?? '', b.pkgPath ?? '')
  );
}

function groupKey(f: Finding): string {
  return `${f.platform ?? ''}\u0000${f.target}`;
}

/** Sorts findings Trivy's way inside each (platform, target), keeping the order in which groups first appear. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const order = new Map<string, number>();
  for (const f of findings) if (!order.has(groupKey(f))) order.set(groupKey(f), order.size);
  return [...findings].sort(
    (a, b) => (order.get(groupKey(a)) ?? 0) - (order.get(groupKey(b)) ?? 0) || compareBySeverity(a, b),
  );
}

export function applyPolicy(all: readonly Finding[], opts: PolicyOptions = {}): PolicyResult {
  const severities = [...(opts.severities ?? SEVERITIES)];
  const ignoreStatuses = effectiveIgnoreStatuses(opts);
  const rules = opts.ignoreRules ?? [];
  const ignored: IgnoredFinding[] = [];
  const unique = new Map<string, Finding>();
  for (const f of all) {
    if (!severities.includes(f.severity)) continue;
    if (ignoreStatuses.includes(f.status)) continue;
    // Reports from Trivy before 0.37 carry no Status: there, an empty fixed version is what
    // `--ignore-unfixed` meant.
    if (opts.ignoreUnfixed && f.status === 'unknown' && !f.fixedVersion) continue;
    const rule = rules.length > 0 ? matchIgnore(rules, f) : undefined;
    if (rule) {
      ignored.push({ finding: f, rule });
      continue;
    }
    const key = [groupKey(f), f.vulnerabilityId, f.pkgName, f.installedVersion, f.pkgPath ?? ''].join(
      '\u0000',
    );
    const old = unique.get(key);
    if (old && !((old.fixedVersion ?? '') < (f.fixedVersion ?? ''))) continue;
    unique.set(key, f);
  }
  const findings = sortFindings([...unique.values()]);
  const passed = findings.length === 0;
  return {
    findings,
    ignored,
    summary: summarize(findings),
    gate: { passed, exitCode: passed ? 0 : (opts.exitCode ?? 0) },
    severities,
    ignoreStatuses,
  };
}

/** `--exit-code N`: an integer 0–255. */
export function parseExitCode(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 0 || n > 255) {
    throw new UsageError(`--exit-code must be a whole number from 0 to 255, got "${text}"`);
  }
  return n;
}
