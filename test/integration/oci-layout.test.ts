/** The OCI layout target on disk: concurrent writers, atomic blobs, and what skopeo makes of it. */
import { readFileSync, readdirSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { requireTool } from '../support/tools.js';
import { skopeoInspect } from '../support/skopeo.js';
import { OciLayoutTarget } from '../../src/content/oci-layout.js';
import { computeDigest } from '../../src/oci/digest.js';
import { MediaType } from '../../src/oci/media-types.js';
import { writeSampleImages } from '../../src/sample/sample-images.js';
import { FileSystemError, IntegrityError } from '../../src/errors.js';
import { withFileLock } from '../../src/content/file-lock.js';

describe('OCI layout target', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('layout');
  });
  afterEach(() => removeTempDir(dir));

  it('keeps every tag when separate writers tag the same layout at once', async () => {
    const root = join(dir, 'l');
    // Eight writers race to create the same layout: all must succeed and agree.
    const writers = await Promise.all(
      Array.from({ length: 8 }, () => OciLayoutTarget.open(root, { create: true })),
    );
    const layout = writers[0]!;
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] }),
    );
    const desc = await layout.pushManifest(manifest, MediaType.OciIndex);
    // Separate instances share no in-process queue: only the lock file keeps index.json consistent.
    const instances = await Promise.all(Array.from({ length: 8 }, () => OciLayoutTarget.open(root)));
    await Promise.all(
      instances.flatMap((inst, i) => Array.from({ length: 5 }, (_, j) => inst.tag(desc, `t${i}-${j}`))),
    );
    expect((await layout.tags()).sort()).toHaveLength(40);
    expect(readdirSync(root).filter((f) => f.includes('lock') || f.startsWith('.tmp-'))).toEqual([]);
  });

  it('breaks a stale lock left by a crashed writer, and times out on a live one', async () => {
    const lock = join(dir, 'x.lock');
    writeFileSync(lock, '99999');
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    expect(await withFileLock(lock, () => Promise.resolve('ran'))).toBe('ran');
    writeFileSync(lock, String(process.pid));
    await expect(
      withFileLock(lock, () => Promise.resolve('never'), { timeoutMs: 200 }),
    ).rejects.toBeInstanceOf(FileSystemError);
  });

  it('refuses a blob whose bytes do not match, leaving no file behind', async () => {
    const layout = await OciLayoutTarget.open(join(dir, 'l'), { create: true });
    const good = Buffer.from('the real content');
    const desc = { mediaType: 'application/octet-stream', digest: computeDigest(good), size: good.length };
    await expect(
      layout.pushBlob(desc, { size: good.length, open: () => Buffer.from('the fake content') }),
    ).rejects.toBeInstanceOf(IntegrityError);
    expect(readdirSync(join(dir, 'l', 'blobs', 'sha256'))).toEqual([]);
    expect(await layout.pushBlob(desc, { size: good.length, open: () => good })).toBe('uploaded');
    expect(await layout.pushBlob(desc, { size: good.length, open: () => good })).toBe('exists');
    // A truncated blob file (a power cut without fsync) does not count as present.
    writeFileSync(layout.blobPath(desc.digest), good.subarray(0, 4));
    expect(await layout.exists(desc)).toBe(false);
  });

  it.skipIf(!requireTool('skopeo'))('writes layouts skopeo reads, spec-exact', async () => {
    const root = join(dir, 'sample');
    const layout = await OciLayoutTarget.open(root, { create: true });
    const sample = await writeSampleImages(layout);
    expect(JSON.parse(readFileSync(join(root, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    const index = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as {
      manifests: { annotations: Record<string, string> }[];
    };
    expect(index.manifests.map((m) => m.annotations['org.opencontainers.image.ref.name']).sort()).toEqual(
      [...sample.tags].sort(),
    );
    expect((await skopeoInspect(`oci:${root}:latest`)).Digest).toBe(sample.index);
  });
});
