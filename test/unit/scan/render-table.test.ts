import { createColors } from 'picocolors';
import { describe, expect, it } from 'vitest';
import { applyPolicy } from '../../../src/scan/policy.js';
import { renderTable } from '../../../src/scan/render-table.js';
import { readTrivyReport } from '../../../src/scan/trivy-report.js';
import { finding, trivyFixture } from './helpers.js';

const plain = createColors(false);

describe('renderTable', () => {
  it("alpine-310: one table for the target with Trivy's columns, then the totals", async () => {
    const { findings } = await readTrivyReport(trivyFixture('alpine-310.json.golden'));
    const text = renderTable({ artifact: 'alpine-310', policy: applyPolicy(findings) }, plain);
    expect(text.split('\n')).toEqual([
      'testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2)',
      '',
      '  LIBRARY       VULNERABILITY  SEVERITY  STATUS  INSTALLED  FIXED      TITLE',
      '  libcrypto1.1  CVE-2019-1549  MEDIUM    fixed   1.1.1c-r0  1.1.1d-r0  openssl: information disclosure in fork()',
      '  libcrypto1.1  CVE-2019-1551  MEDIUM    fixed   1.1.1c-r0  1.1.1d-r2  openssl: Integer overflow in RSAZ modular exponentiation ...',
      '  libssl1.1     CVE-2019-1549  MEDIUM    fixed   1.1.1c-r0  1.1.1d-r0  openssl: information disclosure in fork()',
      '  libssl1.1     CVE-2019-1551  MEDIUM    fixed   1.1.1c-r0  1.1.1d-r2  openssl: Integer overflow in RSAZ modular exponentiation ...',
      '',
      'Total: 4 (CRITICAL: 0, HIGH: 0, MEDIUM: 4, LOW: 0, UNKNOWN: 0)',
    ]);
  });

  it('groups by platform and target; long titles are cut; a missing fix is blank', () => {
    const policy = applyPolicy([
      finding({ platform: 'linux/amd64', title: 'x'.repeat(80) }),
      finding({ platform: 'linux/arm64', fixedVersion: undefined, status: 'affected', severity: 'CRITICAL' }),
      finding({
        platform: 'linux/amd64',
        target: 'app/package-lock.json',
        class: 'lang-pkgs',
        pkgName: 'lodash',
      }),
    ]);
    const lines = renderTable({ artifact: 'ghcr.io/o/app:1', policy }, plain).split('\n');
    expect(lines.filter((l) => !l.startsWith(' ') && l !== '')).toEqual([
      'linux/amd64  ghcr.io/o/app:1 (alpine 3.20.3)',
      'linux/arm64  ghcr.io/o/app:1 (alpine 3.20.3)',
      'linux/amd64  app/package-lock.json',
      'Total: 3 (CRITICAL: 1, HIGH: 2, MEDIUM: 0, LOW: 0, UNKNOWN: 0)',
    ]);
    expect(lines[3]).toContain(`${'x'.repeat(57)}...`);
    expect(lines[3]).not.toContain('x'.repeat(58));
    expect(lines[8]).toMatch(
      /^ {2}musl +CVE-2024-0001 +CRITICAL +affected +1\.2\.5-r0 +musl: something bad$/,
    );
  });

  it('nothing found: says so, with the severities that counted', () => {
    const text = renderTable(
      { artifact: 'ghcr.io/o/app:1', policy: applyPolicy([], { severities: ['CRITICAL', 'HIGH'] }) },
      plain,
    );
    expect(text).toBe(
      'ghcr.io/o/app:1: no vulnerabilities (severities CRITICAL,HIGH)\nTotal: 0 (CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0)',
    );
  });

  it('mentions findings ignored by the ignore file', () => {
    const policy = applyPolicy([finding()], { ignoreRules: [{ id: 'CVE-2024-0001' }] });
    expect(renderTable({ artifact: 'a', policy }, plain)).toMatch(
      /Total: 0 \(.*\); 1 ignored by the ignore file$/,
    );
  });

  it('colours severities only when asked', () => {
    const policy = applyPolicy([finding({ severity: 'CRITICAL' })]);
    expect(renderTable({ artifact: 'a', policy }, createColors(true))).toContain('\u001b[');
    expect(renderTable({ artifact: 'a', policy }, plain)).not.toContain('\u001b[');
  });
});
