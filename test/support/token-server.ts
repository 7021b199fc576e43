import { X509Certificate, createPrivateKey, randomBytes, randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tokenSigningCert } from './certs.js';
import { closeServer, listenLocal } from './net.js';
import type { TestServer } from './net.js';

/** A Docker token-auth scope, e.g. `repository:team/app:pull,push`. */
export interface Scope {
  type: string;
  name: string;
  actions: string[];
}

/** Actions granted to `user` (undefined = anonymous) for one requested scope. */
export type TokenGrants = (user: string | undefined, scope: Scope) => string[];

export interface TokenRequestRecord {
  method: string;
  /** Raw `scope` values as requested (GET: one per param; POST: the space-separated list split). */
  scopes: string[];
  service?: string;
  account?: string;
  /** Whether an `Authorization: Basic` header was sent (its value is never recorded). */
  basicAuth: boolean;
  /** The user the request authenticated as, if any. */
  user?: string;
  /** POST only: `password` or `refresh_token` (or whatever the client sent). */
  grantType?: string;
  /** Whether a refresh token was asked for (`access_type=offline` or `offline_token=true`). */
  offline: boolean;
  status: number;
  /** What the issued token grants (empty when no token was issued). */
  granted: Scope[];
}

export interface TokenServerOptions {
  /** Accepted username → password; default none (any credentials are rejected). */
  users?: Record<string, string>;
  grants?: TokenGrants;
  /** Token lifetime in seconds, used for both `expires_in` and the `exp` claim; default 300. */
  expiresIn?: number;
  /** Default `aud` when a request carries no `service`; must equal the registry's auth.token.service. */
  service?: string;
  /** `iss` claim; must equal the registry's auth.token.issuer. */
  issuer?: string;
}

export interface TokenServer extends TestServer {
  /** The URL to configure as the registry's auth.token.realm. */
  realm: string;
  service: string;
  issuer: string;
  /** PEM cert to configure as the registry's auth.token.rootcertbundle. */
  signingCertFile: string;
  /** Every request in arrival order. */
  readonly requests: TokenRequestRecord[];
  /** Mutable so a test can shorten the lifetime of tokens issued from now on. */
  expiresIn: number;
}

/** Parse `type:name:actions`; the name is everything between the first and last colon. */
export function parseScope(raw: string): Scope {
  const first = raw.indexOf(':');
  const last = raw.lastIndexOf(':');
  if (first < 0 || last === first) throw new Error(`malformed scope '${raw}'`);
  return {
    type: raw.slice(0, first),
    name: raw.slice(first + 1, last),
    actions: raw
      .slice(last + 1)
      .split(',')
      .filter((a) => a !== ''),
  };
}

/** Authenticated users get what they ask for; anonymous users may only pull, like a public GHCR package. */
export const defaultGrants: TokenGrants = (user, scope) =>
  user === undefined ? scope.actions.filter((a) => a === 'pull') : [...scope.actions];

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, string>,
  ) {
    super(body.error ?? body.details);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function basicCredentials(req: IncomingMessage): { user: string; password: string } | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { user: decoded, password: '' };
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * In-process token server for the registry's `auth.token` mode, as specified by distribution 2.8.2
 * (TESTING.md §2.b): ES256 with an IEEE-P1363 signature, the signing cert in `x5c`, `aud` as a string.
 */
export async function startTokenServer(options: TokenServerOptions = {}): Promise<TokenServer> {
  const signer = await tokenSigningCert();
  const key: KeyObject = createPrivateKey(signer.keyPem);
  const x5c = [new X509Certificate(signer.certPem).raw.toString('base64')];
  const users = options.users ?? {};
  const grants = options.grants ?? defaultGrants;
  const service = options.service ?? 'test-registry';
  const issuer = options.issuer ?? 'test-issuer';
  // Refresh token → user. Never exposed through `requests`.
  const refreshTokens = new Map<string, string>();
  const requests: TokenRequestRecord[] = [];

  function issue(user: string | undefined, aud: string, scopes: string[], lifetime: number) {
    const granted: Scope[] = [];
    for (const raw of scopes) {
      const scope = parseScope(raw);
      const actions = grants(user, scope);
      if (actions.length > 0) granted.push({ type: scope.type, name: scope.name, actions });
    }
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'ES256', x5c };
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud,
      exp: now + lifetime,
      nbf: now - 1,
      iat: now,
      jti: randomUUID(),
      access: granted,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    // distribution rejects DER-encoded ECDSA signatures: JWS wants raw r‖s.
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return { token: `${input}.${b64url(signature)}`, granted, issuedAt: new Date(now * 1000).toISOString() };
  }

  function checkPassword(user: string, password: string): void {
    if (!Object.hasOwn(users, user) || users[user] !== password) {
      throw new BadRequest(401, { details: 'incorrect username or password' });
    }
  }

  function newRefreshToken(user: string): string {
    const token = randomBytes(24).toString('base64url');
    refreshTokens.set(token, user);
    return token;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, record: TokenRequestRecord) {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    if (url.pathname !== '/token') throw new BadRequest(404, { details: 'not found' });
    const basic = basicCredentials(req);
    record.basicAuth = basic !== undefined;
    const lifetime = server.expiresIn;
    let user: string | undefined;
    let refreshToken: string | undefined;
    let aud: string;
    let body: Record<string, unknown>;

    if (req.method === 'GET') {
      // Docker's GET flavour: scopes repeated, credentials (if any) as Basic auth.
      record.scopes = url.searchParams.getAll('scope');
      record.service = url.searchParams.get('service') ?? undefined;
      record.account = url.searchParams.get('account') ?? undefined;
      record.offline =
        url.searchParams.get('offline_token') === 'true' || url.searchParams.get('access_type') === 'offline';
      if (basic) {
        checkPassword(basic.user, basic.password);
        user = basic.user;
        if (record.offline) refreshToken = newRefreshToken(user);
      }
      aud = record.service ?? service;
      const issued = issue(user, aud, record.scopes, lifetime);
      record.granted = issued.granted;
      body = {
        token: issued.token,
        access_token: issued.token,
        expires_in: lifetime,
        issued_at: issued.issuedAt,
        ...(refreshToken ? { refresh_token: refreshToken } : {}),
      };
    } else if (req.method === 'POST') {
      // OAuth2 flavour (containerd, docker login): form-encoded, scopes space-separated in one field.
      const form = new URLSearchParams(await readBody(req));
      record.grantType = form.get('grant_type') ?? undefined;
      record.scopes = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
      record.service = form.get('service') ?? undefined;
      record.account = form.get('username') ?? undefined;
      record.offline = form.get('access_type') === 'offline';
      if (record.grantType === 'password') {
        const username = form.get('username') ?? '';
        checkPassword(username, form.get('password') ?? '');
        user = username;
        refreshToken = newRefreshToken(user);
      } else if (record.grantType === 'refresh_token') {
        const presented = form.get('refresh_token') ?? '';
        user = refreshTokens.get(presented);
        if (user === undefined) throw new BadRequest(400, { error: 'invalid_grant' });
        if (record.offline) refreshToken = presented;
      } else {
        throw new BadRequest(400, { error: 'unsupported_grant_type' });
      }
      aud = record.service ?? service;
      const issued = issue(user, aud, record.scopes, lifetime);
      record.granted = issued.granted;
      body = {
        access_token: issued.token,
        token_type: 'Bearer',
        expires_in: lifetime,
        issued_at: issued.issuedAt,
        scope: issued.granted.map((s) => `${s.type}:${s.name}:${s.actions.join(',')}`).join(' '),
        ...(refreshToken ? { refresh_token: refreshToken } : {}),
      };
    } else {
      throw new BadRequest(405, { details: 'method not allowed' });
    }
    record.user = user;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  const http = createServer((req, res) => {
    const record: TokenRequestRecord = {
      method: req.method ?? '',
      scopes: [],
      basicAuth: false,
      offline: false,
      status: 200,
      granted: [],
    };
    requests.push(record);
    handle(req, res, record).catch((err: unknown) => {
      const status = err instanceof BadRequest ? err.status : 500;
      const body = err instanceof BadRequest ? err.body : { details: String(err) };
      record.status = status;
      record.granted = [];
      if (res.headersSent) {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (status === 401) headers['www-authenticate'] = 'Basic realm="test-token-server"';
      res.writeHead(status, headers);
      res.end(JSON.stringify(body));
    });
  });
  const { host } = await listenLocal(http);
  const url = `http://${host}`;
  const server: TokenServer = {
    url,
    host,
    realm: `${url}/token`,
    service,
    issuer,
    signingCertFile: signer.certFile,
    requests,
    expiresIn: options.expiresIn ?? 300,
    stop: () => closeServer(http),
  };
  return server;
}
