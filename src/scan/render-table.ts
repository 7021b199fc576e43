/**
 * The human view of a scan: one table per (platform, target) with Trivy's columns, then one line
 * of counts by severity and the gate's verdict.
 */
import type { Colors } from '../cli/output.js';
import { formatTable } from '../cli/output.js';
import type { PolicyResult } from './policy.js';
import { SEVERITIES, type Finding, type Severity } from './types.js';

const TITLE_MAX = 60;

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

function paint(c: Colors, sev: Severity): string {
  switch (sev) {
    case 'CRITICAL':
      return c.bold(c.red(sev));
    case 'HIGH':
      return c.red(sev);
    case 'MEDIUM':
      return c.yellow(sev);
    case 'LOW':
      return c.blue(sev);
    case 'UNKNOWN':
      return c.dim(sev);
  }
}

function groups(findings: readonly Finding[]): { title: string; rows: Finding[] }[] {
  const out = new Map<string, { title: string; rows: Finding[] }>();
  for (const f of findings) {
    const title = f.platform ? `${f.platform}  ${f.target}` : f.target;
    let g = out.get(title);
    if (!g) out.set(title, (g = { title, rows: [] }));
    g.rows.push(f);
  }
  return [...out.values()];
}

export interface TableInput {
  artifact: string;
  policy: PolicyResult;
}

export function renderTable({ artifact, policy }: TableInput, c: Colors): string {
  const lines: string[] = [];
  for (const g of groups(policy.findings)) {
    lines.push(c.bold(g.title), '');
    const rows = g.rows.map((f) => [
      f.pkgName,
      f.vulnerabilityId,
      paint(c, f.severity),
      f.status,
      f.installedVersion,
      f.fixedVersion ?? '',
      truncate(f.title ?? '', TITLE_MAX),
    ]);
    const table = formatTable(
      ['LIBRARY', 'VULNERABILITY', 'SEVERITY', 'STATUS', 'INSTALLED', 'FIXED', 'TITLE'],
      rows,
    );
    lines.push(...table.split('\n').map((l) => `  ${l}`), '');
  }
  const s = policy.summary;
  const counts = SEVERITIES.map((sev) => `${sev}: ${s[sev]}`).join(', ');
  if (policy.findings.length === 0) {
    lines.push(`${artifact}: no vulnerabilities (severities ${policy.severities.join(',')})`);
  }
  const ignored = policy.ignored.length > 0 ? `; ${policy.ignored.length} ignored by the ignore file` : '';
  lines.push(`Total: ${policy.findings.length} (${counts})${ignored}`);
  return lines.join('\n');
}
