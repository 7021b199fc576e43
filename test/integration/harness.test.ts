import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFaultProxy, startNotARegistry, startV2NotFound } from '../support/fault-proxy.js';
import {
  MediaType,
  makeArtifact,
  makeImage,
  makeIndex,
  makeLayer,
  pushImage,
  sha256,
  writeOciLayout,
} from '../support/fixtures.js';
import type { Image } from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { credsOf, startRegistry } from '../support/registry.js';
import type { RunningRegistry } from '../support/registry.js';
import { skopeoCopy, skopeoInspect, skopeoInspectRaw, skopeoListTags } from '../support/skopeo.js';
import { defaultGrants } from '../support/token-server.js';
import { requireTool } from '../support/tools.js';

const execFileP = promisify(execFile);

const haveRegistry = requireTool('docker-registry') && requireTool('openssl') && requireTool('htpasswd');
const haveSkopeo = requireTool('skopeo');

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const MANIFEST_ACCEPT = [
  MediaType.ociManifest,
  MediaType.ociIndex,
  MediaType.dockerManifest,
  MediaType.dockerManifestList,
].join(', ');

function smallImage(tag: string): Image {
  return makeImage({
    layers: [{ 'etc/': '', 'etc/motd': `hello ${tag}\n` }, { 'app/data.bin': Buffer.alloc(4096, 7) }],
    config: { config: { Labels: { fixture: tag } } },
  });
}

async function getManifest(base: string, repo: string, ref: string, init: RequestInit = {}) {
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, {
    ...init,
    headers: { accept: MANIFEST_ACCEPT, ...(init.headers as Record<string, string>) },
  });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

describe('test utilities without external tools', () => {
  it('requireTool returns false for a missing tool locally and throws in CI', () => {
    vi.stubEnv('CI', 'false');
    expect(requireTool('ghcr-optimize-no-such-tool')).toBe(false);
    vi.stubEnv('CI', 'true');
    expect(() => requireTool('ghcr-optimize-no-such-tool')).toThrow(/not installed/);
    vi.unstubAllEnvs();
  });

  it('builds deterministic images whose digests cover the exact bytes', () => {
    const a = smallImage('x');
    const b = smallImage('x');
    expect(a.manifest.equals(b.manifest)).toBe(true);
    expect(a.digest).toBe(sha256(a.manifest));
    expect(a.layers[0]!.digest).toBe(sha256(a.layers[0]!.data));
    const config = JSON.parse(a.config.data.toString()) as { rootfs: { diff_ids: string[] } };
    // diff_ids are digests of the uncompressed tars, layer digests of the gzip'd bytes.
    expect(config.rootfs.diff_ids).toEqual(a.layers.map((l) => sha256(gunzipSync(l.data))));
    const docker = makeImage({ mediaTypes: 'docker', layers: [makeLayer({ f: 'x' })] });
    expect(JSON.parse(docker.manifest.toString())).toMatchObject({
      mediaType: MediaType.dockerManifest,
      config: { mediaType: MediaType.dockerConfig },
      layers: [{ mediaType: MediaType.dockerLayerGzip }],
    });
  });

  it.skipIf(!requireTool('tar'))(
    'writes tar layers that GNU tar reads (files, dirs, symlinks, long paths)',
    async () => {
      const longPath = `${'deep/'.repeat(30)}file.txt`;
      const layer = makeLayer([
        { type: 'dir', path: 'etc' },
        { type: 'file', path: 'etc/hosts', data: '127.0.0.1 localhost\n' },
        { type: 'file', path: 'bin/tool', data: '#!/bin/sh\n', mode: 0o755 },
        { type: 'symlink', path: 'etc/alias', target: 'hosts' },
        { type: 'file', path: longPath, data: 'deep' },
      ]);
      const dir = makeTempDir('ghcr-opt-tar');
      try {
        const file = join(dir, 'layer.tar.gz');
        await writeFile(file, layer.data);
        const { stdout } = await execFileP('tar', ['-tvzf', file]);
        expect(stdout).toMatch(/^drwxr-xr-x root\/root\s+0 2000-01-01 00:00 etc\/$/m);
        expect(stdout).toMatch(/^-rwxr-xr-x .* bin\/tool$/m);
        expect(stdout).toMatch(/^lrwxrwxrwx .* etc\/alias -> hosts$/m);
        expect(stdout).toContain(longPath);
        const { stdout: hosts } = await execFileP('tar', ['-xzOf', file, 'etc/hosts']);
        expect(hosts).toBe('127.0.0.1 localhost\n');
      } finally {
        removeTempDir(dir);
      }
    },
  );
});

describe.skipIf(!haveRegistry)('registry harness', () => {
  describe('open registry', () => {
    let reg: RunningRegistry;
    beforeAll(async () => {
      reg = await startRegistry();
    });
    afterAll(async () => {
      await reg?.stop();
    });

    it('listens on 127.0.0.1 with a random port and answers /v2/', async () => {
      expect(reg.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(reg.port).not.toBe(5000);
      const res = await fetch(`${reg.url}/v2/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    });

    it('pushImage stores the exact manifest bytes and blobs', async () => {
      const image = smallImage('open');
      await pushImage(reg.url, 'team/app', 'v1', image);
      const { res, body } = await getManifest(reg.url, 'team/app', 'v1');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(MediaType.ociManifest);
      expect(res.headers.get('docker-content-digest')).toBe(image.digest);
      expect(body.equals(image.manifest)).toBe(true);
      const layer = image.layers[0]!;
      const blob = await fetch(`${reg.url}/v2/team/app/blobs/${layer.digest}`);
      expect(Buffer.from(await blob.arrayBuffer()).equals(layer.data)).toBe(true);
    });

    it('pushes a multi-platform index, docker media types and an artifact with a subject', async () => {
      const amd = makeImage({ architecture: 'amd64', layers: [{ a: 'amd64' }] });
      const arm = makeImage({ architecture: 'arm64', variant: 'v8', layers: [{ a: 'arm64' }] });
      const index = makeIndex([amd, arm], { annotations: { 'org.opencontainers.image.source': 'test' } });
      await pushImage(reg.url, 'multi', 'latest', index);
      const got = await getManifest(reg.url, 'multi', 'latest');
      expect(got.res.headers.get('content-type')).toBe(MediaType.ociIndex);
      expect(got.body.equals(index.manifest)).toBe(true);
      const child = await getManifest(reg.url, 'multi', arm.digest);
      expect(child.body.equals(arm.manifest)).toBe(true);

      const docker = makeImage({ mediaTypes: 'docker', layers: [{ d: 'docker' }] });
      const list = makeIndex([docker], { mediaTypes: 'docker' });
      await pushImage(reg.url, 'dockerish', 'v1', list);
      const dl = await getManifest(reg.url, 'dockerish', 'v1');
      expect(dl.res.headers.get('content-type')).toBe(MediaType.dockerManifestList);

      const sbom = makeArtifact({
        subject: amd,
        artifactType: 'application/spdx+json',
        blobs: [{ data: '{"spdxVersion":"SPDX-2.3"}', mediaType: 'application/spdx+json' }],
      });
      await pushImage(reg.url, 'multi', sbom.digest, sbom);
      const art = await getManifest(reg.url, 'multi', sbom.digest);
      expect(JSON.parse(art.body.toString())).toMatchObject({
        artifactType: 'application/spdx+json',
        config: { mediaType: MediaType.ociEmpty, size: 2 },
        subject: { digest: amd.digest },
      });
    });

    it.skipIf(!haveSkopeo)('skopeo sees the same digest and bytes', async () => {
      const image = smallImage('skopeo');
      await pushImage(reg.url, 'cross', 'v1', image);
      const info = await skopeoInspect(`docker://${reg.host}/cross:v1`);
      expect(info.Digest).toBe(image.digest);
      expect(info.Labels).toEqual({ fixture: 'skopeo' });
      const raw = await skopeoInspectRaw(`docker://${reg.host}/cross:v1`);
      expect(raw.equals(image.manifest)).toBe(true);
      expect(await skopeoListTags(`docker://${reg.host}/cross`)).toEqual(['v1']);
    });
  });

  it('stop() kills the registry and removes its temp dir', async () => {
    const reg = await startRegistry();
    const { pid, dataDir } = reg;
    await reg.stop();
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(existsSync(dataDir)).toBe(false);
    await expect(fetch(`${reg.url}/v2/`)).rejects.toThrow();
  });

  describe('htpasswd auth', () => {
    let reg: RunningRegistry;
    beforeAll(async () => {
      reg = await startRegistry({ auth: 'htpasswd', users: { alice: 's3cret', bob: 'hunter2' } });
    });
    afterAll(async () => {
      await reg?.stop();
    });

    it('answers 401 with a Basic challenge without or with wrong credentials, 200 with good ones', async () => {
      const anon = await fetch(`${reg.url}/v2/`);
      expect(anon.status).toBe(401);
      expect(anon.headers.get('www-authenticate')).toBe('Basic realm="basic-realm"');
      const wrong = await fetch(`${reg.url}/v2/`, { headers: { authorization: basic('alice', 'nope') } });
      expect(wrong.status).toBe(401);
      const good = await fetch(`${reg.url}/v2/`, { headers: { authorization: basic('bob', 'hunter2') } });
      expect(good.status).toBe(200);
    });

    it('pushImage authenticates from the Basic challenge', async () => {
      const image = smallImage('basic');
      await pushImage(reg.url, 'private', 'v1', image, { auth: credsOf(reg, 'alice') });
      const { res, body } = await getManifest(reg.url, 'private', 'v1', {
        headers: { authorization: basic('alice', 's3cret') },
      });
      expect(res.status).toBe(200);
      expect(body.equals(image.manifest)).toBe(true);
      await expect(pushImage(reg.url, 'private', 'v2', image)).rejects.toThrow(/Basic credentials/);
    });

    it.skipIf(!haveSkopeo)('skopeo works with --creds', async () => {
      const tags = await skopeoListTags(`docker://${reg.host}/private`, { creds: credsOf(reg, 'bob') });
      expect(tags).toEqual(['v1']);
    });
  });

  describe('token auth', () => {
    let reg: RunningRegistry;
    const image = smallImage('token');
    beforeAll(async () => {
      reg = await startRegistry({
        auth: 'token',
        users: { testuser: 'testpass', carol: 'carolpass' },
        // carol may pull anything but push nowhere; everybody else: defaults.
        tokenGrants: (user, scope) =>
          user === 'carol' ? scope.actions.filter((a) => a === 'pull') : defaultGrants(user, scope),
      });
    });
    afterAll(async () => {
      await reg?.stop();
    });

    async function token(scopes: string[], auth?: string): Promise<{ status: number; token?: string }> {
      const url = new URL(reg.tokenServer!.realm);
      url.searchParams.set('service', reg.tokenServer!.service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const res = await fetch(url, auth ? { headers: { authorization: auth } } : {});
      const body = (await res.json()) as { token?: string };
      return { status: res.status, ...(body.token ? { token: body.token } : {}) };
    }

    it('challenges with the token realm, then accepts the issued token', async () => {
      const anon = await fetch(`${reg.url}/v2/`);
      expect(anon.status).toBe(401);
      expect(anon.headers.get('www-authenticate')).toBe(
        `Bearer realm="${reg.tokenServer!.realm}",service="test-registry"`,
      );
      const { token: t } = await token([]);
      const ok = await fetch(`${reg.url}/v2/`, { headers: { authorization: `Bearer ${t}` } });
      expect(ok.status).toBe(200);
    });

    it('pushes with credentials; records scopes and Basic use but no secrets', async () => {
      await pushImage(reg.url, 'tok/app', 'v1', image, {
        auth: { username: 'testuser', password: 'testpass' },
      });
      const req = reg.tokenServer!.requests.find((r) => r.basicAuth);
      expect(req).toMatchObject({
        method: 'GET',
        scopes: ['repository:tok/app:pull,push'],
        user: 'testuser',
        status: 200,
        granted: [{ type: 'repository', name: 'tok/app', actions: ['pull', 'push'] }],
      });
      expect(JSON.stringify(reg.tokenServer!.requests)).not.toContain('testpass');
    });

    it('lets anonymous users pull but not push', async () => {
      const pull = await token(['repository:tok/app:pull']);
      const tags = await fetch(`${reg.url}/v2/tok/app/tags/list`, {
        headers: { authorization: `Bearer ${pull.token}` },
      });
      expect(tags.status).toBe(200);
      expect(await tags.json()).toEqual({ name: 'tok/app', tags: ['v1'] });

      const push = await token(['repository:tok/app:pull,push']);
      const last = reg.tokenServer!.requests.at(-1)!;
      expect(last).toMatchObject({ basicAuth: false, granted: [{ actions: ['pull'] }] });
      const upload = await fetch(`${reg.url}/v2/tok/app/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${push.token}` },
      });
      expect(upload.status).toBe(401);
      expect(upload.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    });

    it('applies per-user grants and rejects a wrong password', async () => {
      const carol = basic('carol', 'carolpass');
      const t = await token(['repository:tok/app:pull,push'], carol);
      expect(t.status).toBe(200);
      expect(reg.tokenServer!.requests.at(-1)).toMatchObject({
        user: 'carol',
        granted: [{ name: 'tok/app', actions: ['pull'] }],
      });
      await expect(
        pushImage(reg.url, 'tok/carol', 'v1', image, { auth: { username: 'carol', password: 'carolpass' } }),
      ).rejects.toThrow(/401/);
      await expect(
        pushImage(reg.url, 'tok/carol', 'v1', image, { auth: { username: 'carol', password: 'wrong' } }),
      ).rejects.toThrow(/token request failed: 401/);
      expect(reg.tokenServer!.requests.at(-1)).toMatchObject({ status: 401, basicAuth: true, granted: [] });
    });

    it('supports the OAuth2 POST flow with refresh tokens', async () => {
      const realm = reg.tokenServer!.realm;
      const form = (fields: Record<string, string>) => ({
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
      const first = await fetch(
        realm,
        form({
          grant_type: 'password',
          service: 'test-registry',
          client_id: 'ghcr-optimize-tests',
          access_type: 'offline',
          username: 'testuser',
          password: 'testpass',
          scope: 'repository:tok/app:pull repository:other:pull',
        }),
      );
      expect(first.status).toBe(200);
      const body = (await first.json()) as {
        access_token: string;
        refresh_token: string;
        expires_in: number;
      };
      expect(body.refresh_token).toBeTruthy();
      expect(body.expires_in).toBe(300);

      const refreshed = await fetch(
        realm,
        form({
          grant_type: 'refresh_token',
          service: 'test-registry',
          refresh_token: body.refresh_token,
          scope: 'repository:tok/app:pull',
        }),
      );
      expect(refreshed.status).toBe(200);
      const again = (await refreshed.json()) as { access_token: string; refresh_token?: string };
      expect(again.refresh_token).toBeUndefined();
      const tags = await fetch(`${reg.url}/v2/tok/app/tags/list`, {
        headers: { authorization: `Bearer ${again.access_token}` },
      });
      expect(tags.status).toBe(200);

      const bad = await fetch(realm, form({ grant_type: 'refresh_token', refresh_token: 'forged' }));
      expect(bad.status).toBe(400);
      const grants = reg
        .tokenServer!.requests.slice(-3)
        .map((r) => [r.method, r.grantType, r.scopes.length, r.status]);
      expect(grants).toEqual([
        ['POST', 'password', 2, 200],
        ['POST', 'refresh_token', 1, 200],
        ['POST', 'refresh_token', 0, 400],
      ]);
      expect(JSON.stringify(reg.tokenServer!.requests)).not.toContain(body.refresh_token);
    });

    it.skipIf(!haveSkopeo)('skopeo works through the token server', async () => {
      expect(await skopeoListTags(`docker://${reg.host}/tok/app`)).toEqual(['v1']);
      const info = await skopeoInspect(`docker://${reg.host}/tok/app:v1`, { creds: credsOf(reg) });
      expect(info.Digest).toBe(image.digest);
    });
  });

  describe('TLS', () => {
    let reg: RunningRegistry;
    beforeAll(async () => {
      reg = await startRegistry({ tls: true });
    });
    afterAll(async () => {
      await reg?.stop();
    });

    it('is reachable with the CA and refused without it', async () => {
      expect(reg.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const trusted = new Agent({ connect: { ca: reg.caPem! } });
      try {
        const ok = await undiciFetch(`${reg.url}/v2/`, { dispatcher: trusted });
        expect(ok.status).toBe(200);
        // localhost is in the SAN too.
        const viaName = await undiciFetch(`https://localhost:${reg.port}/v2/`, { dispatcher: trusted });
        expect(viaName.status).toBe(200);
        const image = smallImage('tls');
        await pushImage(reg.url, 'secure', 'v1', image, { fetchOptions: { dispatcher: trusted } });
      } finally {
        await trusted.close();
      }
      const untrusted = new Agent();
      try {
        const err: unknown = await undiciFetch(`${reg.url}/v2/`, { dispatcher: untrusted }).catch(
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(TypeError);
        expect(String((err as { cause?: unknown }).cause)).toMatch(/self[- ]signed/i);
      } finally {
        await untrusted.close();
      }
    });

    it.skipIf(!haveSkopeo)('skopeo verifies it with the CA in a cert dir', async () => {
      const info = await skopeoInspect(`docker://${reg.host}/secure:v1`, { caFile: reg.caFile! });
      expect(info.Architecture).toBe('amd64');
    });
  });

  describe('blob redirects', () => {
    let reg: RunningRegistry;
    const image = smallImage('redirect');
    beforeAll(async () => {
      reg = await startRegistry({ redirect: true, auth: 'htpasswd' });
      await pushImage(reg.url, 'redir', 'v1', image, { auth: credsOf(reg) });
    });
    afterAll(async () => {
      await reg?.stop();
    });

    it('answers blob GETs with 307 to another origin that serves the bytes', async () => {
      const layer = image.layers[1]!;
      const auth = basic('testuser', 'testpass');
      const res = await fetch(`${reg.url}/v2/redir/blobs/${layer.digest}`, {
        redirect: 'manual',
        headers: { authorization: auth },
      });
      expect(res.status).toBe(307);
      const location = new URL(res.headers.get('location')!);
      expect(location.origin).toBe(reg.redirectServer!.url);
      expect(location.origin).not.toBe(reg.url);
      expect(location.pathname).toBe(
        `/docker/registry/v2/blobs/sha256/${layer.digest.slice(7, 9)}/${layer.digest.slice(7)}/data`,
      );

      const blob = await fetch(location);
      expect(Buffer.from(await blob.arrayBuffer()).equals(layer.data)).toBe(true);
      const partial = await fetch(location, { headers: { range: 'bytes=0-9' } });
      expect(partial.status).toBe(206);
      expect(partial.headers.get('content-range')).toBe(`bytes 0-9/${layer.size}`);
      expect(Buffer.from(await partial.arrayBuffer()).equals(layer.data.subarray(0, 10))).toBe(true);

      expect(reg.redirectServer!.requests.at(-2)).toMatchObject({
        method: 'GET',
        path: location.pathname,
        authorization: false,
        status: 200,
      });
      const { res: manifest } = await getManifest(reg.url, 'redir', 'v1', {
        headers: { authorization: auth },
      });
      expect(manifest.status).toBe(200);
    });

    it.skipIf(!haveSkopeo)('skopeo follows the redirects', async () => {
      const before = reg.redirectServer!.requests.length;
      const dir = makeTempDir('ghcr-opt-redir-copy');
      try {
        await skopeoCopy(`docker://${reg.host}/redir:v1`, `oci:${dir}:v1`, { src: { creds: credsOf(reg) } });
      } finally {
        removeTempDir(dir);
      }
      const served = reg.redirectServer!.requests.slice(before);
      expect(served.length).toBe(3); // config + 2 layers
      expect(served.every((r) => !r.authorization && r.status === 200)).toBe(true);
    });
  });

  describe('fault proxy', () => {
    let reg: RunningRegistry;
    const image = smallImage('faults');
    const layer = image.layers[1]!;
    beforeAll(async () => {
      reg = await startRegistry();
      await pushImage(reg.url, 'faulty', 'v1', image);
    });
    afterAll(async () => {
      await reg?.stop();
    });

    it('returns 429 + Retry-After for the first N matching requests, then passes through', async () => {
      const retryAt = new Date(Date.now() + 5000);
      const proxy = await startFaultProxy(reg.url, [
        {
          method: 'GET',
          path: /\/manifests\//,
          times: 2,
          respond: { status: 429, retryAfter: 1, body: 'slow down' },
        },
        { method: 'HEAD', path: /\/manifests\//, times: 1, respond: { status: 503, retryAfter: retryAt } },
      ]);
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) {
          const { res, body } = await getManifest(proxy.url, 'faulty', 'v1');
          statuses.push(res.status);
          if (res.status === 429) {
            expect(res.headers.get('retry-after')).toBe('1');
            expect(body.toString()).toBe('slow down');
          } else {
            expect(body.equals(image.manifest)).toBe(true);
          }
        }
        expect(statuses).toEqual([429, 429, 200]);
        const head = await fetch(`${proxy.url}/v2/faulty/manifests/v1`, { method: 'HEAD' });
        expect(head.status).toBe(503);
        expect(head.headers.get('retry-after')).toBe(retryAt.toUTCString());
        expect(proxy.applied).toEqual([2, 1]);
        expect(proxy.matched).toEqual([3, 1]);
        expect(proxy.total).toBe(4);
        expect(proxy.requests.map((r) => r.rule)).toEqual([0, 0, undefined, 1]);
      } finally {
        await proxy.stop();
      }
    });

    it('corrupts one byte of a body once', async () => {
      const proxy = await startFaultProxy(reg.url, [
        { path: /\/blobs\/sha256:/, times: 1, corruptByte: 'middle' },
      ]);
      try {
        const url = `${proxy.url}/v2/faulty/blobs/${layer.digest}`;
        const bad = Buffer.from(await (await fetch(url)).arrayBuffer());
        expect(bad.length).toBe(layer.size);
        expect(sha256(bad)).not.toBe(layer.digest);
        const diffs = [...bad].filter((b, i) => b !== layer.data[i]).length;
        expect(diffs).toBe(1);
        expect(bad[Math.floor(layer.size / 2)]).toBe(layer.data[Math.floor(layer.size / 2)]! ^ 0xff);
        const good = Buffer.from(await (await fetch(url)).arrayBuffer());
        expect(good.equals(layer.data)).toBe(true);
      } finally {
        await proxy.stop();
      }
    });

    it('cuts the connection after K body bytes; a Range retry resumes', async () => {
      const proxy = await startFaultProxy(reg.url, [{ path: /\/blobs\/sha256:/, times: 1, cutAfter: 10 }]);
      try {
        const url = `${proxy.url}/v2/faulty/blobs/${layer.digest}`;
        const res = await fetch(url);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-length')).toBe(String(layer.size));
        const received: Buffer[] = [];
        const reader = res.body!.getReader();
        const failure = await (async () => {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return undefined;
            received.push(Buffer.from(value as Uint8Array));
          }
        })().catch((err: unknown) => err);
        expect(failure).toBeInstanceOf(Error);
        const head = Buffer.concat(received);
        expect(head.equals(layer.data.subarray(0, 10))).toBe(true);

        const rest = await fetch(url, { headers: { range: `bytes=${head.length}-` } });
        expect(rest.status).toBe(206);
        const tail = Buffer.from(await rest.arrayBuffer());
        expect(sha256(Buffer.concat([head, tail]))).toBe(layer.digest);
        expect(proxy.requests.at(-1)).toMatchObject({ range: 'bytes=10-', status: 206 });
      } finally {
        await proxy.stop();
      }
    });

    it('rewrites upstream Locations, edits headers and adds latency', async () => {
      const proxy = await startFaultProxy(reg.url, [
        {
          method: 'GET',
          path: /\/manifests\/v1$/,
          responseHeaders: { remove: ['Docker-Content-Digest'], set: { 'x-fault': 'yes' } },
        },
        { method: 'GET', path: /\/tags\/list$/, delayMs: 150 },
      ]);
      try {
        const upload = await fetch(`${proxy.url}/v2/faulty/blobs/uploads/`, { method: 'POST' });
        expect(upload.status).toBe(202);
        expect(upload.headers.get('location')!.startsWith(`${proxy.url}/v2/faulty/blobs/uploads/`)).toBe(
          true,
        );
        // Finish the upload through the proxy: the rewritten Location must work.
        const blob = Buffer.from('through the proxy');
        const loc = new URL(upload.headers.get('location')!);
        loc.searchParams.set('digest', sha256(blob));
        const put = await fetch(loc, {
          method: 'PUT',
          body: blob,
          headers: { 'content-type': 'application/octet-stream' },
        });
        expect(put.status).toBe(201);
        expect(put.headers.get('location')!.startsWith(proxy.url)).toBe(true);

        const { res } = await getManifest(proxy.url, 'faulty', 'v1');
        expect(res.headers.get('docker-content-digest')).toBeNull();
        expect(res.headers.get('x-fault')).toBe('yes');

        const started = performance.now();
        const tags = await fetch(`${proxy.url}/v2/faulty/tags/list`);
        expect(tags.status).toBe(200);
        expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      } finally {
        await proxy.stop();
      }
    });

    it('stands in for hosts that are not registries', async () => {
      const html = await startNotARegistry();
      const notFound = await startV2NotFound();
      try {
        const a = await fetch(`${html.url}/v2/`);
        expect(a.status).toBe(200);
        expect(a.headers.get('content-type')).toMatch(/^text\/html/);
        expect(await a.text()).toBe('<html>hello</html>');
        const b = await fetch(`${notFound.url}/v2/`);
        expect(b.status).toBe(404);
        expect(b.headers.get('content-type')).toBe('application/json');
        expect(await b.json()).toMatchObject({ errors: [{ code: 'NOT_FOUND' }] });
        expect(html.requests).toEqual(['GET /v2/']);
      } finally {
        await html.stop();
        await notFound.stop();
      }
    });
  });

  describe.skipIf(!haveSkopeo)('OCI image layout', () => {
    let reg: RunningRegistry;
    let dir: string;
    beforeAll(async () => {
      reg = await startRegistry();
      dir = makeTempDir('ghcr-opt-layout');
    });
    afterAll(async () => {
      await reg?.stop();
      if (dir) removeTempDir(dir);
    });

    it('is read by skopeo and can be copied into a registry', async () => {
      const image = smallImage('layout');
      const index = makeIndex([
        makeImage({ layers: [{ x: '1' }] }),
        makeImage({ architecture: 'arm64', layers: [{ x: '2' }] }),
      ]);
      await writeOciLayout(dir, [
        { tag: 'v1', imageOrIndex: image },
        { tag: 'multi', imageOrIndex: index },
      ]);
      const info = await skopeoInspect(`oci:${dir}:v1`);
      expect(info.Digest).toBe(image.digest);
      expect(info.Layers).toEqual(image.layers.map((l) => l.digest));
      expect((await skopeoInspectRaw(`oci:${dir}:multi`)).equals(index.manifest)).toBe(true);

      await skopeoCopy(`oci:${dir}:multi`, `docker://${reg.host}/layout:multi`, { all: true });
      const { body } = await getManifest(reg.url, 'layout', 'multi');
      expect(sha256(body)).toBe(index.digest);
    });
  });
});
