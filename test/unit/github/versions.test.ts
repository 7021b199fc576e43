/** GHCR package versions ↔ manifest digests: parsing GitHub's objects and feeding the inventory. */
import { describe, expect, it } from 'vitest';
import { ProtocolError, UsageError } from '../../../src/errors.js';
import {
  findGitHubToken,
  githubApiUrl,
  indexVersions,
  splitPackagePath,
  toPackageVersion,
  versionFacts,
  type PackageVersion,
} from '../../../src/github/packages.js';
import { buildInventory } from '../../../src/retention/inventory.js';
import { hexDigest, version } from './fake-api.js';

describe('toPackageVersion', () => {
  it('takes the digest from name, the tags from metadata.container.tags (sorted, unique)', () => {
    const v = toPackageVersion(version(7, hexDigest(1), ['v2', 'latest', 'v2'], '2024-03-04T05:06:07Z'));
    expect(v).toEqual({
      id: 7,
      digest: hexDigest(1),
      createdAt: '2024-03-04T05:06:07Z',
      updatedAt: '2024-03-04T05:06:07Z',
      tags: ['latest', 'v2'],
      htmlUrl: 'https://github.com/orgs/o/packages/container/app/7',
    });
  });

  it('reads an untagged version (empty list, null tags, or no container metadata)', () => {
    expect(toPackageVersion(version(1, hexDigest(1))).tags).toEqual([]);
    const nullTags = {
      ...version(1, hexDigest(1)),
      metadata: { package_type: 'container', container: { tags: null } },
    };
    expect(toPackageVersion(nullTags).tags).toEqual([]);
    const noMeta = { ...version(1, hexDigest(1)), metadata: undefined };
    expect(toPackageVersion(noMeta).tags).toEqual([]);
  });

  it('keeps deleted_at of a deleted version', () => {
    const v = toPackageVersion({ ...version(3, hexDigest(3)), deleted_at: '2024-05-01T00:00:00Z' });
    expect(v.deletedAt).toBe('2024-05-01T00:00:00Z');
  });

  it('refuses a version whose name is not a digest (not a container package)', () => {
    expect(() => toPackageVersion(version(1, '1.2.3'))).toThrow(ProtocolError);
    expect(() => toPackageVersion(version(1, '1.2.3'))).toThrow(/not a digest/);
  });

  it('refuses an object that is not a package version', () => {
    expect(() => toPackageVersion({ id: 'x' })).toThrow(ProtocolError);
    expect(() => toPackageVersion(null)).toThrow(ProtocolError);
  });
});

describe('indexVersions', () => {
  const v = (id: number, n: number, tags: string[] = []): PackageVersion => ({
    id,
    digest: hexDigest(n),
    createdAt: '2024-01-01T00:00:00Z',
    tags,
  });

  it('maps digests to versions and ids to versions', () => {
    const { byDigest, byId, duplicates } = indexVersions([v(2, 2), v(1, 1)]);
    expect(byDigest.get(hexDigest(1))?.id).toBe(1);
    expect(byDigest.get(hexDigest(2))?.id).toBe(2);
    expect(byId.get(2)?.digest).toBe(hexDigest(2));
    expect(duplicates).toEqual([]);
  });

  it('keeps the older (lower) id when GitHub lists one digest twice, whatever the order', () => {
    for (const order of [
      [v(9, 1), v(4, 1)],
      [v(4, 1), v(9, 1)],
    ]) {
      const { byDigest, duplicates } = indexVersions(order);
      expect(byDigest.get(hexDigest(1))?.id).toBe(4);
      expect(duplicates.map((d) => d.id)).toEqual([9]);
    }
  });
});

describe('versions in the inventory', () => {
  it('gives each manifest its version id and push time, and flags tag disagreements', () => {
    const versions: PackageVersion[] = [
      { id: 11, digest: hexDigest(1), createdAt: '2024-02-01T00:00:00Z', tags: ['v1'] },
      { id: 12, digest: hexDigest(2), createdAt: '2024-02-02T00:00:00Z', tags: [] },
      { id: 13, digest: hexDigest(3), createdAt: '2024-02-03T00:00:00Z', tags: ['stale'] },
    ];
    const facts = versionFacts(versions);
    expect(facts).toEqual([
      { id: 11, digest: hexDigest(1), createdAt: '2024-02-01T00:00:00Z', tags: ['v1'] },
      { id: 12, digest: hexDigest(2), createdAt: '2024-02-02T00:00:00Z', tags: [] },
      { id: 13, digest: hexDigest(3), createdAt: '2024-02-03T00:00:00Z', tags: ['stale'] },
    ]);
    const inv = buildInventory({
      repository: 'ghcr.io/o/app',
      tags: { v1: hexDigest(1) },
      versions: facts,
    });
    // Untagged versions are in the inventory although no tag names them: only GHCR can list them.
    expect([...inv.manifests.keys()]).toEqual([hexDigest(1), hexDigest(2), hexDigest(3)]);
    expect(inv.manifests.get(hexDigest(1))).toMatchObject({
      versionId: 11,
      pushedAt: '2024-02-01T00:00:00.000Z',
    });
    expect(inv.manifests.get(hexDigest(2))).toMatchObject({ versionId: 12, tags: [] });
    expect(inv.manifests.get(hexDigest(3))?.tagMismatch).toEqual(['stale']);
  });

  it('does not share arrays with the versions it maps', () => {
    const versions: PackageVersion[] = [{ id: 1, digest: hexDigest(1), createdAt: 'x', tags: ['a'] }];
    versionFacts(versions)[0]!.tags.push('b');
    expect(versions[0]!.tags).toEqual(['a']);
  });
});

describe('splitPackagePath', () => {
  it.each([
    ['ghcr.io/octo-org/app', 'octo-org', 'app'],
    ['octo-org/app', 'octo-org', 'app'],
    ['GHCR.IO/Octo/team/app', 'Octo', 'team/app'],
    ['alice/tools/cli/', 'alice', 'tools/cli'],
  ])('%s', (input, owner, pkg) => {
    expect(splitPackagePath(input)).toEqual({ owner, package: pkg });
  });

  it.each(['app', 'ghcr.io/app', 'owner/', '/app'])('refuses %s', (input) => {
    expect(() => splitPackagePath(input)).toThrow(UsageError);
  });
});

describe('githubApiUrl', () => {
  it('defaults to api.github.com', () => {
    expect(githubApiUrl({})).toBe('https://api.github.com');
    expect(githubApiUrl({ GITHUB_API_URL: '' })).toBe('https://api.github.com');
  });

  it('takes GITHUB_API_URL (Actions, GHES), without a trailing slash', () => {
    expect(githubApiUrl({ GITHUB_API_URL: 'https://ghe.example.com/api/v3/' })).toBe(
      'https://ghe.example.com/api/v3',
    );
  });

  it('never sends a token over plain HTTP except to this machine', () => {
    expect(() => githubApiUrl({ GITHUB_API_URL: 'http://api.example.com' })).toThrow(UsageError);
    expect(githubApiUrl({ GITHUB_API_URL: 'http://127.0.0.1:8080' })).toBe('http://127.0.0.1:8080');
    expect(() => githubApiUrl({ GITHUB_API_URL: 'not a url' })).toThrow(UsageError);
  });
});

describe('findGitHubToken', () => {
  const home = '/nonexistent-ghcr-optimize-home';
  it('takes GHCR_TOKEN before GITHUB_TOKEN, and names the source', async () => {
    const env = { GHCR_TOKEN: 'ghp_a', GITHUB_TOKEN: 'ghs_b', HOME: home, DOCKER_CONFIG: home };
    expect(await findGitHubToken({ env, homeDir: home })).toEqual({
      token: 'ghp_a',
      source: 'env GHCR_TOKEN',
    });
    expect(
      await findGitHubToken({ env: { GITHUB_TOKEN: 'ghs_b', DOCKER_CONFIG: home }, homeDir: home }),
    ).toEqual({
      token: 'ghs_b',
      source: 'env GITHUB_TOKEN',
    });
  });
  it('prefers --password(-stdin), and finds nothing in an empty environment', async () => {
    const env = { GITHUB_TOKEN: 'ghs_b', DOCKER_CONFIG: home };
    expect(await findGitHubToken({ env, homeDir: home, explicit: { password: 'ghp_flag' } })).toEqual({
      token: 'ghp_flag',
      source: 'flags',
    });
    expect(
      await findGitHubToken({
        env: { DOCKER_CONFIG: home, REGISTRY_AUTH_FILE: `${home}/auth.json` },
        homeDir: home,
      }),
    ).toBeUndefined();
  });
});
