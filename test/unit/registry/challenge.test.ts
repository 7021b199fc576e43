import { describe, expect, it } from 'vitest';
import { challengeScopes, parseChallenges, type Challenge } from '../../../src/registry/challenge.js';

type Case = readonly [name: string, header: string | string[] | undefined, expected: Challenge[]];

const bearer = (params: Record<string, string>): Challenge => ({ scheme: 'bearer', params });
const basic = (params: Record<string, string>): Challenge => ({ scheme: 'basic', params });

const CASES: readonly Case[] = [
  ['undefined header', undefined, []],
  ['empty string', '', []],
  ['whitespace only', '  \t ', []],
  ['empty array', [], []],
  ['scheme without params', 'Basic', [basic({})]],
  [
    'single Bearer with realm/service/scope',
    'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"',
    [
      bearer({
        realm: 'https://auth.example.com/token',
        service: 'registry.example.com',
        scope: 'repository:a/b:pull',
      }),
    ],
  ],
  [
    'GHCR',
    'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"',
    [bearer({ realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:user/image:pull' })],
  ],
  [
    'Docker Hub (ping, no scope)',
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
    [bearer({ realm: 'https://auth.docker.io/token', service: 'registry.docker.io' })],
  ],
  [
    'Docker Hub insufficient_scope',
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push",error="insufficient_scope"',
    [
      bearer({
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:samalba/my-app:pull,push',
        error: 'insufficient_scope',
      }),
    ],
  ],
  ['distribution basic auth', 'Basic realm="basic-realm"', [basic({ realm: 'basic-realm' })]],
  [
    'Harbor',
    'Bearer realm="https://harbor.example.com/service/token",service="harbor-registry",scope="repository:library/nginx:pull,push"',
    [
      bearer({
        realm: 'https://harbor.example.com/service/token',
        service: 'harbor-registry',
        scope: 'repository:library/nginx:pull,push',
      }),
    ],
  ],
  [
    'Quay',
    'Bearer realm="https://quay.io/v2/auth",service="quay.io"',
    [bearer({ realm: 'https://quay.io/v2/auth', service: 'quay.io' })],
  ],
  [
    'ECR basic',
    'Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"',
    [basic({ realm: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com/', service: 'ecr.amazonaws.com' })],
  ],
  [
    'escaped quotes inside a quoted value',
    'Basic realm="say \\"hi\\" now"',
    [basic({ realm: 'say "hi" now' })],
  ],
  ['escaped backslash', 'Basic realm="a\\\\b"', [basic({ realm: 'a\\b' })]],
  ['escaped ordinary character', 'Basic realm="a\\bc"', [basic({ realm: 'abc' })]],
  [
    'comma inside a quoted value',
    'Bearer scope="repository:a:pull,push",service="s"',
    [bearer({ scope: 'repository:a:pull,push', service: 's' })],
  ],
  ['empty quoted value', 'Basic realm=""', [basic({ realm: '' })]],
  [
    'two challenges in one header',
    'Basic realm="a", Bearer realm="b",service="c"',
    [basic({ realm: 'a' }), bearer({ realm: 'b', service: 'c' })],
  ],
  [
    'three challenges, params on both sides of a scheme',
    'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"',
    [
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      basic({ realm: 'simple' }),
    ],
  ],
  [
    'parameterless scheme followed by another challenge',
    'Negotiate, Basic realm="x"',
    [{ scheme: 'negotiate', params: {} }, basic({ realm: 'x' })],
  ],
  [
    'multiple header values (array), in order',
    ['Basic realm="first"', 'Bearer realm="second",service="svc"'],
    [basic({ realm: 'first' }), bearer({ realm: 'second', service: 'svc' })],
  ],
  [
    'array value holding several challenges',
    ['Basic realm="a", Negotiate', 'Bearer realm="b"'],
    [basic({ realm: 'a' }), { scheme: 'negotiate', params: {} }, bearer({ realm: 'b' })],
  ],
  [
    'case-insensitive scheme and param names, values preserved',
    'BEARER Realm="https://Auth.Example/Token",SERVICE="Reg.Example",Scope="repository:A/B:pull"',
    [bearer({ realm: 'https://Auth.Example/Token', service: 'Reg.Example', scope: 'repository:A/B:pull' })],
  ],
  ['mixed-case scheme', 'bAsIc realm="r"', [basic({ realm: 'r' })]],
  [
    'unquoted token values',
    'Bearer realm="https://r/token",service=registry.docker.io,error=invalid_token',
    [bearer({ realm: 'https://r/token', service: 'registry.docker.io', error: 'invalid_token' })],
  ],
  [
    'whitespace around "=" and ","',
    'Bearer   realm = "https://r/token" ,  service =  "svc"  ,scope="repository:a:pull"',
    [bearer({ realm: 'https://r/token', service: 'svc', scope: 'repository:a:pull' })],
  ],
  ['tabs as whitespace', 'Bearer\trealm="r",\tservice="s"', [bearer({ realm: 'r', service: 's' })]],
  ['leading and trailing commas and spaces', ' , Basic realm="r" , ', [basic({ realm: 'r' })]],
  ['token68 with padding', 'Negotiate abc==', [{ scheme: 'negotiate', params: { token68: 'abc==' } }]],
  [
    'token68 followed by another challenge',
    'Negotiate dGVzdA==, Basic realm="b"',
    [{ scheme: 'negotiate', params: { token68: 'dGVzdA==' } }, basic({ realm: 'b' })],
  ],
  [
    'unterminated quoted value runs to the end',
    'Bearer realm="https://r/token',
    [bearer({ realm: 'https://r/token' })],
  ],
];

describe('parseChallenges', () => {
  it.each(CASES)('%s', (_name, header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });

  it('a later duplicate param overwrites an earlier one (last wins)', () => {
    expect(parseChallenges('Basic realm="a", realm="b"')).toEqual([basic({ realm: 'b' })]);
  });

  it('does not loop forever on stray separators', () => {
    expect(parseChallenges('Basic realm="a" ;;; @@ "x"')[0]).toEqual(basic({ realm: 'a' }));
  });

  // RFC 9110 §11.3: challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]. A token68 without
  // "=" padding is still the first challenge's credentials, not a new scheme (a new challenge
  // must follow a comma).
  it('token68 without padding belongs to the preceding scheme (RFC 9110 §11.3)', () => {
    expect(parseChallenges('Negotiate abc123')).toEqual([
      { scheme: 'negotiate', params: { token68: 'abc123' } },
    ]);
  });
});

describe('challengeScopes', () => {
  const SCOPE_CASES: readonly [string, Challenge, string[]][] = [
    ['no scope param', bearer({ realm: 'r' }), []],
    ['empty scope', bearer({ scope: '' }), []],
    ['one scope', bearer({ scope: 'repository:a/b:pull' }), ['repository:a/b:pull']],
    [
      'several space-separated scopes',
      bearer({ scope: 'repository:a:pull repository:b/c:pull,push registry:catalog:*' }),
      ['repository:a:pull', 'repository:b/c:pull,push', 'registry:catalog:*'],
    ],
    [
      'repeated and edge spaces are dropped',
      bearer({ scope: '  repository:a:pull   repository:b:push ' }),
      ['repository:a:pull', 'repository:b:push'],
    ],
  ];
  it.each(SCOPE_CASES)('%s', (_name, challenge, expected) => {
    expect(challengeScopes(challenge)).toEqual(expected);
  });

  it('reads the scope parsed from a real header', () => {
    const [c] = parseChallenges(
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/a:pull repository:o/b:pull"',
    );
    expect(challengeScopes(c!)).toEqual(['repository:o/a:pull', 'repository:o/b:pull']);
  });
});
