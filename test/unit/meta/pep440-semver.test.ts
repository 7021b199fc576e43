import { describe, expect, it } from 'vitest';
import {
  cleanPep440,
  explainPep440,
  isValidPep440,
  pep440Major,
  pep440Minor,
  pep440Patch,
} from '../../../src/meta/pep440.js';
import {
  checkVersionPattern,
  PatternError,
  renderPep440,
  renderSemver,
} from '../../../src/meta/semver-pattern.js';

describe('PEP 440 normalisation', () => {
  it.each([
    ['1.0', '1.0'],
    ['v1.0', '1.0'],
    ['V1.0', '1.0'],
    ['1.0.0', '1.0.0'],
    ['1.2.3.4', '1.2.3.4'],
    ['01.02.003', '1.2.3'],
    ['1!2.0', '1!2.0'],
    ['0!1.0', '1.0'],
    ['1.0a1', '1.0a1'],
    ['1.0alpha1', '1.0a1'],
    ['1.0-alpha-1', '1.0a1'],
    ['1.0.beta.2', '1.0b2'],
    ['1.0_b_2', '1.0b2'],
    ['1.0c1', '1.0rc1'],
    ['1.0pre1', '1.0rc1'],
    ['1.0preview1', '1.0rc1'],
    ['1.0RC1', '1.0rc1'],
    ['1.0a', '1.0a0'],
    ['1.0-1', '1.0.post1'],
    ['1.0post', '1.0.post0'],
    ['1.0.post1', '1.0.post1'],
    ['1.0rev2', '1.0.post2'],
    ['1.0r2', '1.0.post2'],
    ['1.0dev', '1.0.dev0'],
    ['1.0-dev-3', '1.0.dev3'],
    ['1.0a1.post2.dev3', '1.0a1.post2.dev3'],
    ['1.2post1', '1.2.post1'],
    ['1.1beta2', '1.1b2'],
    ['1.0dev4', '1.0.dev4'],
    ['1.2.3rc2', '1.2.3rc2'],
    ['v1.2.3rc2', '1.2.3rc2'],
    ['1.0+abc.5', '1.0+abc,5'],
    ['1.0+ABC', '1.0+abc'],
    [' 1.0 ', '1.0'],
    ['foo', null],
    ['1.0.', null],
    ['1.0+', null],
    ['sometag', null],
  ])('%j → %s', (input, expected) => {
    expect(cleanPep440(input)).toBe(expected);
  });

  it.each([
    ['1.0', true],
    ['v1.1.1', true],
    ['1.2.3rc2', true],
    ['v2.0.8-beta.67', true],
    ['20200110-RC2', true],
    [' 1.0', false],
    ['1.0 ', false],
    ['release1', false],
    ['my-feature-1245', false],
    ['1.0.0-rc.1+build', true],
    ['1.0.0-rc.1+build!', false],
  ])('valid(%j) = %s', (input, expected) => {
    expect(isValidPep440(input)).toBe(expected);
  });

  it.each([
    ['1.0', false, false, false],
    ['1.0rc1', true, false, false],
    ['1.0.post1', false, true, false],
    ['1.0.dev1', true, false, true],
    ['1.0a1.post1', true, true, false],
  ])('explain(%j): pre %s post %s dev %s', (v, pre, post, dev) => {
    const e = explainPep440(v)!;
    expect([e.isPrerelease, e.isPostrelease, e.isDevrelease]).toEqual([pre, post, dev]);
  });

  it('explain gives the public and base versions', () => {
    expect(explainPep440('1!2.0rc1.post2+local.7')).toMatchObject({
      epoch: 1,
      release: [2, 0],
      pre: ['rc', 1],
      post: 2,
      local: 'local.7',
      public: '1!2.0rc1.post2',
      baseVersion: '1!2.0',
    });
    expect(explainPep440('nope')).toBeNull();
  });

  it.each([
    ['1.2.3', 1, 2, 3],
    ['1.2', 1, 2, 0],
    ['7', 7, 0, 0],
    ['1!2.3.4.5', 2, 3, 4],
    ['v10.20.30', 10, 20, 30],
  ])('%s major/minor/patch', (v, major, minor, patch) => {
    expect([pep440Major(v), pep440Minor(v), pep440Patch(v)]).toEqual([major, minor, patch]);
  });

  it('major of an invalid version throws', () => {
    expect(() => pep440Major('x')).toThrow(/Invalid Version/);
  });
});

describe('renderSemver (the action README table and more)', () => {
  it.each([
    ['v1.2.3', '{{raw}}', 'v1.2.3', true],
    ['v1.2.3', '{{version}}', '1.2.3', true],
    ['v1.2.3', '{{major}}.{{minor}}', '1.2', true],
    ['v1.2.3', 'v{{major}}', 'v1', true],
    ['v1.2.3', '{{minor}}', '2', true],
    ['v1.2.3', '{{patch}}', '3', true],
    ['1.2.3', '{{major}}.{{minor}}.{{patch}}', '1.2.3', true],
    ['v0.1.2', '{{major}}', '0', true],
    ['v2.0.8-beta.67', '{{raw}}', 'v2.0.8-beta.67', false],
    ['v2.0.8-beta.67', '{{version}}', '2.0.8-beta.67', false],
    ['v2.0.8-beta.67', '{{major}}', '2.0.8-beta.67', false],
    ['v2.0.8-beta.67', '{{major}}.{{minor}}', '2.0.8-beta.67', false],
    ['v2.0.8-beta.67', 'v{{major}}', '2.0.8-beta.67', false],
    ['1.0.0-rc.1', '{{prerelease}}', '1.0.0-rc.1', false],
    ['1.2.3+build.5', '{{version}}', '1.2.3', true],
    ['1.2.3+build.5', '{{raw}}', '1.2.3+build.5', true],
    ['1.2.3+build.5', '{{build}}', 'build,5', true],
    ['v9.5.7-alpha.2+fork.3.1.8', '{{version}}', '9.5.7-alpha.2', false],
    ['v9.5.7-alpha.2+fork.3.1.8', '{{raw}}', 'v9.5.7-alpha.2+fork.3.1.8', false],
    ['v101.12.13', '{{major}}', '101', true],
    ['v1.2.3', '{{prerelease}}', '', true],
  ])('%s with %s → %s', (version, pattern, value, latest) => {
    expect(renderSemver(version, pattern)).toEqual({ ok: true, value, latest });
  });

  it.each(['v1.2', 'sometag', '01.2.3', '1.2.3.4', 'release1', '20200110-RC2', 'V1.2.3', '=1.2.3'])(
    '%s is not semver',
    (version) => {
      expect(renderSemver(version, '{{version}}')).toEqual({
        ok: false,
        warning: `${version} is not a valid semver. More info: https://semver.org/`,
      });
    },
  );
});

describe('renderPep440 (the action README table and more)', () => {
  it.each([
    ['1.2.3', '{{raw}}', '1.2.3', true],
    ['1.2.3', '{{version}}', '1.2.3', true],
    ['v1.2.3', '{{version}}', '1.2.3', true],
    ['1.2.3', '{{major}}.{{minor}}', '1.2', true],
    ['1.2.3', 'v{{major}}', 'v1', true],
    ['1.2', '{{major}}.{{minor}}.{{patch}}', '1.2.0', true],
    ['v1.2.3rc2', '{{raw}}', 'v1.2.3rc2', false],
    ['1.2.3rc2', '{{version}}', '1.2.3rc2', false],
    ['1.2.3rc2', '{{major}}.{{minor}}', '1.2.3rc2', false],
    ['1.2.3post1', '{{major}}.{{minor}}', '1.2.3.post1', false],
    ['1.2.3beta2', '{{major}}.{{minor}}', '1.2.3b2', false],
    ['1.0dev4', '{{major}}.{{minor}}', '1.0.dev4', false],
    ['1.2post1', '{{raw}}', '1.2post1', false],
    ['1.0+local.1', '{{version}}', '1.0+local,1', true],
  ])('%s with %s → %s', (version, pattern, value, latest) => {
    expect(renderPep440(version, pattern)).toEqual({ ok: true, value, latest });
  });

  it('sometag is not PEP 440', () => {
    expect(renderPep440('sometag', '{{version}}')).toEqual({
      ok: false,
      warning: 'sometag does not conform to PEP 440. More info: https://www.python.org/dev/peps/pep-0440',
    });
  });
});

describe('checkVersionPattern', () => {
  it.each([
    ['{{version}}', 'semver'],
    ['v{{major}}.{{minor}}', 'semver'],
    ['{{raw}}', 'pep440'],
    ['{{prerelease}}-{{build}}', 'semver'],
    ['fixed', 'semver'],
  ] as const)('%s is a valid %s pattern', (pattern, scheme) => {
    expect(() => checkVersionPattern(pattern, scheme)).not.toThrow();
  });

  it.each([
    ['{{versio}}', 'semver', /unknown expression \{\{versio\}\}/],
    ['{{build}}', 'pep440', /unknown expression \{\{build\}\}/],
    ['{{major', 'semver', /never closed/],
  ] as const)('%s is not a valid %s pattern', (pattern, scheme, message) => {
    expect(() => checkVersionPattern(pattern, scheme)).toThrow(PatternError);
    expect(() => checkVersionPattern(pattern, scheme)).toThrow(message);
  });
});
