import { describe, expect, it } from 'vitest';
import {
  grantedPackageScopes,
  missingPackageScopes,
  type PackageScope,
} from '../../../src/github/token-scopes.js';

describe('grantedPackageScopes', () => {
  const CASES: readonly [string, string[], PackageScope[]][] = [
    ['none', [], []],
    ['unrelated scopes', ['repo', 'workflow', 'admin:org', 'gist'], []],
    ['read only', ['read:packages'], ['read:packages']],
    ['write implies read', ['write:packages'], ['read:packages', 'write:packages']],
    ['delete alone does not imply read or write', ['delete:packages'], ['delete:packages']],
    [
      'write + delete',
      ['repo', 'write:packages', 'delete:packages'],
      ['delete:packages', 'read:packages', 'write:packages'],
    ],
    [
      'read + write (no duplicates)',
      ['read:packages', 'write:packages'],
      ['read:packages', 'write:packages'],
    ],
    ['repo does not cover packages', ['repo'], []],
    ['case-sensitive, as GitHub sends them', ['READ:PACKAGES', 'Write:Packages'], []],
    ['similar names are not scopes', ['read:package', 'packages', 'admin:packages'], []],
  ];
  it.each(CASES)('%s', (_name, scopes, expected) => {
    expect([...grantedPackageScopes(scopes)].sort()).toEqual([...expected].sort());
  });

  it('returns a Set', () => {
    expect(grantedPackageScopes(['write:packages'])).toBeInstanceOf(Set);
    expect(grantedPackageScopes(['write:packages']).size).toBe(2);
  });
});

describe('missingPackageScopes', () => {
  const CASES: readonly [string, string[], PackageScope[], PackageScope[]][] = [
    ['nothing needed', [], [], []],
    ['read needed, none granted', [], ['read:packages'], ['read:packages']],
    ['read needed, read granted', ['read:packages'], ['read:packages'], []],
    ['read needed, write granted', ['write:packages'], ['read:packages'], []],
    ['write needed, read granted', ['read:packages'], ['write:packages'], ['write:packages']],
    ['delete needed, write granted', ['write:packages'], ['delete:packages'], ['delete:packages']],
    ['read needed, delete granted', ['delete:packages'], ['read:packages'], ['read:packages']],
    [
      'several needed, some missing, order of `needed` kept',
      ['read:packages'],
      ['delete:packages', 'read:packages', 'write:packages'],
      ['delete:packages', 'write:packages'],
    ],
    [
      'all granted',
      ['write:packages', 'delete:packages'],
      ['read:packages', 'write:packages', 'delete:packages'],
      [],
    ],
    ['repo alone is not enough', ['repo'], ['read:packages'], ['read:packages']],
  ];
  it.each(CASES)('%s', (_name, scopes, needed, expected) => {
    expect(missingPackageScopes(scopes, needed)).toEqual(expected);
  });
});
