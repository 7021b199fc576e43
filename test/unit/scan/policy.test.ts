import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  applyPolicy,
  compareBySeverity,
  effectiveIgnoreStatuses,
  parseExitCode,
  parseSeverityList,
  parseStatusList,
  sortFindings,
} from '../../../src/scan/policy.js';
import { readTrivyReport } from '../../../src/scan/trivy-report.js';
import { STATUSES, UNFIXED_STATUSES } from '../../../src/scan/types.js';
import { finding, trivyFixture } from './helpers.js';

const ids = (fs: { vulnerabilityId: string }[]): string[] => fs.map((f) => f.vulnerabilityId);

describe('parsing the policy flags', () => {
  it('--severity: case-insensitive, de-duplicated, in the given order', () => {
    expect(parseSeverityList('critical, HIGH,high,')).toEqual(['CRITICAL', 'HIGH']);
  });

  it('--severity: unknown names and empty lists are usage errors', () => {
    expect(() => parseSeverityList('HIGH,SEVERE')).toThrow(UsageError);
    expect(() => parseSeverityList('HIGH,SEVERE')).toThrow('unknown severity "SEVERE"');
    expect(() => parseSeverityList(' , ')).toThrow('--severity needs at least one severity');
  });

  it('--ignore-status accepts every Trivy status and nothing else', () => {
    expect(parseStatusList(STATUSES.join(','))).toEqual([...STATUSES]);
    expect(parseStatusList('WILL_NOT_FIX, end_of_life')).toEqual(['will_not_fix', 'end_of_life']);
    expect(() => parseStatusList('wontfix')).toThrow('unknown status "wontfix"');
  });

  it("--ignore-unfixed is exactly Trivy's set, added to --ignore-status", () => {
    expect(effectiveIgnoreStatuses({ ignoreUnfixed: true })).toEqual([
      'affected',
      'will_not_fix',
      'fix_deferred',
      'end_of_life',
    ]);
    expect(
      effectiveIgnoreStatuses({ ignoreUnfixed: true, ignoreStatuses: ['under_investigation', 'affected'] }),
    ).toEqual(['under_investigation', 'affected', 'will_not_fix', 'fix_deferred', 'end_of_life']);
  });

  it('--exit-code: 0..255', () => {
    expect(parseExitCode('0')).toBe(0);
    expect(parseExitCode('255')).toBe(255);
    for (const bad of ['256', '-1', '1.5', 'x', '', '0x1'])
      expect(() => parseExitCode(bad)).toThrow(UsageError);
  });
});

describe('applyPolicy', () => {
  it('defaults: every severity counts, nothing ignored, exit code 0 even with findings (as trivy)', () => {
    const r = applyPolicy([
      finding({ severity: 'LOW' }),
      finding({ vulnerabilityId: 'CVE-2', severity: 'UNKNOWN' }),
    ]);
    expect(r.findings).toHaveLength(2);
    expect(r.gate).toEqual({ passed: false, exitCode: 0 });
    expect(r.summary).toEqual({ CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 1, UNKNOWN: 1 });
    expect(r.severities).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']);
  });

  it('--severity keeps only the listed severities', () => {
    const all = (['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const).map((severity, i) =>
      finding({ vulnerabilityId: `CVE-${i}`, severity }),
    );
    const r = applyPolicy(all, { severities: ['CRITICAL', 'HIGH'], exitCode: 1 });
    expect(r.findings.map((f) => f.severity)).toEqual(['CRITICAL', 'HIGH']);
    expect(r.gate).toEqual({ passed: false, exitCode: 1 });
  });

  it('the gate passes, with exit code 0, when nothing remains', () => {
    const r = applyPolicy([finding({ severity: 'LOW' })], { severities: ['CRITICAL'], exitCode: 3 });
    expect(r.findings).toEqual([]);
    expect(r.gate).toEqual({ passed: true, exitCode: 0 });
  });

  it('--ignore-unfixed drops affected, will_not_fix, fix_deferred, end_of_life and keeps the other statuses', () => {
    const all = STATUSES.map((status, i) => finding({ vulnerabilityId: `CVE-${i}`, status }));
    const kept = applyPolicy(all, { ignoreUnfixed: true }).findings.map((f) => f.status);
    expect(kept.sort()).toEqual(STATUSES.filter((s) => !UNFIXED_STATUSES.includes(s)).sort());
  });

  it('--ignore-unfixed also drops status-less findings without a fix (reports from Trivy < 0.37)', () => {
    const r = applyPolicy(
      [
        finding({ vulnerabilityId: 'CVE-nofix', status: 'unknown', fixedVersion: undefined }),
        finding({ vulnerabilityId: 'CVE-fix', status: 'unknown', fixedVersion: '1.0' }),
      ],
      { ignoreUnfixed: true },
    );
    expect(ids(r.findings)).toEqual(['CVE-fix']);
    expect(
      ids(
        applyPolicy(
          r.findings.concat(
            finding({ vulnerabilityId: 'CVE-nofix', status: 'unknown', fixedVersion: undefined }),
          ),
        ).findings,
      ),
    ).toHaveLength(2);
  });

  it('--ignore-status drops exactly the named statuses', () => {
    const all = STATUSES.map((status, i) => finding({ vulnerabilityId: `CVE-${i}`, status }));
    const r = applyPolicy(all, { ignoreStatuses: ['will_not_fix', 'end_of_life'] });
    expect(r.findings.map((f) => f.status).sort()).toEqual(
      STATUSES.filter((s) => s !== 'will_not_fix' && s !== 'end_of_life').sort(),
    );
  });

  it("matches Trivy: debian-buster with --ignore-unfixed equals Trivy's own --ignore-unfixed report", async () => {
    const all = await readTrivyReport(trivyFixture('debian-buster.json.golden'));
    const trivys = await readTrivyReport(trivyFixture('debian-buster-ignore-unfixed.json.golden'));
    const ours = applyPolicy(all.findings, { ignoreUnfixed: true });
    expect(ours.findings).toEqual(trivys.findings);
    expect(applyPolicy(all.findings).findings).toHaveLength(2);
  });

  it('distroless-base: --ignore-unfixed leaves only the fixed LOW findings', async () => {
    const { findings } = await readTrivyReport(trivyFixture('distroless-base.json.golden'));
    const r = applyPolicy(findings, { ignoreUnfixed: true });
    expect(r.findings.every((f) => f.status === 'fixed' && f.severity === 'LOW')).toBe(true);
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.findings.length).toBeLessThan(findings.length);
  });

  it('alpine-39-high-critical: --severity CRITICAL --exit-code 1 fails with 2 CRITICAL', async () => {
    const { findings } = await readTrivyReport(trivyFixture('alpine-39-high-critical.json.golden'));
    const r = applyPolicy(findings, { severities: ['CRITICAL'], exitCode: 1 });
    expect(r.summary.CRITICAL).toBe(2);
    expect(r.gate).toEqual({ passed: false, exitCode: 1 });
  });

  it('alpine-39-skip (no Results) passes any gate', async () => {
    const { findings } = await readTrivyReport(trivyFixture('alpine-39-skip.json.golden'));
    expect(applyPolicy(findings, { exitCode: 1 }).gate).toEqual({ passed: true, exitCode: 0 });
  });

  it('ignore rules remove findings and report them with the rule', () => {
    const rule = { id: 'CVE-2024-0001', line: 3 };
    const r = applyPolicy([finding(), finding({ vulnerabilityId: 'CVE-2024-0002' })], {
      ignoreRules: [rule],
      exitCode: 1,
    });
    expect(ids(r.findings)).toEqual(['CVE-2024-0002']);
    expect(r.ignored).toEqual([{ finding: finding(), rule }]);
  });

  it('a finding outside the severities is not reported as ignored', () => {
    const r = applyPolicy([finding({ severity: 'LOW' })], {
      severities: ['HIGH'],
      ignoreRules: [{ id: 'CVE-2024-0001' }],
    });
    expect(r.ignored).toEqual([]);
  });

  it('de-duplicates like Trivy, keeping the highest fixed version', () => {
    const r = applyPolicy([
      finding({ fixedVersion: '1.2.5-r1' }),
      finding({ fixedVersion: '1.2.5-r3' }),
      finding({ fixedVersion: '1.2.5-r2' }),
      // Different package path, platform or target: distinct findings.
      finding({ pkgPath: 'usr/lib/x' }),
      finding({ platform: 'linux/arm64' }),
      finding({ target: 'other (alpine 3.20.3)' }),
    ]);
    expect(r.findings).toHaveLength(4);
    expect(r.findings[0]?.fixedVersion).toBe('1.2.5-r3');
  });

  it('sorts within a target as Trivy does: package, version, severity (worst first), id, path', () => {
    const r = applyPolicy([
      finding({ pkgName: 'zlib', vulnerabilityId: 'CVE-1' }),
      finding({ pkgName: 'musl', severity: 'LOW', vulnerabilityId: 'CVE-2' }),
      finding({ pkgName: 'musl', severity: 'CRITICAL', vulnerabilityId: 'CVE-3' }),
      finding({ pkgName: 'musl', severity: 'CRITICAL', vulnerabilityId: 'CVE-0' }),
      finding({ pkgName: 'musl', installedVersion: '1.0', vulnerabilityId: 'CVE-4' }),
    ]);
    expect(ids(r.findings)).toEqual(['CVE-4', 'CVE-0', 'CVE-3', 'CVE-2', 'CVE-1']);
  });

  it('keeps the order in which (platform, target) groups first appear', () => {
    const sorted = sortFindings([
      finding({ platform: 'linux/amd64', pkgName: 'b' }),
      finding({ platform: 'linux/arm64', pkgName: 'a' }),
      finding({ platform: 'linux/amd64', pkgName: 'a' }),
    ]);
    expect(sorted.map((f) => `${f.platform} ${f.pkgName}`)).toEqual([
      'linux/amd64 a',
      'linux/amd64 b',
      'linux/arm64 a',
    ]);
  });

  it('compareBySeverity compares strings by code unit, like Go', () => {
    expect(compareBySeverity(finding({ pkgName: 'Z' }), finding({ pkgName: 'a' }))).toBeLessThan(0);
  });

  it("alpine-310 comes out in Trivy's order", async () => {
    const { findings } = await readTrivyReport(trivyFixture('alpine-310.json.golden'));
    expect(applyPolicy(findings).findings.map((f) => `${f.pkgName} ${f.vulnerabilityId}`)).toEqual([
      'libcrypto1.1 CVE-2019-1549',
      'libcrypto1.1 CVE-2019-1551',
      'libssl1.1 CVE-2019-1549',
      'libssl1.1 CVE-2019-1551',
    ]);
  });
});
