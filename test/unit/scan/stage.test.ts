import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciLayoutTarget } from '../../../src/content/oci-layout.js';
import { checkTrivyInputPath, defaultChild, stageImage } from '../../../src/scan/stage.js';
import { makeImage, makeIndex, writeOciLayout } from '../../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../../support/lifecycle.js';

const amd = makeImage({ architecture: 'amd64', layers: [{ 'a.txt': 'amd64' }] });
const arm = makeImage({ architecture: 'arm64', variant: 'v8', layers: [{ 'a.txt': 'arm64' }] });
const s390 = makeImage({ architecture: 's390x', layers: [{ 'a.txt': 's390x' }] });

describe('stageImage', () => {
  let home: string;
  let source: OciLayoutTarget;
  let temp: string;

  beforeAll(async () => {
    home = makeTempDir('scan-stage');
    temp = join(home, 'tmp');
    const dir = join(home, 'src');
    await writeOciLayout(dir, [
      { tag: 'multi', imageOrIndex: makeIndex([arm, amd]) },
      { tag: 'noamd', imageOrIndex: makeIndex([s390, arm]) },
      { tag: 'single', imageOrIndex: amd },
    ]);
    source = await OciLayoutTarget.open(dir);
    await import('node:fs/promises').then((fs) => fs.mkdir(temp));
  });
  afterAll(() => removeTempDir(home));

  const indexOf = async (dir: string) =>
    JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };

  it('one platform of an index: a layout holding that image alone, removed by remove()', async () => {
    const staged = await stageImage(source, 'multi', {
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      tempRoot: temp,
    });
    expect(staged.digest).toBe(arm.digest);
    expect(staged.platform).toBe('linux/arm64/v8');
    expect((await indexOf(staged.dir)).manifests.map((m) => m.digest)).toEqual([arm.digest]);
    const blobs = readdirSync(join(staged.dir, 'blobs', 'sha256'));
    expect(blobs.sort()).toEqual(
      [arm.digest, arm.config.digest, ...arm.layers.map((l) => l.digest)].map((d) => d.slice(7)).sort(),
    );
    await staged.remove();
    expect(readdirSync(temp)).toEqual([]);
  });

  it('no platform: linux/amd64 as trivy picks it; else the first image; a single image as it is', async () => {
    for (const [tag, want] of [
      ['multi', amd.digest],
      ['noamd', s390.digest],
      ['single', amd.digest],
    ] as const) {
      const staged = await stageImage(source, tag, { tempRoot: temp });
      expect((await indexOf(staged.dir)).manifests.map((m) => m.digest)).toEqual([want]);
      await staged.remove();
    }
    expect(readdirSync(temp)).toEqual([]);
  });

  it('a failure (missing platform, cancellation) leaves no temporary directory', async () => {
    await expect(
      stageImage(source, 'multi', { platform: { os: 'linux', architecture: 'ppc64le' }, tempRoot: temp }),
    ).rejects.toThrow(/ppc64le/);
    const aborted = AbortSignal.abort();
    await expect(stageImage(source, 'multi', { signal: aborted, tempRoot: temp })).rejects.toThrow();
    expect(readdirSync(temp)).toEqual([]);
  });

  it('defaultChild skips attestations', () => {
    const att = {
      mediaType: 'x',
      digest: 'sha256:1',
      size: 1,
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
    };
    const img = {
      mediaType: 'x',
      digest: 'sha256:2',
      size: 1,
      platform: { os: 'linux', architecture: 'arm64' },
    };
    expect(defaultChild([att, img])?.digest).toBe('sha256:2');
    expect(defaultChild([att])).toBeUndefined();
  });

  it('a layout path trivy would misread (":" or "@") is refused with a hint', () => {
    expect(() => checkTrivyInputPath('/tmp/a:b/layout')).toThrow(/TMPDIR|":"/);
    expect(() => checkTrivyInputPath('/tmp/a@b/layout')).toThrow();
    expect(() => checkTrivyInputPath('/tmp/ab/layout')).not.toThrow();
  });
});
