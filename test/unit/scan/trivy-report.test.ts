import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { parseTrivyReport, readTrivyReport } from '../../../src/scan/trivy-report.js';
import { STATUSES } from '../../../src/scan/types.js';
import { rawVuln, readTrivyFixture, trivyFixture, trivyJsonGoldens, trivyReport } from './helpers.js';

function parseError(text: string): UsageError {
  try {
    parseTrivyReport(text, 'report.json');
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('parseTrivyReport on real Trivy reports', () => {
  const expected: Record<string, number> = {
    'alpine-310.json.golden': 4,
    'alpine-39-high-critical.json.golden': 2,
    'alpine-39-skip.json.golden': 0,
    'alpine-distroless.json.golden': 1,
    'busybox-with-lockfile.json.golden': 2,
    'debian-buster-ignore-unfixed.json.golden': 1,
    'debian-buster.json.golden': 2,
    'distroless-base.json.golden': 4,
  };

  it('covers every committed golden', () => {
    expect(trivyJsonGoldens()).toEqual(Object.keys(expected).sort());
  });

  for (const name of Object.keys(expected)) {
    it(`${name}: every vulnerability becomes a finding`, async () => {
      const { meta, findings } = await readTrivyReport(trivyFixture(name));
      expect(findings).toHaveLength(expected[name]!);
      expect(meta.artifactType).toBe('container_image');
      expect(meta.artifactName).toMatch(/^testdata\/fixtures\/images\//);
      for (const f of findings) {
        expect(f.vulnerabilityId).toMatch(/^CVE-\d{4}-\d+$/);
        expect(f.pkgName).not.toBe('');
        expect(f.installedVersion).not.toBe('');
        expect(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']).toContain(f.severity);
        expect(STATUSES as readonly string[]).toContain(f.status);
      }
    });
  }

  it('alpine-310: fields, metadata and the CVSS of the severity source', async () => {
    const { meta, findings } = await readTrivyReport(trivyFixture('alpine-310.json.golden'));
    expect(meta).toMatchObject({
      source: trivyFixture('alpine-310.json.golden'),
      trivyVersion: 'dev',
      imageId: 'sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4',
      repoTags: ['ghcr.io/aquasecurity/trivy-test-images:alpine-310'],
      os: 'alpine 3.10.2',
    });
    expect(meta.repoDigests).toBeUndefined();
    expect(findings[0]).toMatchObject({
      target: 'testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2)',
      class: 'os-pkgs',
      type: 'alpine',
      vulnerabilityId: 'CVE-2019-1549',
      pkgName: 'libcrypto1.1',
      pkgId: 'libcrypto1.1@1.1.1c-r0',
      purl: 'pkg:apk/alpine/libcrypto1.1@1.1.1c-r0?arch=x86_64&distro=3.10.2',
      installedVersion: '1.1.1c-r0',
      fixedVersion: '1.1.1d-r0',
      status: 'fixed',
      severity: 'MEDIUM',
      severitySource: 'nvd',
      title: 'openssl: information disclosure in fork()',
      primaryUrl: 'https://avd.aquasec.com/nvd/cve-2019-1549',
      // nvd's entry (the severity source), not redhat's 4.8.
      cvss: {
        v2Vector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N',
        v2Score: 5,
        v3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N',
        v3Score: 5.3,
      },
      layerDigest: 'sha256:9d48c3bd43c520dc2784e868a780e976b207cbf493eaff8c6596eb871cbd9609',
    });
  });

  it('debian-buster: an affected vulnerability has no fixed version', async () => {
    const { findings } = await readTrivyReport(trivyFixture('debian-buster.json.golden'));
    const affected = findings.find((f) => f.status === 'affected');
    expect(affected).toMatchObject({ severity: 'LOW' });
    expect(affected?.fixedVersion).toBeUndefined();
  });

  it('alpine-distroless: no SeveritySource means no CVSS data', async () => {
    const { findings } = await readTrivyReport(trivyFixture('alpine-distroless.json.golden'));
    expect(findings[0]?.severitySource).toBeUndefined();
    expect(findings[0]?.cvss).toBeUndefined();
  });

  it('busybox-with-lockfile: language packages keep their class and type', async () => {
    const { findings } = await readTrivyReport(trivyFixture('busybox-with-lockfile.json.golden'));
    expect(findings.map((f) => [f.target, f.class, f.type, f.pkgName])).toEqual([
      ['Cargo.lock', 'lang-pkgs', 'cargo', 'ammonia'],
      ['Cargo.lock', 'lang-pkgs', 'cargo', 'ammonia'],
    ]);
  });

  it('labels findings with the platform it is given', () => {
    const { meta, findings } = parseTrivyReport(
      readTrivyFixture('alpine-310.json.golden'),
      'a.json',
      'linux/arm64',
    );
    expect(meta.platform).toBe('linux/arm64');
    expect(findings.every((f) => f.platform === 'linux/arm64')).toBe(true);
  });
});

describe('parseTrivyReport tolerance', () => {
  it('no Results, null Results, empty Results', () => {
    for (const results of [undefined, null, []]) {
      const text = JSON.stringify({
        SchemaVersion: 2,
        ArtifactName: 'x',
        ...(results !== undefined ? { Results: results } : {}),
      });
      expect(parseTrivyReport(text, 'r.json').findings).toEqual([]);
    }
  });

  it('results without Vulnerabilities, or with null, are skipped', () => {
    expect(parseTrivyReport(trivyReport(undefined), 'r.json').findings).toEqual([]);
    expect(
      parseTrivyReport(trivyReport(undefined, {}, { Vulnerabilities: null, Packages: null }), 'r.json')
        .findings,
    ).toEqual([]);
  });

  it('every Status value is kept as written; a missing one is "unknown"', () => {
    const vulns = STATUSES.map((s, i) => rawVuln({ VulnerabilityID: `CVE-2024-${i}`, Status: s }));
    vulns.push(rawVuln({ VulnerabilityID: 'CVE-2024-99', Status: undefined }));
    vulns.push(rawVuln({ VulnerabilityID: 'CVE-2024-98', Status: 'some_future_status' }));
    const { findings } = parseTrivyReport(trivyReport(vulns), 'r.json');
    expect(findings.map((f) => f.status)).toEqual([...STATUSES, 'unknown', 'some_future_status']);
  });

  it('a missing or unrecognised severity is UNKNOWN; case does not matter', () => {
    const { findings } = parseTrivyReport(
      trivyReport([
        rawVuln({ Severity: undefined }),
        rawVuln({ Severity: 'high' }),
        rawVuln({ Severity: 'SEVERE' }),
        rawVuln({ Severity: '' }),
      ]),
      'r.json',
    );
    expect(findings.map((f) => f.severity)).toEqual(['UNKNOWN', 'HIGH', 'UNKNOWN', 'UNKNOWN']);
  });

  it('only VulnerabilityID is required of a vulnerability', () => {
    const { findings } = parseTrivyReport(trivyReport([{ VulnerabilityID: 'GHSA-xxxx' }]), 'r.json');
    expect(findings).toEqual([
      {
        target: 'ghcr.io/o/app:1 (alpine 3.20.3)',
        class: 'os-pkgs',
        type: 'alpine',
        vulnerabilityId: 'GHSA-xxxx',
        pkgName: '',
        installedVersion: '',
        status: 'unknown',
        severity: 'UNKNOWN',
      },
    ]);
  });

  it('unknown fields anywhere are ignored', () => {
    const text = trivyReport([rawVuln({ FutureField: { a: 1 } })], { NewTopLevel: [1, 2] }, { Extra: true });
    expect(parseTrivyReport(text, 'r.json').findings).toHaveLength(1);
  });

  it('package locations (from --list-all-pkgs) are attached by name and version', () => {
    const text = trivyReport(
      [rawVuln({ PkgName: 'ammonia', InstalledVersion: '1.9.0' })],
      {},
      {
        Target: 'Cargo.lock',
        Class: 'lang-pkgs',
        Packages: [
          { Name: 'ammonia', Version: '1.8.0', Locations: [{ StartLine: 1, EndLine: 2 }] },
          {
            Name: 'ammonia',
            Version: '1.9.0',
            Locations: [
              { StartLine: 10, EndLine: 14 },
              { StartLine: 30, EndLine: 31 },
            ],
          },
        ],
      },
    );
    expect(parseTrivyReport(text, 'r.json').findings[0]?.locations).toEqual([
      { startLine: 10, endLine: 14 },
      { startLine: 30, endLine: 31 },
    ]);
  });

  it('CVSS v4 data of the severity source is kept', () => {
    const text = trivyReport([
      rawVuln({
        SeveritySource: 'ghsa',
        CVSS: { ghsa: { V40Vector: 'CVSS:4.0/AV:N', V40Score: 8.7 }, nvd: { V3Score: 9.8 } },
      }),
    ]);
    expect(parseTrivyReport(text, 'r.json').findings[0]?.cvss).toEqual({
      v40Vector: 'CVSS:4.0/AV:N',
      v40Score: 8.7,
    });
  });
});

describe('parseTrivyReport rejects what is not a Trivy report', () => {
  it('invalid JSON', () => {
    expect(parseError('{"SchemaVersion": 2,').message).toMatch(/^report\.json is not valid JSON: /);
  });

  it('a JSON array or string', () => {
    expect(parseError('[]').message).toBe('report.json is not a Trivy JSON report (expected an object)');
    expect(parseError('"x"').message).toBe('report.json is not a Trivy JSON report (expected an object)');
  });

  it('other JSON: named when recognisable, with a hint', () => {
    expect(parseError('{"version":"2.1.0","runs":[]}').message).toBe(
      'report.json is a SARIF log, not a Trivy JSON report',
    );
    expect(parseError('{"bomFormat":"CycloneDX"}').message).toBe(
      'report.json is a CycloneDX SBOM, not a Trivy JSON report',
    );
    expect(parseError('{"spdxVersion":"SPDX-2.3"}').message).toBe(
      'report.json is an SPDX document, not a Trivy JSON report',
    );
    const e = parseError('{"name":"package.json?"}');
    expect(e.message).toBe('report.json is not a Trivy JSON report (no SchemaVersion)');
    expect(e.hint).toMatch(/trivy image --format json/);
  });

  it('another SchemaVersion', () => {
    const e = parseError('{"SchemaVersion": 1, "Results": []}');
    expect(e.message).toBe('report.json: Trivy report SchemaVersion 1 is not supported');
    expect(e.hint).toMatch(/Trivy 0\.20/);
  });

  it('a field of the wrong type is named by its path', () => {
    expect(parseError(trivyReport([rawVuln(), rawVuln({ Severity: 3 })])).message).toMatch(
      /^report\.json: invalid Trivy report at Results\[0\]\.Vulnerabilities\[1\]\.Severity: /,
    );
    expect(parseError(trivyReport([{ PkgName: 'x' }])).message).toMatch(
      /Results\[0\]\.Vulnerabilities\[0\]\.VulnerabilityID/,
    );
    expect(parseError(JSON.stringify({ SchemaVersion: 2, Results: {} })).message).toMatch(/at Results: /);
  });

  it('an unreadable file names the path', async () => {
    await expect(readTrivyReport('/nonexistent/report.json')).rejects.toThrow(
      'cannot read Trivy report /nonexistent/report.json: ENOENT',
    );
  });
});
