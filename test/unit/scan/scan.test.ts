import { createColors } from 'picocolors';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  checkInputs,
  evaluate,
  parseInputSpec,
  readReports,
  renderOutcome,
  toJsonDocument,
} from '../../../src/scan/scan.js';
import { sarifErrors, trivyFixture } from './helpers.js';

describe('--input specs', () => {
  it('a file, or platform=file', () => {
    expect(parseInputSpec('report.json')).toEqual({ file: 'report.json' });
    expect(parseInputSpec('linux/amd64=a.json')).toEqual({ platform: 'linux/amd64', file: 'a.json' });
    expect(parseInputSpec('linux/arm64/v8=dir/b=c.json')).toEqual({
      platform: 'linux/arm64/v8',
      file: 'dir/b=c.json',
    });
    // Not a platform before "=": the whole thing is a file name.
    expect(parseInputSpec('a=b.json')).toEqual({ file: 'a=b.json' });
    expect(parseInputSpec('./out/linux=x.json')).toEqual({ file: './out/linux=x.json' });
    expect(parseInputSpec('out/linux=x.json')).toEqual({ file: 'out/linux=x.json' });
    expect(parseInputSpec('windows/amd64=w.json')).toEqual({ platform: 'windows/amd64', file: 'w.json' });
  });

  it('several reports need a platform each, and distinct ones', () => {
    expect(() => checkInputs([{ file: 'a' }])).not.toThrow();
    expect(() => checkInputs([{ file: 'a', platform: 'linux/amd64' }, { file: 'b' }])).toThrow(UsageError);
    expect(() =>
      checkInputs([
        { file: 'a', platform: 'linux/amd64' },
        { file: 'b', platform: 'linux/amd64' },
      ]),
    ).toThrow('--input names platform linux/amd64 twice');
    expect(() =>
      checkInputs([
        { file: 'a', platform: 'linux/amd64' },
        { file: 'b', platform: 'linux/arm64' },
      ]),
    ).not.toThrow();
  });
});

describe('evaluate and the JSON document', () => {
  it('a single report: the stable shape', async () => {
    const reports = await readReports([{ file: trivyFixture('debian-buster.json.golden') }]);
    const outcome = evaluate(reports, { severities: ['CRITICAL', 'HIGH'], ignoreUnfixed: true, exitCode: 1 });
    const doc = toJsonDocument(outcome);
    expect(Object.keys(doc)).toEqual(['artifact', 'summary', 'findings', 'ignored', 'gate']);
    expect(doc.artifact).toEqual({
      name: 'testdata/fixtures/images/debian-buster.tar.gz',
      type: 'container_image',
      trivyVersion: 'dev',
      images: [
        {
          imageId: 'sha256:c2c03a296d2329a4f3ab72a7bf38b78a8a80108204d326b0139d6af700e152d1',
          os: 'debian 10.1',
          source: trivyFixture('debian-buster.json.golden'),
        },
      ],
    });
    expect(doc.summary).toEqual({ CRITICAL: 1, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 });
    // bash CVE-2019-18276 (LOW, affected) is out: below the severities, and unfixed.
    expect(doc.findings.map((f) => [f.vulnerabilityId, f.pkgName, f.severity, f.status])).toEqual([
      ['CVE-2019-18224', 'libidn2-0', 'CRITICAL', 'fixed'],
    ]);
    expect(doc.gate).toEqual({
      passed: false,
      exitCode: 1,
      severities: ['CRITICAL', 'HIGH'],
      ignoreStatuses: ['affected', 'will_not_fix', 'fix_deferred', 'end_of_life'],
    });
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it("the artifact name: the reference given, else the report's ArtifactName", async () => {
    const reports = await readReports([{ file: trivyFixture('alpine-39-skip.json.golden') }]);
    expect(evaluate(reports, {}, 'ghcr.io/o/app:1').artifact).toBe('ghcr.io/o/app:1');
    expect(evaluate(reports, {}).artifact).toBe('testdata/fixtures/images/alpine-39.tar.gz');
    expect(toJsonDocument(evaluate(reports, { exitCode: 2 })).gate).toMatchObject({
      passed: true,
      exitCode: 0,
    });
  });

  it('per-platform reports: findings carry their platform, the artifact lists the platforms', async () => {
    const reports = await readReports([
      { platform: 'linux/amd64', file: trivyFixture('alpine-310.json.golden') },
      { platform: 'linux/arm64', file: trivyFixture('alpine-distroless.json.golden') },
    ]);
    const doc = toJsonDocument(evaluate(reports, {}, 'ghcr.io/o/app:1'));
    expect(doc.artifact.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(doc.artifact.images.map((i) => i.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(doc.findings.map((f) => f.platform)).toEqual([
      'linux/amd64',
      'linux/amd64',
      'linux/amd64',
      'linux/amd64',
      'linux/arm64',
    ]);
    expect(doc.summary.MEDIUM).toBe(5);
  });

  it('ignored findings name the file, line, statement and expiry of the rule', async () => {
    const reports = await readReports([{ file: trivyFixture('alpine-310.json.golden') }]);
    const outcome = evaluate(reports, {
      ignoreRules: [
        { id: 'CVE-2019-1549', line: 2, statement: 'no fork()', expiresAt: new Date('2099-01-01T00:00:00Z') },
      ],
    });
    const doc = toJsonDocument(outcome, '.trivyignore');
    expect(doc.findings).toHaveLength(2);
    expect(doc.ignored).toEqual([
      {
        target: 'testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2)',
        vulnerabilityId: 'CVE-2019-1549',
        pkgName: 'libcrypto1.1',
        installedVersion: '1.1.1c-r0',
        severity: 'MEDIUM',
        ignoredBy: { file: '.trivyignore', line: 2, statement: 'no fork()', expires: '2099-01-01' },
      },
      expect.objectContaining({ pkgName: 'libssl1.1' }),
    ]);
  });
});

describe('renderOutcome', () => {
  it('table, json and sarif; each ends with a newline', async () => {
    const reports = await readReports([{ file: trivyFixture('alpine-310.json.golden') }]);
    const outcome = evaluate(reports, {});
    const c = createColors(false);
    const table = renderOutcome(outcome, 'table', c);
    expect(table).toMatch(/^testdata\/fixtures\/images\/alpine-310\.tar\.gz \(alpine 3\.10\.2\)\n/);
    expect(table.endsWith('UNKNOWN: 0)\n')).toBe(true);
    expect(JSON.parse(renderOutcome(outcome, 'json', c))).toEqual(
      JSON.parse(JSON.stringify(toJsonDocument(outcome))),
    );
    const sarif = JSON.parse(renderOutcome(outcome, 'sarif', c)) as unknown;
    expect(sarifErrors(sarif)).toEqual([]);
    expect(sarif).toMatchObject({
      runs: [
        { tool: { driver: { name: 'Trivy' } }, conversion: { tool: { driver: { name: 'ghcr-optimize' } } } },
      ],
    });
  });
});
