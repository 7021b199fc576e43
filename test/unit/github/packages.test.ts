/** The Packages API client against an in-process fake: routes, owner detection, pagination. */
import { describe, expect, it } from 'vitest';
import { NotFoundError, ProtocolError, UsageError } from '../../../src/errors.js';
import { PER_PAGE } from '../../../src/github/packages.js';
import { API, TOKEN, fakeClient, ghError, hexDigest, json, pkg, version, type FakeCall } from './fake-api.js';

/** 250 versions served GitHub-style: newest first, `per_page` ≤ 100, Link next/last/prev/first. */
function pagedVersions(total: number) {
  const all = Array.from({ length: total }, (_, i) => version(total - i, hexDigest(total - i)));
  return (call: FakeCall): Response => {
    const path = call.url.pathname;
    if (path === '/orgs/o/packages/container/app') return json(200, pkg('app'));
    if (path !== '/orgs/o/packages/container/app/versions') return ghError(404, 'Not Found');
    const perPage = Math.min(Number(call.url.searchParams.get('per_page') ?? 30), 100);
    const page = Number(call.url.searchParams.get('page') ?? 1);
    const last = Math.ceil(total / perPage);
    const link = (n: number): string => `<${API}${path}?page=${n}&per_page=${perPage}>`;
    const parts: string[] = [];
    if (page > 1) parts.push(`${link(page - 1)}; rel="prev"`);
    if (page < last) parts.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (page > 1) parts.push(`${link(1)}; rel="first"`);
    return json(
      200,
      all.slice((page - 1) * perPage, page * perPage),
      parts.length ? { link: parts.join(', ') } : {},
    );
  };
}

describe('listVersions: pagination', () => {
  it('asks for per_page=100 and follows Link rel="next" to the end', async () => {
    const { client, calls } = fakeClient(pagedVersions(250));
    const versions = await client.listVersions('o', 'app');
    expect(versions).toHaveLength(250);
    expect(versions[0]!.id).toBe(250);
    expect(versions.at(-1)!.id).toBe(1);
    expect(new Set(versions.map((v) => v.digest)).size).toBe(250);
    const lists = calls.filter((c) => c.url.pathname.endsWith('/versions'));
    expect(lists.map((c) => c.url.search)).toEqual([
      '?per_page=100',
      '?page=2&per_page=100',
      '?page=3&per_page=100',
    ]);
    expect(PER_PAGE).toBe(100);
  });

  it('makes one request when everything fits on a page (no Link header)', async () => {
    const { client, calls } = fakeClient(pagedVersions(100));
    expect(await client.listVersions('o', 'app')).toHaveLength(100);
    expect(calls.filter((c) => c.url.pathname.endsWith('/versions'))).toHaveLength(1);
  });

  it('reads an empty package', async () => {
    const { client } = fakeClient(pagedVersions(0));
    expect(await client.listVersions('o', 'app')).toEqual([]);
  });

  it('passes state=deleted for restorable versions', async () => {
    const { client, calls } = fakeClient((call) =>
      call.url.pathname.endsWith('/versions')
        ? json(200, [{ ...version(5, hexDigest(5)), deleted_at: '2024-06-01T00:00:00Z' }])
        : json(200, pkg('app')),
    );
    const deleted = await client.listVersions('o', 'app', { state: 'deleted' });
    expect(deleted[0]!.deletedAt).toBe('2024-06-01T00:00:00Z');
    expect(calls.at(-1)!.url.searchParams.get('state')).toBe('deleted');
  });

  it('never follows a next link to another origin (the token would go with it)', async () => {
    const { client, calls } = fakeClient((call) =>
      call.url.pathname.endsWith('/versions')
        ? json(200, [version(1, hexDigest(1))], {
            link: '<https://evil.example/orgs/o/packages/container/app/versions?page=2>; rel="next"',
          })
        : json(200, pkg('app')),
    );
    await expect(client.listVersions('o', 'app')).rejects.toThrow(ProtocolError);
    expect(calls.every((c) => c.url.origin === API)).toBe(true);
  });

  it('stops on a page that links to itself or adds nothing', async () => {
    const { client, calls } = fakeClient((call) =>
      call.url.pathname.endsWith('/versions')
        ? json(200, [version(1, hexDigest(1))], {
            link: `<${API}/orgs/o/packages/container/app/versions?page=1&per_page=100>; rel="next"`,
          })
        : json(200, pkg('app')),
    );
    expect(await client.listVersions('o', 'app')).toHaveLength(1);
    expect(calls.filter((c) => c.url.pathname.endsWith('/versions')).length).toBeLessThanOrEqual(2);
  });

  it('refuses a page that is not a list', async () => {
    const { client } = fakeClient((call) =>
      call.url.pathname.endsWith('/versions') ? json(200, { message: 'hi' }) : json(200, pkg('app')),
    );
    await expect(client.listVersions('o', 'app')).rejects.toThrow(ProtocolError);
  });
});

describe('owner detection', () => {
  it('uses /orgs/{org}/… for an organization, and remembers it', async () => {
    const { client, calls } = fakeClient(pagedVersions(3));
    expect((await client.getPackage('o', 'app')).ownerKind).toBe('org');
    await client.listVersions('o', 'app');
    expect(calls.map((c) => c.url.pathname)).toEqual([
      '/orgs/o/packages/container/app',
      '/orgs/o/packages/container/app/versions',
    ]);
  });

  it("falls back to /user/… when the owner is the token's user (private packages included)", async () => {
    const { client, calls } = fakeClient((call) => {
      const p = call.url.pathname;
      if (p === '/user') return json(200, { login: 'Alice', id: 1, type: 'User' });
      if (p === '/user/packages/container/tools%2Fcli') return json(200, pkg('tools/cli', 'alice', 'User'));
      if (p === '/user/packages/container/tools%2Fcli/versions') return json(200, [version(1, hexDigest(1))]);
      return ghError(404, 'Not Found');
    });
    const versions = await client.listVersions('alice', 'tools/cli');
    expect(versions).toHaveLength(1);
    // The package name is one URL segment: the slash is encoded.
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      'GET /orgs/alice/packages/container/tools%2Fcli',
      'GET /user',
      'GET /user/packages/container/tools%2Fcli',
      'GET /user/packages/container/tools%2Fcli/versions',
    ]);
  });

  it('uses /users/{username}/… for another user', async () => {
    const { client, calls } = fakeClient((call) => {
      const p = call.url.pathname;
      if (p === '/user') return json(200, { login: 'alice', id: 1, type: 'User' });
      if (p === '/users/bob/packages/container/app') return json(200, pkg('app', 'bob', 'User'));
      return ghError(404, 'Not Found');
    });
    expect((await client.getPackage('bob', 'app')).ownerKind).toBe('user');
    expect(calls.at(-1)!.url.pathname).toBe('/users/bob/packages/container/app');
  });

  it("uses /users/{username}/… when the token cannot read /user (Actions' GITHUB_TOKEN)", async () => {
    const { client } = fakeClient((call) => {
      const p = call.url.pathname;
      if (p === '/user') return ghError(403, 'Resource not accessible by integration');
      if (p === '/users/bob/packages/container/app') return json(200, pkg('app', 'bob', 'User'));
      return ghError(404, 'Not Found');
    });
    expect((await client.getPackage('bob', 'app')).ownerKind).toBe('user');
  });

  it('refuses to list deleted versions through /users/{username} (GitHub would list active ones)', async () => {
    const { client } = fakeClient((call) => {
      const p = call.url.pathname;
      if (p === '/user') return json(200, { login: 'alice' });
      if (p === '/users/bob/packages/container/app') return json(200, pkg('app', 'bob', 'User'));
      return ghError(404, 'Not Found');
    });
    await expect(client.listVersions('bob', 'app', { state: 'deleted' })).rejects.toThrow(UsageError);
  });

  it('reports "package not found or no access" when no route knows the package', async () => {
    const { client } = fakeClient((call) =>
      call.url.pathname === '/user' ? json(200, { login: 'alice' }) : ghError(404, 'Package not found.'),
    );
    const err = await client.listVersions('o', 'nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toMatch(/o\/nope: package not found or no access/);
  });

  it('checks names before sending anything', async () => {
    const { client, calls } = fakeClient(() => json(200, {}));
    await expect(client.listVersions('bad owner', 'app')).rejects.toThrow(UsageError);
    await expect(client.deleteVersion('o', 'app', 0)).rejects.toThrow(UsageError);
    expect(calls).toEqual([]);
  });
});

describe('delete, restore, get', () => {
  const handler = (call: FakeCall): Response => {
    const p = call.url.pathname;
    if (p === '/orgs/o/packages/container/team%2Fapp') return json(200, pkg('team/app'));
    if (p === '/orgs/o/packages/container/team%2Fapp/versions/77' && call.method === 'DELETE')
      return json(204, undefined);
    if (p === '/orgs/o/packages/container/team%2Fapp/versions/77/restore' && call.method === 'POST')
      return json(204, undefined);
    if (p === '/orgs/o/packages/container/team%2Fapp/versions/77')
      return json(200, version(77, hexDigest(7), ['x']));
    return ghError(404, 'Not Found');
  };

  it('DELETE …/versions/{id} and POST …/versions/{id}/restore, with the token and API version', async () => {
    const { client, calls } = fakeClient(handler);
    await client.deleteVersion('o', 'team/app', 77);
    await client.restoreVersion('o', 'team/app', 77);
    expect((await client.getVersion('o', 'team/app', 77)).digest).toBe(hexDigest(7));
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      'GET /orgs/o/packages/container/team%2Fapp',
      'DELETE /orgs/o/packages/container/team%2Fapp/versions/77',
      'POST /orgs/o/packages/container/team%2Fapp/versions/77/restore',
      'GET /orgs/o/packages/container/team%2Fapp/versions/77',
    ]);
    for (const c of calls) {
      expect(c.headers.get('authorization')).toBe(`token ${TOKEN}`);
      expect(c.headers.get('user-agent')).toMatch(/^ghcr-optimize\//);
    }
  });

  it('tracks the rate-limit headers of the last answer', async () => {
    const { client } = fakeClient(() =>
      json(200, pkg('app'), { 'x-ratelimit-remaining': '1234', 'x-ratelimit-reset': '1700000000' }),
    );
    await client.getPackage('o', 'app');
    expect(client.rateLimit).toEqual({
      limit: 5000,
      remaining: 1234,
      used: 1,
      reset: new Date(1700000000 * 1000).toISOString(),
      resource: 'core',
    });
  });

  it('debug lines name method, URL and status, never the token', async () => {
    const lines: string[] = [];
    const { client } = fakeClient(handler, { debug: (l) => lines.push(l) });
    await client.deleteVersion('o', 'team/app', 77);
    await client.deleteVersion('o', 'team/app', 78).catch(() => undefined);
    expect(lines.some((l) => l.includes('DELETE') && l.includes('/versions/77') && l.includes('204'))).toBe(
      true,
    );
    expect(lines.some((l) => l.includes('/versions/78') && l.includes('404'))).toBe(true);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});
