/**
 * An in-process stand-in for api.github.com, handed to the client as its `fetch`: each test
 * answers requests with GitHub-shaped responses, and every call is recorded (headers included,
 * so tests can check what was sent — and what was not).
 */
import { PackagesClient, type PackagesClientOptions } from '../../../src/github/packages.js';

export const API = 'https://api.github.test';
export const TOKEN = 'ghp_unitTestToken0123456789abcdefABCDEF';

export interface FakeCall {
  method: string;
  url: URL;
  headers: Headers;
}

export type Handler = (call: FakeCall) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: {
      ...(status === 204 ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-used': '1',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      ...headers,
    },
  });
}

export function ghError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return json(
    status,
    { message, documentation_url: 'https://docs.github.com/rest', status: String(status) },
    headers,
  );
}

export function version(
  id: number,
  digest: string,
  tags: string[] = [],
  createdAt = '2024-01-01T00:00:00Z',
): Record<string, unknown> {
  return {
    id,
    name: digest,
    url: `${API}/orgs/o/packages/container/app/versions/${id}`,
    package_html_url: 'https://github.com/orgs/o/packages/container/package/app',
    created_at: createdAt,
    updated_at: createdAt,
    html_url: `https://github.com/orgs/o/packages/container/app/${id}`,
    metadata: { package_type: 'container', container: { tags } },
  };
}

export function pkg(name: string, owner = 'o', type = 'Organization'): Record<string, unknown> {
  return {
    id: 42,
    name,
    package_type: 'container',
    owner: { login: owner, id: 1, type },
    version_count: 3,
    visibility: 'private',
    url: `${API}/orgs/${owner}/packages/container/${encodeURIComponent(name)}`,
    html_url: `https://github.com/orgs/${owner}/packages/container/package/${encodeURIComponent(name)}`,
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-02T00:00:00Z',
  };
}

export function hexDigest(n: number): string {
  return `sha256:${n.toString(16).padStart(64, '0')}`;
}

export function fakeApi(handler: Handler): { fetch: typeof fetch; calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const call: FakeCall = { method: init?.method ?? 'GET', url, headers: new Headers(init?.headers) };
    calls.push(call);
    return handler(call);
  };
  return { fetch: fake, calls };
}

/** A client on the fake API with waits shrunk to milliseconds and writes not spaced. */
export function fakeClient(
  handler: Handler,
  opts: Partial<PackagesClientOptions> = {},
): { client: PackagesClient; calls: FakeCall[] } {
  const { fetch, calls } = fakeApi(handler);
  const client = new PackagesClient({
    token: TOKEN,
    tokenSource: 'env GITHUB_TOKEN',
    baseUrl: API,
    fetch,
    retryBaseMs: 1,
    rateLimitUnitMs: 5,
    spaceWrites: false,
    ...opts,
  });
  return { client, calls };
}
