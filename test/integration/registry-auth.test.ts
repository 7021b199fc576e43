/**
 * Authentication and connection security against the real registry: htpasswd Basic, bearer
 * tokens from an ES256 token server (anonymous, Basic, refresh token; cache; scope widening),
 * TLS with a self-signed CA, and blob redirects that must not carry credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, credsOf, type RunningRegistry } from '../support/registry.js';
import { makeImage, makeLayer, pushImage } from '../support/fixtures.js';
import { requireTool } from '../support/tools.js';
import { testClient, tlsClient } from '../support/client.js';
import { AuthError, NetworkError } from '../../src/errors.js';
import { probeRegistry } from '../../src/monitor/health.js';

const haveRegistry = requireTool('docker-registry');
const image = makeImage({ layers: [{ 'f.txt': 'auth test layer' }] });

describe.skipIf(!haveRegistry)('htpasswd Basic auth', () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'htpasswd' });
    await pushImage(reg.url, 'app', '1', image, { auth: credsOf(reg) });
  });
  afterAll(() => reg?.stop());

  it('answers the Basic challenge with stored credentials', async () => {
    const client = testClient({ user: credsOf(reg) });
    try {
      expect(await client.repository(reg.host, 'app').tags()).toEqual(['1']);
      expect(client.auth.scheme(reg.host)).toBe('basic');
    } finally {
      await client.close();
    }
  });

  it('fails anonymous access with an AuthError naming the fix (exit code 3)', async () => {
    const client = testClient();
    try {
      const err = await client
        .repository(reg.host, 'app')
        .tags()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).exitCode).toBe(3);
      expect((err as AuthError).hint).toMatch(/auth login/);
    } finally {
      await client.close();
    }
  });

  it('rejects a wrong password without echoing it', async () => {
    const client = testClient({ user: { username: 'testuser', password: 'wrong-secret-123' } });
    try {
      const err = await client
        .repository(reg.host, 'app')
        .tags()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect(String((err as Error).message) + ((err as AuthError).hint ?? '')).not.toContain(
        'wrong-secret-123',
      );
    } finally {
      await client.close();
    }
  });
});

describe.skipIf(!haveRegistry)('bearer token auth (ES256 + x5c token server)', () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'token' });
    await pushImage(reg.url, 'team/app', '1', image, { auth: credsOf(reg) });
  });
  afterAll(() => reg?.stop());

  it('pulls anonymously with an anonymous token', async () => {
    const client = testClient();
    try {
      const m = await client.repository(reg.host, 'team/app').getManifest('1');
      expect(m.descriptor.digest).toBe(image.digest);
      const last = reg.tokenServer!.requests.at(-1)!;
      expect(last.basicAuth).toBe(false);
      expect(last.scopes).toEqual(['repository:team/app:pull']);
    } finally {
      await client.close();
    }
  });

  it('refuses an anonymous push with an AuthError that names the scope', async () => {
    const client = testClient();
    try {
      const layer = makeLayer({ 'x.txt': 'anon push' });
      const err = await client
        .repository(reg.host, 'team/app')
        .pushBlob(layer, { size: layer.size, open: () => layer.data })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).message).toMatch(/repository:team\/app:pull,push/);
    } finally {
      await client.close();
    }
  });

  it('caches tokens per scope: many reads cost one token request; a push widens the scope once', async () => {
    const client = testClient({ user: credsOf(reg) });
    const before = reg.tokenServer!.requests.length;
    try {
      const repo = client.repository(reg.host, 'team/app');
      for (let i = 0; i < 5; i++) {
        await repo.getManifest('1');
        await repo.headBlob(image.layers[0]!.digest);
      }
      const afterReads = reg.tokenServer!.requests.length;
      expect(afterReads - before).toBe(1);
      const layer = makeLayer({ 'y.txt': 'widened' });
      await repo.pushBlob(layer, { size: layer.size, open: () => layer.data });
      await repo.getManifest('1'); // the pull,push token also covers pulls
      const issued = reg.tokenServer!.requests.slice(afterReads);
      expect(issued).toHaveLength(1);
      expect(issued[0]!.scopes).toEqual(['repository:team/app:pull,push']);
      expect(issued[0]!.basicAuth).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('asks for pull on the source repository when mounting across repositories', async () => {
    const client = testClient({ user: credsOf(reg) });
    try {
      const layer = image.layers[0]!;
      const result = await client
        .repository(reg.host, 'team/copy')
        .pushBlob(layer, { size: layer.size, open: () => layer.data }, { mountFrom: ['team/app'] });
      expect(result).toBe('mounted');
      const last = reg.tokenServer!.requests.at(-1)!;
      expect(last.scopes.sort()).toEqual(['repository:team/app:pull', 'repository:team/copy:pull,push']);
    } finally {
      await client.close();
    }
  });

  it('uses an identity (refresh) token with the OAuth2 refresh_token grant', async () => {
    // Get a refresh token the way `docker login` does (password grant, offline access).
    const form = new URLSearchParams({
      grant_type: 'password',
      username: 'testuser',
      password: reg.users.testuser!,
      service: reg.tokenServer!.service,
      client_id: 'test',
      access_type: 'offline',
    });
    const res = await fetch(reg.tokenServer!.realm, { method: 'POST', body: form });
    const { refresh_token } = (await res.json()) as { refresh_token: string };
    expect(refresh_token).toBeTruthy();
    const client = testClient({
      credentials: () => Promise.resolve({ identityToken: refresh_token, source: 'test' }),
    });
    try {
      expect(await client.repository(reg.host, 'team/app').tags()).toEqual(['1']);
      const last = reg.tokenServer!.requests.at(-1)!;
      expect(last.method).toBe('POST');
      expect(last.grantType).toBe('refresh_token');
    } finally {
      await client.close();
    }
  });

  it('health: reachable, bearer auth working, latency measured', async () => {
    const client = testClient({ user: credsOf(reg) });
    try {
      const h = await probeRegistry(client, reg.host, { samples: 3 });
      expect(h).toMatchObject({
        healthy: true,
        reachable: true,
        authScheme: 'bearer',
        authOk: true,
        samples: 3,
      });
      expect(h.latencyMs!.p95).toBeGreaterThanOrEqual(h.latencyMs!.p50);
    } finally {
      await client.close();
    }
    const bad = testClient({ user: { username: 'testuser', password: 'wrong' } });
    try {
      const h = await probeRegistry(bad, reg.host, { samples: 3 });
      expect(h).toMatchObject({ healthy: false, reachable: true, authOk: false });
      expect(h.error?.kind).toBe('auth');
    } finally {
      await bad.close();
    }
  });

  it('reports rejected credentials from the token server as AuthError', async () => {
    const client = testClient({ user: { username: 'testuser', password: 'nope-nope' } });
    try {
      await expect(client.repository(reg.host, 'team/app').tags()).rejects.toThrow(
        /rejected the credentials from test/,
      );
    } finally {
      await client.close();
    }
  });
});

describe.skipIf(!haveRegistry || !requireTool('openssl'))('TLS with a self-signed CA', () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ tls: true, auth: 'htpasswd' });
    await pushImage(reg.url, 'secure', '1', image, {
      auth: credsOf(reg),
      fetchOptions: await tlsFetchOptions(reg),
    });
  });
  afterAll(() => reg?.stop());

  it('uses HTTPS on a loopback host when the server speaks TLS, trusting the given CA', async () => {
    const client = tlsClient(reg, { user: credsOf(reg) });
    try {
      expect((await client.transport.origin(reg.host)).protocol).toBe('https:');
      expect(await client.repository(reg.host, 'secure').tags()).toEqual(['1']);
    } finally {
      await client.close();
    }
  });

  it('fails verification without the CA instead of downgrading to HTTP (exit code 5)', async () => {
    const client = testClient({ user: credsOf(reg) });
    try {
      const err = await client
        .repository(reg.host, 'secure')
        .tags()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect((err as Error).message).toMatch(/TLS verification failed/);
      expect((err as NetworkError).hint).toMatch(/--ca-file/);
    } finally {
      await client.close();
    }
  });

  it('accepts the unverified certificate only for a host marked insecure', async () => {
    const client = testClient({ user: credsOf(reg), insecureHosts: [reg.host] });
    try {
      expect(await client.repository(reg.host, 'secure').tags()).toEqual(['1']);
    } finally {
      await client.close();
    }
  });
});

describe.skipIf(!haveRegistry)('blob redirects to another origin', () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ redirect: true, auth: 'htpasswd' });
    await pushImage(reg.url, 'redir', '1', image, { auth: credsOf(reg) });
  });
  afterAll(() => reg?.stop());

  it('follows the 307 to blob storage without sending Authorization there', async () => {
    const client = testClient({ user: credsOf(reg) });
    try {
      const layer = image.layers[0]!;
      const bytes = await client.repository(reg.host, 'redir').getBlobBytes(layer);
      expect(bytes.equals(layer.data)).toBe(true);
      const hits = reg.redirectServer!.requests.filter((r) => r.path.includes(layer.digest.slice(7)));
      expect(hits.length).toBeGreaterThan(0);
      expect(hits.every((r) => !r.authorization)).toBe(true);
    } finally {
      await client.close();
    }
  });
});

async function tlsFetchOptions(reg: RunningRegistry): Promise<Record<string, unknown>> {
  const { Agent } = await import('undici');
  return { dispatcher: new Agent({ connect: { ca: reg.caPem } }) };
}
