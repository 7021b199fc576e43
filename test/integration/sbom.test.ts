/**
 * `sbom` end to end, as a user runs it: a separate process against the real registry
 * (docker-registry on 127.0.0.1) and an OCI layout, both formats checked against the official
 * schemas, the final-filesystem rule, determinism, --output, --platform and bad input.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli, type CliOptions, type CliResult } from '../support/cli.js';
import { makeImage, makeIndex, pushImage, writeOciLayout } from '../support/fixtures.js';
import { fixtureLayer, type FixtureEntry } from '../support/layer-fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { requireTool } from '../support/tools.js';
import { ALPINE_LAYERS, DEBIAN_APP_LAYERS, DISTROLESS_LAYERS } from '../unit/sbom/fixtures.js';
import { cycloneDxValidator, schemaErrors, spdxValidator } from '../unit/sbom/schemas.js';

const haveRegistry = requireTool('docker-registry');

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
  expect(r.stdout, describeRun(r)).toBe('');
}

async function image(layers: FixtureEntry[][], architecture = 'amd64') {
  return makeImage({
    architecture,
    layers: await Promise.all(layers.map((entries) => fixtureLayer(entries, 'gzip'))),
    config: { created: '2024-05-06T07:08:09.123456789Z' },
  });
}

interface SpdxDoc {
  creationInfo: { created: string };
  packages: {
    name: string;
    versionInfo?: string;
    primaryPackagePurpose?: string;
    externalRefs?: { referenceLocator: string }[];
  }[];
  relationships: unknown[];
  documentNamespace: string;
}

interface CdxDoc {
  metadata: { timestamp: string; component: { name: string; version: string } };
  components: { type: string; name: string; version?: string; purl?: string }[];
}

const purls = (doc: SpdxDoc): string[] =>
  doc.packages
    .filter((p) => p.primaryPackagePurpose === 'LIBRARY')
    .map((p) => p.externalRefs?.[0]?.referenceLocator ?? '');

const DEBIAN_APP_PURLS = [
  'pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12',
  'pkg:deb/debian/bsdutils@1%3A2.38.1-5%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=util-linux%402.38.1-5',
  'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u8?arch=amd64&distro=debian-12',
  'pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12&upstream=glibc',
  'pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12',
  'pkg:npm/%40fastify/busboy@2.1.1',
  'pkg:npm/express@4.19.2',
  'pkg:npm/safe-buffer@5.1.2',
  'pkg:npm/safe-buffer@5.2.1',
  'pkg:pypi/requests@2.32.3',
  'pkg:pypi/typing-extensions@4.12.2',
];

describe.skipIf(!haveRegistry)('sbom against a registry', () => {
  let reg: RunningRegistry;
  let home: string;
  let cli: (args: string[], o?: Partial<CliOptions>) => Promise<CliResult>;

  beforeAll(async () => {
    reg = await startRegistry();
    home = makeTempDir('ghcr-opt-sbom');
    cli = (args, o) => runCli(args, { home, timeoutMs: 60_000, ...o });
    await pushImage(reg.url, 'team/app', '1.0', await image(DEBIAN_APP_LAYERS));
    await pushImage(reg.url, 'team/distroless', '12', await image(DISTROLESS_LAYERS));
    await pushImage(
      reg.url,
      'team/multi',
      '1',
      makeIndex([await image(ALPINE_LAYERS, 'amd64'), await image(DISTROLESS_LAYERS, 'arm64')]),
    );
    await writeOciLayout(join(home, 'layout'), [{ tag: 'alpine', imageOrIndex: await image(ALPINE_LAYERS) }]);
  }, 120_000);
  afterAll(async () => {
    await reg?.stop();
    if (home) removeTempDir(home);
  });

  it('SPDX (the default) on stdout: valid, the final filesystem, the image config time', async () => {
    const r = await cli(['sbom', `${reg.host}/team/app:1.0`]);
    expectExit(r, 0);
    const doc = JSON.parse(r.stdout) as SpdxDoc;
    expect(schemaErrors(spdxValidator(), doc)).toEqual([]);
    expect(purls(doc)).toEqual(DEBIAN_APP_PURLS);
    expect(doc.creationInfo.created).toBe('2024-05-06T07:08:09Z');
    expect(doc.packages[0]).toMatchObject({
      name: `docker://${reg.host}/team/app:1.0`,
      primaryPackagePurpose: 'CONTAINER',
    });
    expect(doc.packages[0]?.externalRefs?.[0]?.referenceLocator).toMatch(
      new RegExp(
        `^pkg:oci/app@sha256%3A[0-9a-f]{64}\\?arch=amd64&repository_url=${reg.host.replace(/\./g, '\\.')}/team/app$`,
      ),
    );
    expect(r.stderr).toBe('');
  }, 60_000);

  it('CycloneDX to a file with --output: valid, nothing on stdout, a summary with --json', async () => {
    const out = join(home, 'out', 'distroless.cdx.json');
    const r = await cli([
      'sbom',
      `${reg.host}/team/distroless:12`,
      '--format',
      'cyclonedx-json',
      '--output',
      out,
    ]);
    expectExit(r, 0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^wrote cyclonedx-json to .*distroless\.cdx\.json: 3 packages \(3 deb\)\n$/);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as CdxDoc;
    expect(schemaErrors(cycloneDxValidator(), doc)).toEqual([]);
    expect(doc.components.map((c) => [c.type, c.name, c.version])).toEqual([
      ['operating-system', 'debian', '12'],
      ['library', 'base-files', '12.4+deb12u6'],
      ['library', 'libssl3', '3.0.15-1~deb12u1'],
      ['library', 'netbase', '6.4'],
    ]);
    // No temp file is left beside the output.
    expect(readdirSync(join(home, 'out'))).toEqual(['distroless.cdx.json']);

    const j = await cli(['sbom', `${reg.host}/team/distroless:12`, '--json', '--output', out]);
    expectExit(j, 0);
    expect(JSON.parse(j.stdout)).toMatchObject({
      reference: `docker://${reg.host}/team/distroless:12`,
      format: 'spdx-json',
      output: out,
      created: '2024-05-06T07:08:09Z',
      os: { id: 'debian', versionId: '12', prettyName: 'Distroless' },
      packages: 3,
      byType: { deb: 3 },
      warnings: [],
    });
    expect(schemaErrors(spdxValidator(), JSON.parse(readFileSync(out, 'utf8')))).toEqual([]);
  }, 60_000);

  it('deterministic: SOURCE_DATE_EPOCH sets the time, and two runs are byte-identical', async () => {
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    for (const format of ['spdx-json', 'cyclonedx-json']) {
      const a = await cli(['sbom', `${reg.host}/team/app:1.0`, '--format', format], { env });
      const b = await cli(['sbom', `${reg.host}/team/app:1.0`, '--format', format], { env });
      expectExit(a, 0);
      expectExit(b, 0);
      expect(b.stdout).toBe(a.stdout);
      expect(a.stdout).toContain('"2023-11-14T22:13:20Z"');
    }
  }, 120_000);

  it('--platform picks one child of an index; an OCI layout works too', async () => {
    const arm = await cli([
      'sbom',
      `${reg.host}/team/multi:1`,
      '--platform',
      'linux/arm64',
      '--format',
      'cyclonedx-json',
    ]);
    expectExit(arm, 0);
    const armDoc = JSON.parse(arm.stdout) as CdxDoc;
    expect(armDoc.components.map((c) => c.name)).toEqual(['debian', 'base-files', 'libssl3', 'netbase']);
    const amd = await cli([
      'sbom',
      `${reg.host}/team/multi:1`,
      '--platform',
      'linux/amd64',
      '--format',
      'cyclonedx-json',
    ]);
    expectExit(amd, 0);
    expect((JSON.parse(amd.stdout) as CdxDoc).components.map((c) => c.purl ?? c.name)).toEqual([
      'alpine',
      'pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3',
      'pkg:apk/alpine/ca-certificates-bundle@20240705-r0?arch=x86_64&distro=alpine-3.20.3&upstream=ca-certificates',
      'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3',
      'pkg:apk/alpine/zlib@1.3.1-r1?arch=x86_64&distro=alpine-3.20.3',
    ]);
    const index = await cli(['sbom', `${reg.host}/team/multi:1`]);
    expectExit(index, 2);
    expectOneLineError(index, /index/);

    const layout = await cli(['sbom', `oci:${join(home, 'layout')}:alpine`]);
    expectExit(layout, 0);
    const doc = JSON.parse(layout.stdout) as SpdxDoc;
    expect(schemaErrors(spdxValidator(), doc)).toEqual([]);
    expect(purls(doc)).toHaveLength(4);
    expect(doc.packages[0]?.externalRefs?.[0]?.referenceLocator).toMatch(
      /^pkg:oci\/layout@sha256%3A[0-9a-f]{64}\?arch=amd64$/,
    );
  }, 120_000);

  it('bad input: one clear line and a non-zero exit', async () => {
    const format = await cli(['sbom', `${reg.host}/team/app:1.0`, '--format', 'xml']);
    expectExit(format, 2);
    expectOneLineError(format, /--format.*xml/);

    const missing = await cli(['sbom', `${reg.host}/team/nothing:1.0`]);
    expectExit(missing, 4);
    expectOneLineError(missing, /nothing/);

    const epoch = await cli(['sbom', `${reg.host}/team/app:1.0`], { env: { SOURCE_DATE_EPOCH: 'soon' } });
    expectExit(epoch, 2);
    expectOneLineError(epoch, /SOURCE_DATE_EPOCH/);

    const dir = join(home, 'a-directory');
    mkdirSync(dir, { recursive: true });
    const out = await cli(['sbom', `${reg.host}/team/app:1.0`, '--output', dir]);
    expectExit(out, 11);
    expectOneLineError(out, /cannot write the SBOM/);
    expect(existsSync(dir)).toBe(true);
  }, 120_000);

  it('--help has examples', async () => {
    const r = await cli(['sbom', '--help']);
    expectExit(r, 0);
    expect(r.stdout).toMatch(/Examples:\n {2}ghcr-optimize sbom /);
  }, 60_000);
});
