/**
 * The registry client against the real CNCF registry (docker-registry 2.8) on 127.0.0.1: reads,
 * writes, pagination quirks, uploads, mounts, deletes and the referrers fallback, cross-checked
 * against skopeo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { makeArtifact, makeImage, makeIndex, makeLayer, pushImage } from '../support/fixtures.js';
import { skopeoInspect, skopeoListTags, skopeoInspectRaw } from '../support/skopeo.js';
import { requireTool } from '../support/tools.js';
import { testClient } from '../support/client.js';
import { computeDigest } from '../../src/oci/digest.js';
import { MediaType } from '../../src/oci/media-types.js';
import { NotFoundError, ProtocolError } from '../../src/errors.js';
import { referrersFallbackTag, type RegistryClient } from '../../src/registry/client.js';

const haveRegistry = requireTool('docker-registry');
const haveSkopeo = requireTool('skopeo');

describe.skipIf(!haveRegistry)('registry client against docker-registry', () => {
  let reg: RunningRegistry;
  let client: RegistryClient;
  const amd = makeImage({
    architecture: 'amd64',
    layers: [{ 'a.txt': 'amd64 layer' }],
    config: { config: { User: '1000', Labels: { x: 'y' } } },
  });
  const arm = makeImage({ architecture: 'arm64', variant: 'v8', layers: [{ 'a.txt': 'arm64 layer' }] });
  const index = makeIndex([amd, arm]);
  const docker = makeImage({ mediaTypes: 'docker', layers: [{ 'd.txt': 'docker' }] });

  beforeAll(async () => {
    reg = await startRegistry();
    client = testClient();
    await pushImage(reg.url, 'team/multi', '1', index);
    await pushImage(reg.url, 'team/multi', 'latest', index);
    await pushImage(reg.url, 'team/docker', 'v2s2', docker);
    for (const t of ['b', 'c', 'e', 'a', 'd']) await pushImage(reg.url, 'team/many', t, amd);
  });
  afterAll(async () => {
    await client?.close();
    await reg?.stop();
  });

  it('pings /v2/ and reports the API version of an open registry', async () => {
    const ping = await client.ping(reg.host);
    expect(ping.status).toBe(200);
    expect(ping.apiVersion).toBe('registry/2.0');
    expect(ping.authScheme).toBeUndefined();
  });

  it('lists tags even though distribution ignores n/last, and sorts nothing away', async () => {
    const tags = await client.repository(reg.host, 'team/many').tags();
    expect([...tags].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it.skipIf(!haveSkopeo)('agrees with skopeo list-tags', async () => {
    const ours = await client.repository(reg.host, 'team/many').tags();
    const theirs = await skopeoListTags(`docker://${reg.host}/team/many`);
    expect([...ours].sort()).toEqual([...theirs].sort());
  });

  it('follows Link pagination of the catalog', async () => {
    // distribution honours n on _catalog; force tiny pages through the paginator.
    const repos = await client.paginate(
      reg.host,
      ['registry:catalog:*'],
      '/v2/_catalog?n=1',
      'repositories',
      'catalog',
    );
    expect(repos.sort()).toEqual(['team/docker', 'team/many', 'team/multi']);
  });

  it('GETs an index by tag byte-for-byte, with the digest computed from the bytes', async () => {
    const m = await client.repository(reg.host, 'team/multi').getManifest('1');
    expect(m.bytes.equals(index.manifest)).toBe(true);
    expect(m.descriptor.digest).toBe(index.digest);
    expect(m.parsed.kind).toBe('index');
  });

  it.skipIf(!haveSkopeo)('resolves the same digest and raw bytes as skopeo', async () => {
    const repo = client.repository(reg.host, 'team/multi');
    const head = await repo.headManifest('1');
    const s = await skopeoInspect(`docker://${reg.host}/team/multi:1`);
    expect(head?.digest).toBe(s.Digest);
    const raw = await skopeoInspectRaw(`docker://${reg.host}/team/docker:v2s2`);
    const ours = await client.repository(reg.host, 'team/docker').getManifest('v2s2');
    expect(ours.bytes.equals(raw)).toBe(true);
    expect(ours.descriptor.mediaType).toBe(MediaType.DockerManifest);
  });

  it('HEADs manifests and blobs, and says undefined for missing ones', async () => {
    const repo = client.repository(reg.host, 'team/multi');
    expect(await repo.headManifest(amd.digest)).toMatchObject({
      digest: amd.digest,
      size: amd.size,
      mediaType: MediaType.OciManifest,
    });
    expect(await repo.headManifest('no-such-tag')).toBeUndefined();
    expect(await repo.headBlob(amd.layers[0]!.digest)).toBe(amd.layers[0]!.size);
    expect(await repo.headBlob(computeDigest('nothing'))).toBeUndefined();
  });

  it('maps a missing tag and a missing repository to NotFoundError', async () => {
    await expect(client.repository(reg.host, 'team/multi').getManifest('nope')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(client.repository(reg.host, 'team/absent').tags()).rejects.toThrow(/repository not found/);
  });

  it('streams a blob verified against its digest', async () => {
    const layer = amd.layers[0]!;
    const bytes = await client.repository(reg.host, 'team/multi').getBlobBytes(layer);
    expect(bytes.equals(layer.data)).toBe(true);
  });

  it('uploads monolithically and in chunks, then reads back', async () => {
    const repo = client.repository(reg.host, 'team/upload');
    const big = makeLayer({ 'big.bin': Buffer.alloc(300_000, 7) }, { compression: 'none' });
    expect(await repo.pushBlob(big, { size: big.size, open: () => big.data })).toBe('uploaded');
    const other = makeLayer({ 'other.bin': Buffer.from('x'.repeat(100_000)) }, { compression: 'none' });
    expect(
      await repo.pushBlob(other, { size: other.size, open: () => other.data }, { chunkSize: 32 * 1024 }),
    ).toBe('uploaded');
    expect(await repo.headBlob(big.digest)).toBe(big.size);
    expect((await repo.getBlobBytes(other, 1 << 20)).equals(other.data)).toBe(true);
  });

  it('mounts a blob from another repository instead of uploading it', async () => {
    const layer = arm.layers[0]!;
    const repo = client.repository(reg.host, 'team/mounted');
    let opened = 0;
    const result = await repo.pushBlob(
      layer,
      { size: layer.size, open: () => (opened++, layer.data) },
      { mountFrom: ['team/multi'] },
    );
    expect(result).toBe('mounted');
    expect(opened).toBe(0);
    expect(await repo.headBlob(layer.digest)).toBe(layer.size);
  });

  it('falls back to a normal upload when the mount source lacks the blob', async () => {
    const fresh = makeLayer({ 'fresh.txt': 'never pushed before' });
    const repo = client.repository(reg.host, 'team/mounted');
    const result = await repo.pushBlob(
      fresh,
      { size: fresh.size, open: () => fresh.data },
      { mountFrom: ['team/multi'] },
    );
    expect(result).toBe('uploaded');
    expect(await repo.headBlob(fresh.digest)).toBe(fresh.size);
  });

  it('pushes a manifest, deletes the tag (falling back to the digest) and sees tags: null as []', async () => {
    const repo = client.repository(reg.host, 'team/deleteme');
    for (const b of [amd.config, ...amd.layers]) await repo.pushBlob(b, { size: b.size, open: () => b.data });
    const put = await repo.putManifest('gone', amd.manifest, amd.mediaType);
    expect(put.digest).toBe(amd.digest);
    expect(await repo.tags()).toEqual(['gone']);
    await expect(repo.deleteManifest('gone')).rejects.toThrow(
      /HTTP 400|DIGEST_INVALID|unsupported|not support/i,
    );
    const del = await repo.deleteManifest('gone', { fallbackToDigest: true });
    expect(del).toEqual({ deleted: amd.digest, viaDigest: true });
    expect(await repo.tags()).toEqual([]);
    expect(await repo.headManifest(amd.digest)).toBeUndefined();
  });

  it('finds referrers through the sha256-<hex> tag fallback (2.8 has no referrers API)', async () => {
    const repo = client.repository(reg.host, 'team/multi');
    const sig = makeArtifact({
      subject: amd,
      artifactType: 'application/vnd.example.signature',
      blobs: [{ data: 'sig', mediaType: 'text/plain' }],
    });
    const sbom = makeArtifact({
      subject: amd,
      artifactType: 'application/spdx+json',
      blobs: [{ data: '{}', mediaType: 'application/spdx+json' }],
    });
    await pushImage(reg.url, 'team/multi', sig.digest, sig);
    await pushImage(reg.url, 'team/multi', sbom.digest, sbom);
    expect(await repo.referrers(amd.digest)).toEqual({ descriptors: [], via: 'tag' });
    const fallback = makeIndex([], {});
    const withEntries = JSON.parse(fallback.manifest.toString()) as { manifests: unknown[] };
    withEntries.manifests = [
      {
        mediaType: MediaType.OciManifest,
        digest: sig.digest,
        size: sig.size,
        artifactType: sig.artifactType,
      },
      {
        mediaType: MediaType.OciManifest,
        digest: sbom.digest,
        size: sbom.size,
        artifactType: sbom.artifactType,
      },
    ];
    const bytes = Buffer.from(JSON.stringify(withEntries));
    await repo.putManifest(referrersFallbackTag(amd.digest), bytes, MediaType.OciIndex);
    const all = await repo.referrers(amd.digest);
    expect(all.via).toBe('tag');
    expect(all.descriptors.map((d) => d.digest).sort()).toEqual([sig.digest, sbom.digest].sort());
    const sigs = await repo.referrers(amd.digest, { artifactType: 'application/vnd.example.signature' });
    expect(sigs.descriptors.map((d) => d.digest)).toEqual([sig.digest]);
  });

  it('rejects a server that is not a registry', async () => {
    await expect(client.ping('127.0.0.1:9')).rejects.toThrow(/connection refused/);
  });

  it('refuses to treat a 404 /v2/ as a registry', async () => {
    const { startV2NotFound } = await import('../support/fault-proxy.js');
    const srv = await startV2NotFound();
    try {
      await expect(client.ping(srv.host)).rejects.toBeInstanceOf(ProtocolError);
    } finally {
      await srv.stop();
    }
  });
});
