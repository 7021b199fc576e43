/**
 * Base-image identification on images built here: fake os-release files, labels, ENV and
 * history, scanned through the real layer reader (os-release captured as the SBOM's walk does).
 */
import { describe, expect, it } from 'vitest';
import {
  baseBoundary,
  classifyName,
  identifyBaseImage,
  shortImageName,
} from '../../../src/analyze/base-image.js';
import { mergeLayers } from '../../../src/analyze/file-tree.js';
import { defaultCapture } from '../../../src/analyze/layer-reader.js';
import { lintImage } from '../../../src/analyze/lint.js';
import type { ImageConfig } from '../../../src/oci/schema.js';
import { scanFixtureLayers, type FixtureEntry } from '../../support/layer-fixtures.js';

const capture = (p: string): boolean =>
  defaultCapture(p) || p === 'etc/os-release' || p === 'usr/lib/os-release' || p === 'etc/debian_version';

async function image(
  layers: FixtureEntry[][],
  config: Partial<ImageConfig['config']> & object,
  history: ImageConfig['history'],
) {
  const scans = await scanFixtureLayers(layers, { capture });
  const cfg = {
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [] },
    config,
    history,
  } as unknown as ImageConfig;
  const tree = mergeLayers(scans);
  const input = {
    config: cfg,
    tree,
    layerBytes: scans.map((s) => s.size),
    captured: (path: string) => {
      for (let i = scans.length - 1; i >= 0; i--) {
        const d = scans[i]!.captured.get(path);
        if (d) return d.toString('utf8');
      }
      return undefined;
    },
  };
  return { scans, cfg, tree, input };
}

const DEBIAN_ROOTFS: FixtureEntry[] = [
  {
    path: 'etc/os-release',
    data: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
  },
  { path: 'etc/debian_version', data: '12.5\n' },
  { path: 'var/lib/dpkg/status', data: 'Package: base-files\n' },
  { path: 'usr/share/doc/base-files/copyright', data: 'c' },
  { path: 'usr/share/man/man1/ls.1.gz', data: 'm'.repeat(40) },
];

describe('identifyBaseImage', () => {
  it('debian from os-release, full because man pages are present; boundary at the base CMD', async () => {
    const { input } = await image([DEBIAN_ROOTFS, [{ path: 'app/server', data: 'x'.repeat(10) }]], {}, [
      { created_by: '/bin/sh -c #(nop) ADD file:5d6b639e8 in / ' },
      { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
      { created_by: 'COPY server /app/server # buildkit' },
    ]);
    const base = identifyBaseImage(input)!;
    expect(base).toMatchObject({
      name: 'debian:bookworm',
      family: 'debian',
      variant: 'full',
      layers: [0],
      boundaryGuessed: false,
      storedBytes: input.layerBytes[0],
      typicalBytes: 49_000_000,
      identifiedBy: [
        'os-release: ID=debian VERSION_ID=12',
        'documentation and man pages present (the full variant)',
      ],
    });
    expect(base.alternatives.map((a) => [a.name, a.typicalBytes])).toEqual([
      ['debian:bookworm-slim', 28_000_000],
    ]);
    expect(base.estimatedSavingBytes).toBe(Math.round(input.layerBytes[0]! * (21 / 49)));
  });

  it('debian slim (copyright files only) has nothing smaller of its kind', async () => {
    const slim = DEBIAN_ROOTFS.filter((e) => !('path' in e) || !e.path.startsWith('usr/share/man'));
    const { input } = await image([slim], {}, [{ created_by: '/bin/sh -c #(nop) ADD file:1 in / ' }]);
    const base = identifyBaseImage(input)!;
    expect([base.name, base.variant, base.alternatives, base.estimatedSavingBytes]).toEqual([
      'debian:bookworm-slim',
      'slim',
      [],
      0,
    ]);
  });

  it('alpine from /etc/alpine-release when os-release was not captured', async () => {
    const scans = await scanFixtureLayers([[{ path: 'etc/alpine-release', data: '3.19.1\n' }]]);
    const base = identifyBaseImage({
      config: { config: {}, history: [] } as unknown as ImageConfig,
      tree: mergeLayers(scans),
      layerBytes: scans.map((s) => s.size),
    })!;
    expect([base.name, base.family, base.identifiedBy, base.alternatives]).toEqual([
      'alpine',
      'alpine',
      ['file /etc/alpine-release'],
      [],
    ]);
  });

  it('node:20 full from ENV NODE_VERSION + gcc and git; three base layers end at CMD ["node"]', async () => {
    const { input, cfg, tree, scans } = await image(
      [
        DEBIAN_ROOTFS,
        [
          { path: 'usr/bin/gcc', data: 'g'.repeat(30) },
          { path: 'usr/bin/git', data: 'g'.repeat(20) },
        ],
        [{ path: 'usr/local/bin/node', data: 'n'.repeat(50) }],
        [{ path: 'app/index.js', data: 'i' }],
      ],
      { Env: ['PATH=/usr/local/bin:/usr/bin', 'NODE_VERSION=20.11.1'] },
      [
        { created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
        { created_by: '/bin/sh -c apt-get update && apt-get install -y gcc git' },
        { created_by: '/bin/sh -c #(nop)  ENV NODE_VERSION=20.11.1', empty_layer: true },
        { created_by: '/bin/sh -c curl -fsSLO node.tar.xz && tar -xJf node.tar.xz' },
        { created_by: '/bin/sh -c #(nop)  CMD ["node"]', empty_layer: true },
        { created_by: 'COPY . /app # buildkit' },
      ],
    );
    const base = identifyBaseImage(input)!;
    expect(base).toMatchObject({
      name: 'node:20',
      variant: 'full',
      layers: [0, 1, 2],
      storedBytes: input.layerBytes[0]! + input.layerBytes[1]! + input.layerBytes[2]!,
      typicalBytes: 380_000_000,
    });
    expect(base.identifiedBy).toEqual([
      'os-release: ID=debian VERSION_ID=12',
      'ENV NODE_VERSION=20.11.1',
      'gcc and git present (the buildpack-deps based full variant)',
    ]);
    expect(base.alternatives.map((a) => a.name)).toEqual([
      'node:20-slim',
      'node:20-alpine',
      'gcr.io/distroless/nodejs20-debian12',
    ]);
    expect(base.estimatedSavingBytes).toBe(Math.round(base.storedBytes * (1 - 70 / 380)));

    // The same finding as lint INFO under our own code; dockle's codes are untouched.
    const lint = lintImage({ image: 'x', config: cfg, tree, layers: scans });
    const ours = lint.report.details.filter((d) => d.code.startsWith('GHO-'));
    expect(ours.map((d) => [d.code, d.level])).toEqual([
      ['GHO-DI-0001', 'INFO'],
      ['GHO-DI-0002', 'INFO'],
    ]);
    expect(ours[0]!.alerts).toEqual([
      `base node:20 (about 380 MB; identified by os-release: ID=debian VERSION_ID=12; ENV NODE_VERSION=20.11.1; gcc and git present (the buildpack-deps based full variant)): node:20-slim is about 70 MB, or node:20-alpine (about 45 MB), gcr.io/distroless/nodejs20-debian12 (about 45 MB); the base layers here: 3 layers, ${base.storedBytes} bytes, about ${base.estimatedSavingBytes} bytes less with node:20-slim`,
    ]);
    expect(ours[1]!.alerts).toEqual([
      'build toolchain in the final image: 1 file, 30 bytes in layer 2 (largest: usr/bin/gcc); build in a separate stage and COPY --from=build only the results',
    ]);
  });

  it('a label or buildah FROM comment names the base exactly; the comment also marks the boundary', async () => {
    const { input } = await image(
      [[{ path: 'etc/os-release', data: 'ID=debian\n' }], [{ path: 'app/x', data: 'x' }]],
      { Labels: { 'org.opencontainers.image.base.name': 'docker.io/library/python:3.12-slim-bookworm' } },
      [
        { created_by: '/bin/sh -c #(nop) ADD file:1 in / ' },
        {
          created_by: '/bin/sh -c #(nop) COPY file:2 in /app ',
          comment: 'FROM docker.io/library/python:3.12-slim',
        },
      ],
    );
    const base = identifyBaseImage(input)!;
    expect([base.name, base.variant, base.layers, base.alternatives.map((a) => a.name)]).toEqual([
      'python:3.12-slim-bookworm',
      'slim',
      [0],
      ['python:3.12-alpine'],
    ]);
    expect(base.identifiedBy).toEqual([
      'label org.opencontainers.image.base.name: docker.io/library/python:3.12-slim-bookworm',
    ]);
  });

  it('ubuntu from its ref.name + version labels; unknown images give undefined', async () => {
    const { input } = await image(
      [[{ path: 'bin/sh', data: 's' }]],
      {
        Labels: {
          'org.opencontainers.image.ref.name': 'ubuntu',
          'org.opencontainers.image.version': '24.04',
        },
      },
      [],
    );
    expect(identifyBaseImage(input)).toMatchObject({
      name: 'ubuntu:24.04',
      family: 'ubuntu',
      boundaryGuessed: true,
    });
    const bare = await image([[{ path: 'bin/app', data: 'a' }]], {}, []);
    expect(identifyBaseImage(bare.input)).toBeUndefined();
  });
});

describe('names and boundaries', () => {
  it('short names and classification', () => {
    expect(shortImageName('docker.io/library/node:20-slim@sha256:abcd')).toBe('node:20-slim');
    expect(shortImageName('ghcr.io/o/app:1')).toBe('ghcr.io/o/app:1');
    expect(classifyName('node:20.11-alpine3.19')).toEqual({
      family: 'node',
      variant: 'alpine',
      version: '20',
    });
    expect(classifyName('debian:12-slim')).toEqual({
      family: 'debian',
      variant: 'slim',
      version: 'bookworm',
    });
    expect(classifyName('gcr.io/distroless/static-debian12')).toEqual({
      family: 'distroless',
      variant: 'distroless',
    });
    expect(classifyName('ghcr.io/o/app:1')).toBeUndefined();
  });
  it('no history: the first layer, flagged as a guess', () => {
    expect(baseBoundary({ history: [] } as unknown as ImageConfig, 3)).toEqual({ layers: 1, guessed: true });
  });
});
