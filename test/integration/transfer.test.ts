/**
 * The transfer engine against two real registries (open and token auth) and OCI layouts, with
 * skopeo as the independent reader of every result.
 */
import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, credsOf, type RunningRegistry } from '../support/registry.js';
import { makeArtifact, makeImage, makeIndex, makeLayer, pushImage, noise } from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { skopeoCopy, skopeoInspect, skopeoInspectRaw, runSkopeo } from '../support/skopeo.js';
import { requireTool } from '../support/tools.js';
import { testClient } from '../support/client.js';
import { AuthError, NotFoundError, UsageError } from '../../src/errors.js';
import { MediaType } from '../../src/oci/media-types.js';
import { RemoteTarget } from '../../src/content/remote.js';
import { OciLayoutTarget } from '../../src/content/oci-layout.js';
import { copyImage, copyRepository } from '../../src/transfer/copy.js';
import { SummaryCollector } from '../../src/transfer/events.js';
import { pullImage, pullToArchive } from '../../src/transfer/pull.js';
import type { RegistryClient } from '../../src/registry/client.js';

const ok = requireTool('docker-registry') && requireTool('skopeo');

const base = makeLayer({ 'etc/os-release': 'NAME=base\n', 'bin/sh': Buffer.alloc(50_000, 1) });
const images = ['amd64', 'arm64', 's390x'].map((architecture) =>
  makeImage({ architecture, layers: [base, { [`app-${architecture}`]: `binary for ${architecture}` }] }),
);
const index = makeIndex(images);
const single = makeImage({ layers: [base, { 'tool.sh': 'echo tool' }] });

describe.skipIf(!ok)('copy between registries and layouts', () => {
  let a: RunningRegistry;
  let b: RunningRegistry;
  let client: RegistryClient;
  let tmp: string;
  const remote = (reg: RunningRegistry, repo: string) => new RemoteTarget(client.repository(reg.host, repo));

  beforeAll(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry({ auth: 'token' })]);
    client = testClient({ user: credsOf(b) });
    await pushImage(a.url, 'src/app', '1', index);
    await pushImage(a.url, 'src/app', '2', single);
    await pushImage(a.url, 'src/app', '3', index);
    tmp = makeTempDir('transfer');
  });
  afterAll(async () => {
    await client?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    if (tmp) removeTempDir(tmp);
  });

  it('copies a 3-platform index registry→registry (token auth), preserving the digest', async () => {
    const collector = new SummaryCollector();
    const result = await copyImage(remote(a, 'src/app'), remote(b, 'dst/app'), '1', '1', {
      onEvent: collector.listener,
    });
    expect(result.digest).toBe(index.digest);
    expect(result.platforms).toEqual(['linux/amd64', 'linux/arm64', 'linux/s390x']);
    const s = collector.finish();
    expect(s.blobs.copied).toBe(7); // base + 3 app layers + 3 configs
    expect(s.manifests.copied).toBe(4);
    const creds = { creds: credsOf(b) };
    expect((await skopeoInspectRaw(`docker://${b.host}/dst/app:1`, creds)).equals(index.manifest)).toBe(true);
    for (const arch of ['amd64', 'arm64', 's390x']) {
      const r = await runSkopeo([
        'inspect',
        '--tls-verify=false',
        '--creds',
        'testuser:testpass',
        '--override-arch',
        arch,
        `docker://${b.host}/dst/app:1`,
      ]);
      expect((JSON.parse(r.stdout.toString()) as { Architecture: string }).Architecture).toBe(arch);
    }
  });

  it('a warm copy does nothing, and a new tag of copied content skips every blob', async () => {
    const again = await copyImage(remote(a, 'src/app'), remote(b, 'dst/app'), '1', '1');
    expect(again.unchanged).toBe(true);
    const collector = new SummaryCollector();
    await copyImage(remote(a, 'src/app'), remote(b, 'dst/app'), '3', '3', { onEvent: collector.listener });
    const s = collector.finish();
    expect(s.blobs.copied).toBe(0);
    expect(s.bytes).toBe(0);
  });

  it('mounts blobs within one registry instead of transferring them', async () => {
    const collector = new SummaryCollector();
    await copyImage(remote(b, 'dst/app'), remote(b, 'dst/mirror'), '1', 'v1', {
      onEvent: collector.listener,
    });
    const s = collector.finish();
    expect(s.blobs.mounted).toBe(7);
    expect(s.blobs.copied).toBe(0);
  });

  it('--platform with one platform copies that image alone; with two, a filtered index', async () => {
    const one = await copyImage(remote(a, 'src/app'), remote(a, 'filtered/app'), '1', 'arm', {
      platforms: [{ os: 'linux', architecture: 'arm64' }],
    });
    expect(one.digest).toBe(images[1]!.digest);
    expect(one.mediaType).toBe(MediaType.OciManifest);
    const two = await copyImage(remote(a, 'src/app'), remote(a, 'filtered/app'), '1', 'two', {
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 's390x' },
      ],
    });
    expect(two.digest).not.toBe(index.digest);
    expect(two.platforms).toEqual(['linux/amd64', 'linux/s390x']);
    const raw = JSON.parse((await skopeoInspectRaw(`docker://${a.host}/filtered/app:two`)).toString()) as {
      manifests: { digest: string }[];
    };
    expect(raw.manifests.map((m) => m.digest)).toEqual([images[0]!.digest, images[2]!.digest]);
    await expect(
      copyImage(remote(a, 'src/app'), remote(a, 'filtered/app'), '1', 'x', {
        platforms: [{ os: 'windows', architecture: 'amd64' }],
      }),
    ).rejects.toThrow(/no windows\/amd64 image/);
  });

  it('--all-tags copies a repository and a re-run finds every tag identical', async () => {
    const first = await copyRepository(remote(a, 'src/app'), remote(b, 'all/app'));
    expect([...first.keys()]).toEqual(['1', '2', '3']);
    expect([...first.values()].every((r) => !r.unchanged)).toBe(true);
    const second = await copyRepository(remote(a, 'src/app'), remote(b, 'all/app'));
    expect([...second.values()].every((r) => r.unchanged)).toBe(true);
  });

  it('copies registry → OCI layout (read back by skopeo) and layout → registry', async () => {
    const dir = join(tmp, 'layout');
    const layout = await OciLayoutTarget.open(dir, { create: true });
    await copyImage(remote(a, 'src/app'), layout, '1', 'v1');
    const inspected = await skopeoInspect(`oci:${dir}:v1`);
    expect(inspected.Digest).toBe(index.digest);
    await copyImage(layout, remote(a, 'from-layout/app'), 'v1', 'v1');
    expect((await skopeoInspectRaw(`docker://${a.host}/from-layout/app:v1`)).equals(index.manifest)).toBe(
      true,
    );
  });

  it('pushes an OCI layout written by another tool (skopeo)', async () => {
    const dir = join(tmp, 'skopeo-layout');
    await skopeoCopy(`docker://${a.host}/src/app:2`, `oci:${dir}:t`);
    const layout = await OciLayoutTarget.open(dir);
    const r = await copyImage(layout, remote(a, 'pushed/app'), 't', 'latest');
    expect((await skopeoInspect(`docker://${a.host}/pushed/app:latest`)).Digest).toBe(r.digest);
  });

  it('dry-run walks and counts but writes nothing', async () => {
    const collector = new SummaryCollector();
    await copyImage(remote(a, 'src/app'), remote(a, 'dry/app'), '2', '2', {
      dryRun: true,
      onEvent: collector.listener,
    });
    expect(collector.finish().blobs.copied).toBeGreaterThan(0);
    await expect(client.repository(a.host, 'dry/app').tags()).rejects.toBeInstanceOf(NotFoundError);
  });

  it('converts to Docker v2s2 only when asked', async () => {
    const r = await copyImage(remote(a, 'src/app'), remote(a, 'converted/app'), '1', 'v2s2', {
      format: 'v2s2',
    });
    expect(r.mediaType).toBe(MediaType.DockerManifestList);
    expect(r.digest).not.toBe(index.digest);
    const raw = await skopeoInspectRaw(`docker://${a.host}/converted/app:v2s2`);
    expect(JSON.parse(raw.toString())).toMatchObject({ mediaType: MediaType.DockerManifestList });
    await skopeoCopy(`docker://${a.host}/converted/app:v2s2`, `oci:${join(tmp, 'conv')}:x`, { all: true });
  });

  it('copies cosign-style attachments and the referrers fallback index with --include-referrers', async () => {
    const sig = makeArtifact({
      subject: single,
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
      blobs: [{ data: 'sig', mediaType: 'text/plain' }],
    });
    const hexTag = single.digest.replace(':', '-');
    await pushImage(a.url, 'src/app', `${hexTag}.sig`, sig);
    const r = await copyImage(remote(a, 'src/app'), remote(a, 'signed/app'), '2', '2', {
      includeReferrers: true,
    });
    expect(r.referrers?.some((x) => x.startsWith(`${hexTag}.sig`))).toBe(true);
    expect((await skopeoInspectRaw(`docker://${a.host}/signed/app:${hexTag}.sig`)).equals(sig.manifest)).toBe(
      true,
    );
  });

  it('fails on an unknown tag and on a destination that refuses the credentials', async () => {
    await expect(copyImage(remote(a, 'src/app'), remote(a, 'x/app'), 'nope', 'nope')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const anon = testClient();
    try {
      const err = await copyImage(
        remote(a, 'src/app'),
        new RemoteTarget(anon.repository(b.host, 'denied/app')),
        '2',
        '2',
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
    } finally {
      await anon.close();
    }
  });

  it('refuses an oci: destination that is an unrelated non-empty directory', async () => {
    const dir = join(tmp, 'not-a-layout');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await expect(OciLayoutTarget.open(dir, { create: true })).rejects.toBeInstanceOf(UsageError);
    await expect(OciLayoutTarget.open(join(tmp, 'missing'))).rejects.toThrow(/not an OCI image layout/);
  });
});

describe.skipIf(!ok)('pull through the shared blob cache', () => {
  let reg: RunningRegistry;
  let client: RegistryClient;
  let tmp: string;
  const big = makeLayer({ 'big.bin': noise(300_000) });
  const v1 = makeImage({ layers: [big, { 'app.js': 'v1' }] });
  const v2 = makeImage({ layers: [big, { 'app.js': 'v2 — only this layer is new' }] });

  beforeAll(async () => {
    reg = await startRegistry();
    client = testClient();
    await pushImage(reg.url, 'app', 'v1', v1);
    await pushImage(reg.url, 'app', 'v2', v2);
    await pushImage(reg.url, 'multi', '1', index);
    tmp = makeTempDir('pull');
  });
  afterAll(async () => {
    await client?.close();
    await reg?.stop();
    if (tmp) removeTempDir(tmp);
  });

  it('a second pull sharing the base fetches only the missing blobs', async () => {
    const cacheDir = join(tmp, 'cache');
    const src = new RemoteTarget(client.repository(reg.host, 'app'));
    const first = await pullImage(
      src,
      'v1',
      await OciLayoutTarget.open(join(tmp, 'l1'), { create: true }),
      'v1',
      { cacheDir },
    );
    const second = await pullImage(
      src,
      'v2',
      await OciLayoutTarget.open(join(tmp, 'l2'), { create: true }),
      'v2',
      { cacheDir },
    );
    const firstBytes = v1.config.size + v1.layers.reduce((n, l) => n + l.size, 0);
    expect(first.cache.bytesFetched).toBe(firstBytes);
    expect(second.cache.bytesFetched).toBe(v2.config.size + v2.layers[1]!.size);
    expect(second.cache.bytesFetched / first.cache.bytesFetched).toBeLessThan(0.15);
    expect((await skopeoInspect(`oci:${join(tmp, 'l2')}:v2`)).Digest).toBe(v2.digest);
  });

  it('re-verifies cached blobs: a corrupted entry is dropped and fetched again', async () => {
    const cacheDir = join(tmp, 'cache2');
    const src = new RemoteTarget(client.repository(reg.host, 'app'));
    await pullImage(src, 'v1', await OciLayoutTarget.open(join(tmp, 'c1'), { create: true }), 'v1', {
      cacheDir,
    });
    const entry = join(cacheDir, 'sha256', big.digest.slice(7));
    writeFileSync(entry, Buffer.alloc(big.size, 0));
    const again = await pullImage(
      src,
      'v1',
      await OciLayoutTarget.open(join(tmp, 'c2'), { create: true }),
      'v1',
      { cacheDir },
    );
    expect(again.cache.bytesFetched).toBe(big.size);
    expect((await skopeoInspect(`oci:${join(tmp, 'c2')}:v1`)).Digest).toBe(v1.digest);
  });

  it('writes a docker-archive that skopeo reads, picking the requested platform', async () => {
    const file = join(tmp, 'image.tar');
    const src = new RemoteTarget(client.repository(reg.host, 'multi'));
    const r = await pullToArchive(
      src,
      '1',
      {
        transport: 'docker-archive',
        file,
        ref: { registry: 'docker.io', repository: 'library/demo', tag: '1' },
      },
      {
        cacheDir: join(tmp, 'cache'),
        platforms: [{ os: 'linux', architecture: 'arm64' }],
      },
    );
    expect(r.digest).toBe(images[1]!.digest);
    expect(r.repoTags).toEqual(['demo:1']);
    const inspected = await skopeoInspect(`docker-archive:${file}`);
    expect((inspected as unknown as { Architecture: string }).Architecture).toBe('arm64');
    await skopeoCopy(`docker-archive:${file}`, `oci:${join(tmp, 'from-archive')}:x`);
    expect(readdirSync(tmp).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });
});
