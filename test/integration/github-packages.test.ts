/**
 * Retention on GHCR through the GitHub Packages API: the client and the GHCR back end against the
 * GitHub API simulator, whose content lives in a real docker-registry. Deletes and restores are
 * checked on the registry with skopeo: a deleted version's manifest is gone, a restored one is back
 * with its tags.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { makeImage, makeIndex, type Image } from '../support/fixtures.js';
import { skopeoInspect, skopeoInspectRaw, skopeoListTags } from '../support/skopeo.js';
import { requireTool } from '../support/tools.js';
import { testClient } from '../support/client.js';
import { startGitHubSim, RESTORE_WINDOW_MS, type GitHubSim } from '../support/github-sim/index.js';
import { AuthError, NotFoundError, ProtocolError, RegistryError } from '../../src/errors.js';
import { PackagesClient, type PackagesClientOptions } from '../../src/github/packages.js';
import { GhcrBackend } from '../../src/github/ghcr-backend.js';
import { restoreVersions } from '../../src/github/restore.js';
import { DeleteUnsupportedError } from '../../src/retention/backend.js';
import { gatherInventory } from '../../src/retention/gather.js';
import type { RegistryClient } from '../../src/registry/client.js';
import { computeDigest } from '../../src/oci/digest.js';

const haveRegistry = requireTool('docker-registry');
const haveSkopeo = requireTool('skopeo');

const ADMIN = 'ghp_simAdminToken000000000000000000000001';
const READER = 'ghp_simReaderToken00000000000000000000002';
const ACTIONS = 'ghs_simActionsToken0000000000000000000003';

const image = (name: string, arch = 'amd64'): Image =>
  makeImage({ architecture: arch, layers: [{ [name]: name }] });

describe.skipIf(!haveRegistry || !haveSkopeo)('GitHub Packages API (simulator + docker-registry)', () => {
  let reg: RunningRegistry;
  let sim: GitHubSim;
  let registry: RegistryClient;
  const client = (token = ADMIN, opts: Partial<PackagesClientOptions> = {}): PackagesClient =>
    new PackagesClient({
      token,
      baseUrl: sim.apiUrl,
      spaceWrites: false,
      retryBaseMs: 5,
      rateLimitUnitMs: 5,
      ...opts,
    });
  const ref = (repo: string, at: string): string =>
    `docker://${reg.host}/${repo}${at.startsWith('sha256:') ? `@${at}` : `:${at}`}`;
  const exists = async (repo: string, at: string): Promise<boolean> =>
    skopeoInspect(ref(repo, at)).then(
      () => true,
      (err: Error) => {
        if (/manifest unknown|not found/i.test(err.message)) return false;
        throw err;
      },
    );

  const amd = image('amd', 'amd64');
  const arm = image('arm', 'arm64');
  const index = makeIndex([amd, arm]);
  const single = image('single');
  const untagged = image('untagged');

  beforeAll(async () => {
    reg = await startRegistry();
    sim = await startGitHubSim({
      registry: reg,
      owners: [
        { login: 'octo-org', type: 'Organization', members: ['alice', 'ci-bot'] },
        { login: 'alice', type: 'User' },
        { login: 'bob', type: 'User' },
      ],
      tokens: {
        [ADMIN]: { login: 'alice', scopes: ['repo', 'write:packages', 'delete:packages'] },
        [READER]: { login: 'alice', scopes: ['read:packages'] },
        [ACTIONS]: { login: 'ci-bot', actions: { packages: 'write' } },
      },
    });
    registry = testClient();
    await sim.push('octo-org', 'app', 'v1', index, { createdAt: '2024-01-10T00:00:00Z' });
    await sim.push('octo-org', 'app', 'v2', single, { createdAt: '2024-02-10T00:00:00Z' });
    await sim.push('octo-org', 'app', untagged.digest, untagged, { createdAt: '2024-03-10T00:00:00Z' });
  });
  afterAll(async () => {
    await registry?.close();
    await sim?.stop();
    await reg?.stop();
  });

  it('lists one version per manifest (index children and untagged ones too), newest first', async () => {
    const versions = await client().listVersions('octo-org', 'app');
    expect(versions.map((v) => [v.digest, v.tags, v.createdAt])).toEqual([
      [untagged.digest, [], '2024-03-10T00:00:00Z'],
      [single.digest, ['v2'], '2024-02-10T00:00:00Z'],
      // The index and its children were pushed together; equal times list the higher id first.
      ...[index, arm, amd]
        .map((m) => [m.digest, m === index ? ['v1'] : [], '2024-01-10T00:00:00Z'])
        .sort((a, b) => {
          const ids = new Map(versions.map((v) => [v.digest, v.id]));
          return ids.get(b[0] as string)! - ids.get(a[0] as string)!;
        }),
    ]);
    expect(new Set(versions.map((v) => v.id)).size).toBe(5);
  });

  it('pages with per_page=100 and GitHub-formatted Link headers', async () => {
    // Config-only images: 103 distinct manifests, quick to push.
    const many = Array.from({ length: 103 }, (_, i) =>
      makeImage({ config: { config: { Labels: { n: String(i) } } } }),
    );
    for (let i = 0; i < many.length; i += 8) {
      await Promise.all(many.slice(i, i + 8).map((m) => sim.push('octo-org', 'many', m.digest, m)));
    }
    await sim.push('octo-org', 'many', 'latest', many[0]!);
    sim.clearRequests();
    const versions = await client().listVersions('octo-org', 'many');
    expect(versions).toHaveLength(103);
    expect(new Set(versions.map((v) => v.digest))).toEqual(new Set(many.map((m) => m.digest)));
    const lists = sim.requests.filter((r) => r.path.endsWith('/versions'));
    expect(lists.map((r) => r.query)).toEqual(['per_page=100', 'page=2&per_page=100']);

    // The header itself, exactly as GitHub writes it.
    const page = async (q: string): Promise<string | null> => {
      const res = await fetch(`${sim.apiUrl}/orgs/octo-org/packages/container/many/versions?${q}`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      await res.body?.cancel();
      return res.headers.get('link');
    };
    const base = `${sim.apiUrl}/orgs/octo-org/packages/container/many/versions`;
    expect(await page('per_page=50')).toBe(
      `<${base}?page=2&per_page=50>; rel="next", <${base}?page=3&per_page=50>; rel="last"`,
    );
    expect(await page('per_page=50&page=2')).toBe(
      `<${base}?page=1&per_page=50>; rel="prev", <${base}?page=3&per_page=50>; rel="next", ` +
        `<${base}?page=3&per_page=50>; rel="last", <${base}?page=1&per_page=50>; rel="first"`,
    );
    expect(await page('per_page=100&page=2')).toBe(
      `<${base}?page=1&per_page=100>; rel="prev", <${base}?page=1&per_page=100>; rel="first"`,
    );
    expect(await page('per_page=200')).toBe(
      `<${base}?page=2&per_page=200>; rel="next", <${base}?page=2&per_page=200>; rel="last"`,
    );
  });

  it('feeds the retention inventory: every version with its id, tags from the registry', async () => {
    const backend = new GhcrBackend({
      packages: client(),
      repo: registry.repository(reg.host, 'octo-org/app'),
    });
    expect(backend.repository).toBe(`${reg.host}/octo-org/app`);
    expect(backend.owner).toBe('octo-org');
    const { inventory } = await gatherInventory(backend);
    expect([...inventory.tags]).toEqual([
      ['v1', index.digest],
      ['v2', single.digest],
    ]);
    const byDigest = inventory.manifests;
    expect(byDigest.size).toBe(5);
    for (const node of byDigest.values()) {
      expect(node.versionId).toBeGreaterThan(0);
      expect(node.kind).not.toBe('unknown');
      expect(node.tagMismatch).toBeUndefined();
    }
    expect(byDigest.get(untagged.digest)?.pushedAt).toBe('2024-03-10T00:00:00.000Z');
    expect(
      inventory.links
        .filter((l) => l.owner === index.digest)
        .map((l) => l.member)
        .sort(),
    ).toEqual([amd.digest, arm.digest].sort());
  });

  it('deletes an untagged version: the manifest is gone from the registry; again → absent', async () => {
    const backend = new GhcrBackend({
      packages: client(),
      repo: registry.repository(reg.host, 'octo-org/app'),
    });
    const facts = await backend.listVersions();
    const v = facts.find((f) => f.digest === untagged.digest)!;
    expect(await exists('octo-org/app', untagged.digest)).toBe(true);
    expect(await backend.deleteManifest({ digest: untagged.digest, versionId: v.id, tags: [] })).toBe(
      'deleted',
    );
    expect(await exists('octo-org/app', untagged.digest)).toBe(false);
    expect((await backend.listVersions()).map((f) => f.digest)).not.toContain(untagged.digest);
    expect(await backend.deleteManifest({ digest: untagged.digest, versionId: v.id, tags: [] })).toBe(
      'absent',
    );
    // Restorable for 30 days: listed among the deleted versions.
    const deleted = await client().listVersions('octo-org', 'app', { state: 'deleted' });
    expect(deleted.map((d) => d.id)).toContain(v.id);
  });

  it('deletes a tagged version (its tag goes along) and restores it (tag back, same digest)', async () => {
    const packages = client();
    const backend = new GhcrBackend({ packages, repo: registry.repository(reg.host, 'octo-org/app') });
    const v = (await backend.listVersions()).find((f) => f.digest === single.digest)!;
    expect(v.tags).toEqual(['v2']);
    expect(await backend.deleteManifest({ digest: single.digest, tags: ['v2'] })).toBe('deleted');
    expect(await exists('octo-org/app', single.digest)).toBe(false);
    expect(await skopeoListTags(`docker://${reg.host}/octo-org/app`)).toEqual(['v1']);

    const summary = await restoreVersions(packages, 'octo-org', 'app', [v.id], {
      repo: registry.repository(reg.host, 'octo-org/app'),
    });
    expect(summary).toMatchObject({ restored: 1, failed: 0 });
    expect(summary.items[0]).toMatchObject({
      id: v.id,
      digest: single.digest,
      tags: ['v2'],
      status: 'restored',
      verified: true,
    });
    const back = await skopeoInspect(ref('octo-org/app', 'v2'));
    expect(back.Digest).toBe(single.digest);
    const after = await backend.listVersions();
    expect(after.find((f) => f.id === v.id)).toMatchObject({ digest: single.digest, tags: ['v2'] });
    // Restoring what is not deleted says so and changes nothing.
    const again = await restoreVersions(packages, 'octo-org', 'app', [v.id]);
    expect(again.items[0]!.status).toBe('active');
  });

  it('restores an index and its children in any order (children first, by passes)', async () => {
    const packages = client();
    const backend = new GhcrBackend({ packages, repo: registry.repository(reg.host, 'octo-org/app') });
    const facts = await backend.listVersions();
    const id = (d: string): number => facts.find((f) => f.digest === d)!.id;
    // Delete the index before its children, as the planner orders it.
    expect(await backend.deleteManifest({ digest: index.digest, tags: ['v1'] })).toBe('deleted');
    expect(await backend.deleteManifest({ digest: amd.digest, tags: [] })).toBe('deleted');
    expect(await backend.deleteManifest({ digest: arm.digest, tags: [] })).toBe('deleted');
    for (const d of [index.digest, amd.digest, arm.digest])
      expect(await exists('octo-org/app', d)).toBe(false);

    const summary = await restoreVersions(packages, 'octo-org', 'app', [
      id(index.digest),
      id(amd.digest),
      id(arm.digest),
    ]);
    expect(summary).toMatchObject({ restored: 3, failed: 0 });
    for (const d of [index.digest, amd.digest, arm.digest])
      expect(await exists('octo-org/app', d)).toBe(true);
    expect(computeDigest(await skopeoInspectRaw(ref('octo-org/app', 'v1')))).toBe(index.digest);
  });

  it('refuses to delete the last tagged version, as GitHub does (400), and keeps it', async () => {
    const only = image('only');
    const loose = image('loose');
    await sim.push('octo-org', 'solo', 'stable', only);
    await sim.push('octo-org', 'solo', loose.digest, loose);
    const backend = new GhcrBackend({
      packages: client(),
      repo: registry.repository(reg.host, 'octo-org/solo'),
    });
    const err = await backend
      .deleteManifest({ digest: only.digest, tags: ['stable'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).code).toBe('LAST_TAGGED_VERSION');
    expect((err as Error).message).toContain('You cannot delete the last tagged version of a package');
    expect(await exists('octo-org/solo', 'stable')).toBe(true);
    // The untagged one may go; then the tagged one is the last version of all.
    expect(await backend.deleteManifest({ digest: loose.digest, tags: [] })).toBe('deleted');
    const last = await backend
      .deleteManifest({ digest: only.digest, tags: ['stable'] })
      .catch((e: unknown) => e);
    expect((last as RegistryError).code).toBe('LAST_VERSION');
  });

  it('never deletes a version whose tags or digest changed since the plan', async () => {
    const a = image('guard-a');
    const b = image('guard-b');
    await sim.push('octo-org', 'guard', 'keep', a);
    await sim.push('octo-org', 'guard', 'old', b);
    const backend = new GhcrBackend({
      packages: client(),
      repo: registry.repository(reg.host, 'octo-org/guard'),
    });
    const facts = await backend.listVersions();
    const idOf = (d: string): number => facts.find((f) => f.digest === d)!.id;
    // The plan saw b untagged; someone tagged it since.
    const changed = await backend.deleteManifest({ digest: b.digest, tags: [] }).catch((e: unknown) => e);
    expect((changed as RegistryError).code).toBe('VERSION_TAGS_CHANGED');
    // A version id that names another digest.
    const wrong = await backend
      .deleteManifest({ digest: b.digest, versionId: idOf(a.digest), tags: ['old'] })
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ProtocolError);
    expect(await exists('octo-org/guard', a.digest)).toBe(true);
    expect(await exists('octo-org/guard', b.digest)).toBe(true);
  });

  it('maps 401, 404 and a token without delete:packages', async () => {
    const bad = await client('ghp_wrong')
      .listVersions('octo-org', 'app')
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AuthError);
    expect((bad as AuthError).status).toBe(401);
    expect((bad as AuthError).message).toContain('Bad credentials');

    const missing = await client()
      .listVersions('octo-org', 'nope')
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toBe('list versions of octo-org/nope: package not found or no access');

    const reader = client(READER);
    const [victim] = await reader.listVersions('octo-org', 'app');
    const denied = await reader.deleteVersion('octo-org', 'app', victim!.id).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AuthError);
    expect((denied as AuthError).scope).toBe('delete:packages');
    const backend = new GhcrBackend({
      packages: reader,
      repo: registry.repository(reg.host, 'octo-org/app'),
    });
    const refused = await backend
      .deleteManifest({ digest: victim!.digest, versionId: victim!.id, tags: victim!.tags })
      .catch((e: unknown) => e);
    // A token without delete:packages is an authorisation problem (exit 3), not a registry that
    // cannot delete (exit 6).
    expect(refused).toBeInstanceOf(AuthError);
    expect(refused).not.toBeInstanceOf(DeleteUnsupportedError);
    expect(refused).toMatchObject({ status: 403, scope: 'delete:packages', exitCode: 3 });
    expect((refused as AuthError).message).toMatch(
      /GitHub refused to delete package version \d+ \(HTTP 403\): the token needs delete:packages$/,
    );
    expect((refused as AuthError).hint).toMatch(/delete:packages/);
    expect(await exists('octo-org/app', victim!.digest)).toBe(true);
  });

  it('finds user packages through /user (own) and /users/{name} (others), and Actions tokens', async () => {
    await sim.push('alice', 'tools/cli', 'latest', image('cli'));
    await sim.push('bob', 'pub', 'latest', image('pub'));
    sim.addPackage('bob', 'pub', { visibility: 'public' });
    sim.clearRequests();
    const own = await client().getPackage('alice', 'tools/cli');
    expect(own).toMatchObject({ ownerKind: 'authenticated-user', name: 'tools/cli', visibility: 'private' });
    const other = await client().listVersions('bob', 'pub');
    expect(other).toHaveLength(1);
    expect(sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /orgs/alice/packages/container/tools%2Fcli 404',
      'GET /user 200',
      'GET /user/packages/container/tools%2Fcli 200',
      'GET /orgs/bob/packages/container/pub 404',
      'GET /user 200',
      'GET /users/bob/packages/container/pub 200',
      'GET /users/bob/packages/container/pub/versions 200',
    ]);
    // Actions' GITHUB_TOKEN: an org package works as usual.
    expect((await client(ACTIONS).listVersions('octo-org', 'app')).length).toBeGreaterThan(0);
  });

  it('waits for a near rate-limit reset; reports a far one with its time', async () => {
    sim.setRateLimit(ADMIN, { remaining: 0, resetInSeconds: 1 });
    const notices: string[] = [];
    // The wait is scaled down; move the simulator's clock past the reset while "waiting".
    const patient = client(ADMIN, { notice: (l) => (notices.push(l), sim.advance(2000)) });
    expect((await patient.listVersions('octo-org', 'app')).length).toBeGreaterThan(0);
    expect(notices[0]).toMatch(/rate limit reached; waiting \d+ s/);
    expect(patient.rateLimit.remaining).toBeGreaterThan(4000);

    sim.setRateLimit(ADMIN, { remaining: 0, resetInSeconds: 3000 });
    const err = await client()
      .listVersions('octo-org', 'app')
      .catch((e: unknown) => e);
    expect((err as RegistryError).code).toBe('RATE_LIMITED');
    expect((err as Error).message).toMatch(/rate limit exceeded; it resets at \d{4}-\d\d-\d\dT/);
    sim.setRateLimit(ADMIN, { remaining: 5000 });
  });

  it('rides out secondary rate limits (403 + retry-after) and 5xx answers', async () => {
    const packages = client();
    await packages.getPackage('octo-org', 'app');
    sim.clearRequests();
    sim.secondaryRateLimit({ requests: 2, retryAfter: 1 });
    expect((await packages.listVersions('octo-org', 'app')).length).toBeGreaterThan(0);
    expect(sim.requests.map((r) => r.status)).toEqual([403, 403, 200]);

    sim.clearRequests();
    sim.failNext(2, 502);
    expect((await packages.listVersions('octo-org', 'app')).length).toBeGreaterThan(0);
    expect(sim.requests.map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('cannot restore after 30 days', async () => {
    const gone = image('gone');
    await sim.push('octo-org', 'app', gone.digest, gone);
    const packages = client();
    const v = (await packages.listVersions('octo-org', 'app')).find((f) => f.digest === gone.digest)!;
    await packages.deleteVersion('octo-org', 'app', v.id);
    sim.advance(RESTORE_WINDOW_MS + 60_000);
    try {
      const summary = await restoreVersions(packages, 'octo-org', 'app', [v.id]);
      expect(summary.items[0]).toMatchObject({ id: v.id, status: 'failed' });
      expect(summary.items[0]!.cause).toBeInstanceOf(NotFoundError);
      expect(await exists('octo-org/app', gone.digest)).toBe(false);
    } finally {
      sim.advance(-(RESTORE_WINDOW_MS + 60_000));
    }
  });
});
