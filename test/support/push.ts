import type { Blob, ImageOrIndex } from './images.js';
import { allBlobs, allManifests } from './images.js';

export type PushAuth = { username: string; password: string } | { bearer: string };

export interface PushOptions {
  auth?: PushAuth;
  /**
   * Merged into every fetch call, e.g. `{ dispatcher: new Agent({ connect: { ca } }) }` for a TLS
   * registry. `dispatcher` is loosely typed: an Agent from the npm undici (v7) works with node 20's
   * bundled fetch at runtime, but its types come from a different undici than the global fetch's.
   */
  fetchOptions?: Omit<RequestInit, 'dispatcher'> & { dispatcher?: object };
}

/**
 * Upload a fixture with nothing but fetch, independently of the project's client, so tests can seed a
 * registry before exercising the code under test. Monolithic uploads (POST then PUT ?digest=), children
 * before parents, existing blobs skipped. Auth is the minimum: Basic, a static bearer token, or one
 * round-trip to the token realm named in a Bearer challenge.
 */
export async function pushImage(
  registryUrl: string,
  repo: string,
  ref: string,
  image: ImageOrIndex,
  options: PushOptions = {},
): Promise<{ digest: string }> {
  const base = registryUrl.replace(/\/+$/, '');
  const session = new AuthSession(options);
  for (const blob of allBlobs(image)) await pushBlob(session, base, repo, blob);
  for (const manifest of allManifests(image)) {
    const isTop = manifest === image;
    await putManifest(session, base, repo, isTop ? ref : manifest.digest, manifest);
  }
  return { digest: image.digest };
}

async function pushBlob(session: AuthSession, base: string, repo: string, blob: Blob): Promise<void> {
  const head = await session.fetch(`${base}/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' }, repo);
  if (head.ok) return;
  const start = await session.fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' }, repo);
  await expectStatus(start, 202, `start upload of ${blob.digest}`);
  const location = start.headers.get('location');
  if (!location) throw new Error(`upload of ${blob.digest}: 202 without Location`);
  const url = new URL(location, base);
  url.searchParams.set('digest', blob.digest);
  const put = await session.fetch(
    url.toString(),
    {
      method: 'PUT',
      body: blob.data,
      headers: { 'content-type': 'application/octet-stream' },
    },
    repo,
  );
  await expectStatus(put, 201, `upload of ${blob.digest}`);
}

async function putManifest(
  session: AuthSession,
  base: string,
  repo: string,
  ref: string,
  manifest: ImageOrIndex,
): Promise<void> {
  const res = await session.fetch(
    `${base}/v2/${repo}/manifests/${ref}`,
    { method: 'PUT', body: manifest.manifest, headers: { 'content-type': manifest.mediaType } },
    repo,
  );
  await expectStatus(res, 201, `manifest PUT ${repo}:${ref}`);
  const digest = res.headers.get('docker-content-digest');
  if (digest !== null && digest !== manifest.digest) {
    throw new Error(`manifest PUT ${repo}:${ref}: registry computed ${digest}, expected ${manifest.digest}`);
  }
}

async function expectStatus(res: Response, status: number, what: string): Promise<void> {
  if (res.status === status) {
    await res.body?.cancel();
    return;
  }
  const body = await res.text();
  throw new Error(`${what}: expected ${status}, got ${res.status}: ${body.slice(0, 500)}`);
}

/** Parse `Bearer realm="...",service="...",scope="..."` into its parameters. */
function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  const re = /(\w+)="([^"]*)"/g;
  for (let m = re.exec(header); m !== null; m = re.exec(header)) params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme, params };
}

class AuthSession {
  private authorization: string | undefined;
  private readonly extra: RequestInit;

  constructor(private readonly options: PushOptions) {
    this.extra = (options.fetchOptions ?? {}) as RequestInit;
    if (options.auth && 'bearer' in options.auth) this.authorization = `Bearer ${options.auth.bearer}`;
  }

  async fetch(url: string, init: RequestInit, repo: string): Promise<Response> {
    const first = await this.send(url, init);
    if (first.status !== 401 || (this.options.auth && 'bearer' in this.options.auth)) return first;
    const challenge = first.headers.get('www-authenticate');
    await first.body?.cancel();
    if (!challenge) throw new Error(`${init.method ?? 'GET'} ${url}: 401 without WWW-Authenticate`);
    await this.authenticate(challenge, repo);
    return this.send(url, init);
  }

  private send(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.authorization) headers.set('authorization', this.authorization);
    return fetch(url, { ...this.extra, ...init, headers, redirect: 'manual' });
  }

  private basic(): string | undefined {
    const auth = this.options.auth;
    if (!auth || !('username' in auth)) return undefined;
    return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  }

  private async authenticate(header: string, repo: string): Promise<void> {
    const { scheme, params } = parseChallenge(header);
    if (scheme === 'basic') {
      const basic = this.basic();
      if (!basic) throw new Error('registry wants Basic credentials but none were given');
      this.authorization = basic;
      return;
    }
    if (scheme !== 'bearer' || !params.realm) throw new Error(`unsupported challenge: ${header}`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    // Ask for push on the whole repo once rather than per-request scopes: one token covers the push.
    url.searchParams.append('scope', `repository:${repo}:pull,push`);
    const basic = this.basic();
    const res = await fetch(url, { ...this.extra, headers: basic ? { authorization: basic } : {} });
    if (!res.ok) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error('token response has neither token nor access_token');
    this.authorization = `Bearer ${token}`;
  }
}
