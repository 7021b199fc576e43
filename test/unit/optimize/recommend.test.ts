/**
 * Recommendations for the rich fixture image (test/unit/optimize/rich-image.ts) plus a COPY layer
 * of development files, analysed for real from an OCI layout: every figure below is a sum of the
 * fixture's file sizes, worked out by hand in the comments.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeImage, type ImageAnalysis } from '../../../src/analyze/analyze.js';
import { OciLayoutTarget } from '../../../src/content/oci-layout.js';
import { copyDestination, installArgs, instruction, recommend } from '../../../src/optimize/recommend.js';
import { makeImage, writeOciLayout } from '../../support/fixtures.js';
import { fixtureLayer, type FixtureEntry } from '../../support/layer-fixtures.js';
import { makeTempDir, removeTempDir } from '../../support/lifecycle.js';
import { RICH_IMAGE } from './rich-image.js';

const DEV_FILES: FixtureEntry[] = [
  { type: 'dir', path: 'app/' },
  { path: 'app/.git/HEAD', data: 'ref: refs/heads/main\n' },
  { path: 'app/.git/objects/pack/p.pack', data: 'g'.repeat(2000) },
  { path: 'app/README.md', data: 'r'.repeat(300) },
  { path: 'app/src/index.js', data: 'i'.repeat(100) },
  { path: 'app/src/index.test.js', data: 't'.repeat(150) },
  { path: 'app/tests/unit.js', data: 'u'.repeat(120) },
  { path: 'app/Dockerfile', data: 'FROM debian\n' },
];

const HISTORY = [
  { created_by: '/bin/sh -c apt-get update && apt-get install -y curl ca-certificates' },
  { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
  { created_by: '/bin/sh -c echo C > /app/config.json && rm /tmp/scratch.bin' },
  { created_by: 'COPY dist/ /app/ # buildkit' },
  { created_by: 'COPY . /app # buildkit' },
];

let dir: string;
let analysis: ImageAnalysis;

beforeAll(async () => {
  dir = makeTempDir('recommend-unit');
  const layers = await Promise.all(
    [...RICH_IMAGE, DEV_FILES].map((entries) => fixtureLayer(entries, 'gzip')),
  );
  const image = makeImage({
    layers,
    config: {
      config: { Labels: { 'org.opencontainers.image.base.name': 'docker.io/library/debian:bookworm' } },
      history: HISTORY,
    },
  });
  await writeOciLayout(join(dir, 'layout'), [{ tag: 'rich', imageOrIndex: image }]);
  analysis = await analyzeImage(await OciLayoutTarget.open(join(dir, 'layout')), 'rich');
});
afterAll(() => removeTempDir(dir));

const APT = 'apt-get update && apt-get install -y curl ca-certificates';

describe('recommend on the rich image', () => {
  it('ranks by estimated bytes saved, with units', () => {
    const recs = recommend(analysis);
    expect(recs.map((r) => [r.rank, r.id, r.savingBytes, r.unit])).toEqual([
      // scratch.bin 5000 (deleted by layer 2) + config.json 400 (replaced) and 450 (deleted) +
      // a.txt 300 + b.txt 200 (opaque dir) + "old version" 11 (replaced).
      [1, 'squash', 6361, 'uncompressed'],
      // .git 21 + 2000, README.md 300, index.test.js 150, tests/unit.js 120, Dockerfile 12.
      [2, 'dockerignore', 2603, 'uncompressed'],
      // pkgcache.bin 1000 + lists 900 + npm 600 + hardcache 6.
      [3, 'strip-caches', 2506, 'uncompressed'],
      [4, 'strip-docs', 700, 'uncompressed'],
      // layer 1 stored bytes × (1 − 28/49): debian:bookworm → debian:bookworm-slim.
      [5, 'smaller-base', Math.round(analysis.layers[0]!.storedBytes * (1 - 28 / 49)), 'compressed'],
    ]);
  });

  it('each carries its evidence: top paths, the layer with digest and command, bytes, and the rest', () => {
    const [squash, ignore, caches] = recommend(analysis);
    const layer1 = { index: 1, digest: `sha256:${analysis.layers[0]!.digest.slice(7, 19)}`, command: APT };
    expect(squash!.evidence[0]).toEqual({
      path: '/tmp/scratch.bin',
      layer: layer1,
      bytes: 5000,
      detail: 'deleted in layer 2',
    });
    expect(squash!.evidence.map((e) => e.bytes)).toEqual([5000, 450, 400, 300, 200]);
    expect(squash!.moreEvidence).toEqual({ count: 1, bytes: 11 });
    expect(ignore!.evidence.map((e) => [e.path, e.bytes, e.layer.index, e.layer.command, e.detail])).toEqual([
      ['/app/.git/objects/pack/p.pack', 2000, 4, 'COPY . /app # buildkit', '.dockerignore: .git'],
      ['/app/README.md', 300, 4, 'COPY . /app # buildkit', '.dockerignore: README.md'],
      ['/app/src/index.test.js', 150, 4, 'COPY . /app # buildkit', '.dockerignore: **/*.test.js'],
      ['/app/tests/unit.js', 120, 4, 'COPY . /app # buildkit', '.dockerignore: tests'],
      ['/app/.git/HEAD', 21, 4, 'COPY . /app # buildkit', '.dockerignore: .git'],
    ]);
    expect(ignore!.moreEvidence).toEqual({ count: 1, bytes: 12 });
    expect(caches!.evidence.map((e) => [e.path, e.bytes])).toEqual([
      ['/var/cache/apt/pkgcache.bin', 1000],
      ['/var/lib/apt/lists/deb_Packages', 900],
      ['/root/.npm/_cacache/index-v5/aa', 600],
      ['/var/cache/apt/hardcache', 6],
    ]);
    expect(caches!.moreEvidence).toBeUndefined();
  });

  it('each carries a concrete change', () => {
    const recs = recommend(analysis);
    const by = (id: string) => recs.find((r) => r.id === id)!.changes;
    const head = `# layer 1 (sha256:${analysis.layers[0]!.digest.slice(7, 19)}): ${APT}`;
    expect(by('strip-caches')).toEqual([
      {
        file: 'Dockerfile',
        snippet: `${head}\n# clean the apt cache in the same RUN that fills it:\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends curl ca-certificates \\\n    && apt-get clean \\\n    && rm -rf /var/lib/apt/lists/*`,
      },
      {
        file: 'Dockerfile',
        snippet: `${head}\n# clean the npm cache in the same RUN that fills it:\nRUN npm ci --omit=dev \\\n    && npm cache clean --force`,
      },
    ]);
    expect(by('dockerignore')).toEqual([
      {
        file: '.dockerignore',
        snippet:
          '# 2021 bytes in this image\n.git\n# 300 bytes in this image\nREADME.md\n# 150 bytes in this image\n**/*.test.js\n# 120 bytes in this image\ntests\n# 12 bytes in this image\nDockerfile*',
      },
    ]);
    expect(by('squash')[0]!.snippet).toBe(
      `${head}\n# adds /tmp/scratch.bin /app/data/a.txt /app/data/b.txt; layers 2, 3 delete them, but the bytes stay in layer 1.\n# delete them in the same RUN:\nRUN ${APT} \\\n    && rm -rf /tmp/scratch.bin /app/data/a.txt /app/data/b.txt\n# or build in another stage and copy only the result:\n#   FROM … AS build\n#   RUN ${APT}\n#   FROM …\n#   COPY --from=build /path/to/result /path/to/result`,
    );
    expect(by('smaller-base')).toEqual([
      {
        file: 'Dockerfile',
        snippet:
          '# FROM debian:bookworm   (about 49 MB)\nFROM debian:bookworm-slim   # about 28 MB; no docs, man pages or locales',
      },
    ]);
  });
});

describe('recommend on reclaimable categories alone', () => {
  it('toolchain → a multi-stage build; source maps from a RUN → delete in that RUN', () => {
    const item = (path: string, size: number, layer: number) => ({ path, size, layer });
    const recs = recommend({
      reclaimable: {
        totalBytes: 0,
        categories: [
          {
            category: 'build-toolchain',
            title: 'build toolchain and headers in the final image',
            hint: 'h',
            bytes: 3000,
            files: 2,
            items: [item('/usr/bin/gcc-12', 2000, 1), item('/usr/include/stdio.h', 1000, 1)],
          },
          {
            category: 'source-maps',
            title: 'source maps (*.map)',
            hint: 'h',
            bytes: 50,
            files: 1,
            items: [item('/app/dist/a.js.map', 50, 2)],
          },
        ],
        compression: [],
        compressionSavingBytes: 0,
      },
      layers: [
        { index: 0, digest: 'sha256:aaaaaaaaaaaaaaaa', command: '#(nop) ADD file:x in / ', storedBytes: 10 },
        {
          index: 1,
          digest: 'sha256:bbbbbbbbbbbbbbbb',
          command: 'apt-get update && apt-get install -y build-essential',
          storedBytes: 10,
        },
        {
          index: 2,
          digest: 'sha256:cccccccccccccccc',
          command: 'RUN /bin/sh -c npm run build # buildkit',
          storedBytes: 10,
        },
      ],
    });
    expect(recs.map((r) => [r.id, r.savingBytes])).toEqual([
      ['build-toolchain', 3000],
      ['source-maps', 50],
    ]);
    expect(recs[0]!.changes[0]!.snippet).toBe(
      '# layer 2 (sha256:bbbbbbbbbbbb): apt-get update && apt-get install -y build-essential\n# compilers and headers are needed to build, not to run: build in a stage of its own\nFROM BASE AS build\nRUN apt-get update && apt-get install -y build-essential\nWORKDIR /src\nCOPY . .\nRUN BUILD-COMMAND   # e.g. make, npm ci && npm run build, pip wheel\n\nFROM BASE\nCOPY --from=build /src/OUTPUT /app/',
    );
    expect(recs[1]!.changes).toEqual([
      {
        file: 'Dockerfile',
        snippet:
          "# layer 3 (sha256:cccccccccccc): RUN /bin/sh -c npm run build # buildkit\n# build without source maps, or delete them in the same RUN:\nRUN npm run build \\\n    && find / -xdev -name '*.map' -delete",
      },
    ]);
  });
});

describe('history parsing', () => {
  it('reads instructions, COPY destinations and install arguments', () => {
    expect(instruction('/bin/sh -c #(nop) COPY dir:abc in /app ')).toEqual({
      kind: 'COPY',
      body: 'dir:abc in /app',
    });
    expect(instruction('COPY --chown=1 . /srv # buildkit')).toEqual({
      kind: 'COPY',
      body: '--chown=1 . /srv',
    });
    expect(instruction('RUN |1 TOKEN=x /bin/sh -c make # buildkit')).toEqual({ kind: 'RUN', body: 'make' });
    expect(instruction('ENV A=1')).toEqual({ kind: 'OTHER', body: 'ENV A=1' });
    expect(copyDestination('dir:abc in /app')).toBe('/app');
    expect(copyDestination('--chown=1 . /srv/')).toBe('/srv');
    expect(copyDestination('. app')).toBeUndefined();
    expect(
      installArgs(
        'apt-get update && apt-get -y install --no-install-recommends curl git',
        /\bapt(-get)?\s+(?:\S+\s+)*?install\b/,
      ),
    ).toBe('curl git');
    expect(installArgs('pip install -r requirements.txt', /\bpip3?\s+install\b/, true)).toBe(
      '-r requirements.txt',
    );
  });
});
