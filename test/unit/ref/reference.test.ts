import { describe, expect, it } from 'vitest';
import { GhcrOptimizeError, ReferenceError } from '../../../src/errors.js';
import {
  familiarReference,
  formatReference,
  formatRepository,
  parseReference,
  parseRepository,
  withDigest,
  withTag,
} from '../../../src/ref/index.js';
import type { ImageReference } from '../../../src/ref/index.js';
import {
  BUSYBOX,
  HEX64,
  IMAGE_ID,
  SHA256,
  SHA512,
  catchReferenceError,
  expectReferenceError,
} from './helpers.js';

/** [input, registry, repository, tag (after defaulting), digest] */
type ValidCase = readonly [string, string, string, string | undefined, string | undefined];

function ref(registry: string, repository: string, tag?: string, digest?: string): ImageReference {
  return {
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

// distribution/reference reference_test.go (TestReferenceParse), read through ParseNormalizedNamed:
// names without a registry land on docker.io, single components under library/.
const UPSTREAM_REFERENCE_CASES: readonly ValidCase[] = [
  ['test_com', 'docker.io', 'library/test_com', 'latest', undefined],
  ['test.com:tag', 'docker.io', 'library/test.com', 'tag', undefined],
  ['test.com:5000', 'docker.io', 'library/test.com', '5000', undefined],
  ['test.com/repo:tag', 'test.com', 'repo', 'tag', undefined],
  ['test:5000/repo', 'test:5000', 'repo', 'latest', undefined],
  ['test:5000/repo:tag', 'test:5000', 'repo', 'tag', undefined],
  [`test:5000/repo@${SHA256}`, 'test:5000', 'repo', undefined, SHA256],
  [`test:5000/repo:tag@${SHA256}`, 'test:5000', 'repo', 'tag', SHA256],
  ['lowercase:Uppercase', 'docker.io', 'library/lowercase', 'Uppercase', undefined],
  ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com', 'bar/baz/quux', 'latest', undefined],
  [
    'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
    'sub-dom1.foo.com',
    'bar/baz/quux',
    'some-long-tag',
    undefined,
  ],
  [
    'b.gcr.io/test.example.com/my-app:test.example.com',
    'b.gcr.io',
    'test.example.com/my-app',
    'test.example.com',
    undefined,
  ],
  ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com', 'myimage', 'xn--n3h.com', undefined],
  [`xn--7o8h.com/myimage:xn--7o8h.com@${SHA512}`, 'xn--7o8h.com', 'myimage', 'xn--7o8h.com', SHA512],
  ['foo_bar.com:8080', 'docker.io', 'library/foo_bar.com', '8080', undefined],
  ['foo/foo_bar.com:8080', 'docker.io', 'foo/foo_bar.com', '8080', undefined],
  ['192.168.1.1', 'docker.io', 'library/192.168.1.1', 'latest', undefined],
  ['192.168.1.1:tag', 'docker.io', 'library/192.168.1.1', 'tag', undefined],
  ['192.168.1.1:5000', 'docker.io', 'library/192.168.1.1', '5000', undefined],
  ['192.168.1.1/repo', '192.168.1.1', 'repo', 'latest', undefined],
  ['192.168.1.1:5000/repo', '192.168.1.1:5000', 'repo', 'latest', undefined],
  ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000', 'repo', '5050', undefined],
  ['[2001:db8::1]/repo', '[2001:db8::1]', 'repo', 'latest', undefined],
  ['[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]', 'repo', 'tag', undefined],
  ['[2001:db8::1]:5000/repo', '[2001:db8::1]:5000', 'repo', 'latest', undefined],
  ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000', 'repo', 'tag', undefined],
  [`[2001:db8::1]:5000/repo@${SHA256}`, '[2001:db8::1]:5000', 'repo', undefined, SHA256],
  [`[2001:db8::1]:5000/repo:tag@${SHA256}`, '[2001:db8::1]:5000', 'repo', 'tag', SHA256],
  ['[2001:db8::]:5000/repo', '[2001:db8::]:5000', 'repo', 'latest', undefined],
  ['[::1]:5000/repo', '[::1]:5000', 'repo', 'latest', undefined],
];

// normalize_test.go: TestValidateReferenceName's valid names.
const UPSTREAM_VALID_NAMES: readonly ValidCase[] = [
  ['docker/docker', 'docker.io', 'docker/docker', 'latest', undefined],
  ['library/debian', 'docker.io', 'library/debian', 'latest', undefined],
  ['debian', 'docker.io', 'library/debian', 'latest', undefined],
  ['localhost/library/debian', 'localhost', 'library/debian', 'latest', undefined],
  ['localhost/debian', 'localhost', 'debian', 'latest', undefined],
  ['LOCALDOMAIN/library/debian', 'LOCALDOMAIN', 'library/debian', 'latest', undefined],
  ['LOCALDOMAIN/debian', 'LOCALDOMAIN', 'debian', 'latest', undefined],
  ['docker.io/docker/docker', 'docker.io', 'docker/docker', 'latest', undefined],
  ['docker.io/library/debian', 'docker.io', 'library/debian', 'latest', undefined],
  ['docker.io/debian', 'docker.io', 'library/debian', 'latest', undefined],
  ['index.docker.io/docker/docker', 'docker.io', 'docker/docker', 'latest', undefined],
  ['index.docker.io/library/debian', 'docker.io', 'library/debian', 'latest', undefined],
  ['index.docker.io/debian', 'docker.io', 'library/debian', 'latest', undefined],
  ['127.0.0.1:5000/docker/docker', '127.0.0.1:5000', 'docker/docker', 'latest', undefined],
  ['127.0.0.1:5000/library/debian', '127.0.0.1:5000', 'library/debian', 'latest', undefined],
  ['127.0.0.1:5000/debian', '127.0.0.1:5000', 'debian', 'latest', undefined],
  ['192.168.0.1', 'docker.io', 'library/192.168.0.1', 'latest', undefined],
  ['192.168.0.1:80', 'docker.io', 'library/192.168.0.1', '80', undefined],
  ['192.168.0.1:8/debian', '192.168.0.1:8', 'debian', 'latest', undefined],
  ['192.168.0.2:25000/debian', '192.168.0.2:25000', 'debian', 'latest', undefined],
  [
    'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    'docker.io',
    'library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    'latest',
    undefined,
  ],
  ['[fc00::1]:5000/docker', '[fc00::1]:5000', 'docker', 'latest', undefined],
  ['[fc00::1]:5000/docker/docker', '[fc00::1]:5000', 'docker/docker', 'latest', undefined],
  [
    '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
    '[fc00:1:2:3:4:5:6:7]:5000',
    'library/debian',
    'latest',
    undefined,
  ],
  // With a registry in front, 64 hex characters are unambiguously a name, not an image ID.
  [`docker.io/${IMAGE_ID}`, 'docker.io', `library/${IMAGE_ID}`, 'latest', undefined],
  ['Docker/docker', 'Docker', 'docker', 'latest', undefined],
  ['DOCKER/docker', 'DOCKER', 'docker', 'latest', undefined],
];

// normalize_test.go: TestParseRepositoryInfo (familiar, full and ambiguous spellings of each name).
const UPSTREAM_REPOSITORY_INFO: readonly ValidCase[] = [
  ['fooo/bar', 'docker.io', 'fooo/bar', 'latest', undefined],
  ['docker.io/fooo/bar', 'docker.io', 'fooo/bar', 'latest', undefined],
  ['index.docker.io/fooo/bar', 'docker.io', 'fooo/bar', 'latest', undefined],
  ['ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined],
  ['library/ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined],
  ['docker.io/library/ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined],
  ['nonlibrary/ubuntu', 'docker.io', 'nonlibrary/ubuntu', 'latest', undefined],
  ['docker.io/nonlibrary/ubuntu', 'docker.io', 'nonlibrary/ubuntu', 'latest', undefined],
  ['other/library', 'docker.io', 'other/library', 'latest', undefined],
  ['docker.io/other/library', 'docker.io', 'other/library', 'latest', undefined],
  ['127.0.0.1:8000/private/moonbase', '127.0.0.1:8000', 'private/moonbase', 'latest', undefined],
  ['127.0.0.1:8000/privatebase', '127.0.0.1:8000', 'privatebase', 'latest', undefined],
  ['example.com/private/moonbase', 'example.com', 'private/moonbase', 'latest', undefined],
  ['example.com/privatebase', 'example.com', 'privatebase', 'latest', undefined],
  ['example.com:8000/private/moonbase', 'example.com:8000', 'private/moonbase', 'latest', undefined],
  ['example.com:8000/privatebase', 'example.com:8000', 'privatebase', 'latest', undefined],
  ['ubuntu-12.04-base', 'docker.io', 'library/ubuntu-12.04-base', 'latest', undefined],
  ['docker.io/library/ubuntu-12.04-base', 'docker.io', 'library/ubuntu-12.04-base', 'latest', undefined],
  [
    'index.docker.io/library/ubuntu-12.04-base',
    'docker.io',
    'library/ubuntu-12.04-base',
    'latest',
    undefined,
  ],
  ['foo', 'docker.io', 'library/foo', 'latest', undefined],
  ['docker.io/foo', 'docker.io', 'library/foo', 'latest', undefined],
  ['library/foo/bar', 'docker.io', 'library/foo/bar', 'latest', undefined],
  ['docker.io/library/foo/bar', 'docker.io', 'library/foo/bar', 'latest', undefined],
  ['store/foo/bar', 'docker.io', 'store/foo/bar', 'latest', undefined],
  ['Foo/bar', 'Foo', 'bar', 'latest', undefined],
  ['FOO/bar', 'FOO', 'bar', 'latest', undefined],
];

// normalize_test.go: TestNormalizedSplitHostname.
const UPSTREAM_SPLIT_HOSTNAME: readonly ValidCase[] = [
  ['test.com/foo', 'test.com', 'foo', 'latest', undefined],
  ['test_com/foo', 'docker.io', 'test_com/foo', 'latest', undefined],
  ['docker/migrator', 'docker.io', 'docker/migrator', 'latest', undefined],
  ['test.com:8080/foo', 'test.com:8080', 'foo', 'latest', undefined],
  ['test-com:8080/foo', 'test-com:8080', 'foo', 'latest', undefined],
  ['xn--n3h.com/foo', 'xn--n3h.com', 'foo', 'latest', undefined],
  ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo', 'latest', undefined],
];

// normalize_test.go: TestParseDockerRef. Upstream drops the tag when there is a digest; we keep both.
const UPSTREAM_DOCKER_REF: readonly ValidCase[] = [
  ['busybox', 'docker.io', 'library/busybox', 'latest', undefined],
  ['busybox:latest', 'docker.io', 'library/busybox', 'latest', undefined],
  [`busybox@${BUSYBOX}`, 'docker.io', 'library/busybox', undefined, BUSYBOX],
  ['library/busybox', 'docker.io', 'library/busybox', 'latest', undefined],
  ['docker.io/busybox', 'docker.io', 'library/busybox', 'latest', undefined],
  ['docker.io/library/busybox', 'docker.io', 'library/busybox', 'latest', undefined],
  ['docker.io/library/busybox:latest', 'docker.io', 'library/busybox', 'latest', undefined],
  ['gcr.io/library/busybox', 'gcr.io', 'library/busybox', 'latest', undefined],
  [`gcr.io/library/busybox:latest@${BUSYBOX}`, 'gcr.io', 'library/busybox', 'latest', BUSYBOX],
];

const NORMALISATION_CASES: readonly ValidCase[] = [
  ['ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04', undefined],
  ['user/repo', 'docker.io', 'user/repo', 'latest', undefined],
  ['user/repo:1', 'docker.io', 'user/repo', '1', undefined],
  ['user/repo/sub', 'docker.io', 'user/repo/sub', 'latest', undefined],
  ['localhost/repo', 'localhost', 'repo', 'latest', undefined],
  ['localhost:5000/repo', 'localhost:5000', 'repo', 'latest', undefined],
  ['localhost:5000/repo:1', 'localhost:5000', 'repo', '1', undefined],
  // Without a "/" the first component is never a registry, so these are Docker Hub images.
  ['localhost', 'docker.io', 'library/localhost', 'latest', undefined],
  ['localhost:5000', 'docker.io', 'library/localhost', '5000', undefined],
  ['ghcr.io', 'docker.io', 'library/ghcr.io', 'latest', undefined],
  ['ghcr.io:1', 'docker.io', 'library/ghcr.io', '1', undefined],
  // "localhost" is a registry only when spelled exactly so; "localhostx" is a Hub namespace.
  ['localhostx/repo', 'docker.io', 'localhostx/repo', 'latest', undefined],
  ['local-host/repo', 'docker.io', 'local-host/repo', 'latest', undefined],
  ['Localhost/repo', 'Localhost', 'repo', 'latest', undefined],
  ['myregistry:1/repo', 'myregistry:1', 'repo', 'latest', undefined],
  ['Uppercase/lowercase:tag', 'Uppercase', 'lowercase', 'tag', undefined],
  ['Foo/bar/baz', 'Foo', 'bar/baz', 'latest', undefined],
  ['ghcr.io/o/a', 'ghcr.io', 'o/a', 'latest', undefined],
  ['ghcr.io/o/a:1', 'ghcr.io', 'o/a', '1', undefined],
  ['ghcr.io/owner/app/sub:v1.2.3', 'ghcr.io', 'owner/app/sub', 'v1.2.3', undefined],
  ['ghcr.io/a', 'ghcr.io', 'a', 'latest', undefined],
  ['quay.io/a', 'quay.io', 'a', 'latest', undefined],
  // Registry case is kept as typed; only the exact "index.docker.io" is folded, as upstream does.
  ['GHCR.IO/o/a', 'GHCR.IO', 'o/a', 'latest', undefined],
  ['Docker.io/ubuntu', 'Docker.io', 'ubuntu', 'latest', undefined],
  ['INDEX.DOCKER.IO/ubuntu', 'INDEX.DOCKER.IO', 'ubuntu', 'latest', undefined],
  ['index.docker.io:443/ubuntu', 'index.docker.io:443', 'ubuntu', 'latest', undefined],
  ['docker.io:443/ubuntu', 'docker.io:443', 'ubuntu', 'latest', undefined],
  ['registry-1.docker.io/library/ubuntu', 'registry-1.docker.io', 'library/ubuntu', 'latest', undefined],
  ['docker.io/library/library', 'docker.io', 'library/library', 'latest', undefined],
  ['library', 'docker.io', 'library/library', 'latest', undefined],
  ['docker.io/library/a/b/c', 'docker.io', 'library/a/b/c', 'latest', undefined],
  ['docker.io/foo.com/app', 'docker.io', 'foo.com/app', 'latest', undefined],
  ['docker.io/localhost/app', 'docker.io', 'localhost/app', 'latest', undefined],
  [`${IMAGE_ID}:tag`, 'docker.io', `library/${IMAGE_ID}`, 'tag', undefined],
  [`ghcr.io/o/${IMAGE_ID}`, 'ghcr.io', `o/${IMAGE_ID}`, 'latest', undefined],
  [`${IMAGE_ID.slice(0, 63)}`, 'docker.io', `library/${IMAGE_ID.slice(0, 63)}`, 'latest', undefined],
  [`${IMAGE_ID}0`, 'docker.io', `library/${IMAGE_ID}0`, 'latest', undefined],
];

const PATH_GRAMMAR_CASES: readonly ValidCase[] = [
  ['a', 'docker.io', 'library/a', 'latest', undefined],
  ['0', 'docker.io', 'library/0', 'latest', undefined],
  ['9a', 'docker.io', 'library/9a', 'latest', undefined],
  ['foo__bar', 'docker.io', 'library/foo__bar', 'latest', undefined],
  ['foo_bar', 'docker.io', 'library/foo_bar', 'latest', undefined],
  ['foo.bar', 'docker.io', 'library/foo.bar', 'latest', undefined],
  ['foo-bar', 'docker.io', 'library/foo-bar', 'latest', undefined],
  ['foo--bar', 'docker.io', 'library/foo--bar', 'latest', undefined],
  ['a-----b', 'docker.io', 'library/a-----b', 'latest', undefined],
  ['a.b.c', 'docker.io', 'library/a.b.c', 'latest', undefined],
  ['a_b.c-d__e', 'docker.io', 'library/a_b.c-d__e', 'latest', undefined],
  ['a_b_c', 'docker.io', 'library/a_b_c', 'latest', undefined],
  ['a__b__c', 'docker.io', 'library/a__b__c', 'latest', undefined],
  ['1-foo', 'docker.io', 'library/1-foo', 'latest', undefined],
  ['foo-1', 'docker.io', 'library/foo-1', 'latest', undefined],
  ['0.0.0', 'docker.io', 'library/0.0.0', 'latest', undefined],
  ['a/b/c/d/e/f', 'docker.io', 'a/b/c/d/e/f', 'latest', undefined],
  ['ghcr.io/a-b/c_d/e.f/g__h/i--j', 'ghcr.io', 'a-b/c_d/e.f/g__h/i--j', 'latest', undefined],
  ['ghcr.io/0/1/2', 'ghcr.io', '0/1/2', 'latest', undefined],
  [`ghcr.io/${'a'.repeat(200)}`, 'ghcr.io', 'a'.repeat(200), 'latest', undefined],
];

const DOMAIN_GRAMMAR_CASES: readonly ValidCase[] = [
  ['a.b/c', 'a.b', 'c', 'latest', undefined],
  ['a-b.c/d', 'a-b.c', 'd', 'latest', undefined],
  ['sub--dom.example.com/x', 'sub--dom.example.com', 'x', 'latest', undefined],
  ['1.2.3.4/x', '1.2.3.4', 'x', 'latest', undefined],
  ['1.2.3.4:1/x', '1.2.3.4:1', 'x', 'latest', undefined],
  ['localhost:0/x', 'localhost:0', 'x', 'latest', undefined],
  ['localhost:65535/x', 'localhost:65535', 'x', 'latest', undefined],
  ['localhost:05000/x', 'localhost:05000', 'x', 'latest', undefined],
  ['a:1/x', 'a:1', 'x', 'latest', undefined],
  ['A/x', 'A', 'x', 'latest', undefined],
  ['aB/x', 'aB', 'x', 'latest', undefined],
  ['x.y.z.example.co.uk:8443/a/b', 'x.y.z.example.co.uk:8443', 'a/b', 'latest', undefined],
  [`${'a'.repeat(100)}.com/x`, `${'a'.repeat(100)}.com`, 'x', 'latest', undefined],
  ['[::]/x', '[::]', 'x', 'latest', undefined],
  ['[::1]/x', '[::1]', 'x', 'latest', undefined],
  ['[FE80::1]:5000/x', '[FE80::1]:5000', 'x', 'latest', undefined],
  ['[2001:DB8::1]/x', '[2001:DB8::1]', 'x', 'latest', undefined],
  ['[::ffff:7f00:1]:5000/x', '[::ffff:7f00:1]:5000', 'x', 'latest', undefined],
];

const TAG_AND_DIGEST_CASES: readonly ValidCase[] = [
  ['a:_', 'docker.io', 'library/a', '_', undefined],
  ['a:A', 'docker.io', 'library/a', 'A', undefined],
  ['a:0', 'docker.io', 'library/a', '0', undefined],
  ['a:__', 'docker.io', 'library/a', '__', undefined],
  ['a:_-.', 'docker.io', 'library/a', '_-.', undefined],
  ['a:a..b', 'docker.io', 'library/a', 'a..b', undefined],
  ['a:v1.2.3-rc.1_x', 'docker.io', 'library/a', 'v1.2.3-rc.1_x', undefined],
  ['a:MixedCase', 'docker.io', 'library/a', 'MixedCase', undefined],
  [`a:${'x'.repeat(128)}`, 'docker.io', 'library/a', 'x'.repeat(128), undefined],
  [`a:_${'-'.repeat(127)}`, 'docker.io', 'library/a', `_${'-'.repeat(127)}`, undefined],
  [`a@${SHA256}`, 'docker.io', 'library/a', undefined, SHA256],
  [`a@${SHA512}`, 'docker.io', 'library/a', undefined, SHA512],
  [`a:1@${SHA512}`, 'docker.io', 'library/a', '1', SHA512],
  [`a:latest@${BUSYBOX}`, 'docker.io', 'library/a', 'latest', BUSYBOX],
  [`ghcr.io/o/a:1@${SHA256}`, 'ghcr.io', 'o/a', '1', SHA256],
  [`localhost:5000/a@${SHA256}`, 'localhost:5000', 'a', undefined, SHA256],
  [`sha256:${HEX64}`, 'docker.io', 'library/sha256', HEX64, undefined],
];

const PREFIX_CASES: readonly ValidCase[] = [
  ['docker://ghcr.io/o/a:1', 'ghcr.io', 'o/a', '1', undefined],
  ['docker://alpine', 'docker.io', 'library/alpine', 'latest', undefined],
  ['docker://docker.io/library/alpine:3', 'docker.io', 'library/alpine', '3', undefined],
  [`docker://localhost:5000/a@${SHA256}`, 'localhost:5000', 'a', undefined, SHA256],
  ['docker://[::1]:5000/a', '[::1]:5000', 'a', 'latest', undefined],
];

const VALID_GROUPS: ReadonlyArray<readonly [string, readonly ValidCase[]]> = [
  ['upstream reference_test.go', UPSTREAM_REFERENCE_CASES],
  ['upstream valid names', UPSTREAM_VALID_NAMES],
  ['upstream repository info', UPSTREAM_REPOSITORY_INFO],
  ['upstream split hostname', UPSTREAM_SPLIT_HOSTNAME],
  ['upstream ParseDockerRef', UPSTREAM_DOCKER_REF],
  ['normalisation', NORMALISATION_CASES],
  ['path grammar', PATH_GRAMMAR_CASES],
  ['domain grammar', DOMAIN_GRAMMAR_CASES],
  ['tags and digests', TAG_AND_DIGEST_CASES],
  ['docker:// prefix', PREFIX_CASES],
];

const ALL_VALID: readonly ValidCase[] = VALID_GROUPS.flatMap(([, cases]) => cases);

describe('parseReference: valid references', () => {
  for (const [group, cases] of VALID_GROUPS) {
    describe(group, () => {
      it.each(cases)('%s', (input, registry, repository, tag, digest) => {
        expect(parseReference(input)).toStrictEqual(ref(registry, repository, tag, digest));
      });
    });
  }
});

describe('parseReference: defaultTag option', () => {
  it.each([
    ['alpine', ref('docker.io', 'library/alpine')],
    ['ghcr.io/o/a', ref('ghcr.io', 'o/a')],
    ['localhost:5000/a', ref('localhost:5000', 'a')],
    ['ghcr.io/o/a:1', ref('ghcr.io', 'o/a', '1')],
    [`ghcr.io/o/a@${SHA256}`, ref('ghcr.io', 'o/a', undefined, SHA256)],
    [`ghcr.io/o/a:1@${SHA256}`, ref('ghcr.io', 'o/a', '1', SHA256)],
  ])('defaultTag false: %s', (input, expected) => {
    expect(parseReference(input, { defaultTag: false })).toStrictEqual(expected);
  });

  it.each([
    ['alpine', 'latest'],
    ['ghcr.io/o/a', 'latest'],
    ['ghcr.io/o/a:1', '1'],
  ])('defaultTag true (explicit): %s', (input, tag) => {
    expect(parseReference(input, { defaultTag: true }).tag).toBe(tag);
  });

  it('never adds a tag to a digest reference', () => {
    expect(parseReference(`ghcr.io/o/a@${SHA256}`, { defaultTag: true })).toStrictEqual(
      ref('ghcr.io', 'o/a', undefined, SHA256),
    );
  });

  it('returns no undefined-valued keys', () => {
    expect(Object.keys(parseReference('alpine', { defaultTag: false }))).toEqual(['registry', 'repository']);
  });
});

/** [input, part, reason fragment] */
type InvalidCase = readonly [string, string, string];

const UPSTREAM_INVALID: readonly InvalidCase[] = [
  ['', 'reference', 'must not be empty'],
  [':justtag', 'repository name', 'is missing'],
  [`@${SHA256}`, 'repository name', 'is missing'],
  [`repo@sha256:${'f'.repeat(63)}`, 'digest', 'must have 64 hex characters after "sha256:", found 63'],
  [`validname@invaliddigest:${HEX64}`, 'digest', 'algorithm "invaliddigest" is not supported'],
  ['Uppercase:tag', 'repository path component "Uppercase"', 'must be lowercase'],
  ['test:5000/Uppercase/lowercase:tag', 'repository path component "Uppercase"', 'must be lowercase'],
  [`${'a/'.repeat(128)}a:tag`, 'name', 'is 267 characters long; the maximum is 255'],
  // Upstream's Parse accepts this 255-character name with "a" as its registry, but
  // ParseNormalizedNamed (which we follow) measures it after prefixing docker.io.
  [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, 'name', 'is 265 characters long'],
  ['aa/asdf$$^/aa', 'repository path component "asdf$$^"', 'contains invalid character "$"'],
  ['[2001:db8::1]', 'repository', 'is missing'],
  ['[2001:db8::1]:5000', 'repository', 'is missing'],
  ['[2001:db8::1]:tag', 'repository', 'is missing'],
  ['[fe80::1%eth0]:5000/repo', 'registry "[fe80::1%eth0]:5000"', 'must not use an IPv6 zone identifier'],
  ['[fe80::1%@invalidzone]:5000/repo', 'repository', 'is missing'],
  ['[2001:db8:3:4::192.0.2.33]:5000/repo', 'registry "[2001:db8:3:4::192.0.2.33]:5000"', 'IPv6 address'],
  // TestValidateReferenceName's invalid names.
  ['https://github.com/docker/docker', 'reference', 'must not start with "https://"'],
  ['docker/Docker', 'repository path component "Docker"', 'must be lowercase'],
  ['-docker', 'repository path component "-docker"', 'must start with a lowercase letter or digit'],
  ['-docker/docker', 'repository path component "-docker"', 'must start with a lowercase letter or digit'],
  [
    '-docker.io/docker/docker',
    'registry "-docker.io"',
    'host name label "-docker" that starts or ends with "-"',
  ],
  ['docker///docker', 'repository', 'empty path component'],
  ['docker.io/docker/Docker', 'repository path component "Docker"', 'must be lowercase'],
  ['docker.io/docker///docker', 'repository', 'empty path component'],
  [IMAGE_ID, 'repository', 'cannot specify 64-byte hexadecimal strings'],
];

const PATH_INVALID: readonly InvalidCase[] = [
  ['foo___bar', 'repository path component "foo___bar"', 'invalid separator "___"'],
  ['foo..bar', 'repository path component "foo..bar"', 'invalid separator ".."'],
  ['foo._bar', 'repository path component "foo._bar"', 'invalid separator "._"'],
  ['foo_.bar', 'repository path component "foo_.bar"', 'invalid separator "_."'],
  ['foo-_bar', 'repository path component "foo-_bar"', 'invalid separator "-_"'],
  ['foo_-bar', 'repository path component "foo_-bar"', 'invalid separator "_-"'],
  ['foo.-bar', 'repository path component "foo.-bar"', 'invalid separator ".-"'],
  ['foo-.bar', 'repository path component "foo-.bar"', 'invalid separator "-."'],
  ['a____b', 'repository path component "a____b"', 'invalid separator "____"'],
  ['-foo', 'repository path component "-foo"', 'must start with a lowercase letter or digit'],
  ['_foo', 'repository path component "_foo"', 'must start with a lowercase letter or digit'],
  ['.foo', 'repository path component ".foo"', 'must start with a lowercase letter or digit'],
  ['__foo', 'repository path component "__foo"', 'must start with a lowercase letter or digit'],
  ['foo-', 'repository path component "foo-"', 'must end with a lowercase letter or digit'],
  ['foo_', 'repository path component "foo_"', 'must end with a lowercase letter or digit'],
  ['foo.', 'repository path component "foo."', 'must end with a lowercase letter or digit'],
  ['foo__', 'repository path component "foo__"', 'must end with a lowercase letter or digit'],
  ['foo-:bar', 'repository path component "foo-"', 'must end with a lowercase letter or digit'],
  ['ghcr.io/o/app_', 'repository path component "app_"', 'must end with a lowercase letter or digit'],
  ['ghcr.io/-o/app', 'repository path component "-o"', 'must start with a lowercase letter or digit'],
  ['ghcr.io/Owner/app', 'repository path component "Owner"', 'must be lowercase'],
  ['ghcr.io/o/APP:1', 'repository path component "APP"', 'must be lowercase'],
  ['ghcr.io/o/aPp', 'repository path component "aPp"', 'must be lowercase'],
  ['user/Repo', 'repository path component "Repo"', 'must be lowercase'],
  ['Foo/Bar', 'repository path component "Bar"', 'must be lowercase'],
  ['ghcr.io/o/a$b', 'repository path component "a$b"', 'contains invalid character "$"'],
  ['ghcr.io/o/a+b', 'repository path component "a+b"', 'contains invalid character "+"'],
  ['ghcr.io/o/a~b', 'repository path component "a~b"', 'contains invalid character "~"'],
  ['ghcr.io/o/a%20b', 'repository path component "a%20b"', 'contains invalid character "%"'],
  ['ghcr.io/o/[x]', 'repository path component "[x]"', 'contains invalid character "["'],
  ['é', 'repository path component "é"', 'contains invalid character "é"'],
  ['ghcr.io/o/caf\u00e9', 'repository path component "café"', 'contains invalid character "é"'],
  ['ghcr.io/o/🐳', 'repository path component "🐳"', 'contains invalid character "🐳"'],
  ['alpine:tag:tag2', 'repository path component "alpine:tag"', 'contains invalid character ":"'],
  ['foo/', 'repository', 'empty path component'],
  ['/foo', 'repository', 'empty path component'],
  ['a//b', 'repository', 'empty path component'],
  ['ghcr.io//a', 'repository', 'empty path component'],
  ['ghcr.io/a/', 'repository', 'empty path component'],
  ['ghcr.io/a//b:1', 'repository', 'empty path component'],
  ['ghcr.io/', 'repository', 'must not be empty'],
  ['docker.io/', 'repository', 'must not be empty'],
  ['index.docker.io/', 'repository', 'must not be empty'],
  ['localhost:5000/', 'repository', 'must not be empty'],
  ['ghcr.io/:1', 'repository', 'must not be empty'],
  [`ghcr.io/@${SHA256}`, 'repository', 'must not be empty'],
];

const REGISTRY_INVALID: readonly InvalidCase[] = [
  ['foo_bar.com/baz', 'registry "foo_bar.com"', 'contains invalid character "_"'],
  ['Foo_Bar/baz', 'registry "Foo_Bar"', 'contains invalid character "_"'],
  ['É/x', 'registry "É"', 'contains invalid character "É"'],
  ['foo.com:/x', 'registry "foo.com:"', 'has an empty port'],
  ['foo.com:abc/x', 'registry "foo.com:abc"', 'has port "abc", which is not a number'],
  ['foo.com:-1/x', 'registry "foo.com:-1"', 'has port "-1", which is not a number'],
  ['foo.com:1.5/x', 'registry "foo.com:1.5"', 'has port "1.5", which is not a number'],
  ['foo.com:65536/x', 'registry "foo.com:65536"', 'has port 65536, which is above 65535'],
  ['foo.com:99999/x', 'registry "foo.com:99999"', 'which is above 65535'],
  ['localhost:5000:6000/x', 'registry "localhost:5000:6000"', 'has port "5000:6000"'],
  [':5000/x', 'registry ":5000"', 'has an empty host name label'],
  ['foo..com/x', 'registry "foo..com"', 'has an empty host name label'],
  ['.foo.com/x', 'registry ".foo.com"', 'has an empty host name label'],
  ['foo.com./x', 'registry "foo.com."', 'has an empty host name label'],
  ['foo-.com/x', 'registry "foo-.com"', 'host name label "foo-" that starts or ends with "-"'],
  ['foo.-com/x', 'registry "foo.-com"', 'host name label "-com" that starts or ends with "-"'],
  ['-/x', 'repository path component "-"', 'must start with a lowercase letter or digit'],
  ['fo$o.com/x', 'registry "fo$o.com"', 'contains invalid character "$"'],
  ['[::1/x', 'registry "[::1"', 'must be an IPv6 address in brackets'],
  ['[::1]x:5000/repo', 'registry "[::1]x:5000"', 'must be an IPv6 address in brackets'],
  ['[]:5000/repo', 'registry "[]:5000"', 'has an empty IPv6 address'],
  ['[::g]:5000/repo', 'registry "[::g]:5000"', 'characters other than hex digits'],
  ['[::1]:/repo', 'registry "[::1]:"', 'has an empty port'],
  ['[::1]:http/repo', 'registry "[::1]:http"', 'has port "http", which is not a number'],
];

const TAG_INVALID: readonly InvalidCase[] = [
  ['alpine:', 'tag', 'must not be empty'],
  [`alpine:@${SHA256}`, 'tag', 'must not be empty'],
  ['alpine:-x', 'tag', 'must start with a letter, digit or underscore'],
  ['alpine:.x', 'tag', 'must start with a letter, digit or underscore'],
  ['alpine:a$b', 'tag', 'contains invalid character "$"'],
  ['alpine:a+b', 'tag', 'contains invalid character "+"'],
  ['alpine:ünïcode', 'tag', 'contains invalid character "ü"'],
  [`alpine:${'a'.repeat(129)}`, 'tag', 'is 129 characters long; the maximum is 128'],
  [`alpine:${'a'.repeat(200)}`, 'tag', 'is 200 characters long'],
  [`ghcr.io/o/a:${'1'.repeat(129)}@${SHA256}`, 'tag', 'is 129 characters long'],
];

const DIGEST_INVALID: readonly InvalidCase[] = [
  ['alpine@', 'digest', 'must not be empty'],
  ['alpine@sha256', 'digest', 'must have the form "sha256:<64 hex characters>"'],
  [`alpine@:${HEX64}`, 'digest', 'is missing its algorithm'],
  [`alpine@1sha:${HEX64}`, 'digest', 'has an invalid algorithm "1sha"'],
  [`alpine@sha-:${HEX64}`, 'digest', 'has an invalid algorithm "sha-"'],
  [`alpine@md5:${'f'.repeat(32)}`, 'digest', 'algorithm "md5" is not supported; only sha256 and sha512 are'],
  [`alpine@sha384:${'f'.repeat(96)}`, 'digest', 'algorithm "sha384" is not supported'],
  [`alpine@SHA256:${HEX64}`, 'digest', 'algorithm "SHA256" is not supported'],
  [`alpine@sha256+b64:${HEX64}`, 'digest', 'algorithm "sha256+b64" is not supported'],
  [`alpine@multihash+base58:${HEX64}`, 'digest', 'algorithm "multihash+base58" is not supported'],
  [`alpine@sha256:${'F'.repeat(64)}`, 'digest', 'must use lowercase hexadecimal'],
  [`alpine@sha256:${'a'.repeat(63)}A`, 'digest', 'must use lowercase hexadecimal'],
  [`alpine@sha256:g${'f'.repeat(63)}`, 'digest', 'contains non-hexadecimal character "g"'],
  ['alpine@sha256:', 'digest', 'found 0'],
  ['alpine@sha256:abc', 'digest', 'found 3'],
  [`alpine@sha256:${'f'.repeat(32)}`, 'digest', 'found 32'],
  [`alpine@sha256:${'f'.repeat(65)}`, 'digest', 'found 65'],
  [`alpine@sha256:${HEX64}${HEX64}`, 'digest', 'found 128'],
  [`alpine@sha512:${HEX64}`, 'digest', 'must have 128 hex characters after "sha512:", found 64'],
  [`alpine@sha512:${'f'.repeat(127)}`, 'digest', 'found 127'],
  [`alpine@sha256:abc@${SHA256}`, 'digest', 'contains non-hexadecimal character "@"'],
  [`a@b@${SHA256}`, 'digest', 'has an invalid algorithm "b@sha256"'],
  [`ghcr.io/o/a:1@sha256:${'f'.repeat(10)}`, 'digest', 'found 10'],
];

const WHOLE_INPUT_INVALID: readonly InvalidCase[] = [
  ['http://ghcr.io/o/a', 'reference', 'must not start with "http://"'],
  ['https://ghcr.io/o/a:1', 'reference', 'must not start with "https://"'],
  ['HTTPS://ghcr.io/o/a', 'reference', 'must not start with "HTTPS://"'],
  ['ftp://ghcr.io/o/a', 'reference', 'has unsupported scheme "ftp://"'],
  ['oci://dir', 'reference', 'has unsupported scheme "oci://"'],
  ['docker://docker://alpine', 'reference', 'has unsupported scheme "docker://"'],
  ['DOCKER://alpine', 'reference', 'has unsupported scheme "DOCKER://"'],
  ['docker://', 'reference', 'must not be empty'],
  [' alpine', 'reference', 'must not contain whitespace'],
  ['alpine ', 'reference', 'must not contain whitespace'],
  ['al pine', 'reference', 'must not contain whitespace'],
  ['alpine\n', 'reference', 'must not contain whitespace'],
  ['alpine:\tlatest', 'reference', 'must not contain whitespace'],
  [`docker://${IMAGE_ID}`, 'repository', 'cannot specify 64-byte hexadecimal strings'],
  ['@', 'repository name', 'is missing'],
  [':', 'repository name', 'is missing'],
  [':@', 'repository name', 'is missing'],
  ['/', 'repository', 'empty path component'],
];

const LENGTH_INVALID: readonly InvalidCase[] = [
  // "ghcr.io/" is 8 characters, so a 248-character path makes 256.
  [`ghcr.io/o/${'a'.repeat(246)}`, 'name', 'is 256 characters long'],
  [`ghcr.io/${'a/'.repeat(123)}aa`, 'name', 'is 256 characters long'],
  // "docker.io/" is 10.
  [`u/${'a'.repeat(244)}`, 'name', 'is 256 characters long'],
  // "docker.io/library/" is 18.
  ['a'.repeat(238), 'name', 'is 256 characters long'],
  [`${'a'.repeat(238)}:tag`, 'name', 'is 256 characters long'],
  [`localhost:5000/${'a'.repeat(241)}`, 'name', 'is 256 characters long'],
  [`ghcr.io/${'a'.repeat(1000)}`, 'name', 'is 1008 characters long'],
];

const INVALID_GROUPS: ReadonlyArray<readonly [string, readonly InvalidCase[]]> = [
  ['upstream', UPSTREAM_INVALID],
  ['repository path', PATH_INVALID],
  ['registry', REGISTRY_INVALID],
  ['tag', TAG_INVALID],
  ['digest', DIGEST_INVALID],
  ['whole input', WHOLE_INPUT_INVALID],
  ['name length', LENGTH_INVALID],
];

describe('parseReference: invalid references name the bad part', () => {
  for (const [group, cases] of INVALID_GROUPS) {
    describe(group, () => {
      it.each(cases)('%s', (input, part, reason) => {
        expectReferenceError(() => parseReference(input), input, part, reason);
      });
    });
  }
});

describe('parseReference: error details', () => {
  it('is a typed usage error', () => {
    const error = catchReferenceError(() => parseReference('Uppercase:tag'));
    expect(error).toBeInstanceOf(ReferenceError);
    expect(error).toBeInstanceOf(GhcrOptimizeError);
    expect(error.name).toBe('ReferenceError');
    expect(error.kind).toBe('invalid-reference');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      'invalid reference "Uppercase:tag": repository path component "Uppercase" must be lowercase',
    );
  });

  it.each([
    ['https://ghcr.io/o/a:1', 'drop the scheme: write "ghcr.io/o/a:1"'],
    ['http://localhost:5000/a', 'drop the scheme: write "localhost:5000/a"'],
  ])('hints to drop the scheme: %s', (input, hint) => {
    expect(catchReferenceError(() => parseReference(input)).hint).toBe(hint);
  });

  it('explains the image-ID refusal', () => {
    expect(catchReferenceError(() => parseReference(IMAGE_ID)).hint).toContain('image ID');
  });

  it('keeps the docker:// prefix in the quoted input', () => {
    const error = catchReferenceError(() => parseReference('docker://ghcr.io/o/A'));
    expect(error.input).toBe('docker://ghcr.io/o/A');
    expect(error.message).toBe(
      'invalid reference "docker://ghcr.io/o/A": repository path component "A" must be lowercase',
    );
  });

  it('reports the first bad part from left to right', () => {
    expect(catchReferenceError(() => parseReference('foo_bar.com/A:-x@md5:00')).part).toBe(
      'registry "foo_bar.com"',
    );
    expect(catchReferenceError(() => parseReference('ghcr.io/A:-x@md5:00')).part).toBe(
      'repository path component "A"',
    );
    expect(catchReferenceError(() => parseReference('ghcr.io/a:-x@md5:00')).part).toBe('tag');
    expect(catchReferenceError(() => parseReference('ghcr.io/a:x@md5:00')).part).toBe('digest');
  });
});

describe('parseReference: name length boundaries', () => {
  it.each([
    [`ghcr.io/o/${'a'.repeat(245)}`, 'ghcr.io', `o/${'a'.repeat(245)}`],
    [`ghcr.io/${'a/'.repeat(123)}a`, 'ghcr.io', `${'a/'.repeat(123)}a`],
    [`u/${'a'.repeat(243)}`, 'docker.io', `u/${'a'.repeat(243)}`],
    ['a'.repeat(237), 'docker.io', `library/${'a'.repeat(237)}`],
    [`localhost:5000/${'a'.repeat(240)}`, 'localhost:5000', 'a'.repeat(240)],
    [`docker.io/library/${'a'.repeat(237)}`, 'docker.io', `library/${'a'.repeat(237)}`],
  ])('255 characters is accepted: %#', (input, registry, repository) => {
    const parsed = parseReference(input);
    expect(parsed).toStrictEqual(ref(registry, repository, 'latest'));
    expect(formatRepository(parsed)).toHaveLength(255);
  });

  it('does not count the tag or digest towards the limit', () => {
    const input = `ghcr.io/o/${'a'.repeat(245)}:${'t'.repeat(128)}@${SHA512}`;
    expect(parseReference(input).repository).toHaveLength(247);
  });

  it('accepts 128-character tags and refuses 129', () => {
    expect(parseReference(`a:${'t'.repeat(128)}`).tag).toHaveLength(128);
    expectReferenceError(
      () => parseReference(`a:${'t'.repeat(129)}`),
      `a:${'t'.repeat(129)}`,
      'tag',
      'the maximum is 128',
    );
  });
});

describe('formatReference', () => {
  it.each([
    ['ubuntu', 'docker.io/library/ubuntu:latest'],
    ['alpine:3.20', 'docker.io/library/alpine:3.20'],
    ['user/app:1', 'docker.io/user/app:1'],
    ['index.docker.io/user/app', 'docker.io/user/app:latest'],
    ['ghcr.io/o/a', 'ghcr.io/o/a:latest'],
    [`ghcr.io/o/a:1@${SHA256}`, `ghcr.io/o/a:1@${SHA256}`],
    [`ghcr.io/o/a@${SHA256}`, `ghcr.io/o/a@${SHA256}`],
    ['localhost:5000/a', 'localhost:5000/a:latest'],
    ['[::1]:5000/a:x', '[::1]:5000/a:x'],
    ['Foo/bar', 'Foo/bar:latest'],
    ['docker://ghcr.io/o/a:1', 'ghcr.io/o/a:1'],
  ])('%s -> %s', (input, expected) => {
    expect(formatReference(parseReference(input))).toBe(expected);
  });

  it('prints a reference without tag or digest as a bare name', () => {
    expect(formatReference(ref('ghcr.io', 'o/a'))).toBe('ghcr.io/o/a');
    expect(formatReference(parseReference('alpine', { defaultTag: false }))).toBe('docker.io/library/alpine');
  });

  it('formatRepository drops tag and digest', () => {
    expect(formatRepository(parseReference(`ghcr.io/o/a:1@${SHA256}`))).toBe('ghcr.io/o/a');
  });
});

describe('familiarReference', () => {
  it.each([
    ['ubuntu', 'ubuntu:latest'],
    ['docker.io/library/ubuntu:22.04', 'ubuntu:22.04'],
    ['index.docker.io/library/ubuntu-12.04-base', 'ubuntu-12.04-base:latest'],
    ['user/app:1', 'user/app:1'],
    ['docker.io/fooo/bar', 'fooo/bar:latest'],
    ['other/library', 'other/library:latest'],
    ['library/foo/bar', 'library/foo/bar:latest'],
    ['store/foo/bar', 'store/foo/bar:latest'],
    ['ghcr.io/o/a:1', 'ghcr.io/o/a:1'],
    ['localhost:5000/x', 'localhost:5000/x:latest'],
    ['localhost/x', 'localhost/x:latest'],
    ['127.0.0.1:8000/privatebase', '127.0.0.1:8000/privatebase:latest'],
    ['example.com:8000/private/moonbase', 'example.com:8000/private/moonbase:latest'],
    ['Foo/bar', 'Foo/bar:latest'],
    ['docker.io/library/test.com', 'test.com:latest'],
    ['docker.io/library/localhost', 'localhost:latest'],
    [`busybox@${BUSYBOX}`, `busybox@${BUSYBOX}`],
    [`busybox:1@${BUSYBOX}`, `busybox:1@${BUSYBOX}`],
    // Upstream would print "foo.com/app", which reads back as registry foo.com.
    ['docker.io/foo.com/app', 'docker.io/foo.com/app:latest'],
    ['docker.io/localhost/app', 'docker.io/localhost/app:latest'],
    ['docker.io/a.b/c/d', 'docker.io/a.b/c/d:latest'],
    ['docker.io/library/a.b/c', 'library/a.b/c:latest'],
  ])('%s -> %s', (input, expected) => {
    expect(familiarReference(parseReference(input))).toBe(expected);
  });

  it('keeps the registry when the short form would read as an image ID', () => {
    const parsed = parseReference(`docker.io/${IMAGE_ID}`, { defaultTag: false });
    expect(familiarReference(parsed)).toBe(`docker.io/library/${IMAGE_ID}`);
    expect(familiarReference(withTag(parsed, 'v1'))).toBe(`${IMAGE_ID}:v1`);
  });

  it('prints no tag when none was parsed', () => {
    expect(familiarReference(parseReference('alpine', { defaultTag: false }))).toBe('alpine');
  });
});

describe('round trips over every valid case', () => {
  it.each(ALL_VALID)('%s', (input) => {
    for (const defaultTag of [true, false]) {
      const parsed = parseReference(input, { defaultTag });
      const canonical = formatReference(parsed);
      expect(parseReference(canonical, { defaultTag })).toStrictEqual(parsed);
      expect(formatReference(parseReference(canonical, { defaultTag }))).toBe(canonical);
      expect(parseReference(familiarReference(parsed), { defaultTag })).toStrictEqual(parsed);
      expect(parseReference(`docker://${canonical}`, { defaultTag })).toStrictEqual(parsed);
    }
  });
});

describe('withTag', () => {
  const base = parseReference(`ghcr.io/o/a:1@${SHA256}`);

  it('replaces the tag and keeps the digest', () => {
    expect(withTag(base, 'v2')).toStrictEqual(ref('ghcr.io', 'o/a', 'v2', SHA256));
  });

  it('adds a tag to a tagless reference', () => {
    expect(withTag(ref('ghcr.io', 'o/a'), 'x')).toStrictEqual(ref('ghcr.io', 'o/a', 'x'));
  });

  it('does not modify its argument', () => {
    withTag(base, 'v2');
    expect(base.tag).toBe('1');
  });

  it.each([
    ['', 'must not be empty'],
    ['-x', 'must start with a letter, digit or underscore'],
    ['a/b', 'contains invalid character "/"'],
    ['a:b', 'contains invalid character ":"'],
    ['a@b', 'contains invalid character "@"'],
    ['t'.repeat(129), 'is 129 characters long'],
  ])('refuses tag %j', (tag, reason) => {
    expectReferenceError(() => withTag(base, tag), `ghcr.io/o/a:${tag}`, 'tag', reason);
  });
});

describe('withDigest', () => {
  const base = parseReference('ghcr.io/o/a:1');

  it('adds the digest and keeps the tag', () => {
    expect(withDigest(base, SHA256)).toStrictEqual(ref('ghcr.io', 'o/a', '1', SHA256));
  });

  it('replaces an existing digest', () => {
    expect(withDigest(withDigest(base, SHA256), BUSYBOX).digest).toBe(BUSYBOX);
  });

  it('accepts sha512', () => {
    expect(withDigest(ref('ghcr.io', 'o/a'), SHA512)).toStrictEqual(ref('ghcr.io', 'o/a', undefined, SHA512));
  });

  it.each([
    ['', 'must not be empty'],
    [HEX64, 'must have the form'],
    [`md5:${'f'.repeat(32)}`, 'is not supported'],
    [`sha256:${HEX64.toUpperCase()}`, 'must use lowercase hexadecimal'],
    ['sha256:abc', 'found 3'],
  ])('refuses digest %j', (digest, reason) => {
    expectReferenceError(() => withDigest(base, digest), `ghcr.io/o/a@${digest}`, 'digest', reason);
  });
});

describe('parseRepository', () => {
  it.each([
    ['alpine', 'docker.io', 'library/alpine'],
    ['user/app', 'docker.io', 'user/app'],
    ['index.docker.io/user/app', 'docker.io', 'user/app'],
    ['ghcr.io/o/a', 'ghcr.io', 'o/a'],
    ['ghcr.io/o/a/b/c', 'ghcr.io', 'o/a/b/c'],
    ['localhost:5000/a', 'localhost:5000', 'a'],
    ['[::1]:5000/a', '[::1]:5000', 'a'],
    ['Foo/bar', 'Foo', 'bar'],
    ['docker://ghcr.io/o/a', 'ghcr.io', 'o/a'],
  ])('%s', (input, registry, repository) => {
    expect(parseRepository(input)).toStrictEqual({ registry, repository });
  });

  it.each([
    ['ghcr.io/o/a:1', 'tag'],
    ['alpine:latest', 'tag'],
    [`ghcr.io/o/a@${SHA256}`, 'digest'],
    [`ghcr.io/o/a:1@${SHA256}`, 'tag'],
    ['docker://ghcr.io/o/a:1', 'tag'],
  ])('refuses %s', (input, part) => {
    expectReferenceError(
      () => parseRepository(input),
      input,
      part,
      'is not allowed here: expected a repository without a tag or digest',
    );
  });

  it('explains that "host:port" alone is an image with a tag', () => {
    const error = expectReferenceError(() => parseRepository('localhost:5000'), 'localhost:5000', 'tag', '');
    expect(error.hint).toBe(
      '"localhost:5000" reads as an image with a tag; to name a repository on that registry write "localhost:5000/NAME"',
    );
  });

  it('gives no such hint for an ordinary tag', () => {
    expect(catchReferenceError(() => parseRepository('ghcr.io/o/a:1')).hint).toBeUndefined();
    expect(catchReferenceError(() => parseRepository('alpine:edge')).hint).toBeUndefined();
  });

  it.each([
    ['', 'reference'],
    ['ghcr.io/o/A', 'repository path component "A"'],
    ['https://ghcr.io/o/a', 'reference'],
    [IMAGE_ID, 'repository'],
  ])('reports grammar errors first: %j', (input, part) => {
    expect(catchReferenceError(() => parseRepository(input)).part).toBe(part);
  });
});
