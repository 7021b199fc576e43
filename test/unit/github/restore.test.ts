/** restore: argument parsing, and restoring several versions in passes. */
import { describe, expect, it } from 'vitest';
import { AuthError, NotFoundError, UsageError } from '../../../src/errors.js';
import { parseVersionIds, resolvePackage } from '../../../src/cli/commands/restore.js';
import { restoreVersions } from '../../../src/github/restore.js';
import { fakeClient, ghError, hexDigest, json, pkg, version, type FakeCall } from './fake-api.js';

describe('parseVersionIds', () => {
  it('takes repeated and comma-separated ids', () => {
    expect(parseVersionIds(['12', '34,56', ' 78 '])).toEqual([12, 34, 56, 78]);
  });
  it.each(['0', '-1', '1.5', 'abc', '', '1e3', '99999999999999999999'])('refuses %j', (v) => {
    expect(() => parseVersionIds([v])).toThrow(UsageError);
  });
});

describe('resolvePackage', () => {
  it('reads OWNER from the package or --owner', () => {
    expect(resolvePackage('ghcr.io/octo-org/app', undefined, {})).toEqual({
      owner: 'octo-org',
      package: 'app',
    });
    expect(resolvePackage('octo-org/team/app', undefined, {})).toEqual({
      owner: 'octo-org',
      package: 'team/app',
    });
    expect(resolvePackage('team/app', 'octo-org', {})).toEqual({ owner: 'octo-org', package: 'team/app' });
  });
  it('uses GITHUB_REPOSITORY_OWNER for a bare name in Actions', () => {
    expect(resolvePackage('app', undefined, { GITHUB_REPOSITORY_OWNER: 'octo-org' })).toEqual({
      owner: 'octo-org',
      package: 'app',
    });
  });
  it('refuses a bare name without an owner, and ghcr.io/… together with --owner', () => {
    expect(() => resolvePackage('app', undefined, {})).toThrow(UsageError);
    expect(() => resolvePackage('ghcr.io/o/app', 'o', {})).toThrow(UsageError);
  });
});

describe('restoreVersions', () => {
  const base = '/orgs/o/packages/container/app';

  /** Deleted: 1 (an index: restorable only after 2), 2, 3 (gone for good). Active: 4. */
  function api(): { handler: (call: FakeCall) => Response; restored: Set<number> } {
    const restored = new Set<number>();
    const deleted = [1, 2, 3].map((id) => ({
      id,
      body: { ...version(id, hexDigest(id), id === 1 ? ['v1'] : []), deleted_at: '2024-06-01T00:00:00Z' },
    }));
    const handler = (call: FakeCall): Response => {
      const p = call.url.pathname;
      if (p === base) return json(200, pkg('app'));
      if (p === `${base}/versions`) {
        return call.url.searchParams.get('state') === 'deleted'
          ? json(
              200,
              deleted.filter((d) => !restored.has(d.id)).map((d) => d.body),
            )
          : json(200, [
              version(4, hexDigest(4), ['latest']),
              ...[...restored].map((id) => version(id, hexDigest(id))),
            ]);
      }
      const m = /\/versions\/(\d+)(\/restore)?$/.exec(p);
      if (!m) return ghError(404, 'Not Found');
      const id = Number(m[1]);
      if (m[2] && call.method === 'POST') {
        if (id === 3) return ghError(404, 'Package version not found.');
        if (id === 1 && !restored.has(2)) return ghError(422, 'The version cannot be restored yet.');
        restored.add(id);
        return json(204, undefined);
      }
      return restored.has(id) || id === 4
        ? json(200, version(id, hexDigest(id), id === 1 ? ['v1'] : id === 4 ? ['latest'] : []))
        : ghError(404, 'Package version not found.');
    };
    return { handler, restored };
  }

  it('restores in passes (an index after its children), reports the rest', async () => {
    const { handler } = api();
    const { client, calls } = fakeClient(handler);
    const seen: number[] = [];
    const summary = await restoreVersions(client, 'o', 'app', [1, 2, 3, 4, 2], {
      onItem: (i) => seen.push(i.id),
    });
    expect(summary.restored).toBe(2);
    expect(summary.failed).toBe(1);
    expect(summary.items.map((i) => [i.id, i.status, i.digest, i.tags])).toEqual([
      [1, 'restored', hexDigest(1), ['v1']],
      [2, 'restored', hexDigest(2), []],
      [3, 'failed', hexDigest(3), []],
      [4, 'active', hexDigest(4), ['latest']],
    ]);
    expect(summary.items[2]!.cause).toBeInstanceOf(NotFoundError);
    expect(summary.items[2]!.error).toMatch(/no deleted version with that id/);
    expect(seen.sort()).toEqual([1, 2, 3, 4]);
    const posts = calls.filter((c) => c.method === 'POST').map((c) => c.url.pathname.split('/').at(-2));
    // Pass 1: 1 (refused), 2, 3 (refused). Pass 2: 1, 3 (refused). Pass 3 makes no progress: stop.
    expect(posts).toEqual(['1', '2', '3', '1', '3', '3']);
  });

  it('throws session errors (auth) instead of reporting them per version', async () => {
    const { client } = fakeClient(() => ghError(401, 'Bad credentials'));
    await expect(restoreVersions(client, 'o', 'app', [1])).rejects.toBeInstanceOf(AuthError);
  });
});
