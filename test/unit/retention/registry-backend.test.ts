import { describe, expect, it } from 'vitest';
import { AuthError, NotFoundError, RegistryError } from '../../../src/errors.js';
import type { Descriptor } from '../../../src/oci/schema.js';
import type { ReferrersResult, Repository } from '../../../src/registry/client.js';
import { DeleteUnsupportedError } from '../../../src/retention/backend.js';
import { RegistryBackend } from '../../../src/retention/registry-backend.js';

const D = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

/** Just what RegistryBackend calls, answering from tables. */
function fakeRepo(
  registry: string,
  over: Partial<Record<string, unknown>> = {},
): { repo: Repository; calls: string[] } {
  const calls: string[] = [];
  const repo = {
    registry,
    name: 'app',
    tags: () => Promise.resolve(['b', 'a', 'gone']),
    headManifest: (tag: string): Promise<Descriptor | undefined> =>
      Promise.resolve(
        tag === 'gone'
          ? undefined
          : {
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              digest: tag === 'a' ? D(1) : D(2),
              size: 1,
            },
      ),
    referrers: (digest: string): Promise<ReferrersResult> => {
      calls.push(`referrers ${digest}`);
      return Promise.resolve({ descriptors: [], via: 'tag' });
    },
    deleteManifest: (ref: string) => {
      calls.push(`delete ${ref}`);
      return Promise.resolve({ deleted: ref, viaDigest: true });
    },
    ...over,
  } as unknown as Repository;
  return { repo, calls };
}

describe('RegistryBackend', () => {
  it('lists tags → digests, dropping a tag deleted between the listing and its HEAD', async () => {
    const b = new RegistryBackend(fakeRepo('localhost:5000').repo);
    expect(b.repository).toBe('localhost:5000/app');
    expect([...(await b.listTags())]).toEqual([
      ['a', D(1)],
      ['b', D(2)],
    ]);
  });

  it('asks the referrers API once; without it the fallback tags (already in the tag list) suffice', async () => {
    const { repo, calls } = fakeRepo('localhost:5000');
    const b = new RegistryBackend(repo);
    expect(await Promise.all([b.listReferrers(D(1)), b.listReferrers(D(2)), b.listReferrers(D(3))])).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(calls).toEqual([`referrers ${D(1)}`]);
  });

  it('uses the referrers API when the registry has it', async () => {
    const desc = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: D(9),
      size: 3,
      artifactType: 'x/y',
    };
    const { repo } = fakeRepo('localhost:5000', {
      referrers: (): Promise<ReferrersResult> => Promise.resolve({ descriptors: [desc], via: 'api' }),
    });
    const b = new RegistryBackend(repo);
    expect(await b.listReferrers(D(1))).toEqual({ subject: D(1), descriptors: [desc] });
    expect(await b.listReferrers(D(2))).toEqual({ subject: D(2), descriptors: [desc] });
  });

  it('deletes by digest; an already missing manifest is "absent"', async () => {
    const { repo, calls } = fakeRepo('localhost:5000');
    expect(await new RegistryBackend(repo).deleteManifest({ digest: D(1), tags: ['a'] })).toBe('deleted');
    expect(calls).toEqual([`delete ${D(1)}`]);
    const gone = fakeRepo('localhost:5000', {
      deleteManifest: () => Promise.reject(new NotFoundError('manifest: not found')),
    });
    expect(await new RegistryBackend(gone.repo).deleteManifest({ digest: D(1), tags: [] })).toBe('absent');
  });

  it('a registry that refuses deletes (405 / UNSUPPORTED) gets a clear error', async () => {
    const refusing = (registry: string, err: Error) =>
      new RegistryBackend(
        fakeRepo(registry, {
          deleteManifest: () => Promise.reject(err),
        }).repo,
      );
    const unsupported = new RegistryError(
      'delete: the registry does not support this operation (HTTP 405)',
      405,
      'UNSUPPORTED',
    );
    const err = await refusing('localhost:5000', unsupported)
      .deleteManifest({ digest: D(1), tags: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeleteUnsupportedError);
    expect((err as Error).message).toBe(
      'localhost:5000/app: this registry does not allow deletes (HTTP 405); enable storage.delete',
    );
    expect((err as DeleteUnsupportedError).hint).toMatch(
      /storage\.delete\.enabled: true.*on ghcr\.io use the GitHub back end/,
    );
    expect((err as DeleteUnsupportedError).exitCode).toBe(6);

    const ghcr = await refusing('ghcr.io', new AuthError('denied', 403))
      .deleteManifest({ digest: D(1), tags: [] })
      .catch((e: unknown) => e);
    expect(ghcr).toBeInstanceOf(DeleteUnsupportedError);
    expect((ghcr as Error).message).toBe(
      'ghcr.io/app: ghcr.io does not delete through the registry API (HTTP 403)',
    );
    expect((ghcr as DeleteUnsupportedError).hint).toMatch(/GitHub back end/);

    // Anything else passes through unchanged.
    const other = new RegistryError('delete: HTTP 500', 500);
    await expect(refusing('localhost:5000', other).deleteManifest({ digest: D(1), tags: [] })).rejects.toBe(
      other,
    );
  });
});
