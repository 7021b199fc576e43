import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH, MAX_TAG_LENGTH, validateDigest, validateTag } from '../../../src/ref/index.js';
import { BUSYBOX, HEX128, HEX64, SHA256, SHA512, expectReferenceError } from './helpers.js';

describe('limits', () => {
  it('match upstream', () => {
    expect(MAX_NAME_LENGTH).toBe(255);
    expect(MAX_TAG_LENGTH).toBe(128);
  });
});

describe('validateTag', () => {
  it.each([
    'latest',
    'a',
    'A',
    'Z',
    '0',
    '9',
    '_',
    '__',
    '_a',
    'a_',
    'a.',
    'a-',
    'a.-_',
    'v1',
    'v1.2.3',
    '1.2.3-rc.1',
    '1.2.3_build.4',
    'sha256-abc.sig',
    'sha256-abc.att',
    'MixedCase',
    'UPPER',
    '2024-01-01T00-00-00',
    'a--b',
    'a..b',
    'x'.repeat(127),
    'x'.repeat(128),
    `_${'.'.repeat(127)}`,
    `9${'-'.repeat(127)}`,
  ])('accepts %j', (tag) => {
    expect(() => validateTag(tag)).not.toThrow();
  });

  it.each([
    ['', 'must not be empty'],
    ['-', 'must start with a letter, digit or underscore'],
    ['.', 'must start with a letter, digit or underscore'],
    ['-latest', 'must start with a letter, digit or underscore'],
    ['.hidden', 'must start with a letter, digit or underscore'],
    ['a b', 'contains invalid character " "'],
    ['a/b', 'contains invalid character "/"'],
    ['a:b', 'contains invalid character ":"'],
    ['a@b', 'contains invalid character "@"'],
    ['a+b', 'contains invalid character "+"'],
    ['a$', 'contains invalid character "$"'],
    ['a"b', 'contains invalid character "\\""'],
    ['a\nb', 'contains invalid character "\\n"'],
    ['ü', 'contains invalid character "ü"'],
    ['v1🐳', 'contains invalid character "🐳"'],
    ['x'.repeat(129), 'is 129 characters long; the maximum is 128'],
    ['x'.repeat(1000), 'is 1000 characters long'],
  ])('refuses %j', (tag, reason) => {
    expectReferenceError(() => validateTag(tag), tag, 'tag', reason);
  });
});

describe('validateDigest', () => {
  it.each([SHA256, SHA512, BUSYBOX, `sha256:${'0'.repeat(64)}`, `sha256:${'0123456789abcdef'.repeat(4)}`])(
    'accepts %s',
    (digest) => {
      expect(() => validateDigest(digest)).not.toThrow();
    },
  );

  it.each([
    ['', 'must not be empty'],
    [HEX64, 'must have the form "sha256:<64 hex characters>"'],
    ['sha256', 'must have the form'],
    [`:${HEX64}`, 'is missing its algorithm'],
    [`1:${HEX64}`, 'has an invalid algorithm "1"'],
    [`sha_:${HEX64}`, 'has an invalid algorithm "sha_"'],
    [`sha256 :${HEX64}`, 'has an invalid algorithm "sha256 "'],
    [`sha256..x:${HEX64}`, 'has an invalid algorithm "sha256..x"'],
    [`md5:${'f'.repeat(32)}`, 'algorithm "md5" is not supported; only sha256 and sha512 are'],
    [`sha1:${'f'.repeat(40)}`, 'algorithm "sha1" is not supported'],
    [`sha384:${'f'.repeat(96)}`, 'algorithm "sha384" is not supported'],
    [`blake3:${HEX64}`, 'algorithm "blake3" is not supported'],
    [`Sha256:${HEX64}`, 'algorithm "Sha256" is not supported'],
    [`SHA512:${HEX128}`, 'algorithm "SHA512" is not supported'],
    [`sha256.b64:${HEX64}`, 'algorithm "sha256.b64" is not supported'],
    [`sha256:${'A'.repeat(64)}`, 'must use lowercase hexadecimal'],
    [`sha512:${'ABCDEF01'.repeat(16)}`, 'must use lowercase hexadecimal'],
    [`sha256:${'z'.repeat(64)}`, 'contains non-hexadecimal character "z"'],
    [`sha256:${'f'.repeat(63)}-`, 'contains non-hexadecimal character "-"'],
    [`sha256:${'f'.repeat(63)}:`, 'contains non-hexadecimal character ":"'],
    [`sha256:${' '.repeat(64)}`, 'contains non-hexadecimal character " "'],
    ['sha256:', 'must have 64 hex characters after "sha256:", found 0'],
    [`sha256:${'f'.repeat(31)}`, 'found 31'],
    [`sha256:${'f'.repeat(32)}`, 'found 32'],
    [`sha256:${'f'.repeat(63)}`, 'found 63'],
    [`sha256:${'f'.repeat(65)}`, 'found 65'],
    [`sha256:${HEX128}`, 'found 128'],
    [`sha512:${HEX64}`, 'must have 128 hex characters after "sha512:", found 64'],
    [`sha512:${'f'.repeat(127)}`, 'found 127'],
    [`sha512:${'f'.repeat(129)}`, 'found 129'],
  ])('refuses %j', (digest, reason) => {
    expectReferenceError(() => validateDigest(digest), digest, 'digest', reason);
  });
});
