/**
 * `lint --sarif` and `analyze --format sarif` as a user runs them (a separate process, an OCI
 * layout on disk): the output validates against the official SARIF 2.1.0 schema and names the
 * image and the offending files.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli, type CliResult } from '../support/cli.js';
import { makeImage, writeOciLayout } from '../support/fixtures.js';
import { HAND_IMAGE, fixtureLayer } from '../support/layer-fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { sarifErrors } from '../unit/scan/helpers.js';

interface Log {
  runs: {
    tool: { driver: { name: string; rules: { id: string; defaultConfiguration: { level: string } }[] } };
    results: {
      ruleId: string;
      level: string;
      locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
    }[];
  }[];
}

function expectExit(r: CliResult, code: number): void {
  expect(r.timedOut, describeRun(r)).toBe(false);
  expect(r.code, describeRun(r)).toBe(code);
}

describe('SARIF from lint and analyze', () => {
  let home: string;
  let ref: string;
  const cli = (args: string[]) => runCli(args, { home, timeoutMs: 60_000 });

  beforeAll(async () => {
    home = makeTempDir('ghcr-opt-analyze-sarif');
    const layers = await Promise.all([
      ...HAND_IMAGE.map((entries) => fixtureLayer(entries, 'gzip')),
      fixtureLayer([
        { path: 'etc/passwd', data: 'root:x:0:0::/root:/bin/sh\n' },
        { path: 'etc/shadow', data: 'root::19000:0:::::\n' },
        { path: 'usr/bin/su', data: 'su', mode: 0o4755 },
      ]),
    ]);
    await writeOciLayout(join(home, 'layout'), [
      {
        tag: 'app',
        imageOrIndex: makeImage({
          layers,
          config: { history: layers.map(() => ({ created_by: '/bin/sh -c apt-get update' })) },
        }),
      },
    ]);
    ref = `oci:${join(home, 'layout')}:app`;
  });
  afterAll(() => removeTempDir(home));

  it('lint --sarif: valid SARIF, a rule per failing checkpoint, the image and file as locations', async () => {
    const r = await cli(['lint', ref, '--sarif']);
    expectExit(r, 0);
    const log = JSON.parse(r.stdout) as Log;
    expect(sarifErrors(log)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('ghcr-optimize');
    const levels = Object.fromEntries(run.tool.driver.rules.map((x) => [x.id, x.defaultConfiguration.level]));
    expect(levels).toMatchObject({
      'CIS-DI-0001': 'warning',
      'CIS-DI-0007': 'error',
      'CIS-DI-0008': 'note',
      'DKL-LI-0001': 'error',
    });
    const setuid = run.results.find((x) => x.ruleId === 'CIS-DI-0008')!;
    expect(setuid.locations.map((l) => l.physicalLocation.artifactLocation.uri)).toEqual([ref, 'usr/bin/su']);

    const both = await cli(['lint', ref, '--sarif', '--json']);
    expectExit(both, 2);
  }, 60_000);

  it('analyze --format sarif: valid SARIF, a rule per waste category', async () => {
    const r = await cli(['analyze', ref, '--format', 'sarif']);
    expectExit(r, 0);
    const log = JSON.parse(r.stdout) as Log;
    expect(sarifErrors(log)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.tool.driver.rules.map((x) => x.id)).toContain('waste/deleted-later');
    const deleted = run.results.find(
      (x) =>
        x.ruleId === 'waste/deleted-later' &&
        x.locations[1]?.physicalLocation.artifactLocation.uri === 'app/config.json',
    );
    expect(deleted?.level).toBe('warning');
    expect(deleted?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(ref);
  }, 60_000);
});
