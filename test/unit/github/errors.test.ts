/** Failures of the Packages API as the project's typed errors; rate limits, retries and waits. */
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  CancelledError,
  ExitCode,
  NetworkError,
  NotFoundError,
  RegistryError,
} from '../../../src/errors.js';
import {
  PackagesClient,
  isLastVersionRefusal,
  isRateLimited,
  mapGitHubError,
  resetTime,
} from '../../../src/github/packages.js';
import { API, TOKEN, fakeClient, ghError, hexDigest, json, pkg, version, type FakeCall } from './fake-api.js';

const org = (call: FakeCall): Response | undefined =>
  call.url.pathname === '/orgs/o/packages/container/app' ? json(200, pkg('app')) : undefined;

/** An Octokit-like RequestError as the plugins hand it on. */
function httpError(status: number, data: unknown, headers: Record<string, string> = {}) {
  return {
    name: 'HttpError',
    status,
    message: typeof data === 'object' && data ? String((data as { message?: string }).message) : '',
    request: { method: 'GET', url: `${API}/x`, headers: { authorization: 'token [REDACTED]' } },
    response: { status, url: `${API}/x`, headers, data },
  };
}

describe('mapGitHubError', () => {
  const ctx = {
    what: 'list versions of o/app',
    scopes: ['read:packages'] as const,
    tokenSource: 'env GHCR_TOKEN',
  };

  it('401 → AuthError naming the token source, with the scopes retention needs', () => {
    const err = mapGitHubError(httpError(401, { message: 'Bad credentials' }), {
      ...ctx,
      scopes: [...ctx.scopes],
    });
    expect(err).toBeInstanceOf(AuthError);
    const e = err as AuthError;
    expect(e.exitCode).toBe(ExitCode.Auth);
    expect(e.status).toBe(401);
    expect(e.message).toBe(
      'list versions of o/app: GitHub rejected the token (token from env GHCR_TOKEN) (HTTP 401: Bad credentials)',
    );
    expect(e.hint).toContain('read:packages');
    expect(e.hint).toContain('delete:packages');
    expect(e.hint).toContain('packages: write');
  });

  it('404 → NotFoundError "package not found or no access"', () => {
    const err = mapGitHubError(httpError(404, { message: 'Package not found.' }), { what: 'package o/app' });
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe('package o/app: package not found or no access');
    expect((err as NotFoundError).exitCode).toBe(ExitCode.NotFound);
  });

  it('403 with x-ratelimit-remaining: 0 → RegistryError with the reset time', () => {
    const now = Date.UTC(2024, 0, 1, 12, 0, 0);
    const reset = String(now / 1000 + 90);
    const err = mapGitHubError(
      httpError(
        403,
        { message: 'API rate limit exceeded for user ID 1.' },
        {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': reset,
          'x-ratelimit-resource': 'core',
        },
      ),
      { what: 'delete version 1 of o/app', now },
    );
    expect(err).toBeInstanceOf(RegistryError);
    const e = err as RegistryError;
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.status).toBe(403);
    expect(e.message).toBe(
      'delete version 1 of o/app: GitHub API rate limit exceeded; it resets at 2024-01-01T12:01:30.000Z (in 90 s)',
    );
    expect(isRateLimited(e)).toBe(true);
  });

  it('429 too', () => {
    const err = mapGitHubError(httpError(429, { message: 'x' }, { 'x-ratelimit-remaining': '0' }), {
      what: 'w',
    });
    expect((err as RegistryError).code).toBe('RATE_LIMITED');
  });

  it('403 secondary rate limit → RegistryError with retry-after', () => {
    const err = mapGitHubError(
      httpError(
        403,
        { message: 'You have exceeded a secondary rate limit. Please wait a few minutes.' },
        { 'retry-after': '30' },
      ),
      { what: 'w' },
    );
    expect((err as RegistryError).code).toBe('SECONDARY_RATE_LIMITED');
    expect((err as Error).message).toContain('retry after 30 s');
  });

  it('other 403 → AuthError naming the missing classic scope', () => {
    const err = mapGitHubError(
      httpError(
        403,
        { message: 'You need at least delete:packages scope' },
        { 'x-oauth-scopes': 'repo, read:packages' },
      ),
      { what: 'delete version 1 of o/app', scopes: ['read:packages', 'delete:packages'] },
    );
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).scope).toBe('delete:packages');
    expect((err as AuthError).hint).toMatch(/^the token lacks delete:packages/);
  });

  it('403 without visible scopes (fine-grained, GITHUB_TOKEN) → AuthError about admin access', () => {
    const err = mapGitHubError(httpError(403, { message: 'Forbidden' }), {
      what: 'w',
      scopes: ['delete:packages'],
    });
    expect((err as AuthError).scope).toBeUndefined();
    expect((err as AuthError).hint).toContain('admin');
  });

  it('400 last tagged version → RegistryError LAST_TAGGED_VERSION', () => {
    const message =
      'You cannot delete the last tagged version of a package. You must delete the package instead.';
    const err = mapGitHubError(httpError(400, { message }), { what: 'delete version 3 of o/app' });
    expect((err as RegistryError).code).toBe('LAST_TAGGED_VERSION');
    expect((err as Error).message).toContain(message);
    expect(isLastVersionRefusal(err)).toBe(true);
    const last = mapGitHubError(
      httpError(400, {
        message: 'You cannot delete the last version of a package. You must delete the package instead.',
      }),
      { what: 'w' },
    );
    expect((last as RegistryError).code).toBe('LAST_VERSION');
  });

  it('5xx → RegistryError; no answer at all → NetworkError; abort → CancelledError', () => {
    const e500 = mapGitHubError(httpError(502, 'Bad Gateway'), { what: 'w' }) as RegistryError;
    expect(e500).toBeInstanceOf(RegistryError);
    expect(e500.status).toBe(502);
    const net = mapGitHubError(
      { name: 'HttpError', status: 500, message: 'connect ECONNREFUSED 127.0.0.1:1', request: {} },
      { what: 'w', apiUrl: 'http://127.0.0.1:1' },
    );
    expect(net).toBeInstanceOf(NetworkError);
    expect((net as Error).message).toContain('ECONNREFUSED');
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(mapGitHubError(abort, { what: 'w' })).toBeInstanceOf(CancelledError);
  });

  it('leaves anything else alone', () => {
    const plain = new Error('boom');
    expect(mapGitHubError(plain, { what: 'w' })).toBe(plain);
    expect(mapGitHubError('x', { what: 'w' })).toBe('x');
  });

  it('resetTime reads the epoch header', () => {
    expect(resetTime('1700000060', 1700000000_000)).toEqual({
      at: '2023-11-14T22:14:20.000Z',
      inSeconds: 60,
    });
    expect(resetTime(undefined)).toBeUndefined();
    expect(resetTime('soon')).toBeUndefined();
  });
});

describe('the client maps failures', () => {
  it('401 from any call, and never prints the token', async () => {
    const { client } = fakeClient(() => ghError(401, 'Bad credentials'));
    const err = (await client.listVersions('o', 'app').catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(`${err.message} ${err.hint}`).not.toContain(TOKEN);
  });

  it('an empty token is refused before any request', () => {
    expect(() => new PackagesClient({ token: '' })).toThrow(AuthError);
  });

  it('404 on delete names the version', async () => {
    const { client } = fakeClient((call) => org(call) ?? ghError(404, 'Package version not found.'));
    const err = (await client.deleteVersion('o', 'app', 5).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toMatch(/^delete version 5 of o\/app: no such version/);
  });

  it('network failures become NetworkError after the retries', async () => {
    let n = 0;
    const { client } = fakeClient(() => {
      n++;
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    });
    const err = await client.getPackage('o', 'app').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(n).toBe(4); // one try + 3 retries
  });
});

describe('rate limits and retries', () => {
  it('retries 5xx answers (retry plugin) and succeeds', async () => {
    let n = 0;
    const { client } = fakeClient((call) => {
      if (call.url.pathname.endsWith('/versions'))
        return ++n <= 2 ? ghError(502, 'Server Error') : json(200, [version(1, hexDigest(1))]);
      return org(call) ?? ghError(404, 'Not Found');
    });
    expect(await client.listVersions('o', 'app')).toHaveLength(1);
    expect(n).toBe(3);
  });

  it('gives up on 5xx after the retries with a RegistryError', async () => {
    let n = 0;
    const { client } = fakeClient((call) => org(call) ?? (n++, ghError(503, 'Unavailable')), { retries: 2 });
    const err = (await client.deleteVersion('o', 'app', 1).catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.status).toBe(503);
    expect(n).toBe(3);
  });

  it('waits for a primary rate-limit reset that is near, then retries', async () => {
    let n = 0;
    const notices: string[] = [];
    const { client } = fakeClient(
      (call) => {
        if (!call.url.pathname.endsWith('/versions')) return org(call) ?? ghError(404, 'Not Found');
        if (++n === 1) {
          return ghError(403, 'API rate limit exceeded for user ID 1.', {
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1),
          });
        }
        return json(200, [version(1, hexDigest(1))]);
      },
      { notice: (l) => notices.push(l) },
    );
    expect(await client.listVersions('o', 'app')).toHaveLength(1);
    expect(n).toBe(2);
    expect(notices[0]).toMatch(/^GitHub API rate limit reached; waiting \d+ s for the reset/);
  });

  it('does not wait for a reset that is far away: RegistryError with the reset time at once', async () => {
    let n = 0;
    const reset = Math.floor(Date.now() / 1000) + 1800;
    const { client } = fakeClient((call) => {
      if (!call.url.pathname.endsWith('/versions')) return org(call) ?? ghError(404, 'Not Found');
      n++;
      return ghError(403, 'API rate limit exceeded for user ID 1.', {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(reset),
      });
    });
    const err = (await client.listVersions('o', 'app').catch((e: unknown) => e)) as RegistryError;
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.message).toContain(new Date(reset * 1000).toISOString());
    expect(n).toBe(1);
    expect(client.rateLimit.remaining).toBe(0);
  });

  it('honours retry-after on a secondary rate limit, then succeeds', async () => {
    let n = 0;
    const notices: string[] = [];
    const started = Date.now();
    const { client } = fakeClient(
      (call) => {
        if (!call.url.pathname.endsWith('/versions/9')) return org(call) ?? ghError(404, 'Not Found');
        return ++n <= 2
          ? ghError(
              403,
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
              {
                'retry-after': '4',
              },
            )
          : json(204, undefined);
      },
      { notice: (l) => notices.push(l), rateLimitUnitMs: 10 },
    );
    await client.deleteVersion('o', 'app', 9);
    expect(n).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 4 * 10 - 5);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/secondary rate limit; waiting 4 s/);
  });

  it('gives up after the allowed secondary retries', async () => {
    let n = 0;
    const { client } = fakeClient(
      (call) =>
        org(call) ?? (n++, ghError(403, 'You have exceeded a secondary rate limit.', { 'retry-after': '1' })),
      { secondaryRetries: 2 },
    );
    const err = (await client.restoreVersion('o', 'app', 9).catch((e: unknown) => e)) as RegistryError;
    expect(err.code).toBe('SECONDARY_RATE_LIMITED');
    expect(n).toBe(3);
  });

  it('does not honour a retry-after beyond the maximum wait', async () => {
    let n = 0;
    const { client } = fakeClient(
      (call) =>
        org(call) ??
        (n++, ghError(403, 'You have exceeded a secondary rate limit.', { 'retry-after': '3600' })),
      { secondaryMaxWaitSeconds: 60 },
    );
    const err = (await client.deleteVersion('o', 'app', 9).catch((e: unknown) => e)) as RegistryError;
    expect(err.code).toBe('SECONDARY_RATE_LIMITED');
    expect(n).toBe(1);
  });
});
