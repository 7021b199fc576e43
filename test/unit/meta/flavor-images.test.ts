import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { DEFAULT_FLAVOR, parseFlavor } from '../../../src/meta/flavor.js';
import { parseImages } from '../../../src/meta/images.js';

describe('parseFlavor (the action flavor.test table)', () => {
  it.each([
    [['latest=true'], { latest: 'true' }],
    [['latest=false'], { latest: 'false' }],
    [['latest=auto'], { latest: 'auto' }],
    [['prefix=sha-'], { prefix: 'sha-' }],
    [['suffix=-alpine'], { suffix: '-alpine' }],
    [
      ['latest=false', 'prefix=dev-', 'suffix=-alpine'],
      { latest: 'false', prefix: 'dev-', suffix: '-alpine' },
    ],
    [['prefix=dev-,onlatest=true'], { prefix: 'dev-', prefixLatest: true }],
    [['suffix=-alpine,onlatest=true'], { suffix: '-alpine', suffixLatest: true }],
    [
      ['prefix=dev-,onlatest=true', 'suffix=-alpine,onlatest=true'],
      { prefix: 'dev-', prefixLatest: true, suffix: '-alpine', suffixLatest: true },
    ],
    [['prefix= '], {}],
    [['prefix=a,suffix=b,onlatest=true'], { prefix: 'a', suffix: 'b', suffixLatest: true }],
    [['onlatest=true,prefix=a'], { prefix: 'a' }],
    [['prefix=a=b'], { prefix: 'a' }],
    [['PREFIX=v'], { prefix: 'v' }],
    [['prefix={{branch}}-'], { prefix: '{{branch}}-' }],
    [[], {}],
  ])('%j', (entries, expected) => {
    expect(parseFlavor(entries)).toEqual({ ...DEFAULT_FLAVOR, ...expected });
  });

  it.each([
    [['randomstr', 'latest=auto'], /"randomstr" is not key=value/],
    [['unknwown=foo'], /unknown attribute "unknwown"/],
    [['latest'], /"latest" is not key=value/],
    [['latest=foo'], /latest must be auto, true or false, got "foo"/],
    [['latest=True'], /latest must be auto, true or false/],
    [['prefix=a,onlatest=yes'], /onlatest must be true or false/],
    [['prefix={{sha'], /prefix: .*never closed/],
  ])('%j is refused', (entries, message) => {
    expect(() => parseFlavor(entries)).toThrow(UsageError);
    expect(() => parseFlavor(entries)).toThrow(message);
  });
});

describe('parseImages (the action image.test table)', () => {
  it.each([
    [['name/foo'], [{ name: 'name/foo', enable: true }]],
    [
      ['name/foo,name/bar'],
      [
        { name: 'name/foo', enable: true },
        { name: 'name/bar', enable: true },
      ],
    ],
    [
      ['name/foo', 'name/bar'],
      [
        { name: 'name/foo', enable: true },
        { name: 'name/bar', enable: true },
      ],
    ],
    [
      ['name=name/bar', 'name/foo,enable=false', 'name=ghcr.io/UserName/Foo,enable=true'],
      [
        { name: 'name/bar', enable: true },
        { name: 'name/foo', enable: false },
        { name: 'ghcr.io/UserName/Foo', enable: true },
      ],
    ],
    [['name/foo,name=name/bar,enable=true'], [{ name: 'name/bar', enable: true }]],
    [[' name/foo '], [{ name: 'name/foo', enable: true }]],
    [[], []],
  ])('%j', (entries, expected) => {
    expect(parseImages(entries)).toEqual(expected);
  });

  it.each([
    [['value=name/foo'], /unknown attribute "value"/],
    [['name/foo,enable=bar'], /enable must be true or false, got "bar"/],
    [['name/foo,bar=baz'], /unknown attribute "bar"/],
    [['name=,enable=true'], /the image name is empty/],
    [['a', 'enable=false'], /the image name is empty/],
  ])('%j is refused', (entries, message) => {
    expect(() => parseImages(entries)).toThrow(UsageError);
    expect(() => parseImages(entries)).toThrow(message);
  });
});
