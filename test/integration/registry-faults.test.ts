/**
 * Reliability against a fault-injecting proxy in front of the real registry: 429/503 with
 * Retry-After, corrupted bytes, cut connections (resume with Range), oversized manifests, and
 * that nothing half-written survives a failure.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { startFaultProxy, startNotARegistry, type FaultProxy } from '../support/fault-proxy.js';
import { makeImage, makeLayer, pushImage } from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { requireTool } from '../support/tools.js';
import { testClient } from '../support/client.js';
import { IntegrityError, ProtocolError, RegistryError } from '../../src/errors.js';
import { OciLayoutTarget } from '../../src/content/oci-layout.js';
import type { RegistryClient } from '../../src/registry/client.js';

const haveRegistry = requireTool('docker-registry');
// Incompressible, so the gzip'd layer is big enough to cut in the middle.
const noise = Buffer.from(Array.from({ length: 400_000 }, (_, i) => (i * 2654435761) >>> 24));
const image = makeImage({ layers: [{ 'noise.bin': noise }] });
const layer = image.layers[0]!;
const layerDesc = { mediaType: layer.mediaType, digest: layer.digest, size: layer.size };

describe.skipIf(!haveRegistry)('faults between client and registry', () => {
  let reg: RunningRegistry;
  let proxy: FaultProxy;
  let client: RegistryClient;

  beforeAll(async () => {
    reg = await startRegistry();
    await pushImage(reg.url, 'f/app', '1', image);
    proxy = await startFaultProxy(reg.url);
  });
  beforeEach(() => {
    proxy.setRules([]);
  });
  afterAll(async () => {
    await client?.close();
    await proxy?.stop();
    await reg?.stop();
  });
  beforeAll(() => {
    client = testClient();
  });

  it('retries 429 with Retry-After and then succeeds', async () => {
    proxy.setRules([
      { method: 'GET', path: /\/manifests\/1$/, times: 2, respond: { status: 429, retryAfter: 1 } },
    ]);
    const m = await client.repository(proxy.host, 'f/app').getManifest('1');
    expect(m.descriptor.digest).toBe(image.digest);
    expect(proxy.applied[0]).toBe(2);
  });

  it('honours an HTTP-date Retry-After on 503', async () => {
    proxy.setRules([
      {
        method: 'HEAD',
        path: /\/blobs\//,
        times: 1,
        respond: { status: 503, retryAfter: new Date(Date.now() + 1000) },
      },
    ]);
    expect(await client.repository(proxy.host, 'f/app').headBlob(layer.digest)).toBe(layer.size);
    expect(proxy.applied[0]).toBe(1);
  });

  it('gives up after the retry budget with a RegistryError', async () => {
    proxy.setRules([
      { method: 'GET', path: /\/tags\/list/, respond: { status: 503, body: 'down for maintenance' } },
    ]);
    const err = await client
      .repository(proxy.host, 'f/app')
      .tags()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).status).toBe(503);
    expect(proxy.applied[0]).toBe(5); // first try + 4 retries (test policy)
  });

  it('does not retry a 404', async () => {
    proxy.setRules([
      {
        method: 'GET',
        path: /\/manifests\/missing$/,
        respond: {
          status: 404,
          body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}',
        },
      },
    ]);
    await expect(client.repository(proxy.host, 'f/app').getManifest('missing')).rejects.toThrow(/not found/);
    expect(proxy.applied[0]).toBe(1);
  });

  it('detects one corrupted byte in a blob, and writes nothing to a layout', async () => {
    proxy.setRules([{ method: 'GET', path: /\/blobs\//, respond: undefined, corruptByte: 'middle' }]);
    const dir = makeTempDir('faults-layout');
    try {
      const layout = await OciLayoutTarget.open(dir, { create: true });
      const remote = client.repository(proxy.host, 'f/app');
      const err = await layout
        .pushBlob(layerDesc, { size: layer.size, open: () => remote.getBlob(layer) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IntegrityError);
      expect((err as Error).message).toMatch(/digest mismatch/);
      const files = readdirSync(join(dir, 'blobs', 'sha256'));
      expect(files).toEqual([]); // neither the blob nor a temp file
      expect(existsSync(layout.blobPath(layer.digest))).toBe(false);
    } finally {
      removeTempDir(dir);
    }
  });

  it('detects a corrupted manifest fetched by digest', async () => {
    proxy.setRules([{ method: 'GET', path: new RegExp(`/manifests/${image.digest}$`), corruptByte: 3 }]);
    await expect(client.repository(proxy.host, 'f/app').getManifest(image.digest)).rejects.toBeInstanceOf(
      IntegrityError,
    );
  });

  it('resumes a blob download cut mid-body with a Range request', async () => {
    proxy.setRules([{ method: 'GET', path: /\/blobs\//, times: 1, cutAfter: Math.floor(layer.size / 3) }]);
    const mark = proxy.requests.length;
    const bytes = await client.repository(proxy.host, 'f/app').getBlobBytes(layer, 1 << 20);
    expect(bytes.equals(layer.data)).toBe(true);
    const gets = proxy.requests.slice(mark).filter((r) => r.method === 'GET' && r.path.includes('/blobs/'));
    expect(gets).toHaveLength(2);
    expect(gets[1]!.range).toBe(`bytes=${Math.floor(layer.size / 3)}-`);
  });

  it('refuses a manifest over the 4 MiB limit without buffering it', async () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, 0x20);
    proxy.setRules([
      {
        method: 'GET',
        path: /\/manifests\/huge$/,
        respond: {
          status: 200,
          body: huge,
          headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
        },
      },
    ]);
    const err = await client
      .repository(proxy.host, 'f/app')
      .getManifest('huge')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(/limit/);
  });

  it('retries a monolithic upload after a 503 by re-opening the source', async () => {
    proxy.setRules([{ method: 'PUT', path: /\/blobs\/uploads\//, times: 1, respond: { status: 503 } }]);
    const fresh = makeLayer({ 'retry.txt': 'upload retried' });
    let opened = 0;
    const result = await client.repository(proxy.host, 'f/up').pushBlob(fresh, {
      size: fresh.size,
      open: () => {
        opened++;
        return fresh.data;
      },
    });
    expect(result).toBe('uploaded');
    expect(opened).toBe(2);
  });

  it('reports a server that is not a registry as ProtocolError', async () => {
    const srv = await startNotARegistry();
    try {
      const err = await client.ping(srv.host).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as Error).message).toMatch(/does not look like an OCI registry/);
    } finally {
      await srv.stop();
    }
  });
});
