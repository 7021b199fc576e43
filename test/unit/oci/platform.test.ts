import { describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../../src/errors.js';
import {
  formatPlatform,
  parsePlatform,
  parsePlatformList,
  platformMatches,
} from '../../../src/oci/platform.js';
import type { Platform } from '../../../src/oci/schema.js';

describe('parsePlatform', () => {
  const VALID: readonly [string, Platform][] = [
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm64', { os: 'linux', architecture: 'arm64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux/arm/v6', { os: 'linux', architecture: 'arm', variant: 'v6' }],
    ['windows/amd64', { os: 'windows', architecture: 'amd64' }],
    ['linux/s390x', { os: 'linux', architecture: 's390x' }],
    ['  linux/ppc64le  ', { os: 'linux', architecture: 'ppc64le' }],
  ];
  it.each(VALID)('%j', (text, expected) => {
    expect(parsePlatform(text)).toStrictEqual(expected);
  });

  it('omits the variant key when there is none', () => {
    expect('variant' in parsePlatform('linux/amd64')).toBe(false);
  });

  const INVALID = [
    '',
    '   ',
    'linux',
    'linux/',
    '/amd64',
    '/',
    'linux/arm/',
    'linux//v7',
    'linux/arm/v7/extra',
    'a/b/c/d',
  ];
  it.each(INVALID)('rejects %j with a UsageError', (text) => {
    try {
      parsePlatform(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).exitCode).toBe(ExitCode.Usage);
      expect((e as UsageError).message).toBe(`invalid platform "${text}"`);
      expect((e as UsageError).hint).toMatch(/os\/arch\[\/variant\]/);
    }
  });
});

describe('parsePlatformList', () => {
  const CASES: readonly [string, Platform[]][] = [
    ['', []],
    ['linux/amd64', [{ os: 'linux', architecture: 'amd64' }]],
    [
      'linux/amd64,linux/arm64/v8',
      [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ],
    ],
    [
      ' linux/amd64 , , linux/arm/v7 ,',
      [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm', variant: 'v7' },
      ],
    ],
  ];
  it.each(CASES)('%j', (text, expected) => {
    expect(parsePlatformList(text)).toStrictEqual(expected);
  });

  it('an invalid entry fails the whole list', () => {
    expect(() => parsePlatformList('linux/amd64,linux')).toThrow(UsageError);
  });
});

describe('formatPlatform', () => {
  it.each([
    [{ os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
    [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'linux/arm64/v8'],
    [{ os: 'linux', architecture: 'arm', variant: '' }, 'linux/arm'],
    [{ os: 'windows', architecture: 'amd64' }, 'windows/amd64'],
  ])('%j → %s', (p, expected) => {
    expect(formatPlatform(p)).toBe(expected);
  });

  it.each(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v6'])('round-trips %s', (text) => {
    expect(formatPlatform(parsePlatform(text))).toBe(text);
  });
});

describe('platformMatches', () => {
  const p = (text: string): Platform => parsePlatform(text);
  const CASES: readonly [wanted: string, candidate: Platform | undefined, expected: boolean][] = [
    ['linux/amd64', p('linux/amd64'), true],
    ['linux/amd64', p('linux/arm64'), false],
    ['linux/amd64', p('windows/amd64'), false],
    ['linux/amd64', undefined, false],
    // arm64 normalisation: no variant means v8.
    ['linux/arm64/v8', p('linux/arm64'), true],
    ['linux/arm64/v8', p('linux/arm64/v8'), true],
    ['linux/arm64', p('linux/arm64/v8'), true],
    ['linux/arm64/v9', p('linux/arm64'), false],
    ['linux/arm64/v9', p('linux/arm64/v9'), true],
    // arm normalisation: no variant means v7.
    ['linux/arm/v7', p('linux/arm'), true],
    ['linux/arm/v7', p('linux/arm/v7'), true],
    ['linux/arm/v6', p('linux/arm'), false],
    ['linux/arm/v6', p('linux/arm/v7'), false],
    ['linux/arm/v6', p('linux/arm/v6'), true],
    // Variant-less wanted accepts any variant.
    ['linux/arm', p('linux/arm/v5'), true],
    ['linux/arm', p('linux/arm/v7'), true],
    ['linux/amd64', p('linux/amd64/v3'), true],
    // Wanted variant on an architecture without a default needs an exact match.
    ['linux/amd64/v3', p('linux/amd64'), false],
    ['linux/amd64/v3', p('linux/amd64/v3'), true],
    ['linux/amd64/v2', p('linux/amd64/v3'), false],
    // Architecture must match exactly, variant normalisation does not cross arm/arm64.
    ['linux/arm/v8', p('linux/arm64'), false],
  ];
  it.each(CASES)('wanted %s, candidate %j → %s', (wanted, candidate, expected) => {
    expect(platformMatches(p(wanted), candidate)).toBe(expected);
  });

  it('extra candidate fields (os.version, features) do not matter', () => {
    const candidate: Platform = { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5206' };
    expect(platformMatches(p('windows/amd64'), candidate)).toBe(true);
  });

  it('"unknown/unknown" attestation entries never match a real platform', () => {
    expect(platformMatches(p('linux/amd64'), { os: 'unknown', architecture: 'unknown' })).toBe(false);
  });
});
