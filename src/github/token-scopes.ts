/**
 * What a GitHub token may do with packages. Classic PATs list their scopes in the `X-OAuth-Scopes`
 * response header of any REST call; fine-grained PATs and Actions' GITHUB_TOKEN do not, so for
 * those we can only say "not visible".
 */
import { AuthError } from '../errors.js';
import type { Transport } from '../registry/transport.js';

export type PackageScope = 'read:packages' | 'write:packages' | 'delete:packages';

export interface TokenScopes {
  /** Undefined when the token type does not expose scopes. */
  scopes?: string[];
  kind: 'classic' | 'not-visible';
}

export const DEFAULT_GITHUB_API = 'https://api.github.com';

/** GitHub's implied scopes: write:packages includes read:packages; `repo` does not cover packages. */
export function grantedPackageScopes(scopes: readonly string[]): Set<PackageScope> {
  const out = new Set<PackageScope>();
  for (const s of scopes) {
    if (s === 'read:packages' || s === 'write:packages' || s === 'delete:packages') out.add(s);
    if (s === 'write:packages') out.add('read:packages');
  }
  return out;
}

export function missingPackageScopes(
  scopes: readonly string[],
  needed: readonly PackageScope[],
): PackageScope[] {
  const granted = grantedPackageScopes(scopes);
  return needed.filter((n) => !granted.has(n));
}

export async function fetchTokenScopes(
  transport: Transport,
  token: string,
  apiUrl = DEFAULT_GITHUB_API,
  signal?: AbortSignal,
): Promise<TokenScopes> {
  const url = new URL('user', apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
  const res = await transport.request({
    method: 'GET',
    url,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    },
    ...(signal ? { signal } : {}),
  });
  const header = res.header('x-oauth-scopes');
  await res.dump();
  if (res.status === 401) {
    throw new AuthError('GitHub rejected the token (HTTP 401)', 401, undefined, {
      hint: 'the token is expired or revoked; create a new one and log in again',
    });
  }
  if (header === undefined) return { kind: 'not-visible' };
  return {
    kind: 'classic',
    scopes: header
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
