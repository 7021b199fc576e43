import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciLayoutTarget } from '../../../src/content/oci-layout.js';
import { analyzeImage, type ImageAnalysis } from '../../../src/analyze/analyze.js';
import { evaluateCi, DEFAULT_CI_RULES } from '../../../src/analyze/ci.js';
import { mergeLayers } from '../../../src/analyze/file-tree.js';
import { lintImage } from '../../../src/analyze/lint.js';
import { alertPath, analysisToSarif, lintToSarif } from '../../../src/analyze/sarif.js';
import type { ImageConfig } from '../../../src/oci/schema.js';
import { makeImage, writeOciLayout } from '../../support/fixtures.js';
import { HAND_IMAGE, fixtureLayer, scanFixtureLayers } from '../../support/layer-fixtures.js';
import { makeTempDir, removeTempDir } from '../../support/lifecycle.js';
import { sarifErrors } from '../scan/helpers.js';

const IMAGE = 'registry.example/team/app:1.0';

async function lintResult() {
  const scans = await scanFixtureLayers(
    [
      [
        { path: 'etc/passwd', data: 'root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\n' },
        { path: 'etc/shadow', data: 'root::19000:0:::::\n' },
        { path: 'etc/group', data: 'root:x:0:\n' },
        { path: 'usr/bin/su', data: 'su', mode: 0o4755 },
        { path: 'root/.aws/credentials', data: '[default]\n' },
      ],
    ],
    { hashFiles: false },
  );
  const config: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['DB_PASSWORD=hunter2'] },
    rootfs: { type: 'layers', diff_ids: [] },
    history: [{ created_by: '/bin/sh -c apt-get update' }],
  };
  return lintImage({ image: IMAGE, tag: '1.0', config, tree: mergeLayers(scans), layers: scans }, {});
}

describe('lint as SARIF', () => {
  it('one rule per failing checkpoint, one result per alert, dockle levels → SARIF levels', async () => {
    const result = await lintResult();
    const log = lintToSarif(result, { image: IMAGE, digest: 'sha256:abc', platform: 'linux/amd64' });
    expect(sarifErrors(log)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.properties).toEqual({ imageDigest: 'sha256:abc', imageName: IMAGE, platform: 'linux/amd64' });
    const failing = result.checks.filter((c) => ['FATAL', 'WARN', 'INFO'].includes(c.level));
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(failing.map((c) => c.code));
    expect(run.results).toHaveLength(failing.reduce((n, c) => n + Math.max(1, c.alerts.length), 0));
    const level = (code: string) => run.results.find((r) => r.ruleId === code)?.level;
    expect(level('CIS-DI-0001')).toBe('warning'); // WARN: root user
    expect(level('CIS-DI-0007')).toBe('error'); // FATAL: apt-get update alone
    expect(level('CIS-DI-0008')).toBe('note'); // INFO: setuid file
    expect(level('CIS-DI-0005')).toBe('note'); // INFO: content trust
    for (const r of run.results) {
      expect(r.locations[0]?.physicalLocation.artifactLocation.uri).toBe(IMAGE);
    }
    const setuid = run.results.find((r) => r.ruleId === 'CIS-DI-0008')!;
    expect(setuid.message.text).toBe(
      'Confirm safety of setuid/setgid files: setuid file: urwxr-xr-x usr/bin/su',
    );
    expect(setuid.locations[1]).toEqual({
      physicalLocation: {
        artifactLocation: { uri: 'usr/bin/su', uriBaseId: 'ROOTPATH' },
        region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
      },
      message: { text: '/usr/bin/su in the image' },
    });
    const secretFile = run.results.find(
      (r) =>
        r.ruleId === 'CIS-DI-0010' &&
        r.locations[1]?.physicalLocation.artifactLocation.uri === 'root/.aws/credentials',
    );
    expect(secretFile).toBeDefined();
    // A config finding has no file.
    expect(run.results.find((r) => r.ruleId === 'CIS-DI-0001')?.locations).toHaveLength(1);
    const rule = run.tool.driver.rules.find((r) => r.id === 'CIS-DI-0007')!;
    expect(rule.defaultConfiguration.level).toBe('error');
    expect(rule.properties?.tags).toEqual(['security', 'container-image', 'FATAL']);
  });

  it('a clean result is a valid SARIF log with no results', async () => {
    const result = await lintResult();
    const clean = {
      ...result,
      checks: result.checks.map((c) => ({ ...c, level: 'PASS' as const, alerts: [] })),
    };
    const log = lintToSarif(clean, { image: IMAGE });
    expect(log.runs[0]!.results).toEqual([]);
    expect(sarifErrors(log)).toEqual([]);
  });

  it('finds the path in the alert texts dockle writes', () => {
    expect(alertPath('CIS-DI-0008', 'setgid file: grwxr-xr-x usr/bin/wall')).toBe('usr/bin/wall');
    expect(alertPath('DKL-LI-0003', 'unnecessary file : app/.DS_Store')).toBe('app/.DS_Store');
    expect(alertPath('DKL-LI-0003', 'Suspicious directory : app/.git')).toBe('app/.git');
    expect(
      alertPath(
        'CIS-DI-0010',
        'Suspicious filename found : app/.env (You can suppress it with "--accept-file .env")',
      ),
    ).toBe('app/.env');
    expect(alertPath('CIS-DI-0010', 'npm registry token found : app/.npmrc (deleted in layer 2, …)')).toBe(
      'app/.npmrc',
    );
    expect(
      alertPath('CIS-DI-0010', 'Suspicious ENV key found : DB_PASSWORD (You can suppress it)'),
    ).toBeUndefined();
    expect(alertPath('CIS-DI-0001', 'Last user should not be root')).toBeUndefined();
  });
});

describe('analysis as SARIF', () => {
  let dir: string;
  let analysis: ImageAnalysis;

  beforeAll(async () => {
    dir = makeTempDir('analyze-sarif');
    const layers = await Promise.all(HAND_IMAGE.map((entries) => fixtureLayer(entries, 'none')));
    await writeOciLayout(join(dir, 'layout'), [{ tag: 'hand', imageOrIndex: makeImage({ layers }) }]);
    const target = await OciLayoutTarget.open(join(dir, 'layout'));
    analysis = await analyzeImage(target, 'hand', { compressionSample: 0 });
  });
  afterAll(() => removeTempDir(dir));

  it('one rule per waste category, one result per file with its path, totals in the run', () => {
    const log = analysisToSarif(analysis, { image: 'oci:layout:hand', digest: analysis.digest });
    expect(sarifErrors(log)).toEqual([]);
    const run = log.runs[0]!;
    const categories = analysis.reclaimable.categories.map((c) => `waste/${c.category}`);
    expect(categories).toContain('waste/deleted-later');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(categories);
    for (const rule of run.tool.driver.rules) {
      expect(rule.defaultConfiguration.level).toBe('warning');
      expect(rule.properties?.['security-severity']).toBeUndefined();
    }
    const items = analysis.reclaimable.categories.flatMap((c) =>
      c.items.map((i) => [`waste/${c.category}`, i.path]),
    );
    expect(
      run.results.map((r) => [r.ruleId, `/${r.locations[1]?.physicalLocation.artifactLocation.uri ?? ''}`]),
    ).toEqual(items);
    const deleted = run.results.find(
      (r) =>
        r.ruleId === 'waste/deleted-later' &&
        r.locations[1]?.physicalLocation.artifactLocation.uri === 'app/config.json',
    );
    expect(deleted?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('oci:layout:hand');
    expect(run.properties).toMatchObject({
      imageName: 'oci:layout:hand',
      wastedBytes: analysis.dive.wastedBytes,
      reclaimableBytes: analysis.dive.reclaimableBytes,
    });
  });

  it('failed dive CI rules are errors', () => {
    const ci = evaluateCi(analysis.dive, { ...DEFAULT_CI_RULES, 'lowest-efficiency': '0.99' });
    const log = analysisToSarif(analysis, { image: 'oci:layout:hand' }, ci);
    expect(sarifErrors(log)).toEqual([]);
    const failing = log.runs[0]!.results.filter((r) => r.ruleId.startsWith('ci/'));
    expect(failing.map((r) => [r.ruleId, r.level])).toEqual(
      ci.rules.filter((r) => r.status === 'FAIL').map((r) => [`ci/${r.rule}`, 'error']),
    );
    expect(failing.map((r) => r.ruleId)).toContain('ci/lowest-efficiency');
  });

  it('the schema check is real: a result without a message fails it', () => {
    const log = analysisToSarif(analysis, { image: 'oci:layout:hand' });
    const broken = JSON.parse(JSON.stringify(log)) as { runs: { results: Record<string, unknown>[] }[] };
    delete broken.runs[0]!.results[0]!.message;
    expect(sarifErrors(broken).length).toBeGreaterThan(0);
  });
});
