import { describe, expect, it } from 'vitest';
import { ReferenceError } from '../../../src/errors.js';
import { formatLocation, parseLocation } from '../../../src/ref/index.js';
import type { Location } from '../../../src/ref/index.js';
import { HEX64, SHA256, SHA512, catchReferenceError, expectReferenceError } from './helpers.js';

const alpine = { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' } as const;

describe('parseLocation: registry references', () => {
  it.each<readonly [string, Location]>([
    ['alpine', { transport: 'docker', ref: alpine }],
    ['docker://alpine', { transport: 'docker', ref: alpine }],
    [
      'docker://ghcr.io/o/a:1',
      { transport: 'docker', ref: { registry: 'ghcr.io', repository: 'o/a', tag: '1' } },
    ],
    ['ghcr.io/o/a:1', { transport: 'docker', ref: { registry: 'ghcr.io', repository: 'o/a', tag: '1' } }],
    [
      `ghcr.io/o/a@${SHA256}`,
      { transport: 'docker', ref: { registry: 'ghcr.io', repository: 'o/a', digest: SHA256 } },
    ],
    [
      'localhost:5000/a',
      { transport: 'docker', ref: { registry: 'localhost:5000', repository: 'a', tag: 'latest' } },
    ],
    // The prefix check is exact, so registries that merely start like a transport still work.
    ['ocihub.io/a', { transport: 'docker', ref: { registry: 'ocihub.io', repository: 'a', tag: 'latest' } }],
    ['oci/a', { transport: 'docker', ref: { registry: 'docker.io', repository: 'oci/a', tag: 'latest' } }],
    [
      'oci',
      { transport: 'docker', ref: { registry: 'docker.io', repository: 'library/oci', tag: 'latest' } },
    ],
    [
      'docker-archive/a',
      { transport: 'docker', ref: { registry: 'docker.io', repository: 'docker-archive/a', tag: 'latest' } },
    ],
    // "dir" is also a transport name, but "dir:5000/app" is a valid reference, so it stays one.
    [
      'dir:5000/app',
      { transport: 'docker', ref: { registry: 'dir:5000', repository: 'app', tag: 'latest' } },
    ],
    // Also a valid reference (image "dir", tag "alpine"): only invalid input is blamed on a transport.
    [
      'dir:alpine',
      { transport: 'docker', ref: { registry: 'docker.io', repository: 'library/dir', tag: 'alpine' } },
    ],
    [
      'docker://oci:5000/app',
      { transport: 'docker', ref: { registry: 'oci:5000', repository: 'app', tag: 'latest' } },
    ],
  ])('%s', (input, expected) => {
    expect(parseLocation(input)).toStrictEqual(expected);
  });

  it('honours defaultTag: false', () => {
    expect(parseLocation('ghcr.io/o/a', { defaultTag: false })).toStrictEqual({
      transport: 'docker',
      ref: { registry: 'ghcr.io', repository: 'o/a' },
    });
  });

  it.each([
    ['dir:/tmp/x', 'transport "dir:"'],
    ['oci-archive:/tmp/x.tar', 'transport "oci-archive:"'],
    ['docker-daemon:alpine:latest', 'transport "docker-daemon:"'],
    ['containers-storage:ghcr.io/o/a', 'transport "containers-storage:"'],
    ['ostree:x@/repo', 'transport "ostree:"'],
    ['sif:/tmp/x.sif', 'transport "sif:"'],
    ['tarball:/tmp/x.tar', 'transport "tarball:"'],
  ])('names unsupported transport in %s', (input, part) => {
    expectReferenceError(
      () => parseLocation(input),
      input,
      part,
      'is not supported; use docker://, oci: or docker-archive:',
    );
  });

  it.each([
    ['Ghcr.io/o/A', 'repository path component "A"'],
    ['https://ghcr.io/o/a', 'reference'],
    ['', 'reference'],
    ['unknown:/x', 'registry "unknown:"'],
  ])('passes through reference errors: %j', (input, part) => {
    expect(catchReferenceError(() => parseLocation(input)).part).toBe(part);
  });
});

describe('parseLocation: oci', () => {
  it.each<readonly [string, Location]>([
    ['oci:/tmp/l', { transport: 'oci', dir: '/tmp/l' }],
    ['oci:/tmp/l:v1', { transport: 'oci', dir: '/tmp/l', tag: 'v1' }],
    ['oci:rel/dir', { transport: 'oci', dir: 'rel/dir' }],
    ['oci:rel/dir:latest', { transport: 'oci', dir: 'rel/dir', tag: 'latest' }],
    ['oci:.', { transport: 'oci', dir: '.' }],
    ['oci:./layout:1.2.3-rc.1', { transport: 'oci', dir: './layout', tag: '1.2.3-rc.1' }],
    ['oci:/tmp/My Layout', { transport: 'oci', dir: '/tmp/My Layout' }],
    ['oci:5000/app', { transport: 'oci', dir: '5000/app' }],
    [`oci:/tmp/l@${SHA256}`, { transport: 'oci', dir: '/tmp/l', digest: SHA256 }],
    [`oci:/tmp/l@${SHA512}`, { transport: 'oci', dir: '/tmp/l', digest: SHA512 }],
    [`oci:/tmp/a@b/l@${SHA256}`, { transport: 'oci', dir: '/tmp/a@b/l', digest: SHA256 }],
    // "@" not followed by a digest belongs to the directory, as in skopeo.
    ['oci:/tmp/a@b', { transport: 'oci', dir: '/tmp/a@b' }],
    ['oci:/tmp/a@b:v1', { transport: 'oci', dir: '/tmp/a@b', tag: 'v1' }],
    ['oci:/tmp/a@home:v1', { transport: 'oci', dir: '/tmp/a@home', tag: 'v1' }],
    [`oci:/tmp/l:${'t'.repeat(128)}`, { transport: 'oci', dir: '/tmp/l', tag: 't'.repeat(128) }],
  ])('%s', (input, expected) => {
    expect(parseLocation(input)).toStrictEqual(expected);
  });

  it('never adds a default tag', () => {
    expect(parseLocation('oci:/tmp/l', { defaultTag: true })).toStrictEqual({
      transport: 'oci',
      dir: '/tmp/l',
    });
  });

  it.each([
    ['oci:', 'oci directory', 'must not be empty'],
    ['oci::v1', 'oci directory', 'must not be empty'],
    [`oci:@${SHA256}`, 'oci directory', 'must not be empty'],
    ['oci:/tmp/l:', 'tag', 'must not be empty'],
    ['oci:/tmp/l:-v1', 'tag', 'must start with a letter, digit or underscore'],
    ['oci:/tmp/l:v1:v2', 'tag', 'contains invalid character ":"'],
    ['oci:/tmp/l:a/b', 'tag', 'contains invalid character "/"'],
    [`oci:/tmp/l:${'t'.repeat(129)}`, 'tag', 'is 129 characters long'],
    ['oci:/tmp/l@sha256:abc', 'digest', 'found 3'],
    [`oci:/tmp/l@sha256:${HEX64.toUpperCase()}`, 'digest', 'must use lowercase hexadecimal'],
    [`oci:/tmp/l@md5:${'f'.repeat(32)}`, 'digest', 'algorithm "md5" is not supported'],
    ['oci:/tmp/l@sha256:xyz', 'digest', 'contains non-hexadecimal character "x"'],
    [`oci:/tmp/l:v1@${SHA256}`, 'oci location', 'may have a tag or a digest, not both'],
  ])('refuses %j', (input, part, reason) => {
    expectReferenceError(() => parseLocation(input), input, part, reason);
  });
});

describe('parseLocation: docker-archive', () => {
  it.each<readonly [string, Location]>([
    ['docker-archive:/tmp/a.tar', { transport: 'docker-archive', file: '/tmp/a.tar' }],
    ['docker-archive:a.tar', { transport: 'docker-archive', file: 'a.tar' }],
    [
      'docker-archive:/tmp/a.tar:app:1',
      {
        transport: 'docker-archive',
        file: '/tmp/a.tar',
        ref: { registry: 'docker.io', repository: 'library/app', tag: '1' },
      },
    ],
    [
      'docker-archive:/tmp/a.tar:app',
      {
        transport: 'docker-archive',
        file: '/tmp/a.tar',
        ref: { registry: 'docker.io', repository: 'library/app', tag: 'latest' },
      },
    ],
    [
      'docker-archive:/tmp/a.tar:ghcr.io/o/a:2',
      {
        transport: 'docker-archive',
        file: '/tmp/a.tar',
        ref: { registry: 'ghcr.io', repository: 'o/a', tag: '2' },
      },
    ],
    [
      'docker-archive:/tmp/a.tar:localhost:5000/a:3',
      {
        transport: 'docker-archive',
        file: '/tmp/a.tar',
        ref: { registry: 'localhost:5000', repository: 'a', tag: '3' },
      },
    ],
  ])('%s', (input, expected) => {
    expect(parseLocation(input)).toStrictEqual(expected);
  });

  it('honours defaultTag: false for the embedded reference', () => {
    expect(parseLocation('docker-archive:a.tar:app', { defaultTag: false })).toStrictEqual({
      transport: 'docker-archive',
      file: 'a.tar',
      ref: { registry: 'docker.io', repository: 'library/app' },
    });
  });

  it.each([
    ['docker-archive:', 'docker-archive file', 'must not be empty'],
    ['docker-archive::app:1', 'docker-archive file', 'must not be empty'],
    ['docker-archive:/tmp/a.tar:', 'reference', 'must not be empty'],
    ['docker-archive:/tmp/a.tar:App', 'repository path component "App"', 'must be lowercase'],
    ['docker-archive:/tmp/a.tar:app:-1', 'tag', 'must start with a letter, digit or underscore'],
    [`docker-archive:/tmp/a.tar:app@${SHA256}`, 'digest', 'is not allowed in a docker-archive reference'],
    [`docker-archive:/tmp/a.tar:app:1@${SHA256}`, 'digest', 'is not allowed in a docker-archive reference'],
    ['docker-archive:/tmp/a.tar:docker://app', 'reference', 'has unsupported scheme "docker://"'],
    ['docker-archive:/tmp/a.tar:@0', 'repository name', 'is missing'],
  ])('refuses %j, quoting the whole location', (input, part, reason) => {
    expectReferenceError(() => parseLocation(input), input, part, reason);
  });
});

describe('formatLocation', () => {
  it.each<readonly [Location, string]>([
    [{ transport: 'docker', ref: alpine }, 'docker://docker.io/library/alpine:latest'],
    [
      { transport: 'docker', ref: { registry: 'ghcr.io', repository: 'o/a', tag: '1', digest: SHA256 } },
      `docker://ghcr.io/o/a:1@${SHA256}`,
    ],
    [{ transport: 'docker', ref: { registry: 'oci:5000', repository: 'app' } }, 'docker://oci:5000/app'],
    [{ transport: 'oci', dir: '/tmp/l' }, 'oci:/tmp/l'],
    [{ transport: 'oci', dir: '/tmp/l', tag: 'v1' }, 'oci:/tmp/l:v1'],
    [{ transport: 'oci', dir: '/tmp/l', digest: SHA256 }, `oci:/tmp/l@${SHA256}`],
    [{ transport: 'docker-archive', file: '/tmp/a.tar' }, 'docker-archive:/tmp/a.tar'],
    [
      {
        transport: 'docker-archive',
        file: '/tmp/a.tar',
        ref: { registry: 'ghcr.io', repository: 'o/a', tag: '1' },
      },
      'docker-archive:/tmp/a.tar:ghcr.io/o/a:1',
    ],
  ])('%j -> %s', (loc, expected) => {
    expect(formatLocation(loc)).toBe(expected);
  });

  it.each<readonly [Location, string, string]>([
    [{ transport: 'oci', dir: '' }, 'oci directory', 'must not be empty'],
    [{ transport: 'oci', dir: 'C:/layouts/x' }, 'oci directory', 'must not contain ":"'],
    [{ transport: 'oci', dir: '/tmp/l', tag: 'v1', digest: SHA256 }, 'oci location', 'not both'],
    [{ transport: 'docker-archive', file: '' }, 'docker-archive file', 'must not be empty'],
    [{ transport: 'docker-archive', file: 'a:b.tar' }, 'docker-archive file', 'must not contain ":"'],
    [
      {
        transport: 'docker-archive',
        file: 'a.tar',
        ref: { registry: 'ghcr.io', repository: 'o/a', digest: SHA256 },
      },
      'digest',
      'is not allowed in a docker-archive reference',
    ],
  ])('refuses %j', (loc, part, reason) => {
    const error = catchReferenceError(() => formatLocation(loc));
    expect(error).toBeInstanceOf(ReferenceError);
    expect(error.part).toBe(part);
    expect(error.message).toContain(reason);
  });
});

describe('location round trips', () => {
  it.each([
    'alpine',
    'alpine:3',
    'docker://ghcr.io/o/a:1',
    `ghcr.io/o/a:1@${SHA256}`,
    'localhost:5000/a',
    '[::1]:5000/a',
    'Foo/bar',
    'docker://oci:5000/app',
    'dir:5000/app',
    'oci:/tmp/l',
    'oci:/tmp/l:v1',
    'oci:rel/dir',
    `oci:/tmp/l@${SHA256}`,
    `oci:/tmp/l@${SHA512}`,
    'oci:/tmp/a@b:v1',
    'docker-archive:/tmp/a.tar',
    'docker-archive:/tmp/a.tar:app:1',
    'docker-archive:/tmp/a.tar:localhost:5000/a',
  ])('%s', (input) => {
    for (const defaultTag of [true, false]) {
      const loc = parseLocation(input, { defaultTag });
      const text = formatLocation(loc);
      expect(parseLocation(text, { defaultTag })).toStrictEqual(loc);
      expect(formatLocation(parseLocation(text, { defaultTag }))).toBe(text);
    }
  });
});
