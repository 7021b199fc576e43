/**
 * Protocol paths that distribution 2.8 cannot exercise by itself, driven through the fault proxy
 * in front of the real registry: an OCI 1.1 referrers API (with paging and filters), and
 * `OCI-Chunk-Min-Length` on chunked uploads. Plus CA trust from the CLI's point of view.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { makeImage, makeLayer, pushImage } from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { requireTool } from '../support/tools.js';
import { runCli } from '../support/cli.js';
import { testClient } from '../support/client.js';
import { Agent } from 'undici';
import { MediaType } from '../../src/oci/media-types.js';
import type { RegistryClient } from '../../src/registry/client.js';

const haveRegistry = requireTool('docker-registry');
const subject = makeImage({ layers: [{ 's.txt': 'subject' }] });

function referrerIndex(entries: { digest: string; artifactType: string }[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: entries.map((e) => ({
      mediaType: MediaType.OciManifest,
      digest: e.digest,
      size: 100,
      artifactType: e.artifactType,
    })),
  });
}
const sigDigest = `sha256:${'1'.repeat(64)}`;
const sbomDigest = `sha256:${'2'.repeat(64)}`;

describe.skipIf(!haveRegistry)('protocol features behind the proxy', () => {
  let reg: RunningRegistry;
  let proxy: FaultProxy;
  let client: RegistryClient;

  beforeAll(async () => {
    reg = await startRegistry();
    await pushImage(reg.url, 'p/app', '1', subject);
    proxy = await startFaultProxy(reg.url);
    client = testClient();
  });
  afterAll(async () => {
    await client?.close();
    await proxy?.stop();
    await reg?.stop();
  });

  it('uses the referrers API when the registry has one, following Link pages', async () => {
    const path = new RegExp(`/v2/p/app/referrers/${subject.digest}(\\?artifactType=[^&]+)?$`);
    proxy.setRules([
      {
        method: 'GET',
        path,
        respond: {
          status: 200,
          body: referrerIndex([
            { digest: sigDigest, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' },
          ]),
          headers: {
            'content-type': MediaType.OciIndex,
            link: `</v2/p/app/referrers/${subject.digest}?page=2>; rel="next"`,
          },
        },
      },
      {
        method: 'GET',
        path: /\/referrers\/.*\?page=2$/,
        respond: {
          status: 200,
          body: referrerIndex([{ digest: sbomDigest, artifactType: 'application/spdx+json' }]),
          headers: { 'content-type': MediaType.OciIndex },
        },
      },
    ]);
    const repo = client.repository(proxy.host, 'p/app');
    const all = await repo.referrers(subject.digest);
    expect(all.via).toBe('api');
    expect(all.descriptors.map((d) => d.digest)).toEqual([sigDigest, sbomDigest]);
    // The registry ignored artifactType here (no OCI-Filters-Applied): we filter ourselves.
    const sboms = await repo.referrers(subject.digest, { artifactType: 'application/spdx+json' });
    expect(sboms.descriptors.map((d) => d.digest)).toEqual([sbomDigest]);
    expect(proxy.requests.some((r) => r.path.includes('artifactType=application%2Fspdx%2Bjson'))).toBe(true);
    // No fallback tag was consulted.
    expect(proxy.requests.some((r) => r.path.includes('/manifests/sha256-'))).toBe(false);
  });

  it('raises chunks to the registry’s OCI-Chunk-Min-Length', async () => {
    const min = 64 * 1024;
    proxy.setRules([
      {
        method: 'POST',
        path: /\/v2\/p\/chunks\/blobs\/uploads\/$/,
        responseHeaders: { set: { 'oci-chunk-min-length': String(min) } },
      },
    ]);
    const mark = proxy.requests.length;
    const blob = makeLayer({ 'c.bin': Buffer.alloc(200 * 1024, 3) }, { compression: 'none' });
    const repo = client.repository(proxy.host, 'p/chunks');
    expect(
      await repo.pushBlob(blob, { size: blob.size, open: () => blob.data }, { chunkSize: 16 * 1024 }),
    ).toBe('uploaded');
    const patches = proxy.requests.slice(mark).filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(Math.ceil(blob.size / min));
    expect(await repo.headBlob(blob.digest)).toBe(blob.size);
  });
});

describe.skipIf(!haveRegistry || !requireTool('openssl'))('CA trust in the CLI', () => {
  let reg: RunningRegistry;
  let home: string;
  beforeAll(async () => {
    reg = await startRegistry({ tls: true });
    await pushImage(reg.url, 'tls/app', '1', subject, {
      fetchOptions: { dispatcher: new Agent({ connect: { ca: reg.caPem } }) },
    });
    home = makeTempDir('cli-ca');
  });
  afterAll(async () => {
    await reg?.stop();
    if (home) removeTempDir(home);
  });

  it('fails without the CA (exit 5), works with --ca-file and with NODE_EXTRA_CA_CERTS', async () => {
    const ref = `${reg.host}/tls/app:1`;
    const bare = await runCli(['inspect', '--json', ref], { home });
    expect(bare.code).toBe(5);
    expect(bare.stderr).toMatch(/TLS verification failed/);
    const withFlag = await runCli(['inspect', '--json', '--ca-file', reg.caFile!, ref], { home });
    expect(withFlag.code).toBe(0);
    expect((JSON.parse(withFlag.stdout) as { digest: string }).digest).toBe(subject.digest);
    const withEnv = await runCli(['inspect', '--json', ref], {
      home,
      env: { NODE_EXTRA_CA_CERTS: reg.caFile! },
    });
    expect(withEnv.code).toBe(0);
  });

  it('accepts the CA from the config file for that registry', async () => {
    writeFileSync(
      join(home, 'ghcr-optimize.yaml'),
      `registries:\n  "${reg.host}":\n    caFile: ${reg.caFile!}\n`,
    );
    const res = await runCli(['tags', `${reg.host}/tls/app`], { home });
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe('1');
  });
});
