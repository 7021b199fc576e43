/**
 * Transfers under faults: corrupted bytes, cut connections, 503s, cancellation and re-runs,
 * unwritable and full destinations — through the CLI where the exit code matters.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { makeImage, makeLayer, pushImage, noise } from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { requireTool, whichTool } from '../support/tools.js';
import { runCli } from '../support/cli.js';
import { testClient } from '../support/client.js';
import { IntegrityError } from '../../src/errors.js';
import { RemoteTarget } from '../../src/content/remote.js';
import { OciLayoutTarget } from '../../src/content/oci-layout.js';
import { copyImage } from '../../src/transfer/copy.js';
import { SummaryCollector } from '../../src/transfer/events.js';
import type { RegistryClient } from '../../src/registry/client.js';

const ok = requireTool('docker-registry') && requireTool('skopeo');

const layers = [1, 2, 3, 4].map((seed) => makeLayer({ [`blob-${seed}.bin`]: noise(200_000, seed * 7919) }));
const image = makeImage({ layers });

function tempFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.startsWith('.tmp-')) found.push(join(d, e.name));
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

describe.skipIf(!ok)('transfers under faults', () => {
  let src: RunningRegistry;
  let dst: RunningRegistry;
  let proxy: FaultProxy;
  let client: RegistryClient;
  let tmp: string;

  beforeAll(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
    await pushImage(src.url, 'app', '1', image);
    proxy = await startFaultProxy(src.url);
    client = testClient();
    tmp = makeTempDir('transfer-faults');
  });
  beforeEach(() => proxy.setRules([]));
  afterAll(async () => {
    await client?.close();
    await proxy?.stop();
    await Promise.all([src?.stop(), dst?.stop()]);
    if (tmp) removeTempDir(tmp);
  });

  it('a corrupted blob fails the copy and nothing is tagged at the destination', async () => {
    proxy.setRules([{ method: 'GET', path: new RegExp(layers[2]!.digest.slice(7)), corruptByte: 'middle' }]);
    const to = new RemoteTarget(client.repository(dst.host, 'corrupt/app'));
    const err = await copyImage(new RemoteTarget(client.repository(proxy.host, 'app')), to, '1', '1').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect(await client.repository(dst.host, 'corrupt/app').headManifest('1')).toBeUndefined();
    expect(await client.repository(dst.host, 'corrupt/app').headBlob(layers[2]!.digest)).toBeUndefined();
  });

  it('resumes a blob cut mid-transfer and retries 503 with Retry-After', async () => {
    proxy.setRules([
      { method: 'GET', path: new RegExp(layers[0]!.digest.slice(7)), times: 1, cutAfter: 50_000 },
      {
        method: 'GET',
        path: new RegExp(layers[1]!.digest.slice(7)),
        times: 1,
        respond: { status: 503, retryAfter: 1 },
      },
    ]);
    const collector = new SummaryCollector();
    const r = await copyImage(
      new RemoteTarget(client.repository(proxy.host, 'app')),
      new RemoteTarget(client.repository(dst.host, 'faulty/app')),
      '1',
      '1',
      { onEvent: collector.listener },
    );
    expect(r.digest).toBe(image.digest);
    expect(proxy.applied).toEqual([1, 1]);
    // Resumed with Range from where the copy had got to: at most the 50,000 bytes sent before the
    // cut (a registry→registry copy may not have consumed them all when the cut is noticed).
    const resumedAt = proxy.requests.map((req) => /^bytes=(\d+)-$/.exec(req.range ?? '')?.[1]);
    expect(resumedAt.some((at) => at !== undefined && Number(at) > 0 && Number(at) <= 50_000)).toBe(true);
    expect(collector.finish().blobs.copied).toBe(5);
  });

  it('cancellation leaves no half-written file, and a re-run finishes what was missing', async () => {
    const dir = join(tmp, 'cancelled');
    const layout = await OciLayoutTarget.open(dir, { create: true });
    proxy.setRules([{ method: 'GET', path: new RegExp(layers[3]!.digest.slice(7)), delayMs: 1500 }]);
    const controller = new AbortController();
    const collector = new SummaryCollector();
    const onEvent = (e: Parameters<typeof collector.listener>[0]): void => {
      collector.listener(e);
      if (e.type === 'blob-done' && collector.summary.blobs.copied >= 3) controller.abort();
    };
    const from = new RemoteTarget(client.repository(proxy.host, 'app'));
    await expect(
      copyImage(from, layout, '1', '1', { signal: controller.signal, onEvent, concurrency: 2 }),
    ).rejects.toThrow();
    expect(tempFiles(dir)).toEqual([]);
    expect(await layout.tags()).toEqual([]);
    proxy.setRules([]);
    const rerun = new SummaryCollector();
    await copyImage(from, layout, '1', '1', { onEvent: rerun.listener });
    const s = rerun.finish();
    expect(s.blobs.skipped).toBeGreaterThanOrEqual(3);
    expect(s.blobs.copied + s.blobs.skipped).toBe(5);
    expect(await layout.tags()).toEqual(['1']);
  });

  it('CLI: an unwritable --output is one line and exit code 11', async () => {
    const home = makeTempDir('cli-home');
    try {
      // Tests run as root, so permissions cannot make a path unwritable; a file in the way can.
      const blocker = join(home, 'a-file');
      writeFileSync(blocker, 'not a directory');
      const r = await runCli(
        ['pull', `${src.host}/app:1`, '--output', `oci:${blocker}/layout:1`, '--cache', join(home, 'c')],
        { home },
      );
      expect(r.code).toBe(11);
      expect(r.stderrLines[0]).toMatch(/^error: cannot .*a-file.*not a directory \(ENOTDIR\)/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      removeTempDir(home);
    }
  });

  it.skipIf(process.getuid?.() !== 0 || !whichTool('unshare'))(
    'CLI: a full disk is one line and exit code 11, with no partial blob',
    async () => {
      const home = makeTempDir('cli-full');
      try {
        const mnt = join(home, 'small');
        mkdirSync(mnt);
        // A 256 KiB tmpfs in a private mount namespace: the 800 KB image cannot fit.
        // After the run, list any temp file left behind (the mount vanishes with the namespace).
        const script = `mount -t tmpfs -o size=256k tmpfs '${mnt}' || exit 99; "$@"; rc=$?; find '${mnt}' -name '.tmp-*' -printf 'LEFTOVER %p\\n' >&2; exit $rc`;
        const r = await runCli(
          ['pull', `${src.host}/app:1`, '--output', `oci:${mnt}/layout:1`, '--cache', join(mnt, 'cache')],
          {
            home,
            wrap: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh'],
          },
        );
        expect(r.code, r.stderr).toBe(11);
        expect(r.stderrLines[0]).toMatch(/no space left on the device \(ENOSPC\)/);
        expect(r.stderr).not.toContain('LEFTOVER');
      } finally {
        removeTempDir(home);
      }
    },
  );
});

describe.skipIf(!ok)('existence checks against the destination', () => {
  let src: RunningRegistry;
  let dst: RunningRegistry;
  let proxy: FaultProxy;
  let client: RegistryClient;

  beforeAll(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
    await pushImage(src.url, 'app', '1', image);
    proxy = await startFaultProxy(dst.url);
    client = testClient();
  });
  afterAll(async () => {
    await client?.close();
    await proxy?.stop();
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  it('a cold copy costs the destination one POST and one PUT per blob and one manifest PUT', async () => {
    const from = new RemoteTarget(client.repository(src.host, 'app'));
    const mark = proxy.requests.length;
    await copyImage(from, new RemoteTarget(client.repository(proxy.host, 'counted/app')), '1', '1');
    const sent = proxy.requests.slice(mark);
    const count = (method: string, part: string): number =>
      sent.filter((r) => r.method === method && r.path.includes(part)).length;
    const blobs = layers.length + 1;
    expect(count('POST', '/blobs/uploads/')).toBe(blobs);
    expect(count('PUT', '/blobs/uploads/')).toBe(blobs);
    expect(count('PATCH', '/blobs/uploads/')).toBe(0);
    // Written once, by tag (which stores it under its digest too), not by digest and then by tag.
    expect(sent.filter((r) => r.method === 'PUT' && r.path.includes('/manifests/'))).toEqual([
      expect.objectContaining({ path: '/v2/counted/app/manifests/1', status: 201 }),
    ]);
    expect(await client.repository(dst.host, 'counted/app').headManifest(image.digest)).toMatchObject({
      digest: image.digest,
    });
  });

  it('skips per-blob HEADs for a repository that does not exist yet, and checks an existing one', async () => {
    const from = new RemoteTarget(client.repository(src.host, 'app'));
    const heads = (mark: number): number =>
      proxy.requests.slice(mark).filter((r) => r.method === 'HEAD' && r.path.includes('/blobs/')).length;
    let mark = proxy.requests.length;
    await copyImage(from, new RemoteTarget(client.repository(proxy.host, 'fresh/app')), '1', '1');
    expect(heads(mark)).toBe(0);
    mark = proxy.requests.length;
    const collector = new SummaryCollector();
    await copyImage(from, new RemoteTarget(client.repository(proxy.host, 'fresh/app')), '1', '2', {
      onEvent: collector.listener,
    });
    // The manifest is already there, so its whole subgraph is skipped without a blob HEAD either.
    expect(collector.finish().manifests.skipped).toBe(1);
    expect(heads(mark)).toBe(0);
    // A new image sharing layers, into the now existing repository: its blobs are checked and skipped.
    const sibling = makeImage({
      layers: [...layers.slice(0, 2), makeLayer({ 'new.txt': 'only this is new' })],
    });
    await pushImage(src.url, 'app', 'sibling', sibling);
    mark = proxy.requests.length;
    const again = new SummaryCollector();
    await copyImage(
      from,
      new RemoteTarget(client.repository(proxy.host, 'fresh/app')),
      'sibling',
      'sibling',
      { onEvent: again.listener },
    );
    expect(heads(mark)).toBe(4); // config + 3 layers
    expect(again.finish().blobs.skipped).toBe(2);
  });
});
