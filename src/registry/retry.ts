/**
 * When and how long to wait before retrying a request. Pure: the clock and the random source are
 * parameters, so the policy is unit-tested without sleeping.
 */

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff; doubles each attempt. */
  baseDelayMs: number;
  /** Cap for computed backoff and for a server's Retry-After. */
  maxDelayMs: number;
  /** ±fraction of random jitter so parallel workers do not retry in lockstep. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 200,
  maxDelayMs: 30_000,
  jitter: 0.2,
};

/** 499 and 522 are CDN-specific "client closed"/"origin timeout" codes seen in front of registries. */
const RETRYABLE_STATUS = new Set([408, 429, 499, 500, 502, 503, 504, 522]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

/**
 * Socket-level failures worth another try. Refused connections, DNS failures and TLS errors are
 * not: they will not heal in a second and retrying only delays a clear error.
 */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  // undici wraps the socket error; the useful code may sit one or two causes down.
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isRetryableError(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && RETRYABLE_CODES.has(code);
}

const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE = /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3, §5.6.7). Anything else
 * is ignored rather than guessed at: V8's Date.parse would read "-1" or "2099" as dates. HTTP
 * dates are UTC, including asctime's, which carries no zone. Returns ms, or undefined.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  let date: number;
  if (IMF_FIXDATE.test(trimmed) || RFC850_DATE.test(trimmed)) date = Date.parse(trimmed);
  else if (ASCTIME_DATE.test(trimmed)) date = Date.parse(`${trimmed} GMT`);
  else return undefined;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Exponential backoff with jitter for retry number `attempt` (0 = first retry). */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const spread = raw * policy.jitter;
  return Math.min(policy.maxDelayMs, Math.max(0, Math.round(raw - spread + random() * 2 * spread)));
}

/** The wait before retry `attempt`: the server's Retry-After when it gave one (capped), else backoff. */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, retryAfterMs);
  return backoffDelay(policy, attempt, random);
}

/**
 * Per-host "not before" time. When one request to a host hears 429 + Retry-After, every other
 * request to that host waits too, instead of each worker hammering it and earning its own 429.
 */
export class HostBackoff {
  readonly #notBefore = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  delayFor(host: string): number {
    const until = this.#notBefore.get(host);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left <= 0) {
      this.#notBefore.delete(host);
      return 0;
    }
    return left;
  }

  pause(host: string, ms: number): void {
    const until = this.now() + ms;
    if (until > (this.#notBefore.get(host) ?? 0)) this.#notBefore.set(host, until);
  }
}
