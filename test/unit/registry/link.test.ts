import { describe, expect, it } from 'vitest';
import { nextLink, parseLinks, type LinkValue } from '../../../src/registry/link.js';

const LINK_CASES: readonly [string, string | string[] | undefined, LinkValue[]][] = [
  ['undefined', undefined, []],
  ['empty', '', []],
  ['no angle brackets', 'rel="next"', []],
  ['link without params', '</v2/x>', [{ uri: '/v2/x', rel: [] }]],
  ['quoted rel', '</v2/x?last=a>; rel="next"', [{ uri: '/v2/x?last=a', rel: ['next'] }]],
  ['unquoted rel', '</v2/x?last=a>; rel=next', [{ uri: '/v2/x?last=a', rel: ['next'] }]],
  ['no space before param', '</v2/x>;rel="next"', [{ uri: '/v2/x', rel: ['next'] }]],
  ['spaces around "="', '</v2/x>; rel = "next"', [{ uri: '/v2/x', rel: ['next'] }]],
  ['rel name and value case-insensitive', '</v2/x>; REL="Next"', [{ uri: '/v2/x', rel: ['next'] }]],
  ['several rels in one value', '</v2/x>; rel="next last"', [{ uri: '/v2/x', rel: ['next', 'last'] }]],
  [
    'other params before and after rel',
    '</v2/x>; type="application/json"; rel="next"; title="page 2"',
    [{ uri: '/v2/x', rel: ['next'] }],
  ],
  ['space inside a quoted param', '</v2/x>; title="a b"; rel="next"', [{ uri: '/v2/x', rel: ['next'] }]],
  [
    'absolute URI',
    '<https://registry.example.com/v2/x/tags/list?last=b&n=50>; rel="next"',
    [{ uri: 'https://registry.example.com/v2/x/tags/list?last=b&n=50', rel: ['next'] }],
  ],
  [
    'distribution catalog',
    '</v2/_catalog?last=multi&n=2>; rel="next"',
    [{ uri: '/v2/_catalog?last=multi&n=2', rel: ['next'] }],
  ],
  [
    'GHCR tags',
    '</v2/o/a/tags/list?last=x&n=100>; rel="next"',
    [{ uri: '/v2/o/a/tags/list?last=x&n=100', rel: ['next'] }],
  ],
  [
    'multiple links in one header',
    '</v2/x?page=1>; rel="prev", </v2/x?page=3>; rel="next", </v2/x?page=9>; rel="last"',
    [
      { uri: '/v2/x?page=1', rel: ['prev'] },
      { uri: '/v2/x?page=3', rel: ['next'] },
      { uri: '/v2/x?page=9', rel: ['last'] },
    ],
  ],
  [
    'array header values',
    ['</v2/x?page=1>; rel="prev"', '</v2/x?page=3>; rel="next"'],
    [
      { uri: '/v2/x?page=1', rel: ['prev'] },
      { uri: '/v2/x?page=3', rel: ['next'] },
    ],
  ],
  ['comma inside the URI', '</v2/x?a=1,2>; rel="next"', [{ uri: '/v2/x?a=1,2', rel: ['next'] }]],
];

describe('parseLinks', () => {
  it.each(LINK_CASES)('%s', (_name, header, expected) => {
    expect(parseLinks(header)).toEqual(expected);
  });

  // RFC 8288 link-param values may be quoted-strings containing commas. The outer regex's
  // param-name class `[^;,]+` also swallows `="a`, stops at the comma, and drops every later
  // param, so `rel="next"` is lost and pagination silently stops.
  it('a comma inside an earlier quoted param does not hide rel="next" (RFC 8288)', () => {
    expect(parseLinks('</v2/x>; title="a, b"; rel="next"')).toEqual([{ uri: '/v2/x', rel: ['next'] }]);
  });
});

describe('nextLink', () => {
  const base = new URL('https://ghcr.io/v2/o/a/tags/list?n=100');

  const NEXT_CASES: readonly [string, string | string[] | undefined, URL, string | undefined][] = [
    ['undefined header', undefined, base, undefined],
    ['empty header', '', base, undefined],
    ['only prev', '</v2/o/a/tags/list?last=a>; rel="prev"', base, undefined],
    ['rel without next', '</v2/x>; rel="last"', base, undefined],
    [
      'GHCR relative next resolved against the request URL',
      '</v2/o/a/tags/list?last=x&n=100>; rel="next"',
      base,
      'https://ghcr.io/v2/o/a/tags/list?last=x&n=100',
    ],
    [
      'distribution catalog on a local registry with a port',
      '</v2/_catalog?last=multi&n=2>; rel="next"',
      new URL('http://localhost:5000/v2/_catalog?n=2'),
      'http://localhost:5000/v2/_catalog?last=multi&n=2',
    ],
    [
      'unquoted rel=next',
      '</v2/o/a/tags/list?last=y>; rel=next',
      base,
      'https://ghcr.io/v2/o/a/tags/list?last=y',
    ],
    [
      'absolute next keeps its own origin',
      '<https://mirror.example.com/v2/o/a/tags/list?last=z>; rel="next"',
      base,
      'https://mirror.example.com/v2/o/a/tags/list?last=z',
    ],
    [
      'next picked among several links',
      '</p1>; rel="prev", </p3>; rel="next", </p9>; rel="last"',
      base,
      'https://ghcr.io/p3',
    ],
    ['next inside a multi-rel value', '</p3>; rel="last next"', base, 'https://ghcr.io/p3'],
    [
      'next in the second array value',
      ['</p1>; rel="prev"', '</p3>; rel="next"'],
      base,
      'https://ghcr.io/p3',
    ],
    [
      'path-relative link resolved against the request path',
      '<list?last=q>; rel="next"',
      base,
      'https://ghcr.io/v2/o/a/tags/list?last=q',
    ],
    ['first next wins', '</first>; rel="next", </second>; rel="next"', base, 'https://ghcr.io/first'],
  ];

  it.each(NEXT_CASES)('%s', (_name, header, requestUrl, expected) => {
    expect(nextLink(header, requestUrl)?.href).toBe(expected);
  });

  it('returns a URL instance', () => {
    const url = nextLink('</v2/x>; rel="next"', base);
    expect(url).toBeInstanceOf(URL);
    expect(url?.pathname).toBe('/v2/x');
  });
});
