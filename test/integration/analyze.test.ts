/**
 * `analyze` and `lint` end to end, as a user runs them: a separate process on an OCI layout on
 * disk and on the real registry (docker-registry on 127.0.0.1), with the hand-computed image of
 * the unit tests, dive's CI gate, dive's JSON export, dockle's JSON, and a hostile layer.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, type CliOptions, type CliResult } from '../support/cli.js';
import { makeImage, pushImage, writeOciLayout } from '../support/fixtures.js';
import { HAND_IMAGE, fixtureLayer, layerFromTar, packTar, runAnalyzeCli } from '../support/layer-fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { requireTool } from '../support/tools.js';

const haveRegistry = requireTool('docker-registry');
const haveZstd = requireTool('zstd');

function expectExit(r: CliResult, code: number): void {
  expect(r.timedOut, describeRun(r)).toBe(false);
  expect(r.code, describeRun(r)).toBe(code);
}

function expectOneLineError(r: CliResult, message: RegExp): void {
  expect(r.stderrLines.length, describeRun(r)).toBeGreaterThanOrEqual(1);
  expect(r.stderrLines.length, describeRun(r)).toBeLessThanOrEqual(2);
  expect(r.stderrLines[0], describeRun(r)).toMatch(/^error: /);
  expect(r.stderrLines[0], describeRun(r)).toMatch(message);
  if (r.stderrLines[1] !== undefined) expect(r.stderrLines[1], describeRun(r)).toMatch(/^hint: /);
  expect(r.stderr, describeRun(r)).not.toMatch(/^\s+at /m);
}

const json = <T = Record<string, unknown>>(r: CliResult): T => JSON.parse(r.stdout) as T;

/** What the hand-computed image gives (see test/unit/analyze/efficiency.test.ts). */
const HAND_NUMBERS = {
  efficiency: 1750 / 2600,
  sizeBytes: 2600,
  userSizeBytes: 600,
  wastedBytes: 850,
  reclaimableBytes: 850,
  userWastedPercent: 850 / 600,
};

async function handImage(tag = 'hand') {
  const layers = await Promise.all([
    fixtureLayer(HAND_IMAGE[0]!, 'gzip'),
    fixtureLayer(HAND_IMAGE[1]!, haveZstd ? 'zstd' : 'gzip'),
    fixtureLayer(HAND_IMAGE[2]!, 'none'),
  ]);
  return makeImage({
    layers,
    config: {
      config: { User: 'app' },
      history: [
        { created_by: `/bin/sh -c #(nop) ADD file:${tag} in / ` },
        { created_by: '/bin/sh -c cp /etc/os-release /app/copy-of-release' },
        { created_by: '/bin/sh -c rm -rf /app/config.json' },
      ],
    },
  });
}

async function secretsImage() {
  return makeImage({
    layers: [
      await fixtureLayer([
        { path: 'etc/passwd', data: 'root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\n' },
        { path: 'etc/shadow', data: 'root::19000:0:::::\n' },
        { path: 'etc/group', data: 'root:x:0:\n' },
        { path: 'usr/bin/su', data: 'su', mode: 0o4755 },
        { path: 'root/.aws/credentials', data: '[default]\naws_secret_access_key=x\n' },
      ]),
    ],
    config: {
      config: { Env: ['DB_PASSWORD=hunter2'] },
      history: [{ created_by: '/bin/sh -c apt-get update && apt-get install -y curl' }],
    },
  });
}

describe('analyze and lint on an OCI layout', () => {
  let home: string;
  let cli: (args: string[], o?: Partial<CliOptions>) => Promise<CliResult>;

  beforeAll(async () => {
    home = makeTempDir('ghcr-opt-analyze');
    cli = (args, o) => runAnalyzeCli(args, { home, ...o });
    const evil = makeImage({
      layers: [
        layerFromTar(
          await packTar([
            { path: 'ok', data: 'fine' },
            { path: '../../etc/cron.d/evil', data: '* * * * * root sh' },
          ]),
        ),
      ],
    });
    await writeOciLayout(join(home, 'layout'), [
      { tag: 'hand', imageOrIndex: await handImage() },
      { tag: 'secrets', imageOrIndex: await secretsImage() },
      { tag: 'evil', imageOrIndex: evil },
    ]);
  });
  afterAll(() => removeTempDir(home));

  it('--json: dive-compatible metrics, our reclaimable bytes and categories', async () => {
    const r = await cli(['analyze', 'oci:layout:hand', '--json']);
    expectExit(r, 0);
    const doc = json<
      Record<string, unknown> & {
        reclaimable: { totalBytes: number; categories: { category: string; bytes: number }[] };
      }
    >(r);
    expect(doc).toMatchObject({ reference: 'oci:layout:hand', platform: 'linux/amd64', ...HAND_NUMBERS });
    expect(doc.reclaimable.totalBytes).toBe(2450);
    expect(doc.reclaimable.categories.map((c) => [c.category, c.bytes])).toEqual([
      ['deleted-later', 950],
      ['overwritten-later', 400],
      ['duplicate-content', 100],
      ['package-cache', 1000],
    ]);
    expect(r.stderr).toBe('');
  });

  it('text output: the analysis, inefficient files, reclaimable space and compression', async () => {
    const r = await cli(['analyze', 'oci:layout:hand']);
    expectExit(r, 0);
    expect(r.stdout).toContain('efficiency:         67.31 %');
    expect(r.stdout).toContain('wastedBytes:        850 bytes');
    expect(r.stdout).toContain('reclaimableBytes:   850 bytes');
    expect(r.stdout).toContain('userWastedPercent:  141.67 %');
    expect(r.stdout).toMatch(/^\s+3\s+850 B\s+850 B\s+1,2,3\s+\/app\/config\.json$/m);
    expect(r.stdout).toMatch(/files deleted by a later layer: 950 B in 3 files/);
    expect(r.stdout).toMatch(
      /layer 3 is stored uncompressed: .*gzip -9 gives ~\d+ B .*measured on the whole layer/,
    );
  });

  it('the zstd -19 estimate sits next to gzip -9; without zstd on PATH it says unavailable', async () => {
    type Doc = {
      reclaimable: {
        compression: { layer: number; estimatedGzip9Bytes: number; estimatedZstdBytes: number | null }[];
        zstd: { available: boolean; reason?: string };
      };
    };
    const r = await cli(['analyze', 'oci:layout:hand', '--json']);
    expectExit(r, 0);
    const doc = json<Doc>(r);
    expect(doc.reclaimable.zstd).toMatchObject({ available: true, level: 19 });
    expect(doc.reclaimable.compression.map((c) => [c.layer, typeof c.estimatedZstdBytes])).toEqual([
      [2, 'number'],
    ]);
    const text = await cli(['analyze', 'oci:layout:hand']);
    expect(text.stdout).toMatch(
      /layer 3 is stored uncompressed: .*gzip -9 gives ~\d+ B .*; zstd -19 gives ~\d+ B/,
    );

    const bare = await cli(['analyze', 'oci:layout:hand', '--json'], {
      env: { PATH: join(home, 'empty-path') },
    });
    expectExit(bare, 0);
    const noZstd = json<Doc>(bare);
    expect(noZstd.reclaimable.zstd).toEqual({
      available: false,
      level: 19,
      reason: 'the zstd program is not on PATH (apt-get install zstd, brew install zstd)',
    });
    expect(noZstd.reclaimable.compression[0]!.estimatedZstdBytes).toBeNull();
    expect(noZstd.reclaimable.compression[0]!.estimatedGzip9Bytes).toBe(
      doc.reclaimable.compression[0]!.estimatedGzip9Bytes,
    );
  }, 60_000);

  it('--format dive-json: dive’s export schema', async () => {
    const r = await cli(['analyze', 'oci:layout:hand', '--format', 'dive-json']);
    expectExit(r, 0);
    const doc = json<{ layer: Record<string, unknown>[]; image: Record<string, unknown> }>(r);
    expect(Object.keys(doc)).toEqual(['layer', 'image']);
    expect(doc.image).toEqual({
      sizeBytes: 2600,
      inefficientBytes: 850,
      efficiencyScore: 1750 / 2600,
      fileReference: [{ count: 3, sizeBytes: 850, file: '/app/config.json' }],
    });
    expect(doc.layer.map((l) => Object.keys(l))).toEqual(
      Array(3).fill(['index', 'id', 'digestId', 'sizeBytes', 'command', 'fileList']),
    );
    expect(doc.layer.map((l) => [l.index, l.sizeBytes, l.command])).toEqual([
      [0, 2000, '#(nop) ADD file:hand in / '],
      [1, 550, 'cp /etc/os-release /app/copy-of-release'],
      [2, 50, 'rm -rf /app/config.json'],
    ]);
  });

  it('--ci fails dive’s default rules with exit code 9 and says which', async () => {
    const r = await cli(['analyze', 'oci:layout:hand', '--ci']);
    expectExit(r, 9);
    expect(r.stdout).toMatch(
      /FAIL {2}lowest-efficiency \(image efficiency is too low \(efficiency=0\.67 < threshold=0\.9\)\)/,
    );
    expect(r.stdout).toMatch(/SKIP {2}highest-wasted-bytes \(rule disabled\)/);
    expect(r.stdout).toMatch(/^FAIL \[fail:2 skip:1\]$/m);
    expectOneLineError(r, /^error: CI rules failed: lowest-efficiency .*; highest-user-wasted-percent /);

    const j = await cli(['analyze', 'oci:layout:hand', '--ci', '--json']);
    expectExit(j, 9);
    expect(json<{ ci: { pass: boolean } }>(j).ci.pass).toBe(false);
    expect(JSON.parse(j.stderr)).toMatchObject({ error: { kind: 'policy', exitCode: 9 } });
  }, 60_000);

  it('--ci passes with looser thresholds from flags, or from .dive-ci (legacy keys warn)', async () => {
    const r = await cli([
      'analyze',
      'oci:layout:hand',
      '--ci',
      '--lowest-efficiency',
      '0.6',
      '--highest-user-wasted-percent',
      'disabled',
      '--highest-wasted-bytes',
      '1KB',
    ]);
    expectExit(r, 0);
    expect(r.stdout).toMatch(/^PASS \[pass:2 skip:1\]$/m);

    const cwd = makeTempDir('ghcr-opt-diveci');
    try {
      writeFileSync(
        join(cwd, '.dive-ci'),
        'rules:\n  lowestEfficiency: 0.5\n  highest-user-wasted-percent: 1.5\n',
      );
      const bad = await cli(['analyze', `oci:${join(home, 'layout')}:hand`, '--ci'], { cwd });
      expectExit(bad, 2);
      expect(bad.stderrLines).toEqual([
        'warning: .dive-ci: "lowestEfficiency" is deprecated, use "lowest-efficiency"',
        'error: highest-user-wasted-percent value is outside the allowed range (0-1), given "1.5"',
      ]);

      writeFileSync(
        join(cwd, '.dive-ci'),
        'rules:\n  lowestEfficiency: 0.5\n  highest-user-wasted-percent: off\n',
      );
      const ok = await cli(['analyze', `oci:${join(home, 'layout')}:hand`, '--ci'], { cwd });
      expectExit(ok, 0);
      expect(ok.stderr).toMatch(
        /warning: \.dive-ci: "lowestEfficiency" is deprecated, use "lowest-efficiency"/,
      );
      // A flag beats the file.
      const strict = await cli(
        ['analyze', `oci:${join(home, 'layout')}:hand`, '--ci', '--lowest-efficiency', '0.9'],
        { cwd },
      );
      expectExit(strict, 9);
    } finally {
      removeTempDir(cwd);
    }
  }, 60_000);

  it('CI=true in the environment does not turn CI mode on; rule flags need --ci', async () => {
    const r = await cli(['analyze', 'oci:layout:hand'], { env: { CI: 'true' } });
    expectExit(r, 0);
    expect(r.stdout).not.toMatch(/Evaluation:/);
    const usage = await cli(['analyze', 'oci:layout:hand', '--lowest-efficiency', '0.5']);
    expectExit(usage, 2);
    expectOneLineError(usage, /CI rule options only apply with --ci/);
  }, 60_000);

  it('refuses a hostile layer with exit code 8, naming the layer and the entry', async () => {
    const r = await cli(['analyze', 'oci:layout:evil']);
    expectExit(r, 8);
    expectOneLineError(
      r,
      /^error: layer 1 \(sha256:[0-9a-f]{12}\): unsafe entry "\.\.\/\.\.\/etc\/cron\.d\/evil": a "\.\." component \(path traversal\)$/,
    );
    const l = await cli(['lint', 'oci:layout:evil']);
    expectExit(l, 8);
  }, 60_000);

  it('--help has examples', async () => {
    for (const cmd of ['analyze', 'lint']) {
      const r = await cli([cmd, '--help']);
      expectExit(r, 0);
      expect(r.stdout).toMatch(/Examples:\n {2}ghcr-optimize /);
    }
  }, 60_000);

  it('lint --json: dockle’s document; --exit-level and --ignore decide the exit code', async () => {
    const r = await cli(['lint', 'oci:layout:secrets', '--json']);
    expectExit(r, 0);
    const doc = json<{
      image: string;
      summary: Record<string, number>;
      details: { code: string; level: string; alerts: string[] }[];
    }>(r);
    expect(doc.image).toBe('oci:layout:secrets');
    expect(doc.summary).toEqual({ fatal: 4, warn: 1, info: 4, skip: 0, pass: 9 });
    expect(doc.details.map((d) => [d.code, d.level])).toEqual([
      ['CIS-DI-0010', 'FATAL'],
      ['DKL-DI-0005', 'FATAL'],
      ['DKL-LI-0001', 'FATAL'],
      ['DKL-LI-0002', 'FATAL'],
      ['CIS-DI-0001', 'WARN'],
      ['CIS-DI-0005', 'INFO'],
      ['CIS-DI-0006', 'INFO'],
      ['CIS-DI-0008', 'INFO'],
      ['DKL-LI-0003', 'INFO'],
    ]);
    expect(doc.details[0]!.alerts).toEqual([
      'Suspicious ENV key found : DB_PASSWORD (You can suppress it with --accept-key)',
      'Suspicious filename found : root/.aws/credentials (You can suppress it with "--accept-file credentials")',
    ]);

    const gate = await cli(['lint', 'oci:layout:secrets', '--exit-level', 'fatal']);
    expectExit(gate, 9);
    expect(gate.stdout).toMatch(
      /^FATAL\t- CIS-DI-0010: Do not store credential in environment variables\/files$/m,
    );
    expectOneLineError(
      gate,
      /^error: 4 checkpoints at or above FATAL: CIS-DI-0010, DKL-DI-0005, DKL-LI-0001, DKL-LI-0002$/,
    );

    const cwd = makeTempDir('ghcr-opt-dockleignore');
    try {
      writeFileSync(join(cwd, '.dockleignore'), '# accepted risks\nDKL-LI-0001\nDKL-LI-0002\n');
      const ignored = await cli(
        [
          'lint',
          `oci:${join(home, 'layout')}:secrets`,
          '--exit-level',
          'fatal',
          '--ignore',
          'CIS-DI-0010',
          '--ignore',
          'DKL-DI-0005',
        ],
        { cwd, env: { DOCKER_CONTENT_TRUST: '1' } },
      );
      expectExit(ignored, 0);
      expect(ignored.stdout).toMatch(/^PASS\t- CIS-DI-0005: Enable Content trust for Docker$/m);
      expect(ignored.stdout).not.toMatch(/DKL-LI-0001/);
      const warn = await cli(
        [
          'lint',
          `oci:${join(home, 'layout')}:secrets`,
          '--exit-level',
          'warn',
          '--ignore',
          'CIS-DI-0010',
          '--ignore',
          'DKL-DI-0005',
        ],
        { cwd },
      );
      expectExit(warn, 9);
      expectOneLineError(warn, /^error: 1 checkpoint at or above WARN: CIS-DI-0001$/);
    } finally {
      removeTempDir(cwd);
    }
  }, 60_000);
});

describe.skipIf(!haveRegistry)('analyze and lint on a registry', () => {
  let reg: RunningRegistry;
  let home: string;
  let cli: (args: string[]) => Promise<CliResult>;

  beforeAll(async () => {
    reg = await startRegistry();
    home = makeTempDir('ghcr-opt-analyze-reg');
    cli = (args) => runAnalyzeCli(args, { home });
    await pushImage(reg.url, 'team/app', '1.0', await handImage());
    await pushImage(reg.url, 'team/app', 'latest', await secretsImage());
  });
  afterAll(async () => {
    await reg?.stop();
    removeTempDir(home);
  });

  it('analyze REGISTRY/REPO:TAG streams the layers from the registry', async () => {
    const r = await cli(['analyze', `${reg.host}/team/app:1.0`, '--json']);
    expectExit(r, 0);
    expect(json(r)).toMatchObject({ reference: `docker://${reg.host}/team/app:1.0`, ...HAND_NUMBERS });
    const dive = await cli([
      'analyze',
      `${reg.host}/team/app:1.0`,
      '--format',
      'dive-json',
      '--ci',
      '--lowest-efficiency',
      '0.7',
    ]);
    expectExit(dive, 9);
    expect(json<{ image: { inefficientBytes: number } }>(dive).image.inefficientBytes).toBe(850);
  });

  it('reads blobs through the blob cache: a second analysis fetches no blob from the registry', async () => {
    const proxy = await startFaultProxy(reg.url);
    const cache = join(home, 'blob-cache');
    try {
      const blobGets = (): number =>
        proxy.requests.filter((q) => q.method === 'GET' && /\/blobs\/sha256:/.test(q.path)).length;
      const ref = `${proxy.host}/team/app:1.0`;
      const first = await cli(['analyze', ref, '--json', '--cache', cache]);
      expectExit(first, 0);
      // The config and three layers, once each (the zstd estimate re-reads from the cache).
      expect(blobGets()).toBe(4);
      const second = await cli(['analyze', ref, '--json', '--cache', cache]);
      expectExit(second, 0);
      expect(blobGets()).toBe(4);
      expect(json(second)).toEqual(json(first));
      expect(json(first)).toMatchObject(HAND_NUMBERS);

      // lint and sbom open the image the same way, through the default cache ($XDG_CACHE_HOME).
      const env = { XDG_CACHE_HOME: join(home, 'xdg-cache') };
      expectExit(await runAnalyzeCli(['lint', ref, '--json'], { home, env }), 0);
      const afterLint = blobGets();
      expect(afterLint).toBe(8);
      expectExit(await runAnalyzeCli(['sbom', ref], { home, env }), 0);
      expect(blobGets()).toBe(afterLint);
      expect(existsSync(join(home, 'xdg-cache', 'ghcr-optimize', 'blobs', 'sha256'))).toBe(true);

      // --no-cache goes to the registry for everything: the config, three layers, and the
      // uncompressed layer 3 once more for its zstd estimate.
      expectExit(await cli(['analyze', ref, '--json', '--no-cache']), 0);
      expect(blobGets()).toBe(afterLint + 5);
    } finally {
      await proxy.stop();
    }
  }, 90_000);

  it('lint REGISTRY/REPO:latest warns about the latest tag', async () => {
    const r = await cli(['lint', `${reg.host}/team/app:latest`, '--json']);
    expectExit(r, 0);
    const doc = json<{ details: { code: string; level: string; alerts: string[] }[] }>(r);
    expect(doc.details.find((d) => d.code === 'DKL-DI-0006')).toEqual({
      code: 'DKL-DI-0006',
      title: 'Avoid latest tag',
      level: 'WARN',
      alerts: ["Avoid 'latest' tag"],
    });
  });
});
