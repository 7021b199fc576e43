/**
 * Registry authentication: learns each registry's scheme from its first 401 challenge, then
 * answers every later request with the right Authorization header — Basic credentials, or a
 * Bearer token fetched from the realm (anonymously, with Basic credentials, or with an OAuth2
 * refresh token) and cached per realm+service+scope until shortly before it expires.
 * Secrets live only here and are never part of an error message or a debug line.
 */
import { AuthError, ProtocolError } from '../errors.js';
import { parseChallenges, challengeScopes, type Challenge } from './challenge.js';
import { mergeScopes, scopesCover } from './scope.js';
import { redactUrl, type Transport } from './transport.js';
import type { Credential } from './credentials/index.js';

export type CredentialSource = (registry: string) => Promise<Credential | undefined>;

export interface AuthenticatorOptions {
  credentials: CredentialSource;
  clientId?: string;
  now?: () => number;
}

interface RegistryAuthState {
  challenge?: Challenge;
  credential?: Promise<Credential | undefined>;
  /** A refresh token handed out by the token server (OAuth2), reused instead of the password. */
  refreshToken?: string;
}

interface CachedToken {
  token: string;
  scopes: string[];
  expiresAt: number;
}

/** Tokens are dropped this long before their stated expiry, so a token never expires mid-request. */
const EXPIRY_MARGIN_MS = 10_000;
const DEFAULT_TOKEN_LIFETIME_S = 60;

export class Authenticator {
  readonly #transport: Transport;
  readonly #opts: AuthenticatorOptions;
  readonly #state = new Map<string, RegistryAuthState>();
  readonly #tokens = new Map<string, CachedToken>();
  readonly #inflight = new Map<string, Promise<CachedToken>>();
  readonly #now: () => number;

  constructor(transport: Transport, opts: AuthenticatorOptions) {
    this.#transport = transport;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  #registry(registry: string): RegistryAuthState {
    let s = this.#state.get(registry);
    if (!s) {
      s = {};
      this.#state.set(registry, s);
    }
    return s;
  }

  credential(registry: string): Promise<Credential | undefined> {
    const s = this.#registry(registry);
    s.credential ??= this.#opts.credentials(registry);
    return s.credential;
  }

  /** The scheme this registry asked for, once known ("bearer", "basic"), or undefined before any 401. */
  scheme(registry: string): string | undefined {
    return this.#state.get(registry)?.challenge?.scheme;
  }

  /**
   * Authorization for a request needing `scopes`, if we already know how this registry
   * authenticates. Undefined means "send it bare and see whether it challenges".
   */
  async authorization(registry: string, scopes: string[], signal?: AbortSignal): Promise<string | undefined> {
    const challenge = this.#state.get(registry)?.challenge;
    if (!challenge) return undefined;
    return this.#authorize(registry, challenge, scopes, signal);
  }

  /**
   * Handles a 401: remembers the challenge and returns the Authorization to retry with. The
   * challenge's own scope (e.g. after `insufficient_scope`) is merged with what we asked for.
   */
  async onUnauthorized(
    registry: string,
    header: string | string[] | undefined,
    scopes: string[],
    signal?: AbortSignal,
  ): Promise<string> {
    const challenges = parseChallenges(header);
    const challenge =
      challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (!challenge) {
      const offered = challenges.map((c) => c.scheme).join(', ') || 'none';
      throw new AuthError(
        `${registry} requires authentication with an unsupported scheme (${offered})`,
        401,
        undefined,
        {
          hint: 'only Basic and Bearer token authentication are supported',
        },
      );
    }
    const state = this.#registry(registry);
    const previous = state.challenge;
    state.challenge = challenge;
    const wanted = mergeScopes([...scopes, ...challengeScopes(challenge)]);
    if (challenge.scheme === 'bearer' && previous?.scheme === 'bearer') {
      // A 401 with a token we just used: that token is not good enough; never serve it again.
      this.#forgetTokens(challenge, wanted);
    }
    const auth = await this.#authorize(registry, challenge, wanted, signal);
    if (auth === undefined) {
      throw await this.#unauthorizedError(registry, challengeScopes(challenge)[0] ?? scopes[0]);
    }
    return auth;
  }

  /** Error for a request still refused after authenticating (401 twice, or 403). */
  async deniedError(
    registry: string,
    status: number,
    scopes: string[],
    serverMessage?: string,
  ): Promise<AuthError> {
    const cred = await this.credential(registry);
    const scope = scopes.join(' ');
    const what = scope ? ` (needed scope ${scope})` : '';
    const detail = serverMessage ? `: ${serverMessage}` : '';
    if (!cred) {
      return new AuthError(`${registry} denied anonymous access${what}${detail}`, status, scope, {
        hint: `log in with "ghcr-optimize auth login ${registry}"${registry === 'ghcr.io' ? ' or set GHCR_TOKEN' : ''}`,
      });
    }
    if (status === 401) {
      return new AuthError(
        `${registry} rejected the credentials from ${cred.source}${what}${detail}`,
        status,
        scope,
        {
          hint: `check the username and password or token, then "ghcr-optimize auth login ${registry}"`,
        },
      );
    }
    return new AuthError(`${registry} denied access${what}${detail}`, status, scope, {
      hint: `the credentials from ${cred.source} lack this permission${registry === 'ghcr.io' ? ' (a PAT needs read:packages, write:packages or delete:packages)' : ''}`,
    });
  }

  async #unauthorizedError(registry: string, scope: string | undefined): Promise<AuthError> {
    return this.deniedError(registry, 401, scope ? [scope] : []);
  }

  async #authorize(
    registry: string,
    challenge: Challenge,
    scopes: string[],
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const cred = await this.credential(registry);
    if (challenge.scheme === 'basic') {
      if (!cred?.username || cred.password === undefined) return undefined;
      return `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    }
    if (cred?.registryToken) return `Bearer ${cred.registryToken}`;
    const token = await this.#token(registry, challenge, mergeScopes(scopes), cred, signal);
    return `Bearer ${token.token}`;
  }

  /** Tokens are cached per realm+service, then per scope set. */
  #realmPrefix(challenge: Challenge): string {
    return `${challenge.params.realm ?? ''}|${challenge.params.service ?? ''}|`;
  }

  #forgetTokens(challenge: Challenge, scopes: string[]): void {
    const prefix = this.#realmPrefix(challenge);
    for (const [key, tok] of this.#tokens) {
      if (key.startsWith(prefix) && scopesCover(tok.scopes, scopes)) this.#tokens.delete(key);
    }
  }

  async #token(
    registry: string,
    challenge: Challenge,
    scopes: string[],
    cred: Credential | undefined,
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    const now = this.#now();
    const prefix = this.#realmPrefix(challenge);
    // Any live token whose scopes cover this request will do (a pull,push token serves a pull).
    for (const [key, tok] of this.#tokens) {
      if (!key.startsWith(prefix)) continue;
      if (tok.expiresAt <= now) this.#tokens.delete(key);
      else if (scopesCover(tok.scopes, scopes)) return tok;
    }
    const key = `${prefix}${scopes.join(' ')}`;
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = this.#fetchToken(registry, challenge, scopes, cred, signal).finally(() =>
        this.#inflight.delete(key),
      );
      this.#inflight.set(key, pending);
    }
    const tok = await pending;
    this.#tokens.set(key, tok);
    return tok;
  }

  async #fetchToken(
    registry: string,
    challenge: Challenge,
    scopes: string[],
    cred: Credential | undefined,
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    const realm = challenge.params.realm;
    if (!realm) throw new ProtocolError(`${registry} sent a Bearer challenge without a realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new ProtocolError(`${registry} sent a Bearer challenge with an invalid realm`);
    }
    const service = challenge.params.service;
    const state = this.#registry(registry);
    const refreshToken = state.refreshToken ?? cred?.identityToken;
    const clientId = this.#opts.clientId ?? 'ghcr-optimize';

    let res;
    if (refreshToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: clientId,
      });
      if (service) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      res = await this.#transport.request({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal,
      });
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (cred?.username && cred.password !== undefined) {
        url.searchParams.set('account', cred.username);
        headers.authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
      }
      res = await this.#transport.request({ method: 'GET', url, headers, signal });
    }

    if (res.status === 401 || res.status === 403) {
      await res.dump();
      if (!cred) {
        throw new AuthError(`${registry}: anonymous access is not allowed`, res.status, scopes.join(' '), {
          hint: `log in with "ghcr-optimize auth login ${registry}"${registry === 'ghcr.io' ? ' or set GHCR_TOKEN' : ''}`,
        });
      }
      throw new AuthError(
        `${registry}: the token server rejected the credentials from ${cred.source}`,
        res.status,
        scopes.join(' '),
        {
          hint: `check the username and password/token, then "ghcr-optimize auth login ${registry}"`,
        },
      );
    }
    if (res.status !== 200) {
      await res.dump();
      throw new ProtocolError(`token server ${redactUrl(res.url)} answered HTTP ${res.status}`, {
        hint: 'the registry’s token service is failing; try again later',
      });
    }
    let body: {
      token?: unknown;
      access_token?: unknown;
      expires_in?: unknown;
      issued_at?: unknown;
      refresh_token?: unknown;
    };
    try {
      body = JSON.parse(await res.text(1024 * 1024)) as typeof body;
    } catch {
      throw new ProtocolError(`token server for ${registry} returned invalid JSON`);
    }
    const token = typeof body.token === 'string' && body.token ? body.token : body.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new ProtocolError(`token server for ${registry} returned no token`);
    }
    if (typeof body.refresh_token === 'string' && body.refresh_token) state.refreshToken = body.refresh_token;
    const lifetime =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_LIFETIME_S;
    const issued = typeof body.issued_at === 'string' ? Date.parse(body.issued_at) : NaN;
    // Trust our clock over the server's issued_at unless it is sane; skew must not produce expired tokens.
    const base = Number.isNaN(issued) || Math.abs(issued - this.#now()) > 60_000 ? this.#now() : issued;
    return { token, scopes, expiresAt: base + lifetime * 1000 - EXPIRY_MARGIN_MS };
  }
}
