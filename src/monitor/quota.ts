/**
 * GitHub API quota: `GET /rate_limit` (which does not count against the quota) per resource, and
 * when an API answers that route with an error (GitHub Enterprise with rate limiting off answers
 * 404) the `x-ratelimit-*` headers of that answer, which GitHub sends on every authenticated
 * response. The token goes only into the Authorization header, never into a message.
 */
import { request } from 'undici';
import { AuthError, NetworkError, ProtocolError } from '../errors.js';
import type { RateLimit } from './metrics.js';

export const DEFAULT_GITHUB_API = 'https://api.github.com';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

/** The resources of a `/rate_limit` body (`resources.core`, `resources.search`, …). Pure. */
export function parseRateLimitBody(body: unknown): RateLimit[] {
  const out: RateLimit[] = [];
  for (const [resource, raw] of Object.entries(obj(obj(body).resources))) {
    const r = obj(raw);
    const limit = num(r.limit);
    const remaining = num(r.remaining);
    const reset = num(r.reset);
    if (limit === undefined || remaining === undefined || reset === undefined) continue;
    out.push({ resource, limit, remaining, resetAt: new Date(reset * 1000) });
  }
  return out.sort((a, b) => a.resource.localeCompare(b.resource));
}

/** The quota the `x-ratelimit-*` headers describe, if they are there. Pure. */
export function parseRateLimitHeaders(headers: Record<string, string | string[] | undefined>): RateLimit[] {
  const h = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const limit = num(h('x-ratelimit-limit'));
  const remaining = num(h('x-ratelimit-remaining'));
  const reset = num(h('x-ratelimit-reset'));
  if (limit === undefined || remaining === undefined || reset === undefined) return [];
  return [
    { resource: h('x-ratelimit-resource') ?? 'core', limit, remaining, resetAt: new Date(reset * 1000) },
  ];
}

export interface QuotaOptions {
  /** API root, e.g. https://api.github.com or http://127.0.0.1:PORT (GITHUB_API_URL). */
  apiUrl: string;
  token: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function fetchRateLimits(opts: QuotaOptions): Promise<RateLimit[]> {
  const url = `${opts.apiUrl.replace(/\/+$/, '')}/rate_limit`;
  const timeout = opts.timeoutMs ?? 10_000;
  let res;
  try {
    res = await request(url, {
      method: 'GET',
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${opts.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'ghcr-optimize-exporter',
      },
      headersTimeout: timeout,
      bodyTimeout: timeout,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    throw new NetworkError(`GitHub API ${opts.apiUrl}: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.body.text();
  if (res.statusCode === 401) {
    throw new AuthError(`GitHub API ${opts.apiUrl} refused the token (401)`, 401, undefined, {
      hint: 'check GITHUB_TOKEN',
    });
  }
  if (res.statusCode === 200) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ProtocolError(`GitHub API ${opts.apiUrl}: /rate_limit did not answer JSON`);
    }
    const limits = parseRateLimitBody(body);
    if (limits.length > 0) return limits;
  }
  const fromHeaders = parseRateLimitHeaders(res.headers);
  if (fromHeaders.length > 0) return fromHeaders;
  throw new ProtocolError(
    `GitHub API ${opts.apiUrl}: /rate_limit answered ${res.statusCode} without quota figures`,
  );
}
