/**
 * `analyze` and `lint` on a real multi-platform image: built by buildah (vfs, chroot isolation,
 * one layer per step) for linux/amd64 and linux/arm64, pushed with `buildah manifest push --all`
 * to a real docker-registry on 127.0.0.1, and once more as a zstd image with `buildah push`.
 *
 * Every expected number below is worked out by hand from the files put into the build context,
 * with dive's formula (src/analyze/efficiency.ts, shared/ANCHORS.md §4.1): per path, cumulative =
 * Σ its sizes over the layers, min = the smallest; efficiency = Σmin / Σcumulative;
 * wastedBytes = Σ cumulative of paths seen in ≥ 2 layers; userSizeBytes = Σ sizes of layers
 * after the first.
 */
import { linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildah, unlinkElf, writeStorageConf, type BuildahEnv } from '../support/buildah.js';
import { describeRun, runCli, type CliResult } from '../support/cli.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { requireTool } from '../support/tools.js';

const tools = ['buildah', 'unshare', 'docker-registry'].map(requireTool).every(Boolean);
// The RUN step executes a tiny x86-64 program (no shell in a FROM scratch image).
const x64 = process.arch === 'x64';

const ENV_SECRET = 'env-s3cret-value';
const ARG_SECRET = 'npm_argS3cretValue';

// Layer by layer (0-based), the bytes each one adds (dive counts regular files; directories,
// hard links and whiteouts are 0):
//   0 COPY rm1                 143   (the base layer in dive's eyes)
//   1 COPY app.conf           1000   /etc/app/app.conf, first version
//   2 COPY arch-$TARGETARCH    100 on amd64, 200 on arm64
//   3 COPY app-v2.conf        1500   /etc/app/app.conf overwritten
//   4 COPY payload.bin        4096   /opt/payload.bin
//   5 COPY payload.bin        4096   /srv/copy.bin, the same bytes again
//   6 COPY links/              300   /opt/links/one + /opt/links/two (a hard link to it: 0)
//   7 COPY --chmod=4755         64   /usr/local/bin/suid-helper, setuid
//   8 RUN rm1 app.conf           0   a whiteout; the chroot run also leaves empty /etc/hosts,
//                                    /etc/hostname, /etc/resolv.conf and /dev /proc /run /sys
// ENV and LABEL add no layer.
const SIZES = { rm1: 143, app: 1000, v2: 1500, payload: 4096, link: 300, suid: 64 };
const ARCH_BYTES = { amd64: 100, arm64: 200 } as const;

function layerSizes(arch: keyof typeof ARCH_BYTES): number[] {
  return [
    SIZES.rm1,
    SIZES.app,
    ARCH_BYTES[arch],
    SIZES.v2,
    SIZES.payload,
    SIZES.payload,
    SIZES.link,
    SIZES.suid,
    0,
  ];
}

/**
 * /etc/app/app.conf is the only path in two or more layers: 1000 (layer 1) + 1500 (layer 3) +
 * 0 (its whiteout in layer 8, a file, so dive counts 0) = 2500, min 0. Every other path is seen
 * once, so cumulative = min for it.
 */
function expected(arch: keyof typeof ARCH_BYTES) {
  const sizeBytes = layerSizes(arch).reduce((a, b) => a + b, 0); // 11399 on arm64, 11299 on amd64
  const wasted = SIZES.app + SIZES.v2;
  const userSizeBytes = sizeBytes - SIZES.rm1;
  return {
    sizeBytes,
    userSizeBytes,
    efficiency: (sizeBytes - wasted) / sizeBytes,
    wastedBytes: wasted,
    reclaimableBytes: wasted,
    userWastedPercent: wasted / userSizeBytes,
    inefficiencies: [
      {
        path: '/etc/app/app.conf',
        count: 3,
        cumulativeSize: wasted,
        minSize: 0,
        layers: [1, 3, 8],
        reclaimableBytes: wasted,
      },
    ],
  };
}

const INDEX = 'application/vnd.oci.image.index.v1+json';

interface Summary {
  reference: string;
  digest: string;
  platform: string;
  layers: { compression: string; mediaType: string; contentBytes: number; command: string }[];
  reclaimable: {
    totalBytes: number;
    categories: { category: string; bytes: number; files: number; items: unknown[] }[];
  };
}

describe.skipIf(!tools || !x64)('analyze a real multi-platform image built with buildah', () => {
  let registry: RunningRegistry;
  let work: string;
  let env: BuildahEnv;
  let children: Record<string, string>;
  const repo = 'issue7/app';

  const cli = (args: string[]): Promise<CliResult> => runCli(args, { home: env.home, timeoutMs: 60_000 });

  function context(dir: string): void {
    mkdirSync(join(dir, 'links'));
    writeFileSync(join(dir, 'rm1'), unlinkElf(), { mode: 0o755 });
    writeFileSync(join(dir, 'app.conf'), 'a'.repeat(SIZES.app));
    writeFileSync(join(dir, 'app-v2.conf'), 'b'.repeat(SIZES.v2));
    writeFileSync(join(dir, 'arch-amd64.txt'), 'x'.repeat(ARCH_BYTES.amd64));
    writeFileSync(join(dir, 'arch-arm64.txt'), 'y'.repeat(ARCH_BYTES.arm64));
    writeFileSync(
      join(dir, 'payload.bin'),
      Buffer.from(Array.from({ length: SIZES.payload }, (_, i) => (i * 7 + 3) % 251)),
    );
    writeFileSync(join(dir, 'links', 'one'), 'l'.repeat(SIZES.link));
    linkSync(join(dir, 'links', 'one'), join(dir, 'links', 'two'));
    writeFileSync(join(dir, 'suid-helper'), 's'.repeat(SIZES.suid));
    writeFileSync(
      join(dir, 'Containerfile'),
      [
        'FROM scratch',
        'ARG TARGETARCH',
        'ARG NPM_TOKEN',
        'COPY rm1 /rm1',
        'COPY app.conf /etc/app/app.conf',
        'COPY arch-${TARGETARCH}.txt /etc/arch.txt',
        'COPY app-v2.conf /etc/app/app.conf',
        'COPY payload.bin /opt/payload.bin',
        'COPY payload.bin /srv/copy.bin',
        'COPY links/ /opt/links/',
        'COPY --chmod=4755 suid-helper /usr/local/bin/suid-helper',
        `ENV API_TOKEN=${ENV_SECRET}`,
        'RUN ["/rm1", "/etc/app/app.conf"]',
        'LABEL org.example.fixture=issue7',
        '',
      ].join('\n'),
    );
  }

  beforeAll(async () => {
    registry = await startRegistry();
    work = makeTempDir('ghcr-opt-analyze-buildah');
    const storage = join(work, 'storage');
    const tmp = join(work, 'tmp');
    const home = join(work, 'home');
    const ctx = join(work, 'ctx');
    for (const d of [storage, tmp, home, ctx]) mkdirSync(d);
    env = { storageConf: writeStorageConf(storage), tmpDir: tmp, home };
    context(ctx);

    const list = 'issue7-multi';
    for (const arch of ['amd64', 'arm64']) {
      await buildah(
        [
          'bud',
          '--quiet',
          '--isolation',
          'chroot',
          '--layers',
          '--platform',
          `linux/${arch}`,
          '--build-arg',
          `NPM_TOKEN=${ARG_SECRET}`,
          '--manifest',
          list,
          '-t',
          `issue7:${arch}`,
          '.',
        ],
        env,
        { cwd: ctx },
      );
    }
    const dest = (tag: string): string => `docker://${registry.host}/${repo}:${tag}`;
    await buildah(['manifest', 'push', '--quiet', '--all', '--tls-verify=false', list, dest('1.0')], env);
    await buildah(
      [
        'push',
        '--quiet',
        '--tls-verify=false',
        '--compression-format',
        'zstd',
        'issue7:arm64',
        dest('arm64-zstd'),
      ],
      env,
    );

    // The index as the registry serves it, read with a plain request (not the tool's client).
    const res = await fetch(`${registry.url}/v2/${repo}/manifests/1.0`, { headers: { accept: INDEX } });
    expect(res.status).toBe(200);
    const index = (await res.json()) as {
      mediaType: string;
      manifests: { digest: string; platform: { os: string; architecture: string } }[];
    };
    expect(index.mediaType).toBe(INDEX);
    children = Object.fromEntries(
      index.manifests.map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest]),
    );
  }, 300_000);

  afterAll(async () => {
    await registry?.stop();
    if (work) removeTempDir(work);
  });

  it('buildah pushed an OCI index of exactly linux/amd64 and linux/arm64', () => {
    expect(Object.keys(children).sort()).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('analyze --platform linux/arm64 --json: nine gzip layers and dive’s numbers by hand', async () => {
    const r = await cli(['analyze', `${registry.host}/${repo}:1.0`, '--platform', 'linux/arm64', '--json']);
    expect(r.code, describeRun(r)).toBe(0);
    const doc = JSON.parse(r.stdout) as Summary;
    expect(doc).toMatchObject({
      reference: `docker://${registry.host}/${repo}:1.0`,
      platform: 'linux/arm64',
      digest: children['linux/arm64'],
      ...expected('arm64'),
    });
    expect(doc.layers.map((l) => l.contentBytes)).toEqual(layerSizes('arm64'));
    expect(doc.layers.map((l) => l.compression)).toEqual(Array(9).fill('gzip'));
    expect(doc.layers[0]!.command).toMatch(/^#\(nop\) COPY file:[0-9a-f]{64} in \/rm1 $/);
    expect(doc.layers[6]!.command).toMatch(/^#\(nop\) COPY dir:[0-9a-f]{64} in \/opt\/links\/ $/);

    // Our causes: the overwritten first version (1000, layer 1), the deleted second version
    // (1500, layer 3), the copy of payload.bin (4096). The hard link and the RUN step's empty
    // files are no waste.
    const by = Object.fromEntries(doc.reclaimable.categories.map((c) => [c.category, c]));
    expect(Object.keys(by)).toEqual(['deleted-later', 'overwritten-later', 'duplicate-content']);
    expect(by['deleted-later']).toMatchObject({
      bytes: SIZES.v2,
      files: 1,
      items: [{ path: '/etc/app/app.conf', layer: 3, size: SIZES.v2, detail: 'deleted in layer 9' }],
    });
    expect(by['overwritten-later']).toMatchObject({
      bytes: SIZES.app,
      files: 1,
      items: [{ path: '/etc/app/app.conf', layer: 1, size: SIZES.app, detail: 'replaced in layer 4' }],
    });
    expect(by['duplicate-content']).toMatchObject({
      bytes: SIZES.payload,
      files: 1,
      items: [
        {
          path: '/srv/copy.bin',
          layer: 5,
          size: SIZES.payload,
          detail: 'same content as /opt/payload.bin (layer 5)',
        },
      ],
    });
    expect(doc.reclaimable.totalBytes).toBe(SIZES.v2 + SIZES.app + SIZES.payload);
  }, 90_000);

  it('analyze --platform linux/amd64 analyses the other child, with its own arch file', async () => {
    const r = await cli(['analyze', `${registry.host}/${repo}:1.0`, '--platform', 'linux/amd64', '--json']);
    expect(r.code, describeRun(r)).toBe(0);
    const doc = JSON.parse(r.stdout) as Summary;
    expect(doc).toMatchObject({
      platform: 'linux/amd64',
      digest: children['linux/amd64'],
      ...expected('amd64'),
    });
    expect(doc.layers.map((l) => l.contentBytes)).toEqual(layerSizes('amd64'));
    // Without --platform an index is refused with a pointer to the flag.
    const bare = await cli(['analyze', `${registry.host}/${repo}:1.0`]);
    expect(bare.code, describeRun(bare)).not.toBe(0);
    expect(bare.stderrLines[0]).toMatch(/^error: .*index of 2 images/);
  }, 90_000);

  it('--format dive-json: dive’s export with the hard link, the setuid bit and the whiteout', async () => {
    const r = await cli([
      'analyze',
      `${registry.host}/${repo}:1.0`,
      '--platform',
      'linux/arm64',
      '--format',
      'dive-json',
    ]);
    expect(r.code, describeRun(r)).toBe(0);
    type FileInfo = { path: string; typeFlag: number; linkName: string; size: number; fileMode: number };
    const doc = JSON.parse(r.stdout) as {
      layer: { index: number; sizeBytes: number; fileList: FileInfo[] }[];
      image: Record<string, unknown>;
    };
    const want = expected('arm64');
    expect(doc.image).toEqual({
      sizeBytes: want.sizeBytes,
      inefficientBytes: want.wastedBytes,
      efficiencyScore: want.efficiency,
      fileReference: [{ count: 3, sizeBytes: 2500, file: '/etc/app/app.conf' }],
    });
    expect(doc.layer.map((l) => [l.index, l.sizeBytes])).toEqual(layerSizes('arm64').map((s, i) => [i, s]));
    const file = (layer: number, path: string): FileInfo | undefined =>
      doc.layer[layer]!.fileList.find((f) => f.path === path);
    // Go's FileMode: 0o644 for the link; setuid is bit 23 on top of 0o755.
    expect(file(6, 'opt/links/two')).toMatchObject({
      typeFlag: 49,
      linkName: 'opt/links/one',
      size: 0,
      fileMode: 0o644,
    });
    expect(file(7, 'usr/local/bin/suid-helper')).toMatchObject({
      typeFlag: 48,
      size: SIZES.suid,
      fileMode: 2 ** 23 + 0o755,
    });
    expect(file(8, 'etc/app/.wh.app.conf')).toMatchObject({ size: 0 });
  }, 90_000);

  it('lint --platform linux/arm64 --json: secrets in ENV and build-arg history, the setuid file', async () => {
    const r = await cli(['lint', `${registry.host}/${repo}:1.0`, '--platform', 'linux/arm64', '--json']);
    expect(r.code, describeRun(r)).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      summary: Record<string, number>;
      details: { code: string; level: string; alerts: string[] }[];
    };
    // 18 checkpoints: FATAL 0010; WARN 0001 (no USER); INFO 0005 (no content trust), 0006 (no
    // HEALTHCHECK), 0008 (setuid); SKIP DKL-LI-0001/0002 (no /etc/passwd, /etc/shadow); 11 pass
    // (dockle's 9 and our two GHO checks: no identifiable base, no build toolchain).
    expect(doc.summary).toEqual({ fatal: 1, warn: 1, info: 3, skip: 2, pass: 11 });
    const alerts = Object.fromEntries(doc.details.map((d) => [d.code, d.alerts]));
    expect(alerts['CIS-DI-0010']).toEqual([
      'Suspicious ENV key found : API_TOKEN on /bin/sh -c #(nop) ENV API_TOKEN=******* (You can suppress it with --accept-key)',
      'Suspicious ENV key found : NPM_TOKEN on |2 NPM_TOKEN=******* TARGETARCH=arm64 /bin/sh -c ["/rm1", "/etc/app/app.conf"] (You can suppress it with --accept-key)',
    ]);
    expect(alerts['CIS-DI-0008']).toEqual(['setuid file: urwxr-xr-x usr/local/bin/suid-helper']);
    expect(r.stdout).not.toContain(ENV_SECRET);
    expect(r.stdout).not.toContain(ARG_SECRET);
  }, 90_000);

  it('a zstd push of the same image: zstd layers, the same numbers', async () => {
    const r = await cli(['analyze', `${registry.host}/${repo}:arm64-zstd`, '--json']);
    expect(r.code, describeRun(r)).toBe(0);
    const doc = JSON.parse(r.stdout) as Summary;
    expect(doc).toMatchObject({ platform: 'linux/arm64', ...expected('arm64') });
    expect(doc.layers.map((l) => [l.compression, l.mediaType])).toEqual(
      Array(9).fill(['zstd', 'application/vnd.oci.image.layer.v1.tar+zstd']),
    );
    expect(doc.layers.map((l) => l.contentBytes)).toEqual(layerSizes('arm64'));
  }, 90_000);
});
