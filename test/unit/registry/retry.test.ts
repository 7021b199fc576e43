import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  HostBackoff,
  backoffDelay,
  errorCode,
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
  type RetryPolicy,
} from '../../../src/registry/retry.js';

const NOW = Date.UTC(2015, 9, 21, 7, 27, 30); // Wed, 21 Oct 2015 07:27:30 GMT
const fixed =
  (v: number): (() => number) =>
  () =>
    v;

describe('parseRetryAfter', () => {
  const CASES: readonly [string, string | undefined, number, number | undefined][] = [
    ['undefined', undefined, NOW, undefined],
    ['delta seconds', '120', NOW, 120_000],
    ['one second', '1', NOW, 1_000],
    ['zero', '0', NOW, 0],
    ['surrounding whitespace', '  5 ', NOW, 5_000],
    ['leading zeros', '007', NOW, 7_000],
    ['IMF-fixdate 30 s in the future', 'Wed, 21 Oct 2015 07:28:00 GMT', NOW, 30_000],
    ['IMF-fixdate exactly now', 'Wed, 21 Oct 2015 07:27:30 GMT', NOW, 0],
    ['IMF-fixdate in the past clamps to 0', 'Wed, 21 Oct 2015 07:00:00 GMT', NOW, 0],
    ['RFC 850 date in the future', 'Wednesday, 21-Oct-15 07:29:30 GMT', NOW, 120_000],
    ['empty', '', NOW, undefined],
    ['whitespace only', '   ', NOW, undefined],
    ['word', 'soon', NOW, undefined],
    ['digits then letters', '12abc', NOW, undefined],
    ['exponent', '1e3', NOW, undefined],
    ['hex', '0x10', NOW, undefined],
  ];
  it.each(CASES)('%s', (_name, value, now, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it('an HTTP-date is measured from the given clock, not the real one', () => {
    const at = 'Sun, 06 Nov 1994 08:49:37 GMT';
    expect(parseRetryAfter(at, Date.UTC(1994, 10, 6, 8, 49, 27))).toBe(10_000);
    expect(parseRetryAfter(at, Date.UTC(1994, 10, 6, 8, 49, 37))).toBe(0);
  });

  // RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds, delay-seconds = 1*DIGIT. The
  // implementation falls back to V8's lenient Date.parse, which accepts "-1" (year -1 / 2001),
  // "1.5" (a date in 2001) and "abc 2020", so invalid values become "retry now" (0 ms) instead of
  // "no Retry-After" (undefined, i.e. normal backoff).
  it.each([
    ['negative', '-1'],
    ['fractional', '1.5'],
    ['words around a year', 'abc 2020'],
    ['signed', '+5'],
  ])('rejects an invalid value: %s (%s)', (_name, value) => {
    expect(parseRetryAfter(value, Date.UTC(2025, 0, 1))).toBeUndefined();
  });

  describe('asctime HTTP-date (always UTC, RFC 9110 §5.6.7)', () => {
    const savedTz = process.env.TZ;
    afterEach(() => {
      if (savedTz === undefined) delete process.env.TZ;
      else process.env.TZ = savedTz;
    });

    it('parses in UTC when the local zone is UTC', () => {
      process.env.TZ = 'UTC';
      expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', Date.UTC(1994, 10, 6, 8, 49, 7))).toBe(30_000);
    });

    // asctime carries no zone; Date.parse reads it as local time, so in New York the wait is 5 h long.
    it('parses in UTC whatever the local zone is', () => {
      process.env.TZ = 'America/New_York';
      expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', Date.UTC(1994, 10, 6, 8, 49, 7))).toBe(30_000);
    });
  });
});

describe('backoffDelay', () => {
  const policy: RetryPolicy = { maxRetries: 5, baseDelayMs: 200, maxDelayMs: 30_000, jitter: 0.2 };

  const CASES: readonly [attempt: number, random: number, expected: number][] = [
    // No jitter at random()=0.5: exactly base * 2^attempt.
    [0, 0.5, 200],
    [1, 0.5, 400],
    [2, 0.5, 800],
    [3, 0.5, 1_600],
    [7, 0.5, 25_600],
    // random()=0 is the low edge (−20 %), random()=1 the high edge (+20 %).
    [0, 0, 160],
    [0, 1, 240],
    [3, 0, 1_280],
    [3, 1, 1_920],
    [0, 0.25, 180],
    // Capped: 200 * 2^8 = 51 200 > 30 000.
    [8, 0.5, 30_000],
    [8, 0, 24_000],
    [20, 0.5, 30_000],
    [2000, 0.5, 30_000], // 2^2000 is Infinity; still capped
  ];
  it.each(CASES)('attempt %i, random %d → %i ms', (attempt, random, expected) => {
    expect(backoffDelay(policy, attempt, fixed(random))).toBe(expected);
  });

  it('stays within ±jitter of the (capped) delay at the high edge', () => {
    const d = backoffDelay(policy, 20, fixed(1));
    expect(d).toBeGreaterThanOrEqual(30_000);
    expect(d).toBeLessThanOrEqual(36_000);
  });

  it('has no spread with jitter 0', () => {
    const p = { ...policy, jitter: 0 };
    expect([0, 0.5, 1].map((r) => backoffDelay(p, 4, fixed(r)))).toEqual([3_200, 3_200, 3_200]);
  });

  it('is never negative', () => {
    const p = { ...policy, jitter: 1.5 };
    expect(backoffDelay(p, 0, fixed(0))).toBe(0);
  });

  it('rounds to whole milliseconds', () => {
    const p = { ...policy, baseDelayMs: 3, jitter: 0.1 };
    expect(backoffDelay(p, 0, fixed(0.9))).toBe(3); // 2.7 + 0.54 = 3.24
    expect(Number.isInteger(backoffDelay(p, 0, fixed(0.123)))).toBe(true);
  });

  it('uses Math.random by default and stays within bounds', () => {
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(policy, 1);
      expect(d).toBeGreaterThanOrEqual(320);
      expect(d).toBeLessThanOrEqual(480);
    }
  });

  it('the default policy starts at 200 ms and caps at 30 s with ±20 % jitter', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      maxRetries: 5,
      baseDelayMs: 200,
      maxDelayMs: 30_000,
      jitter: 0.2,
    });
  });
});

describe('retryDelay', () => {
  const policy: RetryPolicy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 10_000, jitter: 0.2 };
  const CASES: readonly [string, number, number | undefined, number][] = [
    ['Retry-After wins over backoff', 0, 5_000, 5_000],
    ['Retry-After 0 means now', 3, 0, 0],
    ['Retry-After is capped at maxDelayMs', 0, 120_000, 10_000],
    ['Retry-After equal to the cap', 0, 10_000, 10_000],
    ['no Retry-After: backoff', 2, undefined, 400],
    ['no Retry-After: backoff capped', 10, undefined, 10_000],
  ];
  it.each(CASES)('%s', (_name, attempt, retryAfter, expected) => {
    expect(retryDelay(policy, attempt, retryAfter, fixed(0.5))).toBe(expected);
  });

  it('Retry-After is not jittered', () => {
    expect(retryDelay(policy, 0, 1_234, fixed(0))).toBe(1_234);
    expect(retryDelay(policy, 0, 1_234, fixed(1))).toBe(1_234);
  });

  it('backoff without Retry-After is jittered', () => {
    expect(retryDelay(policy, 0, undefined, fixed(0))).toBe(80);
    expect(retryDelay(policy, 0, undefined, fixed(1))).toBe(120);
  });
});

describe('isRetryableStatus', () => {
  it.each([408, 429, 499, 500, 502, 503, 504, 522])('%i is retryable', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });
  it.each([200, 201, 202, 204, 206, 301, 307, 400, 401, 403, 404, 405, 409, 413, 416, 501, 505])(
    '%i is not retryable',
    (status) => {
      expect(isRetryableStatus(status)).toBe(false);
    },
  );
});

function withCode(code: unknown, message = 'x'): Error {
  return Object.assign(new Error(message), { code });
}

describe('errorCode', () => {
  const CASES: readonly [string, unknown, string | undefined][] = [
    ['undefined', undefined, undefined],
    ['null', null, undefined],
    ['string', 'ECONNRESET', undefined],
    ['number', 42, undefined],
    ['error without code', new Error('boom'), undefined],
    ['own code', withCode('ECONNRESET'), 'ECONNRESET'],
    ['plain object', { code: 'EPIPE' }, 'EPIPE'],
    [
      'undici fetch failed → cause with code',
      new TypeError('fetch failed', { cause: withCode('UND_ERR_SOCKET') }),
      'UND_ERR_SOCKET',
    ],
    [
      'code two causes down',
      new Error('a', { cause: new Error('b', { cause: withCode('ECONNRESET') }) }),
      'ECONNRESET',
    ],
    [
      'code three causes down',
      new Error('a', { cause: new Error('b', { cause: new Error('c', { cause: withCode('ETIMEDOUT') }) }) }),
      'ETIMEDOUT',
    ],
    [
      'outer code wins over the cause',
      Object.assign(new Error('a', { cause: withCode('ECONNRESET') }), { code: 'ECONNREFUSED' }),
      'ECONNREFUSED',
    ],
    [
      'non-string code is skipped in favour of the cause',
      Object.assign(new Error('a', { cause: withCode('EPIPE') }), { code: -32 }),
      'EPIPE',
    ],
    ['non-object cause', new Error('a', { cause: 'ECONNRESET' }), undefined],
  ];
  it.each(CASES)('%s', (_name, err, expected) => {
    expect(errorCode(err)).toBe(expected);
  });

  it('terminates on a cyclic cause chain', () => {
    const e = new Error('loop') as Error & { cause?: unknown };
    e.cause = e;
    expect(errorCode(e)).toBeUndefined();
  });
});

describe('isRetryableError', () => {
  it.each([
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
  ])('%s is retryable (also when wrapped)', (code) => {
    expect(isRetryableError(withCode(code))).toBe(true);
    expect(isRetryableError(new TypeError('fetch failed', { cause: withCode(code) }))).toBe(true);
  });

  it.each([
    'ECONNREFUSED',
    'ENOTFOUND',
    'EHOSTUNREACH',
    'CERT_HAS_EXPIRED',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ABORT_ERR',
    'UND_ERR_ABORTED',
    'econnreset',
  ])('%s is not retryable (also when wrapped)', (code) => {
    expect(isRetryableError(withCode(code))).toBe(false);
    expect(isRetryableError(new TypeError('fetch failed', { cause: withCode(code) }))).toBe(false);
  });

  it('errors without a code are not retryable', () => {
    expect(isRetryableError(new Error('ECONNRESET in the message only'))).toBe(false);
    expect(isRetryableError(undefined)).toBe(false);
  });
});

describe('HostBackoff', () => {
  function clock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
    let t = start;
    return { now: () => t, advance: (ms) => void (t += ms) };
  }

  it('no delay for an unknown host', () => {
    expect(new HostBackoff(clock().now).delayFor('ghcr.io')).toBe(0);
  });

  it('counts down a pause and then expires', () => {
    const c = clock();
    const b = new HostBackoff(c.now);
    b.pause('ghcr.io', 1_000);
    expect(b.delayFor('ghcr.io')).toBe(1_000);
    c.advance(400);
    expect(b.delayFor('ghcr.io')).toBe(600);
    c.advance(599);
    expect(b.delayFor('ghcr.io')).toBe(1);
    c.advance(1);
    expect(b.delayFor('ghcr.io')).toBe(0);
    c.advance(10_000);
    expect(b.delayFor('ghcr.io')).toBe(0);
  });

  it('a longer pause extends the wait', () => {
    const c = clock();
    const b = new HostBackoff(c.now);
    b.pause('ghcr.io', 1_000);
    c.advance(400);
    b.pause('ghcr.io', 2_000);
    expect(b.delayFor('ghcr.io')).toBe(2_000);
  });

  it('a shorter pause never shortens the wait', () => {
    const c = clock();
    const b = new HostBackoff(c.now);
    b.pause('ghcr.io', 1_000);
    c.advance(400);
    b.pause('ghcr.io', 100);
    expect(b.delayFor('ghcr.io')).toBe(600);
    b.pause('ghcr.io', 0);
    expect(b.delayFor('ghcr.io')).toBe(600);
  });

  it('a pause after expiry starts afresh', () => {
    const c = clock();
    const b = new HostBackoff(c.now);
    b.pause('ghcr.io', 100);
    c.advance(500);
    expect(b.delayFor('ghcr.io')).toBe(0);
    b.pause('ghcr.io', 50);
    expect(b.delayFor('ghcr.io')).toBe(50);
  });

  it('is per host (host:port is a different key)', () => {
    const c = clock();
    const b = new HostBackoff(c.now);
    b.pause('ghcr.io', 1_000);
    b.pause('localhost:5000', 300);
    expect(b.delayFor('ghcr.io')).toBe(1_000);
    expect(b.delayFor('localhost:5000')).toBe(300);
    expect(b.delayFor('localhost')).toBe(0);
    expect(b.delayFor('docker.io')).toBe(0);
    c.advance(300);
    expect(b.delayFor('localhost:5000')).toBe(0);
    expect(b.delayFor('ghcr.io')).toBe(700);
  });

  it('a zero pause does not delay', () => {
    const b = new HostBackoff(clock().now);
    b.pause('ghcr.io', 0);
    expect(b.delayFor('ghcr.io')).toBe(0);
  });
});
