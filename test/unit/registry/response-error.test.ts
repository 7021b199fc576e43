import { describe, expect, it } from 'vitest';
import {
  ExitCode,
  GhcrOptimizeError,
  NotFoundError,
  ProtocolError,
  RegistryError,
} from '../../../src/errors.js';
import { errorFromBody, parseOciErrors, sanitizeServerText } from '../../../src/registry/response-error.js';

const ctx = { what: 'manifest ghcr.io/o/a:1' };
const ociBody = (code: string, message?: string, detail?: unknown): string =>
  JSON.stringify({ errors: [{ code, ...(message === undefined ? {} : { message }), detail }] });

describe('sanitizeServerText', () => {
  const CASES: readonly [string, string, string][] = [
    ['plain text unchanged', 'manifest unknown', 'manifest unknown'],
    ['trimmed', '   padded  ', 'padded'],
    ['inner whitespace collapsed', 'a   b\t\tc', 'a b c'],
    ['newlines become spaces', 'line one\nline two\r\nline three', 'line one line two line three'],
    [
      'HTML stripped',
      '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
      '502 Bad Gateway 502 Bad Gateway',
    ],
    ['tags with attributes', '<a href="https://x">click</a> here', 'click here'],
    ['NUL and BEL removed', 'a\u0000b\u0007c', 'a b c'],
    ['ANSI escape neutralised', '\u001b[31mred\u001b[0m', '[31mred [0m'],
    ['DEL removed', 'a\u007fb', 'a b'],
    ['empty', '', ''],
    ['only markup', '<br/><hr>', ''],
    ['unicode kept', 'naïve – ok ✓', 'naïve – ok ✓'],
  ];
  it.each(CASES)('%s', (_name, input, expected) => {
    expect(sanitizeServerText(input)).toBe(expected);
  });

  it('truncates to the default 200 characters with an ellipsis', () => {
    const out = sanitizeServerText('x'.repeat(300));
    expect(out).toHaveLength(200);
    expect(out).toBe(`${'x'.repeat(199)}…`);
  });

  it('keeps text of exactly max characters', () => {
    expect(sanitizeServerText('y'.repeat(200))).toBe('y'.repeat(200));
  });

  it('honours a custom max', () => {
    expect(sanitizeServerText('abcdefghij', 5)).toBe('abcd…');
    expect(sanitizeServerText('abcde', 5)).toBe('abcde');
  });

  it('truncates after cleaning, not before', () => {
    expect(sanitizeServerText(`<p>${'z'.repeat(8)}</p>`, 8)).toBe('z'.repeat(8));
  });

  it('output is always a single line', () => {
    expect(sanitizeServerText('a\nb\rc\u000bd\u000ce')).toBe('a b c d e');
  });

  // Documented as "one line, bounded, printable", but only C0 controls and DEL are removed. C1
  // controls pass through: U+009B is CSI (a one-byte ESC[ in terminals that honour C1 codes) and
  // U+0085 (NEL) is a line break that JavaScript's \s does not cover.
  it('removes C1 control characters (U+0080–U+009F)', () => {
    expect(sanitizeServerText('a\u009b31mb\u0085c')).toBe('a 31mb c');
  });
});

describe('parseOciErrors', () => {
  const CASES: readonly [string, string, ReturnType<typeof parseOciErrors>][] = [
    [
      'valid entry with message and detail',
      '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"o/a"}}]}',
      [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: 'o/a' } }],
    ],
    ['missing message', '{"errors":[{"code":"DENIED"}]}', [{ code: 'DENIED', detail: undefined }]],
    [
      'non-string message dropped',
      '{"errors":[{"code":"DENIED","message":42}]}',
      [{ code: 'DENIED', detail: undefined }],
    ],
    [
      'missing code → UNKNOWN',
      '{"errors":[{"message":"boom"}]}',
      [{ code: 'UNKNOWN', message: 'boom', detail: undefined }],
    ],
    ['non-string code → UNKNOWN', '{"errors":[{"code":7}]}', [{ code: 'UNKNOWN', detail: undefined }]],
    [
      'several entries in order',
      '{"errors":[{"code":"A","message":"a"},{"code":"B"}]}',
      [
        { code: 'A', message: 'a', detail: undefined },
        { code: 'B', detail: undefined },
      ],
    ],
    [
      'non-object entries skipped',
      '{"errors":["x",null,3,{"code":"BLOB_UNKNOWN"}]}',
      [{ code: 'BLOB_UNKNOWN', detail: undefined }],
    ],
    ['empty array', '{"errors":[]}', []],
    ['errors not an array', '{"errors":"nope"}', undefined],
    ['errors an object', '{"errors":{"code":"X"}}', undefined],
    ['no errors key', '{"message":"x"}', undefined],
    ['invalid JSON', '{"errors":[', undefined],
    ['HTML', '<html>404</html>', undefined],
    ['plain text', '404 page not found', undefined],
    ['empty body', '', undefined],
    ['JSON null', 'null', undefined],
    ['JSON string', '"errors"', undefined],
    ['JSON array', '[{"code":"X"}]', undefined],
  ];
  it.each(CASES)('%s', (_name, body, expected) => {
    expect(parseOciErrors(body)).toEqual(expected);
  });

  it('omits the message key entirely when absent', () => {
    expect(Object.keys(parseOciErrors('{"errors":[{"code":"DENIED"}]}')![0]!)).not.toContain('message');
  });
});

describe('errorFromBody', () => {
  type Expect = {
    cls: abstract new (...args: never[]) => GhcrOptimizeError;
    message: string;
    exitCode: number;
    kind: string;
    hint: RegExp;
    code?: string | undefined;
    status?: number;
  };
  const CASES: readonly [string, number, string, Expect][] = [
    [
      '404 NAME_UNKNOWN',
      404,
      ociBody('NAME_UNKNOWN', 'repository name not known to registry'),
      {
        cls: NotFoundError,
        message: 'manifest ghcr.io/o/a:1: repository not found',
        exitCode: ExitCode.NotFound,
        kind: 'not-found',
        hint: /private package/,
      },
    ],
    [
      '404 MANIFEST_UNKNOWN with message',
      404,
      ociBody('MANIFEST_UNKNOWN', 'manifest unknown'),
      {
        cls: NotFoundError,
        message: 'manifest ghcr.io/o/a:1: not found (manifest unknown)',
        exitCode: 4,
        kind: 'not-found',
        hint: /ghcr-optimize tags REPOSITORY/,
      },
    ],
    [
      '404 MANIFEST_UNKNOWN without message',
      404,
      ociBody('MANIFEST_UNKNOWN'),
      {
        cls: NotFoundError,
        message: 'manifest ghcr.io/o/a:1: not found (manifest unknown)',
        exitCode: 4,
        kind: 'not-found',
        hint: /tags/,
      },
    ],
    [
      '404 MANIFEST_UNKNOWN message is sanitised',
      404,
      ociBody('MANIFEST_UNKNOWN', '<b>no</b>\nsuch\u001b tag'),
      {
        cls: NotFoundError,
        message: 'manifest ghcr.io/o/a:1: not found (no such tag)',
        exitCode: 4,
        kind: 'not-found',
        hint: /tags/,
      },
    ],
    [
      '404 BLOB_UNKNOWN',
      404,
      ociBody('BLOB_UNKNOWN', 'blob unknown to registry'),
      {
        cls: NotFoundError,
        message: 'manifest ghcr.io/o/a:1: blob not found',
        exitCode: 4,
        kind: 'not-found',
        hint: /lost/,
      },
    ],
    [
      '404 plain text',
      404,
      '404 page not found\n',
      {
        cls: NotFoundError,
        message: 'manifest ghcr.io/o/a:1: not found (HTTP 404)',
        exitCode: 4,
        kind: 'not-found',
        hint: /check the reference/,
      },
    ],
    [
      '404 empty body',
      404,
      '',
      {
        cls: NotFoundError,
        message: 'manifest ghcr.io/o/a:1: not found (HTTP 404)',
        exitCode: 4,
        kind: 'not-found',
        hint: /check the reference/,
      },
    ],
    [
      '404 with another OCI code names it',
      404,
      ociBody('DENIED', 'requested access to the resource is denied'),
      {
        cls: NotFoundError,
        message:
          'manifest ghcr.io/o/a:1: not found (HTTP 404, DENIED: requested access to the resource is denied)',
        exitCode: 4,
        kind: 'not-found',
        hint: /check the reference/,
      },
    ],
    [
      '429 without body',
      429,
      '',
      {
        cls: RegistryError,
        message: 'manifest ghcr.io/o/a:1: rate limited by the registry (HTTP 429)',
        exitCode: ExitCode.Protocol,
        kind: 'registry',
        hint: /--concurrency/,
        code: 'TOOMANYREQUESTS',
        status: 429,
      },
    ],
    [
      '429 with Docker Hub body keeps its code',
      429,
      ociBody('TOOMANYREQUESTS', 'You have reached your pull rate limit.'),
      {
        cls: RegistryError,
        message: 'manifest ghcr.io/o/a:1: rate limited by the registry (HTTP 429)',
        exitCode: 6,
        kind: 'registry',
        hint: /wait and retry/,
        code: 'TOOMANYREQUESTS',
        status: 429,
      },
    ],
    [
      '405',
      405,
      '',
      {
        cls: RegistryError,
        message: 'manifest ghcr.io/o/a:1: the registry does not support this operation (HTTP 405)',
        exitCode: 6,
        kind: 'registry',
        hint: /GitHub Packages API/,
        code: undefined,
        status: 405,
      },
    ],
    [
      '400 UNSUPPORTED',
      400,
      ociBody('UNSUPPORTED', 'The operation is unsupported.'),
      {
        cls: RegistryError,
        message: 'manifest ghcr.io/o/a:1: the registry does not support this operation (HTTP 400)',
        exitCode: 6,
        kind: 'registry',
        hint: /GitHub Packages API/,
        code: 'UNSUPPORTED',
        status: 400,
      },
    ],
    [
      '500 plain text',
      500,
      'Internal Server Error',
      {
        cls: RegistryError,
        message: 'manifest ghcr.io/o/a:1: HTTP 500 (Internal Server Error)',
        exitCode: 6,
        kind: 'registry',
        hint: /^the registry failed; try again later$/,
        code: undefined,
        status: 500,
      },
    ],
    [
      '503 HTML page is stripped',
      503,
      '<html><body><h1>503 Service Unavailable</h1></body></html>',
      {
        cls: RegistryError,
        message: 'manifest ghcr.io/o/a:1: HTTP 503 (503 Service Unavailable)',
        exitCode: 6,
        kind: 'registry',
        hint: /try again later/,
        code: undefined,
        status: 503,
      },
    ],
    [
      '500 with OCI body',
      500,
      ociBody('UNKNOWN', 'unknown error'),
      {
        cls: RegistryError,
        message: 'manifest ghcr.io/o/a:1: HTTP 500 (UNKNOWN: unknown error)',
        exitCode: 6,
        kind: 'registry',
        hint: /try again later/,
        code: 'UNKNOWN',
        status: 500,
      },
    ],
    [
      '500 empty body',
      500,
      '',
      {
        cls: RegistryError,
        message: 'manifest ghcr.io/o/a:1: HTTP 500',
        exitCode: 6,
        kind: 'registry',
        hint: /try again later/,
        code: undefined,
        status: 500,
      },
    ],
    [
      '400 MANIFEST_INVALID',
      400,
      ociBody('MANIFEST_INVALID', 'manifest invalid'),
      {
        cls: RegistryError,
        message: 'manifest ghcr.io/o/a:1: HTTP 400 (MANIFEST_INVALID: manifest invalid)',
        exitCode: 6,
        kind: 'registry',
        hint: /^the registry rejected the request$/,
        code: 'MANIFEST_INVALID',
        status: 400,
      },
    ],
    [
      '2xx without OCI errors → protocol error',
      202,
      'ok',
      {
        cls: ProtocolError,
        message: 'manifest ghcr.io/o/a:1: unexpected HTTP 202',
        exitCode: ExitCode.Protocol,
        kind: 'protocol',
        hint: /^$/,
      },
    ],
  ];

  it.each(CASES)('%s', (_name, status, body, e) => {
    const err = errorFromBody(status, body, ctx);
    expect(err).toBeInstanceOf(e.cls);
    expect(err.message).toBe(e.message);
    expect(err.exitCode).toBe(e.exitCode);
    expect(err.kind).toBe(e.kind);
    expect(err.hint ?? '').toMatch(e.hint);
    if (err instanceof RegistryError) {
      expect(err.code).toBe(e.code);
      expect(err.status).toBe(e.status);
    }
  });

  it('truncates a long plain-text body to 120 characters', () => {
    const err = errorFromBody(502, 'e'.repeat(500), ctx);
    expect(err.message).toBe(`manifest ghcr.io/o/a:1: HTTP 502 (${'e'.repeat(119)}…)`);
  });

  it('truncates a long OCI message to 200 characters', () => {
    const err = errorFromBody(400, ociBody('DENIED', 'm'.repeat(500)), ctx);
    expect(err.message).toBe(`manifest ghcr.io/o/a:1: HTTP 400 (DENIED: ${'m'.repeat(191)}…)`);
  });

  it('control characters in a server message never reach the error message', () => {
    const err = errorFromBody(400, ociBody('DENIED', 'a\u001b]0;pwned\u0007\nb'), ctx);
    expect(err.message).toBe('manifest ghcr.io/o/a:1: HTTP 400 (DENIED: a ]0;pwned b)');
  });

  it('uses the first OCI error only', () => {
    const body = JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN' }, { code: 'MANIFEST_UNKNOWN' }] });
    expect(errorFromBody(404, body, ctx).message).toBe('manifest ghcr.io/o/a:1: repository not found');
  });

  it('errors carry the `what` context verbatim', () => {
    expect(errorFromBody(404, '', { what: 'tags of localhost:5000/x' }).message).toBe(
      'tags of localhost:5000/x: not found (HTTP 404)',
    );
  });
});
