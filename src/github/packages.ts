/**
 * A small client for GitHub's Packages REST API, the only way to list, delete and restore what
 * ghcr.io holds: its registry has no DELETE, no catalog and no referrers API. One GHCR package
 * version is one manifest: its `name` is the manifest digest and `metadata.container.tags` lists the
 * tags on it.
 *
 * Built on Octokit with the throttling plugin (primary limits: `x-ratelimit-remaining: 0` waits for
 * `x-ratelimit-reset` when that is soon; secondary limits: 403 + `retry-after`, retried a few times;
 * writes spaced one second apart, as GitHub asks) and the retry plugin (5xx and network failures).
 * Every failure becomes one of the project's typed errors; the token is never part of a message.
 *
 * Routes: a package belongs to an organization (`/orgs/{org}/…`), to the authenticated user
 * (`/user/…`, which also sees private packages) or to another user (`/users/{username}/…`). The
 * owner kind is found by trying the organization route first and remembered per owner.
 */
import { Octokit } from '@octokit/rest';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { retry } from '@octokit/plugin-retry';
import { z } from 'zod';
import {
  AuthError,
  CancelledError,
  NetworkError,
  NotFoundError,
  ProtocolError,
  RegistryError,
  UsageError,
} from '../errors.js';
import { isDigest } from '../oci/digest.js';
import { sanitizeServerText } from '../registry/response-error.js';
import { parseLinks } from '../registry/link.js';
import { findCredential, type CredentialOptions } from '../registry/credentials/index.js';
import { redactSecrets } from '../util/redact.js';
import { DEFAULT_GITHUB_API, missingPackageScopes, type PackageScope } from './token-scopes.js';
import { VERSION } from '../version.js';

export const GHCR_HOST = 'ghcr.io';
export const PER_PAGE = 100;
const MAX_PAGES = 10_000;
/** What GitHub asks for: at least one second between writes of one user. */
const WRITE_SPACING_NOTE = 'one second between deletes, as GitHub asks for bulk writes';

export type OwnerKind = 'org' | 'authenticated-user' | 'user';

/** One GHCR package version: one manifest or index in the repository. */
export interface PackageVersion {
  id: number;
  /** The manifest digest: the version's `name` in GitHub's API. */
  digest: string;
  /** When the version was created (first pushed), ISO-8601 as GitHub sent it. */
  createdAt: string;
  updatedAt?: string;
  /** Only for deleted versions (listed with `state: 'deleted'`). */
  deletedAt?: string;
  /** `metadata.container.tags`, sorted. */
  tags: string[];
  htmlUrl?: string;
}

export interface GitHubPackage {
  id: number;
  name: string;
  /** The owner as given (GitHub's login when the answer named it). */
  owner: string;
  ownerKind: OwnerKind;
  visibility: 'public' | 'private' | 'internal';
  versionCount: number;
  htmlUrl?: string;
  /** `owner/repo` of the linked repository, when there is one. */
  repository?: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface RateLimitState {
  limit?: number;
  remaining?: number;
  used?: number;
  /** When the window resets, ISO-8601. */
  reset?: string;
  resource?: string;
}

export interface PackagesClientOptions {
  /** A GitHub token: a classic PAT with read:packages (+ delete:packages), or Actions' GITHUB_TOKEN. */
  token: string;
  /** Where the token came from ("env GITHUB_TOKEN"), for messages. Never the token itself. */
  tokenSource?: string;
  /** REST API root; default `$GITHUB_API_URL` as resolved by the caller, else https://api.github.com. */
  baseUrl?: string;
  /** A fetch implementation (tests, proxies); default the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** One line per request (method, URL, status, remaining quota); never headers. */
  debug?: (line: string) => void;
  /** Waits the user should know about (rate limits). */
  notice?: (line: string) => void;
  /** Retries of 5xx answers and network failures; default 3. */
  retries?: number;
  /** Base of the retry back-off ((n+1)² × this); default 1000 ms. */
  retryBaseMs?: number;
  /** Scale of `retry-after` / reset waits; default 1000 (seconds). Tests shrink it. */
  rateLimitUnitMs?: number;
  /** Wait for a primary rate-limit reset only when it is at most this far away; default 60 s. */
  rateLimitMaxWaitSeconds?: number;
  /** Retries after a secondary rate limit (403/429 + `retry-after`); default 3. */
  secondaryRetries?: number;
  /** Longest `retry-after` we honour before giving up; default 300 s. */
  secondaryMaxWaitSeconds?: number;
  /** Space writes one second apart (GitHub's advice); default true. */
  spaceWrites?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Response shapes
// ---------------------------------------------------------------------------------------------

const VersionSchema = z.object({
  id: z.number().int().nonnegative(),
  name: z.string(),
  created_at: z.string(),
  updated_at: z.string().optional(),
  deleted_at: z.string().nullish(),
  html_url: z.string().optional(),
  metadata: z
    .object({
      package_type: z.string().optional(),
      container: z.object({ tags: z.array(z.string()).nullish() }).nullish(),
    })
    .nullish(),
});
type RawVersion = z.infer<typeof VersionSchema>;

const PackageSchema = z.object({
  id: z.number(),
  name: z.string(),
  package_type: z.string().optional(),
  visibility: z.string().optional(),
  version_count: z.number().optional(),
  html_url: z.string().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  owner: z.object({ login: z.string() }).nullish(),
  repository: z.object({ full_name: z.string() }).nullish(),
});

/** GitHub's package version (one element of a versions page) → {@link PackageVersion}. */
export function toPackageVersion(raw: unknown, what = 'package version'): PackageVersion {
  const parsed = VersionSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ProtocolError(`${what}: GitHub answered an unexpected package version object`, {
      hint: 'is GITHUB_API_URL the REST API root (https://api.github.com, or https://HOST/api/v3)?',
    });
  }
  const v: RawVersion = parsed.data;
  if (!isDigest(v.name)) {
    throw new ProtocolError(
      `${what}: version ${v.id} is named "${sanitizeServerText(v.name, 80)}", not a digest`,
      {
        hint: 'only container packages (ghcr.io) name their versions by manifest digest',
      },
    );
  }
  const out: PackageVersion = {
    id: v.id,
    digest: v.name,
    createdAt: v.created_at,
    tags: [...new Set(v.metadata?.container?.tags ?? [])].sort(),
  };
  if (v.updated_at !== undefined) out.updatedAt = v.updated_at;
  if (v.deleted_at) out.deletedAt = v.deleted_at;
  if (v.html_url !== undefined) out.htmlUrl = v.html_url;
  return out;
}

/** The versions as the retention inventory's `versions` facts. */
export function versionFacts(
  versions: readonly PackageVersion[],
): { id: number; digest: string; createdAt: string; tags: string[] }[] {
  return versions.map((v) => ({ id: v.id, digest: v.digest, createdAt: v.createdAt, tags: [...v.tags] }));
}

/**
 * digest → version. GHCR has one version per digest; should it ever list one twice, the lower id
 * (the older version) wins and the others are returned as `duplicates`.
 */
export function indexVersions(versions: readonly PackageVersion[]): {
  byDigest: Map<string, PackageVersion>;
  byId: Map<number, PackageVersion>;
  duplicates: PackageVersion[];
} {
  const byDigest = new Map<string, PackageVersion>();
  const byId = new Map<number, PackageVersion>();
  const duplicates: PackageVersion[] = [];
  for (const v of [...versions].sort((a, b) => a.id - b.id)) {
    byId.set(v.id, v);
    if (byDigest.has(v.digest)) duplicates.push(v);
    else byDigest.set(v.digest, v);
  }
  return { byDigest, byId, duplicates };
}

/** `ghcr.io/OWNER/a/b` or `OWNER/a/b` → owner `OWNER`, package `a/b`. */
export function splitPackagePath(path: string): { owner: string; package: string } {
  const trimmed = path.replace(/^ghcr\.io\//i, '').replace(/^\/+|\/+$/g, '');
  const slash = trimmed.indexOf('/');
  if (slash <= 0 || slash === trimmed.length - 1) {
    throw new UsageError(`"${path}" is not OWNER/PACKAGE`, {
      hint: 'name the package as on ghcr.io: OWNER/IMAGE (e.g. octo-org/app for ghcr.io/octo-org/app)',
    });
  }
  return { owner: trimmed.slice(0, slash), package: trimmed.slice(slash + 1) };
}

// ---------------------------------------------------------------------------------------------
// Configuration from the environment
// ---------------------------------------------------------------------------------------------

/** `$GITHUB_API_URL` (set by Actions, and on GHES), else https://api.github.com; no trailing slash. */
export function githubApiUrl(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env['GITHUB_API_URL']?.trim() || DEFAULT_GITHUB_API;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`GITHUB_API_URL "${raw}" is not a URL`, {
      hint: 'use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server',
    });
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UsageError(`GITHUB_API_URL "${raw}" must be an https:// URL`, {
      hint: 'a token is never sent over plain HTTP (except to a test server on this machine)',
    });
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * The GitHub token for ghcr.io: `--password`/`--password-stdin`, then GHCR_TOKEN, then GITHUB_TOKEN,
 * then a ghcr.io login in Docker's or containers' auth files (a GHCR password is a GitHub token).
 */
export async function findGitHubToken(
  opts: CredentialOptions = {},
): Promise<{ token: string; source: string } | undefined> {
  const cred = await findCredential(GHCR_HOST, opts);
  // Only a password is a GitHub token; identity and registry tokens are the registry's own.
  if (!cred || cred.password === undefined || cred.password === '') return undefined;
  return { token: cred.password, source: cred.source };
}

export function missingTokenError(): AuthError {
  return new AuthError('no GitHub token for the Packages API', undefined, undefined, {
    hint:
      'set GHCR_TOKEN (or GITHUB_TOKEN) to a token with read:packages and delete:packages; ' +
      'in GitHub Actions use GITHUB_TOKEN with "permissions: packages: write"',
  });
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

interface OctokitLikeError {
  name?: string;
  message?: string;
  status?: number;
  response?: { status: number; headers: Record<string, string | undefined>; data?: unknown };
  request?: unknown;
}

function serverMessage(data: unknown): string | undefined {
  if (typeof data === 'string') return data.trim() === '' ? undefined : sanitizeServerText(data);
  if (data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string') {
    return sanitizeServerText((data as { message: string }).message);
  }
  return undefined;
}

export const SCOPE_HINT =
  'the token needs read:packages, and delete:packages to delete (write:packages to restore); ' +
  'in GitHub Actions, GITHUB_TOKEN with "permissions: packages: write" (and the workflow\'s ' +
  'repository given Admin access in the package settings)';

/** Seconds from now until a `x-ratelimit-reset` epoch, and that instant as ISO-8601. */
export function resetTime(
  header: string | undefined,
  now = Date.now(),
): { at: string; inSeconds: number } | undefined {
  const epoch = Number(header);
  if (header === undefined || !Number.isFinite(epoch) || epoch <= 0) return undefined;
  return { at: new Date(epoch * 1000).toISOString(), inSeconds: Math.max(0, Math.ceil(epoch - now / 1000)) };
}

export interface ErrorContext {
  /** What was being done, e.g. "list versions of octo-org/app". */
  what: string;
  /** Needed scopes for this call, for 403 hints. */
  scopes?: readonly PackageScope[];
  tokenSource?: string;
  apiUrl?: string;
  /** What a 404 means here; default "package not found or no access". */
  notFound?: string;
  now?: number;
}

/** An Octokit failure → the project's typed errors. Anything else is returned unchanged. */
export function mapGitHubError(err: unknown, ctx: ErrorContext): unknown {
  if (!err || typeof err !== 'object') return err;
  const e = err as OctokitLikeError;
  if (e.name === 'AbortError') return new CancelledError('cancelled', { cause: err });
  if (typeof e.status !== 'number' || (e.name !== 'HttpError' && e.request === undefined)) return err;
  const res = e.response;
  if (!res) {
    // No HTTP answer: fetch failed (DNS, refused, TLS, reset).
    return new NetworkError(
      `${ctx.what}: cannot reach the GitHub API${ctx.apiUrl ? ` at ${ctx.apiUrl}` : ''}: ${redactSecrets(e.message ?? 'fetch failed')}`,
      {
        hint: 'check the network, and GITHUB_API_URL when it is set',
        cause: err,
      },
    );
  }
  const status = res.status;
  const headers = res.headers;
  const message = serverMessage(res.data);
  const said = message ? `: ${message}` : '';
  const from = ctx.tokenSource ? ` (token from ${ctx.tokenSource})` : '';

  const remainingZero = headers['x-ratelimit-remaining'] === '0';
  const secondary = /\bsecondary rate\b/i.test(message ?? '') || (status === 429 && !remainingZero);
  if ((status === 403 || status === 429) && secondary) {
    const after = Number(headers['retry-after']);
    const wait = Number.isFinite(after) && after > 0 ? ` (retry after ${after} s)` : '';
    return new RegistryError(
      `${ctx.what}: GitHub's secondary rate limit was hit${wait}`,
      status,
      'SECONDARY_RATE_LIMITED',
      {
        hint: 'too many requests in a short time; wait a few minutes and run again (deleted versions stay deleted, the rest is picked up)',
        cause: err,
      },
    );
  }
  if ((status === 403 || status === 429) && remainingZero) {
    const reset = resetTime(headers['x-ratelimit-reset'], ctx.now);
    const when = reset ? `; it resets at ${reset.at} (in ${reset.inSeconds} s)` : '';
    return new RegistryError(`${ctx.what}: GitHub API rate limit exceeded${when}`, status, 'RATE_LIMITED', {
      hint:
        'wait for the reset and run again; an authenticated token gets 5,000 requests an hour' +
        (headers['x-ratelimit-resource'] ? ` (resource "${headers['x-ratelimit-resource']}")` : ''),
      cause: err,
    });
  }
  if (status === 401) {
    return new AuthError(`${ctx.what}: GitHub rejected the token${from} (HTTP 401${said})`, 401, undefined, {
      hint: `the token is missing, expired or revoked; ${SCOPE_HINT}`,
      cause: err,
    });
  }
  if (status === 403) {
    const granted = headers['x-oauth-scopes'];
    const missing =
      granted !== undefined && ctx.scopes
        ? missingPackageScopes(
            granted
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
            ctx.scopes,
          )
        : [];
    return new AuthError(
      `${ctx.what}: GitHub refused it${from} (HTTP 403${said})`,
      403,
      missing.length > 0 ? missing.join(' ') : undefined,
      {
        hint:
          missing.length > 0
            ? `the token lacks ${missing.join(', ')}; ${SCOPE_HINT}`
            : `the token's user needs admin access to the package to delete or restore; ${SCOPE_HINT}`,
        cause: err,
      },
    );
  }
  if (status === 404) {
    return new NotFoundError(`${ctx.what}: ${ctx.notFound ?? 'package not found or no access'}`, {
      hint:
        'check OWNER and PACKAGE (as in ghcr.io/OWNER/PACKAGE) and that the token can see the package ' +
        '(GitHub answers 404, not 403, for packages a token may not read)',
      cause: err,
    });
  }
  if (status === 400 && /\blast (tagged )?version\b/i.test(message ?? '')) {
    const tagged = /\blast tagged version\b/i.test(message ?? '');
    return new RegistryError(
      `${ctx.what}: GitHub refuses to delete the last ${tagged ? 'tagged ' : ''}version of a package${message ? ` ("${message}")` : ''}`,
      400,
      tagged ? 'LAST_TAGGED_VERSION' : 'LAST_VERSION',
      {
        hint: 'keep this version, or delete the whole package in its settings on GitHub',
        cause: err,
      },
    );
  }
  if (status >= 500) {
    return new RegistryError(
      `${ctx.what}: the GitHub API failed (HTTP ${status}${said})`,
      status,
      undefined,
      {
        hint: 'GitHub is having trouble; try again later (https://www.githubstatus.com)',
        cause: err,
      },
    );
  }
  return new RegistryError(`${ctx.what}: GitHub answered HTTP ${status}${said}`, status, undefined, {
    cause: err,
  });
}

/** True for GitHub's refusal to delete the last (tagged) version of a package. */
export function isLastVersionRefusal(err: unknown): boolean {
  return err instanceof RegistryError && (err.code === 'LAST_TAGGED_VERSION' || err.code === 'LAST_VERSION');
}

/** True for rate-limit failures (primary or secondary) that survived the waits we allow. */
export function isRateLimited(err: unknown): boolean {
  return (
    err instanceof RegistryError && (err.code === 'RATE_LIMITED' || err.code === 'SECONDARY_RATE_LIMITED')
  );
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

const GitHubOctokit = Octokit.plugin(throttling, retry);
type GitHubOctokit = InstanceType<typeof GitHubOctokit>;

/** The plugin's write limiter, made a pass-through (Bottleneck.Group's shape, as far as it is used). */
const NO_SPACING = {
  key: () => ({
    schedule: <T>(_opts: unknown, fn: (...args: unknown[]) => Promise<T>, ...args: unknown[]): Promise<T> =>
      fn(...args),
  }),
};

interface RequestSummary {
  method?: string;
  url?: string;
}

interface Route {
  kind: OwnerKind;
  /** `/orgs/{org}`, `/user` or `/users/{username}` with the owner filled in by Octokit. */
  prefix: string;
  params: Record<string, string>;
}

function routeFor(kind: OwnerKind, owner: string): Route {
  switch (kind) {
    case 'org':
      return { kind, prefix: '/orgs/{org}', params: { org: owner } };
    case 'authenticated-user':
      return { kind, prefix: '/user', params: {} };
    case 'user':
      return { kind, prefix: '/users/{username}', params: { username: owner } };
  }
}

export class PackagesClient {
  readonly baseUrl: string;
  readonly tokenSource: string | undefined;
  readonly #octokit: GitHubOctokit;
  readonly #ownerKinds = new Map<string, OwnerKind>();
  #login: Promise<string | undefined> | undefined;
  #rate: RateLimitState = {};

  constructor(opts: PackagesClientOptions) {
    if (opts.token === '') throw missingTokenError();
    this.baseUrl = (opts.baseUrl ?? DEFAULT_GITHUB_API).replace(/\/+$/, '');
    this.tokenSource = opts.tokenSource;
    const unit = opts.rateLimitUnitMs ?? 1000;
    const maxPrimary = opts.rateLimitMaxWaitSeconds ?? 60;
    const secondaryRetries = opts.secondaryRetries ?? 3;
    const maxSecondary = opts.secondaryMaxWaitSeconds ?? 300;
    const notice = opts.notice ?? (() => undefined);
    const debug = opts.debug;
    const describe = (o: RequestSummary): string => `${o.method ?? 'GET'} ${redactSecrets(o.url ?? '')}`;
    this.#octokit = new GitHubOctokit({
      auth: opts.token,
      baseUrl: this.baseUrl,
      userAgent: `ghcr-optimize/${VERSION}`,
      request: opts.fetch ? { fetch: opts.fetch } : {},
      log: {
        debug: () => undefined,
        info: () => undefined,
        // Deprecation notices; the request log's own error lines repeat what the hooks below say.
        warn: (m: string) => debug?.(`github: ${redactSecrets(String(m))}`),
        error: () => undefined,
      },
      retry: { retries: opts.retries ?? 3, retryAfterBaseValue: opts.retryBaseMs ?? 1000 },
      throttle: {
        retryAfterBaseValue: unit,
        fallbackSecondaryRateRetryAfter: 60,
        ...(opts.spaceWrites === false
          ? { write: NO_SPACING as unknown as NonNullable<ThrottlingOptions['write']> }
          : {}),
        onRateLimit: (after: number, options: RequestSummary, _octokit: unknown, retryCount: number) => {
          if (retryCount >= 1 || after > maxPrimary) return false;
          notice(`GitHub API rate limit reached; waiting ${after} s for the reset (${describe(options)})`);
          return true;
        },
        onSecondaryRateLimit: (
          after: number,
          options: RequestSummary,
          _octokit: unknown,
          retryCount: number,
        ) => {
          if (retryCount >= secondaryRetries || after > maxSecondary) return false;
          notice(`GitHub secondary rate limit; waiting ${after} s before retrying (${describe(options)})`);
          return true;
        },
      },
    });
    const track = (headers: Record<string, string | number | undefined> | undefined): void => {
      if (!headers) return;
      const num = (k: string): number | undefined => {
        const v = headers[k];
        const n = typeof v === 'number' ? v : Number(v);
        return v === undefined || !Number.isFinite(n) ? undefined : n;
      };
      const rate: RateLimitState = {};
      const limit = num('x-ratelimit-limit');
      const remaining = num('x-ratelimit-remaining');
      const used = num('x-ratelimit-used');
      const reset = num('x-ratelimit-reset');
      if (limit === undefined && remaining === undefined) return;
      if (limit !== undefined) rate.limit = limit;
      if (remaining !== undefined) rate.remaining = remaining;
      if (used !== undefined) rate.used = used;
      if (reset !== undefined) rate.reset = new Date(reset * 1000).toISOString();
      const resource = headers['x-ratelimit-resource'];
      if (typeof resource === 'string') rate.resource = resource;
      this.#rate = rate;
    };
    // The hooks see the route template; the expanded URL is what a reader wants.
    const expand = (
      options: Parameters<GitHubOctokit['request']['endpoint']['parse']>[0],
    ): RequestSummary => {
      try {
        const { method, url } = this.#octokit.request.endpoint.parse(options);
        return { method, url };
      } catch {
        return { method: options.method, url: options.url };
      }
    };
    this.#octokit.hook.after('request', (res, options) => {
      track(res.headers);
      debug?.(
        `github: ${describe(expand(options))} → ${res.status}` +
          (this.#rate.remaining !== undefined ? ` (rate limit remaining ${this.#rate.remaining})` : ''),
      );
    });
    this.#octokit.hook.error('request', (error, options) => {
      const e = error as OctokitLikeError;
      track(e.response?.headers);
      debug?.(
        `github: ${describe(expand(options))} → ${e.response?.status ?? `failed (${e.message ?? 'error'})`}`,
      );
      throw error;
    });
    if (opts.spaceWrites !== false) debug?.(`github: ${WRITE_SPACING_NOTE}`);
  }

  /** The rate-limit headers of the last answer. */
  get rateLimit(): RateLimitState {
    return { ...this.#rate };
  }

  #ctx(what: string, scopes: readonly PackageScope[], notFound?: string): ErrorContext {
    return {
      what,
      scopes,
      apiUrl: this.baseUrl,
      ...(this.tokenSource ? { tokenSource: this.tokenSource } : {}),
      ...(notFound ? { notFound } : {}),
    };
  }

  async #call<T>(ctx: ErrorContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapGitHubError(err, ctx);
    }
  }

  /** The login of the token's user; undefined when the token cannot tell (Actions' GITHUB_TOKEN). */
  authenticatedLogin(signal?: AbortSignal): Promise<string | undefined> {
    this.#login ??= (async () => {
      try {
        const res = await this.#octokit.request('GET /user', { request: { signal } });
        return typeof res.data.login === 'string' ? res.data.login : undefined;
      } catch (err) {
        const mapped = mapGitHubError(err, this.#ctx('read the authenticated user', ['read:packages']));
        // An installation token (GITHUB_TOKEN) may not read /user: 403 "Resource not accessible by integration".
        if (mapped instanceof AuthError && mapped.status === 403) return undefined;
        if (mapped instanceof NotFoundError) return undefined;
        throw mapped;
      }
    })();
    const pending = this.#login;
    pending.catch(() => {
      if (this.#login === pending) this.#login = undefined;
    });
    return pending;
  }

  async #getPackageAt(
    route: Route,
    owner: string,
    pkg: string,
    signal?: AbortSignal,
  ): Promise<GitHubPackage> {
    const res = await this.#octokit.request(`GET ${route.prefix}/packages/{package_type}/{package_name}`, {
      ...route.params,
      package_type: 'container',
      package_name: pkg,
      request: { signal },
    });
    const parsed = PackageSchema.safeParse(res.data);
    if (!parsed.success)
      throw new ProtocolError(`package ${owner}/${pkg}: GitHub answered an unexpected object`);
    const p = parsed.data;
    const out: GitHubPackage = {
      id: p.id,
      name: p.name,
      owner: p.owner?.login ?? owner,
      ownerKind: route.kind,
      visibility: p.visibility === 'public' ? 'public' : p.visibility === 'internal' ? 'internal' : 'private',
      versionCount: p.version_count ?? 0,
    };
    if (p.html_url !== undefined) out.htmlUrl = p.html_url;
    if (p.repository?.full_name) out.repository = p.repository.full_name;
    if (p.created_at !== undefined) out.createdAt = p.created_at;
    if (p.updated_at !== undefined) out.updatedAt = p.updated_at;
    return out;
  }

  /**
   * Finds the package and how its owner is addressed: an organization first, else the token's own
   * user (`/user`, which sees private packages) when the login matches, else `/users/{owner}`.
   */
  getPackage(owner: string, pkg: string, signal?: AbortSignal): Promise<GitHubPackage> {
    checkNames(owner, pkg);
    return this.#findPackage(owner, pkg, `package ${owner}/${pkg}`, signal);
  }

  async #findPackage(owner: string, pkg: string, what: string, signal?: AbortSignal): Promise<GitHubPackage> {
    const ctx = this.#ctx(what, ['read:packages']);
    const known = this.#ownerKinds.get(owner.toLowerCase());
    if (known) return this.#call(ctx, () => this.#getPackageAt(routeFor(known, owner), owner, pkg, signal));
    const tryKind = async (kind: OwnerKind): Promise<GitHubPackage | undefined> => {
      try {
        const found = await this.#getPackageAt(routeFor(kind, owner), owner, pkg, signal);
        this.#ownerKinds.set(owner.toLowerCase(), kind);
        return found;
      } catch (err) {
        const mapped = mapGitHubError(err, ctx);
        if (mapped instanceof NotFoundError) return undefined;
        throw mapped;
      }
    };
    const asOrg = await tryKind('org');
    if (asOrg) return asOrg;
    const login = await this.authenticatedLogin(signal);
    const userKind: OwnerKind =
      login !== undefined && login.toLowerCase() === owner.toLowerCase() ? 'authenticated-user' : 'user';
    const asUser = await tryKind(userKind);
    if (asUser) return asUser;
    throw mapGitHubError({ name: 'HttpError', status: 404, request: {}, response: notFoundResponse }, ctx);
  }

  async #route(owner: string, pkg: string, what: string, signal?: AbortSignal): Promise<Route> {
    const known = this.#ownerKinds.get(owner.toLowerCase());
    if (known) return routeFor(known, owner);
    const found = await this.#findPackage(owner, pkg, what, signal);
    return routeFor(found.ownerKind, owner);
  }

  /**
   * Every version of the package (newest first, as GitHub lists them), following `Link` pagination
   * with `per_page=100`. `state: 'deleted'` lists deleted versions that can still be restored
   * (organization and authenticated-user packages).
   */
  async listVersions(
    owner: string,
    pkg: string,
    opts: { state?: 'active' | 'deleted'; signal?: AbortSignal; perPage?: number } = {},
  ): Promise<PackageVersion[]> {
    checkNames(owner, pkg);
    const what = `list versions of ${owner}/${pkg}`;
    const ctx = this.#ctx(what, ['read:packages']);
    const route = await this.#route(owner, pkg, what, opts.signal);
    if (opts.state === 'deleted' && route.kind === 'user') {
      // /users/{username}/… has no `state` parameter: it would list the active versions.
      throw new UsageError(
        `${what}: GitHub lists deleted versions only of organization packages and of the token's own packages`,
      );
    }
    const base = new URL(`${this.baseUrl}/`);
    const out: PackageVersion[] = [];
    const seenIds = new Set<number>();
    const visited = new Set<string>();
    const perPage = Math.min(Math.max(opts.perPage ?? PER_PAGE, 1), PER_PAGE);
    let res = await this.#call(ctx, () =>
      this.#octokit.request(`GET ${route.prefix}/packages/{package_type}/{package_name}/versions`, {
        ...route.params,
        package_type: 'container',
        package_name: pkg,
        per_page: perPage,
        ...(opts.state ? { state: opts.state } : {}),
        request: { signal: opts.signal },
      }),
    );
    for (let page = 1; ; page++) {
      if (!Array.isArray(res.data)) throw new ProtocolError(`${what}: GitHub did not answer a list`);
      let added = 0;
      for (const raw of res.data as unknown[]) {
        const v = toPackageVersion(raw, what);
        if (seenIds.has(v.id)) continue;
        seenIds.add(v.id);
        out.push(v);
        added++;
      }
      const next = parseLinks(res.headers.link).find((l) => l.rel.includes('next'));
      if (!next) break;
      const url = new URL(next.uri, res.url || base);
      if (url.origin !== base.origin) {
        throw new ProtocolError(`${what}: GitHub's next page is on another origin (${url.origin})`, {
          hint: 'the token is only ever sent to GITHUB_API_URL; check it',
        });
      }
      if (visited.has(url.href) || added === 0 || page >= MAX_PAGES) break; // a loop, or an empty page
      visited.add(url.href);
      res = await this.#call(ctx, () =>
        this.#octokit.request({ method: 'GET', url: url.href, request: { signal: opts.signal } }),
      );
    }
    return out;
  }

  /** One version by id (active or deleted). */
  async getVersion(owner: string, pkg: string, id: number, signal?: AbortSignal): Promise<PackageVersion> {
    checkNames(owner, pkg);
    checkId(id);
    const what = `version ${id} of ${owner}/${pkg}`;
    const route = await this.#route(owner, pkg, what, signal);
    const res = await this.#call(this.#ctx(what, ['read:packages'], 'no such version, or no access'), () =>
      this.#octokit.request(
        `GET ${route.prefix}/packages/{package_type}/{package_name}/versions/{package_version_id}`,
        {
          ...route.params,
          package_type: 'container',
          package_name: pkg,
          package_version_id: id,
          request: { signal },
        },
      ),
    );
    return toPackageVersion(res.data, what);
  }

  /** `DELETE …/versions/{id}`: the manifest and its tags go; GitHub keeps it restorable for 30 days. */
  async deleteVersion(owner: string, pkg: string, id: number, signal?: AbortSignal): Promise<void> {
    checkNames(owner, pkg);
    checkId(id);
    const what = `delete version ${id} of ${owner}/${pkg}`;
    const route = await this.#route(owner, pkg, what, signal);
    await this.#call(
      this.#ctx(
        what,
        ['read:packages', 'delete:packages'],
        'no such version (already deleted?), or no access',
      ),
      () =>
        this.#octokit.request(
          `DELETE ${route.prefix}/packages/{package_type}/{package_name}/versions/{package_version_id}`,
          {
            ...route.params,
            package_type: 'container',
            package_name: pkg,
            package_version_id: id,
            request: { signal },
          },
        ),
    );
  }

  /** `POST …/versions/{id}/restore`: brings back a version deleted in the last 30 days, tags included. */
  async restoreVersion(owner: string, pkg: string, id: number, signal?: AbortSignal): Promise<void> {
    checkNames(owner, pkg);
    checkId(id);
    const what = `restore version ${id} of ${owner}/${pkg}`;
    const route = await this.#route(owner, pkg, what, signal);
    await this.#call(
      this.#ctx(
        what,
        ['read:packages', 'write:packages'],
        'no deleted version with that id (deleted more than 30 days ago, or never?), or no access',
      ),
      () =>
        this.#octokit.request(
          `POST ${route.prefix}/packages/{package_type}/{package_name}/versions/{package_version_id}/restore`,
          {
            ...route.params,
            package_type: 'container',
            package_name: pkg,
            package_version_id: id,
            request: { signal },
          },
        ),
    );
  }
}

const notFoundResponse = { status: 404, headers: {}, data: { message: 'Not Found' } };

function checkNames(owner: string, pkg: string): void {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(owner)) {
    throw new UsageError(`"${owner}" is not a GitHub user or organization name`);
  }
  if (pkg === '' || pkg.startsWith('/') || pkg.endsWith('/') || /\s/.test(pkg)) {
    throw new UsageError(`"${pkg}" is not a package name`);
  }
}

function checkId(id: number): void {
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new UsageError(`package version id must be a positive whole number, got ${id}`);
  }
}
