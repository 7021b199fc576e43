/**
 * A GitHub Packages REST API simulator (container packages only), faithful to GitHub's REST
 * description (API version 2022-11-28) where retention depends on it, and backed by a real
 * docker-registry that holds the content: GHCR's package versions are the registry's manifests.
 *
 * Routes (package_type must be `container`; package names are URL-encoded, `a%2Fb`):
 *   GET    /user
 *   GET    /rate_limit                                   (not counted against the quota)
 *   GET    /orgs/{org}/packages/{type}/{name}            /user/…   /users/{username}/…
 *   GET    …/{name}/versions?per_page&page&state          (state: active|deleted; not on /users)
 *   GET    …/{name}/versions/{id}
 *   DELETE …/{name}/versions/{id}                         204; the registry manifest is deleted
 *   POST   …/{name}/versions/{id}/restore                 204; manifest and tags put back
 *
 * Behaviour modelled on GitHub's:
 * - versions are listed newest first; `per_page` defaults to 30 and is capped at 100; `Link`
 *   headers carry `prev`/`next`/`last`/`first` exactly as GitHub formats them, only when there is
 *   more than one page;
 * - 401 `Requires authentication` / `Bad credentials`; 404 for a package the token may not see
 *   (GitHub does not reveal private packages with 403); 403 for a missing classic-PAT scope
 *   (read:packages, delete:packages, write:packages for restore) or a non-admin delete;
 * - 400 `You cannot delete the last tagged version of a package. You must delete the package
 *   instead.` (and the same for the last version of all);
 * - deleted versions stay restorable for 30 days (`advance()` moves the clock);
 * - `x-ratelimit-limit/remaining/used/reset/resource` on every authenticated answer, 403 with
 *   `x-ratelimit-remaining: 0` when the quota is spent, and a secondary-rate-limit mode answering
 *   403 + `retry-after`;
 * - classic tokens echo `x-oauth-scopes`; fine-grained and Actions tokens do not, and an Actions
 *   token cannot read `/user`.
 * Binds 127.0.0.1 on an OS-assigned port.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, type TestServer } from '../net.js';
import { allManifests, type ImageOrIndex } from '../images.js';
import { pushImage } from '../push.js';
import { RegistryView, type SavedManifest } from './registry-view.js';

export const RESTORE_WINDOW_MS = 30 * 24 * 3600 * 1000;
const DOCS = 'https://docs.github.com/rest/packages/packages';

export interface SimOwner {
  login: string;
  type: 'User' | 'Organization';
  /** Organization members (each an admin of the org's packages). */
  members?: string[];
}

export interface SimTokenSpec {
  /** The user the token belongs to. */
  login: string;
  /**
   * Classic PAT scopes, echoed in `x-oauth-scopes`. Undefined: a token that shows no scopes
   * (fine-grained PAT, GITHUB_TOKEN) and may do whatever its user may.
   */
  scopes?: string[];
  /** Actions' GITHUB_TOKEN: `packages: read|write`, and no access to `/user`. */
  actions?: { packages: 'read' | 'write' };
  /** Requests per hour; default 5000. */
  rateLimit?: number;
}

export interface SimPackageOptions {
  visibility?: 'public' | 'private';
  /** `owner/repo` the package is linked to. */
  repository?: string;
}

export interface SimVersion {
  id: number;
  digest: string;
  createdAt: string;
  updatedAt: string;
  deletedAt?: string;
  /** Active: the registry's tags on the digest. Deleted: the tags it had when deleted. */
  tags: string[];
}

export interface RecordedRequest {
  method: string;
  /** Path as sent (still URL-encoded). */
  path: string;
  query: string;
  status: number;
  /** Whether an Authorization header was present (never the token). */
  authenticated: boolean;
}

interface TokenState extends SimTokenSpec {
  limit: number;
  remaining: number;
  resetAt: number;
}

interface VersionState extends SimVersion {
  saved?: SavedManifest;
}

interface PackageState {
  id: number;
  owner: string;
  name: string;
  visibility: 'public' | 'private';
  repository?: string;
  createdAt: string;
  versions: VersionState[];
}

export interface GitHubSimOptions {
  /** The docker-registry that holds the content (`RunningRegistry` fits). */
  registry: { url: string; host: string; dataDir: string };
  owners?: SimOwner[];
  tokens?: Record<string, SimTokenSpec>;
}

export interface GitHubSim extends TestServer {
  /** The REST API root (GITHUB_API_URL), e.g. http://127.0.0.1:PORT */
  apiUrl: string;
  /** The registry host serving the packages' content (instead of ghcr.io). */
  registryHost: string;
  readonly requests: RecordedRequest[];
  addOwner(owner: SimOwner): void;
  addToken(token: string, spec: SimTokenSpec): void;
  addPackage(owner: string, name: string, opts?: SimPackageOptions): void;
  /** The registry repository that holds `owner/name` (lower-case, as on ghcr.io). */
  repositoryOf(owner: string, name: string): string;
  /** Pushes an image or index to the package's repository; `createdAt` stamps every manifest pushed. */
  push(
    owner: string,
    name: string,
    tag: string,
    image: ImageOrIndex,
    opts?: { createdAt?: string },
  ): Promise<void>;
  /** The `created_at` a digest's version gets (before or after it was first seen). */
  setCreatedAt(digest: string, iso: string): void;
  /** The package's versions as GitHub would list them (newest first), deleted ones when asked. */
  versions(owner: string, name: string, opts?: { deleted?: boolean }): Promise<SimVersion[]>;
  /** Sets what is left of a token's quota (and when it resets, default in an hour). */
  setRateLimit(token: string, state: { remaining: number; resetInSeconds?: number }): void;
  /** The next `requests` requests answer 403 secondary rate limit with `retry-after`. */
  secondaryRateLimit(opts: { requests: number; retryAfter?: number }): void;
  /** The next `count` requests answer `status` (default 502). */
  failNext(count: number, status?: number): void;
  /** Moves the simulator's clock forward. */
  advance(ms: number): void;
  clearRequests(): void;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly doc = DOCS,
  ) {
    super(message);
  }
}

const iso = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export async function startGitHubSim(opts: GitHubSimOptions): Promise<GitHubSim> {
  const view = new RegistryView(opts.registry.url, opts.registry.dataDir);
  const owners = new Map<string, SimOwner>();
  const tokens = new Map<string, TokenState>();
  const packages = new Map<string, PackageState>();
  const createdAt = new Map<string, string>();
  const requests: RecordedRequest[] = [];
  let clockOffset = 0;
  let secondary = { requests: 0, retryAfter: 60 };
  let failures = { count: 0, status: 502 };
  let nextPackageId = 9_000_001;
  let nextVersionId = 100_000_001;
  const now = (): number => Date.now() + clockOffset;

  const addOwner = (o: SimOwner): void => void owners.set(o.login.toLowerCase(), o);
  const addToken = (token: string, spec: SimTokenSpec): void => {
    const limit = spec.rateLimit ?? 5000;
    tokens.set(token, { ...spec, limit, remaining: limit, resetAt: now() + 3600_000 });
  };
  for (const o of opts.owners ?? []) addOwner(o);
  for (const [t, spec] of Object.entries(opts.tokens ?? {})) addToken(t, spec);

  const key = (owner: string, name: string): string => `${owner.toLowerCase()}/${name}`;
  const repositoryOf = (owner: string, name: string): string => `${owner}/${name}`.toLowerCase();
  const addPackage = (owner: string, name: string, p: SimPackageOptions = {}): PackageState => {
    const o = owners.get(owner.toLowerCase());
    if (!o) throw new Error(`simulator: unknown owner ${owner}`);
    const existing = packages.get(key(owner, name));
    if (existing) return existing;
    const pkg: PackageState = {
      id: nextPackageId++,
      owner: o.login,
      name,
      visibility: p.visibility ?? 'private',
      createdAt: iso(now()),
      versions: [],
      ...(p.repository ? { repository: p.repository } : {}),
    };
    packages.set(key(owner, name), pkg);
    return pkg;
  };

  /** Brings the package's versions in line with the registry: new manifests become versions. */
  const sync = async (pkg: PackageState): Promise<void> => {
    const repo = repositoryOf(pkg.owner, pkg.name);
    const [stored, tags] = await Promise.all([view.manifests(repo), view.tags(repo)]);
    const tagsOf = new Map<string, string[]>();
    for (const [tag, digest] of tags) tagsOf.set(digest, [...(tagsOf.get(digest) ?? []), tag]);
    const present = new Set(stored.map((s) => s.digest));
    for (const v of pkg.versions) {
      if (v.deletedAt === undefined && !present.has(v.digest)) {
        // Deleted behind GitHub's back (directly in the registry): gone, and not restorable.
        v.deletedAt = iso(now());
        v.tags = [];
      }
    }
    for (const s of stored) {
      let v = pkg.versions.find((x) => x.digest === s.digest && x.deletedAt === undefined);
      if (!v) {
        const at = createdAt.get(s.digest) ?? iso(s.pushedAt.getTime());
        v = { id: nextVersionId++, digest: s.digest, createdAt: at, updatedAt: at, tags: [] };
        pkg.versions.push(v);
      }
      v.tags = [...(tagsOf.get(s.digest) ?? [])].sort();
    }
  };

  const findPackage = async (owner: SimOwner, name: string): Promise<PackageState | undefined> => {
    let pkg = packages.get(key(owner.login, name));
    if (!pkg) {
      // Like GHCR: the first push creates the package (private).
      const stored = await view.manifests(repositoryOf(owner.login, name));
      if (stored.length === 0) return undefined;
      pkg = addPackage(owner.login, name);
    }
    await sync(pkg);
    return pkg;
  };

  const listed = (pkg: PackageState, deleted: boolean): VersionState[] =>
    pkg.versions
      .filter((v) =>
        deleted
          ? v.deletedAt !== undefined && now() - Date.parse(v.deletedAt) <= RESTORE_WINDOW_MS
          : v.deletedAt === undefined,
      )
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id - a.id));

  // --- JSON as GitHub renders it ------------------------------------------------------------

  let baseUrl = '';
  const ownerJson = (o: SimOwner): Record<string, unknown> => ({
    login: o.login,
    id: 1000 + [...owners.keys()].indexOf(o.login.toLowerCase()),
    type: o.type,
    url: `${baseUrl}/${o.type === 'Organization' ? 'orgs' : 'users'}/${o.login}`,
    html_url: `https://github.com/${o.login}`,
    site_admin: false,
  });
  const packagePath = (pkg: PackageState): string => {
    const o = owners.get(pkg.owner.toLowerCase())!;
    return `${o.type === 'Organization' ? 'orgs' : 'users'}/${o.login}/packages/container/${encodeURIComponent(pkg.name)}`;
  };
  const htmlBase = (pkg: PackageState): string => {
    const o = owners.get(pkg.owner.toLowerCase())!;
    return `https://github.com/${o.type === 'Organization' ? 'orgs' : 'users'}/${o.login}/packages/container`;
  };
  const packageJson = (pkg: PackageState): Record<string, unknown> => ({
    id: pkg.id,
    name: pkg.name,
    package_type: 'container',
    owner: ownerJson(owners.get(pkg.owner.toLowerCase())!),
    version_count: listed(pkg, false).length,
    visibility: pkg.visibility,
    url: `${baseUrl}/${packagePath(pkg)}`,
    created_at: pkg.createdAt,
    updated_at: pkg.createdAt,
    html_url: `${htmlBase(pkg)}/package/${encodeURIComponent(pkg.name)}`,
    ...(pkg.repository
      ? { repository: { name: pkg.repository.split('/')[1], full_name: pkg.repository } }
      : {}),
  });
  const versionJson = (pkg: PackageState, v: VersionState): Record<string, unknown> => ({
    id: v.id,
    name: v.digest,
    url: `${baseUrl}/${packagePath(pkg)}/versions/${v.id}`,
    package_html_url: `${htmlBase(pkg)}/package/${encodeURIComponent(pkg.name)}`,
    created_at: v.createdAt,
    updated_at: v.updatedAt,
    ...(v.deletedAt !== undefined ? { deleted_at: v.deletedAt } : {}),
    html_url: `${htmlBase(pkg)}/${encodeURIComponent(pkg.name)}/${v.id}`,
    metadata: { package_type: 'container', container: { tags: [...v.tags] } },
  });

  // --- Request handling --------------------------------------------------------------------

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      ...headers,
    });
    res.end(text);
  };

  const needScope = (token: TokenState, scope: 'read' | 'delete' | 'write', what: string): void => {
    if (token.actions) {
      if (scope !== 'read' && token.actions.packages !== 'write') {
        throw new HttpFailure(403, 'Resource not accessible by integration');
      }
      return;
    }
    if (!token.scopes) return;
    const s = new Set(token.scopes);
    const read = s.has('read:packages') || s.has('write:packages');
    if (!read) throw new HttpFailure(403, `You need at least read:packages scope to ${what}.`);
    if (scope === 'delete' && !s.has('delete:packages')) {
      throw new HttpFailure(403, `You need at least delete:packages scope to ${what}.`);
    }
    if (scope === 'write' && !s.has('write:packages')) {
      throw new HttpFailure(403, `You need at least write:packages scope to ${what}.`);
    }
  };

  const canSee = (token: TokenState, pkg: PackageState): boolean =>
    pkg.visibility === 'public' || isAdmin(token, pkg);
  const isAdmin = (token: TokenState, pkg: PackageState): boolean => {
    const o = owners.get(pkg.owner.toLowerCase())!;
    if (o.login.toLowerCase() === token.login.toLowerCase()) return true;
    return (o.members ?? []).some((m) => m.toLowerCase() === token.login.toLowerCase());
  };

  const rateHeaders = (t: TokenState): Record<string, string> => ({
    'x-ratelimit-limit': String(t.limit),
    'x-ratelimit-remaining': String(t.remaining),
    'x-ratelimit-reset': String(Math.ceil(t.resetAt / 1000)),
    'x-ratelimit-used': String(t.limit - t.remaining),
    'x-ratelimit-resource': 'core',
  });

  const notFound = (message = 'Not Found'): HttpFailure => new HttpFailure(404, message);

  const linkHeader = (rawPath: string, query: URLSearchParams, page: number, last: number): string => {
    const at = (n: number): string => {
      const rest = [...query.entries()].filter(([k]) => k !== 'page');
      const qs = [`page=${n}`, ...rest.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)];
      return `<${baseUrl}${rawPath}?${qs.join('&')}>`;
    };
    const parts: string[] = [];
    if (page > 1) parts.push(`${at(page - 1)}; rel="prev"`);
    if (page < last) parts.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
    if (page > 1) parts.push(`${at(1)}; rel="first"`);
    return parts.join(', ');
  };

  const positive = (value: string | null, fallback: number): number => {
    const n = Number(value);
    return value !== null && Number.isInteger(n) && n >= 1 ? n : fallback;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://sim');
    const rawPath = url.pathname;
    const segs = rawPath
      .split('/')
      .slice(1)
      .map((s) => decodeURIComponent(s));
    let rate: Record<string, string> = {};
    try {
      const auth = req.headers.authorization;
      if (!auth) throw new HttpFailure(401, 'Requires authentication', {}, 'https://docs.github.com/rest');
      const m = /^(?:token|bearer)\s+(\S+)$/i.exec(auth);
      const token = m ? tokens.get(m[1]!) : undefined;
      if (!token) throw new HttpFailure(401, 'Bad credentials', {}, 'https://docs.github.com/rest');

      if (failures.count > 0) {
        failures.count--;
        throw new HttpFailure(failures.status, 'Server Error');
      }
      if (secondary.requests > 0) {
        secondary.requests--;
        throw new HttpFailure(
          403,
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
            `If you reach out to GitHub Support for help, please include the request ID ${randomBytes(4).toString('hex').toUpperCase()}.`,
          { 'retry-after': String(secondary.retryAfter) },
          'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        );
      }
      if (now() >= token.resetAt) {
        token.remaining = token.limit;
        token.resetAt = now() + 3600_000;
      }
      // GET /rate_limit: the quota per resource; GitHub does not count this call against it.
      if (segs.length === 1 && segs[0] === 'rate_limit' && method === 'GET') {
        const core = {
          limit: token.limit,
          used: token.limit - token.remaining,
          remaining: token.remaining,
          reset: Math.ceil(token.resetAt / 1000),
        };
        send(res, 200, { resources: { core }, rate: core }, rateHeaders(token));
        return 200;
      }
      if (token.remaining <= 0) {
        rate = rateHeaders(token);
        throw new HttpFailure(
          403,
          `API rate limit exceeded for user ID ${1000 + [...owners.keys()].indexOf(token.login.toLowerCase())}. ` +
            'If you reach out to GitHub Support for help, please include the request ID.',
          {},
          'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        );
      }
      token.remaining--;
      rate = {
        ...rateHeaders(token),
        ...(token.scopes ? { 'x-oauth-scopes': token.scopes.join(', ') } : {}),
      };

      // GET /user
      if (segs.length === 1 && segs[0] === 'user') {
        if (method !== 'GET') throw notFound();
        if (token.actions) throw new HttpFailure(403, 'Resource not accessible by integration');
        const me = owners.get(token.login.toLowerCase()) ?? { login: token.login, type: 'User' as const };
        send(res, 200, ownerJson(me), rate);
        return 200;
      }

      // Which owner, and what follows the package name.
      let owner: SimOwner | undefined;
      let rest: string[];
      let route: 'org' | 'user' | 'users';
      if (segs[0] === 'orgs' && segs[2] === 'packages' && segs.length >= 5) {
        route = 'org';
        const o = owners.get(segs[1]!.toLowerCase());
        owner = o?.type === 'Organization' ? o : undefined;
        rest = segs.slice(3);
      } else if (segs[0] === 'user' && segs[1] === 'packages' && segs.length >= 4) {
        route = 'user';
        owner = owners.get(token.login.toLowerCase()) ?? { login: token.login, type: 'User' };
        rest = segs.slice(2);
      } else if (segs[0] === 'users' && segs[2] === 'packages' && segs.length >= 5) {
        route = 'users';
        const o = owners.get(segs[1]!.toLowerCase());
        owner = o?.type === 'User' ? o : undefined;
        rest = segs.slice(3);
      } else {
        throw notFound();
      }
      const [type, name, ...tail] = rest as [string, string, ...string[]];
      if (type !== 'container') throw notFound('Package not found.');
      if (method === 'DELETE') needScope(token, 'delete', 'delete packages');
      else if (method === 'POST') needScope(token, 'write', 'restore packages');
      else needScope(token, 'read', 'list packages');
      const pkg = owner ? await findPackage(owner, name) : undefined;
      if (!pkg || !canSee(token, pkg)) throw notFound('Package not found.');

      // GET …/{name}
      if (tail.length === 0) {
        if (method !== 'GET') throw notFound();
        send(res, 200, packageJson(pkg), rate);
        return 200;
      }
      if (tail[0] !== 'versions') throw notFound();

      // GET …/versions
      if (tail.length === 1) {
        if (method !== 'GET') throw notFound();
        const state = route === 'users' ? 'active' : (url.searchParams.get('state') ?? 'active');
        if (state !== 'active' && state !== 'deleted') {
          throw new HttpFailure(422, `Invalid value for state: ${state}`);
        }
        const all = listed(pkg, state === 'deleted');
        const perPage = Math.min(positive(url.searchParams.get('per_page'), 30), 100);
        const page = positive(url.searchParams.get('page'), 1);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const items = all.slice((page - 1) * perPage, page * perPage).map((v) => versionJson(pkg, v));
        const headers = { ...rate };
        if (all.length > perPage) headers.link = linkHeader(rawPath, url.searchParams, page, last);
        send(res, 200, items, headers);
        return 200;
      }

      const id = Number(tail[1]);
      const version = Number.isInteger(id) ? pkg.versions.find((v) => v.id === id) : undefined;

      // GET / DELETE …/versions/{id}
      if (tail.length === 2) {
        if (method === 'GET') {
          if (!version) throw notFound('Package version not found.');
          send(res, 200, versionJson(pkg, version), rate);
          return 200;
        }
        if (method !== 'DELETE') throw notFound();
        if (!isAdmin(token, pkg))
          throw new HttpFailure(403, 'You must be an admin of this package to delete it.');
        if (!version || version.deletedAt !== undefined) throw notFound('Package version not found.');
        const active = listed(pkg, false);
        if (active.length === 1) {
          throw new HttpFailure(
            400,
            'You cannot delete the last version of a package. You must delete the package instead.',
          );
        }
        if (version.tags.length > 0 && !active.some((v) => v !== version && v.tags.length > 0)) {
          throw new HttpFailure(
            400,
            'You cannot delete the last tagged version of a package. You must delete the package instead.',
          );
        }
        const repo = repositoryOf(pkg.owner, pkg.name);
        version.saved = await view.get(repo, version.digest);
        await view.delete(repo, version.digest);
        version.deletedAt = iso(now());
        send(res, 204, undefined, rate);
        return 204;
      }

      // POST …/versions/{id}/restore
      if (tail.length === 3 && tail[2] === 'restore') {
        if (method !== 'POST') throw notFound();
        if (!isAdmin(token, pkg))
          throw new HttpFailure(403, 'You must be an admin of this package to restore it.');
        if (
          !version ||
          version.deletedAt === undefined ||
          !version.saved ||
          now() - Date.parse(version.deletedAt) > RESTORE_WINDOW_MS
        ) {
          throw notFound('Package version not found.');
        }
        if (pkg.versions.some((v) => v.digest === version.digest && v.deletedAt === undefined)) {
          throw new HttpFailure(409, 'A package version with the same name already exists.');
        }
        const repo = repositoryOf(pkg.owner, pkg.name);
        const put = await view.put(repo, version.digest, version.saved);
        if (put.status !== 201) {
          throw new HttpFailure(
            422,
            `The version cannot be restored: the registry refused it (${put.status}).`,
          );
        }
        const current = await view.tags(repo);
        for (const tag of version.tags) {
          // A tag that moved to another version meanwhile stays where it is.
          if (!current.has(tag)) await view.put(repo, tag, version.saved);
        }
        delete version.deletedAt;
        version.updatedAt = iso(now());
        await sync(pkg);
        send(res, 204, undefined, rate);
        return 204;
      }
      throw notFound();
    } catch (err) {
      if (!(err instanceof HttpFailure)) throw err;
      send(
        res,
        err.status,
        { message: err.message, documentation_url: err.doc, status: String(err.status) },
        { ...rate, ...err.headers },
      );
      return err.status;
    }
  };

  // One request at a time: the model and the registry change together.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = queue.then(fn, fn);
    queue = result.catch(() => undefined);
    return result;
  };
  const server = createServer((req, res) => {
    const run = async (): Promise<void> => {
      let status = 500;
      try {
        status = await handle(req, res);
      } catch (err) {
        send(res, 500, { message: `simulator error: ${(err as Error).message}` });
      }
      const u = new URL(req.url ?? '/', 'http://sim');
      requests.push({
        method: req.method ?? 'GET',
        path: u.pathname,
        query: u.search.replace(/^\?/, ''),
        status,
        authenticated: req.headers.authorization !== undefined,
      });
    };
    req.resume();
    void exclusive(run);
  });
  const { host } = await listenLocal(server);
  baseUrl = `http://${host}`;

  return {
    url: baseUrl,
    apiUrl: baseUrl,
    host,
    registryHost: opts.registry.host,
    requests,
    addOwner,
    addToken,
    addPackage: (owner, name, p) => void addPackage(owner, name, p),
    repositoryOf,
    async push(owner, name, tag, image, o = {}) {
      if (o.createdAt) for (const m of allManifests(image)) createdAt.set(m.digest, o.createdAt);
      await pushImage(opts.registry.url, repositoryOf(owner, name), tag, image);
    },
    setCreatedAt: (digest, at) => {
      createdAt.set(digest, at);
      for (const pkg of packages.values())
        for (const v of pkg.versions) if (v.digest === digest) v.createdAt = at;
    },
    versions: (owner, name, o = {}) =>
      exclusive(async () => {
        const ow = owners.get(owner.toLowerCase());
        const pkg = ow ? await findPackage(ow, name) : undefined;
        if (!pkg) return [];
        return listed(pkg, o.deleted === true).map(({ saved: _saved, ...v }) => ({
          ...v,
          tags: [...v.tags],
        }));
      }),
    setRateLimit(token, state) {
      const t = tokens.get(token);
      if (!t) throw new Error('simulator: unknown token');
      t.remaining = state.remaining;
      t.resetAt = now() + (state.resetInSeconds ?? 3600) * 1000;
    },
    secondaryRateLimit: (o) => void (secondary = { requests: o.requests, retryAfter: o.retryAfter ?? 60 }),
    failNext: (count, status = 502) => void (failures = { count, status }),
    advance: (ms) => void (clockOffset += ms),
    clearRequests: () => void requests.splice(0),
    stop: () => closeServer(server),
  };
}
