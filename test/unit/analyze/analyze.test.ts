import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrityError, UsageError } from '../../../src/errors.js';
import { OciLayoutTarget } from '../../../src/content/oci-layout.js';
import type { ReadTarget } from '../../../src/content/target.js';
import type { Descriptor } from '../../../src/oci/schema.js';
import { analysisSummary, analyzeImage } from '../../../src/analyze/analyze.js';
import { lintImage } from '../../../src/analyze/lint.js';
import { makeArtifact, makeImage, makeIndex, writeOciLayout } from '../../support/fixtures.js';
import { HAND_IMAGE, fixtureLayer, packTar, layerFromTar } from '../../support/layer-fixtures.js';
import { makeTempDir, removeTempDir } from '../../support/lifecycle.js';
import { requireTool } from '../../support/tools.js';

const haveZstd = requireTool('zstd');

let dir: string;
let target: OciLayoutTarget;

beforeAll(async () => {
  dir = makeTempDir('analyze-unit');
  const [l0, l1, l2] = await Promise.all([
    fixtureLayer(HAND_IMAGE[0]!, 'gzip'),
    fixtureLayer(HAND_IMAGE[1]!, haveZstd ? 'zstd' : 'gzip'),
    fixtureLayer(HAND_IMAGE[2]!, 'none'),
  ]);
  const hand = makeImage({
    layers: [l0, l1, l2],
    config: {
      history: [
        { created_by: '/bin/sh -c #(nop) ADD file:base in / ' },
        { created_by: '/bin/sh -c #(nop)  ENV A=1', empty_layer: true },
        { created_by: '/bin/sh -c cp /etc/os-release /app/copy-of-release' },
        { created_by: '/bin/sh -c rm -rf /app/config.json' },
      ],
    },
  });
  const bad = makeImage({ layers: [l0], config: { rootfs: { type: 'layers', diff_ids: [l1.diffId] } } });
  const arm = makeImage({
    architecture: 'arm64',
    layers: [await fixtureLayer([{ path: 'arm', data: 'arm64' }])],
  });
  const amd = makeImage({
    architecture: 'amd64',
    layers: [await fixtureLayer([{ path: 'amd', data: 'amd64!' }])],
  });
  const artifact = makeArtifact({
    artifactType: 'application/vnd.example.sbom',
    blobs: [{ data: '{}', mediaType: 'application/json' }],
  });
  await writeOciLayout(join(dir, 'layout'), [
    { tag: 'hand', imageOrIndex: hand },
    { tag: 'bad-diffid', imageOrIndex: bad },
    { tag: 'multi', imageOrIndex: makeIndex([amd, arm]) },
    { tag: 'sbom', imageOrIndex: artifact },
  ]);
  target = await OciLayoutTarget.open(join(dir, 'layout'));
});
afterAll(() => removeTempDir(dir));

describe('analyzeImage', () => {
  it('streams every layer (gzip, zstd, tar) and computes the hand-worked numbers', async () => {
    const a = await analyzeImage(target, 'hand');
    expect(a.layers.map((l) => [l.compression, l.contentBytes, l.command])).toEqual([
      ['gzip', 2000, '#(nop) ADD file:base in / '],
      [haveZstd ? 'zstd' : 'gzip', 550, 'cp /etc/os-release /app/copy-of-release'],
      ['none', 50, 'rm -rf /app/config.json'],
    ]);
    const s = analysisSummary(a);
    expect(s).toMatchObject({
      efficiency: 1750 / 2600,
      sizeBytes: 2600,
      userSizeBytes: 600,
      wastedBytes: 850,
      reclaimableBytes: 850,
      userWastedPercent: 850 / 600,
      inefficiencies: [
        {
          path: '/app/config.json',
          count: 3,
          cumulativeSize: 850,
          minSize: 0,
          layers: [0, 1, 2],
          reclaimableBytes: 850,
        },
      ],
    });
    expect(s.reclaimable.totalBytes).toBe(2450);
    expect(a.platform).toBe('linux/amd64');
    expect(a.tree.get('app/link')?.entry.type).toBe('hardlink');
  });

  it('merges in layer order even when layers finish out of order', async () => {
    const slowFirst: ReadTarget = {
      name: target.name,
      resolve: (r) => target.resolve(r),
      fetchManifest: (r) => target.fetchManifest(r),
      exists: (d) => target.exists(d),
      tags: () => target.tags(),
      fetchBlob(desc: Descriptor): Readable {
        const inner = target.fetchBlob(desc);
        if (desc.mediaType.endsWith('gzip') && desc.size > 300) {
          return Readable.from(
            (async function* () {
              await new Promise((r) => setTimeout(r, 150));
              for await (const c of inner) yield c as Buffer;
            })(),
          );
        }
        return inner;
      },
    };
    const finished: number[] = [];
    const a = await analyzeImage(slowFirst, 'hand', {
      concurrency: 3,
      onLayer: (s) => finished.push(s.index),
    });
    expect(finished[finished.length - 1]).toBe(0);
    expect(a.scans.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(a.dive.efficiency).toBe(1750 / 2600);
  });

  it('refuses a layer whose diff id does not match the config', async () => {
    const err = await analyzeImage(target, 'bad-diffid').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(
      /^layer 1 \(sha256:[0-9a-f]{12}\): its uncompressed content is sha256:[0-9a-f]{64}, but the config lists sha256:/,
    );
  });

  it('picks a platform from an index, and explains when it must', async () => {
    const arm = await analyzeImage(target, 'multi', { platform: { os: 'linux', architecture: 'arm64' } });
    expect(arm.platform).toBe('linux/arm64');
    expect(arm.tree.files.map((f) => f.path)).toEqual(['arm']);
    await expect(analyzeImage(target, 'multi')).rejects.toThrow(UsageError);
    await expect(analyzeImage(target, 'multi')).rejects.toThrow(/is an index of 2 images/);
    await expect(
      analyzeImage(target, 'hand', { platform: { os: 'linux', architecture: 'arm64' } }),
    ).rejects.toThrow(/is a single linux\/amd64 image, not linux\/arm64/);
  });

  it('refuses artifacts', async () => {
    const err = await analyzeImage(target, 'sbom').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(
      /is not a container image \(config media type application\/vnd\.oci\.empty\.v1\+json, artifact type application\/vnd\.example\.sbom\)/,
    );
  });

  it('stops the other downloads when one layer fails', async () => {
    const evil = layerFromTar(
      await packTar([{ type: 'symlink', path: 'x', target: '../../../../etc/shadow' }]),
      'gzip',
    );
    const big = await fixtureLayer([{ path: 'big', data: 'y'.repeat(200_000) }], 'none');
    const image = makeImage({ layers: [big, evil] });
    const d = makeTempDir('analyze-abort');
    try {
      await writeOciLayout(d, [{ tag: 't', imageOrIndex: image }]);
      const layout = await OciLayoutTarget.open(d);
      const signals: AbortSignal[] = [];
      let slow: Readable | undefined;
      const watching: ReadTarget = {
        name: layout.name,
        resolve: (r) => layout.resolve(r),
        fetchManifest: (r) => layout.fetchManifest(r),
        exists: (x) => layout.exists(x),
        tags: () => layout.tags(),
        fetchBlob(desc: Descriptor, signal?: AbortSignal): Readable {
          if (signal) signals.push(signal);
          if (desc.digest !== big.digest) return layout.fetchBlob(desc);
          const inner = layout.fetchBlob(desc);
          return (slow = Readable.from(
            (async function* () {
              for await (const c of inner) {
                await new Promise((r) => setTimeout(r, 30));
                yield c as Buffer;
              }
            })(),
          ));
        },
      };
      const err = await analyzeImage(watching, 't').catch((e: unknown) => e);
      expect((err as Error).message).toMatch(
        /^layer 2 \(sha256:[0-9a-f]{12}\): symlink "x" → "\.\.\/\.\.\/\.\.\/\.\.\/etc\/shadow" points outside the image root/,
      );
      expect(signals.length).toBe(2);
      expect(signals.every((s) => s.aborted)).toBe(true);
      // Targets that ignore the signal still have their streams closed.
      expect(slow?.destroyed).toBe(true);
    } finally {
      removeTempDir(d);
    }
  });

  it('feeds lint from the same walk', async () => {
    const a = await analyzeImage(target, 'hand', { hashFiles: false, compressionSample: 0 });
    const r = lintImage(
      { image: 'oci:layout:hand', tag: 'hand', config: a.config, tree: a.tree, layers: a.scans },
      { contentTrust: true },
    );
    expect(r.report.summary).toEqual({ fatal: 0, warn: 1, info: 1, skip: 2, pass: 14 });
    expect(r.report.details.map((d) => d.code)).toEqual([
      'DKL-LI-0001',
      'DKL-LI-0002',
      'CIS-DI-0001',
      'CIS-DI-0006',
    ]);
  });
});
