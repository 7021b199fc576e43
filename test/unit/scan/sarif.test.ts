import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPolicy } from '../../../src/scan/policy.js';
import {
  GHCR_OPTIMIZE_TOOL,
  severityToLevel,
  severityToScore,
  toSarif,
  type SarifFinding,
  type SarifLog,
} from '../../../src/scan/sarif.js';
import { readTrivyReport } from '../../../src/scan/trivy-report.js';
import {
  goUriString,
  repositoryPath,
  sarifRuleName,
  toPathUri,
  vulnerabilitiesToSarif,
  vulnerabilityToSarif,
} from '../../../src/scan/trivy-sarif.js';
import { SEVERITIES } from '../../../src/scan/types.js';
import {
  FIXTURES,
  finding,
  readTrivyFixture,
  sarifErrors,
  trivyFixture,
  trivyJsonGoldens,
} from './helpers.js';

async function sarifOf(name: string, platform?: string): Promise<SarifLog> {
  const report = await readTrivyReport(trivyFixture(name), platform);
  return vulnerabilitiesToSarif(applyPolicy(report.findings).findings, [report.meta]);
}

describe("SARIF for alpine-310 against Trivy's own alpine-310.sarif.golden", () => {
  const golden = JSON.parse(readTrivyFixture('alpine-310.sarif.golden')) as SarifLog;

  it('same rule ids, rule order and rule levels', async () => {
    const ours = await sarifOf('alpine-310.json.golden');
    const rules = (log: SarifLog) =>
      log.runs[0]!.tool.driver.rules.map((r) => [r.id, r.name, r.defaultConfiguration.level]);
    expect(rules(ours)).toEqual(rules(golden));
  });

  it('same security-severity and tags for every rule', async () => {
    const ours = await sarifOf('alpine-310.json.golden');
    const props = (log: SarifLog) =>
      log.runs[0]!.tool.driver.rules.map((r) => [r.properties?.['security-severity'], r.properties?.tags]);
    expect(props(ours)).toEqual(props(golden));
    expect(props(ours)[0]).toEqual(['5.3', ['vulnerability', 'security', 'MEDIUM']]);
  });

  it('same results: rule ids and indexes, levels, messages, locations', async () => {
    const ours = await sarifOf('alpine-310.json.golden');
    const results = (log: SarifLog) =>
      log.runs[0]!.results.map((r) => [r.ruleId, r.ruleIndex, r.level, r.message.text, r.locations]);
    expect(results(ours)).toEqual(results(golden));
    expect(ours.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation).toEqual({
      uri: 'testdata/fixtures/images/alpine-310.tar.gz',
      uriBaseId: 'ROOTPATH',
    });
  });

  it('and, in fact, the same rules, results and run properties to the byte', async () => {
    const ours = await sarifOf('alpine-310.json.golden');
    const g = golden.runs[0]!;
    const o = ours.runs[0]!;
    expect(JSON.stringify(o.tool.driver.rules)).toBe(JSON.stringify(g.tool.driver.rules));
    expect(JSON.stringify(o.results)).toBe(JSON.stringify(g.results));
    expect(JSON.stringify(o.properties)).toBe(JSON.stringify(g.properties));
    expect({ ...o.tool.driver, rules: [] }).toEqual({ ...g.tool.driver, rules: [] });
    expect(o.columnKind).toBe(g.columnKind);
    expect(ours.version).toBe('2.1.0');
  });

  it('says it was converted by ghcr-optimize, without changing the driver GitHub keys alerts on', async () => {
    const report = await readTrivyReport(trivyFixture('alpine-310.json.golden'));
    const log = vulnerabilitiesToSarif(report.findings, [report.meta], {
      name: 'ghcr-optimize',
      version: '0.1.0',
    });
    expect(log.runs[0]!.tool.driver.name).toBe('Trivy');
    expect(log.runs[0]!.conversion).toEqual({
      tool: { driver: { name: 'ghcr-optimize', version: '0.1.0' } },
    });
  });
});

describe('SARIF is valid against the official SARIF 2.1.0 schema', () => {
  it('the committed schema is the official file, byte for byte (see test/fixtures/sarif/README.md)', () => {
    const bytes = readFileSync(join(FIXTURES, 'sarif', 'sarif-schema-2.1.0.json'));
    expect(
      createHash('sha256').update(bytes).digest('hex'),
      'sarif-schema-2.1.0.json was modified (a formatter?): restore it and keep test/fixtures/ in .prettierignore',
    ).toBe('ddddcccbf95c7c50c037b5b07eff4140556278ca574ff374db46786b5fce7949');
  });

  it("Trivy's own golden (a check of the validator)", () => {
    expect(sarifErrors(JSON.parse(readTrivyFixture('alpine-310.sarif.golden')))).toEqual([]);
  });

  it('the validator rejects broken SARIF', () => {
    expect(sarifErrors({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).not.toEqual([]);
    expect(
      sarifErrors({
        version: '2.1.0',
        runs: [
          {
            tool: { driver: { name: 'x' } },
            results: [{ ruleId: 'a', level: 'fatal', message: { text: 'm' } }],
          },
        ],
      }),
    ).not.toEqual([]);
  });

  for (const name of trivyJsonGoldens()) {
    it(`ours for ${name}`, async () => {
      expect(sarifErrors(await sarifOf(name))).toEqual([]);
    });
  }

  it('a merged per-platform run and the generic toSarif', async () => {
    const amd = await readTrivyReport(trivyFixture('alpine-310.json.golden'), 'linux/amd64');
    const arm = await readTrivyReport(trivyFixture('alpine-310.json.golden'), 'linux/arm64');
    const log = vulnerabilitiesToSarif(
      applyPolicy([...amd.findings, ...arm.findings]).findings,
      [amd.meta, arm.meta],
      {
        name: 'ghcr-optimize',
      },
    );
    expect(sarifErrors(log)).toEqual([]);
    expect(sarifErrors(toSarif([genericFinding()]))).toEqual([]);
    expect(sarifErrors(toSarif([]))).toEqual([]);
  });
});

describe("Trivy's SARIF conventions", () => {
  it('levels: CRITICAL/HIGH error, MEDIUM warning, LOW/UNKNOWN note', () => {
    expect(SEVERITIES.map(severityToLevel)).toEqual(['error', 'error', 'warning', 'note', 'note']);
  });

  it('default security-severity: 9.5 / 8.0 / 5.5 / 2.0 / 0.0', () => {
    expect(SEVERITIES.map(severityToScore)).toEqual(['9.5', '8.0', '5.5', '2.0', '0.0']);
  });

  it('security-severity is the CVSS v3 score with one decimal when there is one', () => {
    const rule = (f: SarifFinding) => toSarif([f]).runs[0]!.tool.driver.rules[0]!;
    expect(
      rule(vulnerabilityToSarif(finding({ cvss: { v3Score: 7 } }))).properties?.['security-severity'],
    ).toBe('7.0');
    expect(
      rule(vulnerabilityToSarif(finding({ cvss: { v2Score: 10 } }))).properties?.['security-severity'],
    ).toBe('8.0');
    expect(
      rule(vulnerabilityToSarif(finding({ severity: 'CRITICAL' }))).properties?.['security-severity'],
    ).toBe('9.5');
  });

  it('CVSS properties: only the non-empty ones, keys sorted', () => {
    const props = toSarif([
      vulnerabilityToSarif(finding({ cvss: { v3Vector: 'CVSS:3.1/AV:N', v3Score: 9.8, v40Score: 9.3 } })),
    ]).runs[0]!.tool.driver.rules[0]!.properties;
    expect(Object.keys(props ?? {})).toEqual([
      'cvssv3_baseScore',
      'cvssv3_vector',
      'cvssv40_baseScore',
      'precision',
      'security-severity',
      'tags',
    ]);
  });

  it('rule names by result class', () => {
    expect(
      ['os-pkgs', 'lang-pkgs', 'config', 'secret', 'license', 'license-file', 'custom', ''].map(
        sarifRuleName,
      ),
    ).toEqual([
      'OsPackageVulnerability',
      'LanguageSpecificPackageVulnerability',
      'Misconfiguration',
      'Secret',
      'License',
      'License',
      'UnknownIssue',
      'UnknownIssue',
    ]);
  });

  it('message and help text, with an empty fixed version as Trivy prints it', () => {
    const s = vulnerabilityToSarif(
      finding({
        fixedVersion: undefined,
        status: 'affected',
        description: 'Long text.',
        primaryUrl: 'https://x/y',
      }),
    );
    expect(s.message).toBe(
      'Package: musl\nInstalled Version: 1.2.5-r0\nVulnerability CVE-2024-0001\nSeverity: HIGH\nFixed Version: \nLink: [CVE-2024-0001](https://x/y)',
    );
    expect(s.help?.text).toBe(
      'Vulnerability CVE-2024-0001\nSeverity: HIGH\nPackage: musl\nFixed Version: \nLink: [CVE-2024-0001](https://x/y)\nLong text.',
    );
    expect(s.fullDescription).toBe('Long text.');
    expect(vulnerabilityToSarif(finding({ description: undefined })).fullDescription).toBe(
      'musl: something bad',
    );
  });

  it('language packages: the target (lockfile) or the package path is the location, with its lines', async () => {
    const log = await sarifOf('busybox-with-lockfile.json.golden');
    const r = log.runs[0]!;
    expect(r.tool.driver.rules.map((x) => x.name)).toEqual([
      'LanguageSpecificPackageVulnerability',
      'LanguageSpecificPackageVulnerability',
    ]);
    expect(r.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('Cargo.lock');
    expect(r.results[0]!.locations[0]!.message?.text).toBe('Cargo.lock: ammonia@1.9.0');
    const withLines = vulnerabilityToSarif(
      finding({
        class: 'lang-pkgs',
        target: 'app/package-lock.json',
        pkgPath: 'app/node_modules/x/package.json',
        locations: [
          { startLine: 10, endLine: 12 },
          { startLine: 0, endLine: 0 },
        ],
      }),
    );
    const locs = toSarif([withLines]).runs[0]!.results[0]!.locations;
    expect(locs.map((l) => [l.physicalLocation.artifactLocation.uri, l.physicalLocation.region])).toEqual([
      ['app/node_modules/x/package.json', { startLine: 10, startColumn: 1, endLine: 12, endColumn: 1 }],
      ['app/node_modules/x/package.json', { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 }],
    ]);
  });

  it('a rule id seen again keeps its index; its texts follow the last finding (go-sarif AddRule)', () => {
    const log = toSarif([
      vulnerabilityToSarif(finding({ pkgName: 'a' })),
      vulnerabilityToSarif(finding({ vulnerabilityId: 'CVE-2' })),
      vulnerabilityToSarif(finding({ pkgName: 'b' })),
    ]);
    const run = log.runs[0]!;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['CVE-2024-0001', 'CVE-2']);
    expect(run.results.map((r) => r.ruleIndex)).toEqual([0, 1, 0]);
    expect(run.tool.driver.rules[0]!.help?.text).toContain('Package: b\n');
  });

  it('run properties for images; none for other artifact types', async () => {
    const report = await readTrivyReport(trivyFixture('alpine-39-skip.json.golden'));
    const log = vulnerabilitiesToSarif([], [report.meta]);
    expect(log.runs[0]!.results).toEqual([]);
    expect(log.runs[0]!.properties).toMatchObject({ imageName: 'testdata/fixtures/images/alpine-39.tar.gz' });
    expect(
      vulnerabilitiesToSarif([], [{ source: 'x', artifactType: 'repository' }]).runs[0]!.properties,
    ).toBeUndefined();
    expect(vulnerabilitiesToSarif([], []).runs[0]!.tool.driver).toEqual({
      name: 'Trivy',
      fullName: 'Trivy Vulnerability Scanner',
      informationUri: 'https://github.com/aquasecurity/trivy',
      rules: [],
    });
  });
});

describe('per-platform SARIF', () => {
  it('a finding on several platforms is one result listing them; differing ones stay apart', async () => {
    const amd = await readTrivyReport(trivyFixture('alpine-310.json.golden'), 'linux/amd64');
    const arm = await readTrivyReport(trivyFixture('alpine-310.json.golden'), 'linux/arm64');
    // arm64 has an older libssl: a different installed version is a different alert.
    const armFindings = arm.findings.map((f) =>
      f.pkgName === 'libssl1.1' ? { ...f, installedVersion: '1.1.1b-r1' } : f,
    );
    const log = vulnerabilitiesToSarif(applyPolicy([...amd.findings, ...armFindings]).findings, [
      amd.meta,
      arm.meta,
    ]);
    const run = log.runs[0]!;
    expect(
      run.results.map((r) => [r.ruleId, r.message.text.split('\n')[1], r.properties?.platforms]),
    ).toEqual([
      ['CVE-2019-1549', 'Installed Version: 1.1.1c-r0', ['linux/amd64', 'linux/arm64']],
      ['CVE-2019-1551', 'Installed Version: 1.1.1c-r0', ['linux/amd64', 'linux/arm64']],
      ['CVE-2019-1549', 'Installed Version: 1.1.1c-r0', ['linux/amd64']],
      ['CVE-2019-1551', 'Installed Version: 1.1.1c-r0', ['linux/amd64']],
      ['CVE-2019-1549', 'Installed Version: 1.1.1b-r1', ['linux/arm64']],
      ['CVE-2019-1551', 'Installed Version: 1.1.1b-r1', ['linux/arm64']],
    ]);
    expect(run.tool.driver.rules).toHaveLength(2);
    expect(run.properties?.platforms).toEqual([
      { platform: 'linux/amd64', imageID: amd.meta.imageId },
      { platform: 'linux/arm64', imageID: arm.meta.imageId },
    ]);
  });
});

describe('artifact URIs as Trivy writes them', () => {
  it('an OS target loses its "(distro version)" and becomes the image\'s repository path', () => {
    expect(toPathUri('ghcr.io/owner/app:1.2 (alpine 3.20.3)', 'os-pkgs')).toBe('owner/app');
    expect(toPathUri('alpine:3.20 (alpine 3.20.3)', 'os-pkgs')).toBe('library/alpine');
    expect(toPathUri('docker.io/library/debian:12 (debian 12.7)', 'os-pkgs')).toBe('library/debian');
    expect(toPathUri('localhost:5000/team/app (debian 12.7)', 'os-pkgs')).toBe('team/app');
    expect(toPathUri(`ghcr.io/o/a@sha256:${'a'.repeat(64)} (alpine 3.20.3)`, 'os-pkgs')).toBe('o/a');
    expect(toPathUri(`ghcr.io/o/a:1@sha256:${'b'.repeat(64)} (alpine 3.20.3)`, 'os-pkgs')).toBe('o/a');
    expect(toPathUri('testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2)', 'os-pkgs')).toBe(
      'testdata/fixtures/images/alpine-310.tar.gz',
    );
  });

  it('what is not a reference stays (backslashes become slashes)', () => {
    expect(toPathUri('My Image.tar (alpine 3.20.3)', 'os-pkgs')).toBe('My Image.tar');
    expect(toPathUri('C:\\images\\App.tar (alpine 3.20)', 'os-pkgs')).toBe('C:/images/App.tar');
    expect(toPathUri('x', 'os-pkgs')).toBe('x');
  });

  it('other classes keep the target unchanged', () => {
    expect(toPathUri('app/package-lock.json', 'lang-pkgs')).toBe('app/package-lock.json');
    expect(toPathUri('alpine:3.20 (x)', 'lang-pkgs')).toBe('alpine:3.20 (x)');
  });

  it('repositoryPath follows go-containerregistry', () => {
    expect(repositoryPath('alpine')).toBe('library/alpine');
    expect(repositoryPath('localhost/app')).toBe('localhost/app');
    expect(repositoryPath('index.docker.io/nginx:1')).toBe('library/nginx');
    expect(repositoryPath('a')).toBeUndefined();
    expect(repositoryPath('Upper/case')).toBeUndefined();
    expect(repositoryPath('app:')).toBeUndefined();
    expect(repositoryPath('app@sha256:abc')).toBeUndefined();
  });

  it('goUriString: url.Parse(s).String()', () => {
    expect(goUriString('usr/lib/python3/dist-packages/x.dist-info/METADATA')).toBe(
      'usr/lib/python3/dist-packages/x.dist-info/METADATA',
    );
    expect(goUriString('My Image.tar')).toBe('My%20Image.tar');
    expect(goUriString('a(b)/c!d')).toBe('a(b)/c!d');
    expect(goUriString('a b(c)')).toBe('a%20b%28c%29');
    expect(goUriString('caf\u00e9/x')).toBe('caf%C3%A9/x');
    expect(goUriString('a%20b')).toBe('a%20b');
    expect(goUriString('100%')).toBe('');
    expect(goUriString('https://avd.aquasec.com/nvd/cve-2019-1549')).toBe(
      'https://avd.aquasec.com/nvd/cve-2019-1549',
    );
    expect(goUriString('a?x=1#frag')).toBe('a?x=1#frag');
    expect(goUriString('x\ny')).toBe('');
  });
});

function genericFinding(over: Partial<SarifFinding> = {}): SarifFinding {
  return {
    ruleId: 'GO-001',
    ruleName: 'WastedSpace',
    shortDescription: 'Files duplicated across layers',
    severity: 'MEDIUM',
    message: '12.3 MB of files are overwritten by later layers',
    uri: 'ghcr.io/o/app',
    ...over,
  };
}

describe('toSarif for other findings', () => {
  it('driver ghcr-optimize by default; level and score from the severity; tags default to the severity', () => {
    const log = toSarif([genericFinding()]);
    const run = log.runs[0]!;
    expect(run.tool.driver).toMatchObject({
      name: GHCR_OPTIMIZE_TOOL.name,
      version: GHCR_OPTIMIZE_TOOL.version,
    });
    expect(run.tool.driver.rules[0]).toEqual({
      id: 'GO-001',
      name: 'WastedSpace',
      shortDescription: { text: 'Files duplicated across layers' },
      defaultConfiguration: { level: 'warning' },
      properties: { 'security-severity': '5.5', tags: ['MEDIUM'] },
    });
    expect(run.results[0]).toEqual({
      ruleId: 'GO-001',
      ruleIndex: 0,
      level: 'warning',
      message: { text: '12.3 MB of files are overwritten by later layers' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'ghcr.io/o/app' },
            region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
          },
        },
      ],
    });
    expect(run.columnKind).toBe('utf16CodeUnits');
  });

  it('explicit tool, tags, score, properties and location message', () => {
    const log = toSarif(
      [
        genericFinding({
          tags: ['efficiency'],
          securitySeverity: '1.0',
          properties: { wastedBytes: 12_300_000 },
          ruleProperties: { precision: 'high' },
          locationMessage: 'layer 3',
          uriBaseId: 'IMAGE',
          regions: [{ startLine: 3, endLine: 3 }],
        }),
      ],
      { tool: { name: 'dive-like', version: '1' }, runProperties: { b: 1, a: 2 } },
    );
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('dive-like');
    expect(run.tool.driver.rules[0]!.properties).toEqual({
      precision: 'high',
      'security-severity': '1.0',
      tags: ['efficiency'],
    });
    expect(run.results[0]!.properties).toEqual({ wastedBytes: 12_300_000 });
    expect(run.results[0]!.locations[0]).toEqual({
      physicalLocation: {
        artifactLocation: { uri: 'ghcr.io/o/app', uriBaseId: 'IMAGE' },
        region: { startLine: 3, startColumn: 1, endLine: 3, endColumn: 1 },
      },
      message: { text: 'layer 3' },
    });
    expect(Object.keys(run.properties ?? {})).toEqual(['a', 'b']);
    expect(sarifErrors(log)).toEqual([]);
  });
});
