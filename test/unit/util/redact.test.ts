import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../src/util/redact.js';

const GHP = `ghp_${'A1b2C3d4E5'.repeat(3)}abcdef`; // 36 chars after the prefix
const PAT = `github_pat_11ABCDEFG0${'x'.repeat(20)}_${'Y'.repeat(59)}`;
const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY2Nlc3MiOlt7InR5cGUiOiJyZXBvc2l0b3J5In1dfQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redactSecrets', () => {
  const CASES: readonly [string, string, string][] = [
    ['Authorization: Bearer', 'Authorization: Bearer abc.def', 'Authorization: Bearer [REDACTED]'],
    [
      'authorization: Basic (lowercase header)',
      'authorization: Basic dXNlcjpwYXNz',
      'authorization: Basic [REDACTED]',
    ],
    ['Authorization: token', `Authorization: token ${GHP}`, 'Authorization: token [REDACTED]'],
    ['AUTHORIZATION: BEARER keeps the case', 'AUTHORIZATION: BEARER xyz', 'AUTHORIZATION: BEARER [REDACTED]'],
    [
      'Authorization header inside a JSON-ish dump',
      `{"authorization: Bearer s3cr3t", "accept": "x"}`,
      `{"authorization: Bearer [REDACTED]", "accept": "x"}`,
    ],
    [
      'long bare Bearer credential',
      `sent Bearer ${'k'.repeat(24)} to ghcr.io`,
      'sent Bearer [REDACTED] to ghcr.io',
    ],
    ['long bare Basic credential', 'Basic dXNlcm5hbWU6cGFzc3dvcmQ=', 'Basic [REDACTED]'],
    ['ghp_ token', `token ${GHP} leaked`, 'token [REDACTED] leaked'],
    ['gho_ token', `gho_${'z'.repeat(36)}`, '[REDACTED]'],
    ['ghs_ token (Actions)', `GITHUB_TOKEN=ghs_${'Q'.repeat(36)}`, 'GITHUB_TOKEN=[REDACTED]'],
    ['github_pat_ token', `pat=${PAT}.`, 'pat=[REDACTED].'],
    ['JWT', `token: ${JWT}`, 'token: [REDACTED-JWT]'],
    ['JWT with empty signature', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', '[REDACTED-JWT]'],
    ['URL userinfo', 'https://user:s3cret@ghcr.io/v2/', 'https://user:[REDACTED]@ghcr.io/v2/'],
    [
      'URL userinfo with a token',
      `https://x-access-token:${'t'.repeat(10)}@github.com/o/r.git`,
      'https://x-access-token:[REDACTED]@github.com/o/r.git',
    ],
    [
      'access_token query parameter',
      'GET https://ghcr.io/token?scope=repository:o/a:pull&access_token=abc123&service=ghcr.io',
      'GET https://ghcr.io/token?scope=repository:o/a:pull&access_token=[REDACTED]&service=ghcr.io',
    ],
    ['token query parameter first', 'https://r/x?token=abc&n=1', 'https://r/x?token=[REDACTED]&n=1'],
    ['refresh_token', 'https://r/x?a=1&refresh_token=zzz', 'https://r/x?a=1&refresh_token=[REDACTED]'],
    [
      'password parameter (case-insensitive)',
      'https://r/login?PASSWORD=hunter2 ok',
      'https://r/login?PASSWORD=[REDACTED] ok',
    ],
    [
      'several secrets in one line',
      `Authorization: Bearer abc and https://u:p@h/ and ${GHP}`,
      'Authorization: Bearer [REDACTED] and https://u:[REDACTED]@h/ and [REDACTED]',
    ],
  ];
  it.each(CASES)('%s', (_name, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  const UNCHANGED: readonly string[] = [
    '',
    'pulled ghcr.io/o/a:1.0 in 3.2s',
    `ghcr.io/o/a@sha256:${'a'.repeat(64)}`,
    `sha512:${'b'.repeat(128)}`,
    'https://ghcr.io:443/v2/o/a/tags/list?n=100&last=v1.2.3',
    'http://localhost:5000/v2/',
    'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/a:pull"',
    'Basic realm="basic-realm"',
    'the bearer token is invalid',
    'token expired; log in again',
    'ghp_short',
    'use --token-file, not --token',
    'repository:owner/app:pull,push',
    'user@example.com wrote: ok',
    'ssh://git@github.com/o/r.git',
    'a.b.c and eyJ.short.x',
    'https://r/x?tokenizer=abc',
  ];
  it.each(UNCHANGED)('leaves ordinary text unchanged: %j', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = redactSecrets(`Authorization: Bearer ${JWT} https://u:p@h/?token=x ${GHP}`);
    expect(redactSecrets(once)).toBe(once);
    expect(once).not.toContain('eyJ');
    expect(once).not.toContain('ghp_');
  });

  it('redacts every occurrence, not just the first', () => {
    expect(redactSecrets(`${GHP} ${GHP}`)).toBe('[REDACTED] [REDACTED]');
  });
});
