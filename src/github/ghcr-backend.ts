/**
 * The retention back end for ghcr.io. GHCR's registry cannot delete, list every manifest or serve
 * referrers, so it takes two sources:
 * - the registry (Distribution API, read only): tags and the digests they point to, manifests,
 *   configs; `sha256-<hex>` fallback and cosign tags are in the tag list;
 * - the GitHub Packages API: every package version (one per manifest, tagged or not; `name` is
 *   the digest, `metadata.container.tags` the tags, `created_at` the push time), deletes and
 *   restores by version id.
 *
 * A delete re-reads the version right before it and refuses when the version id no longer names
 * the planned digest or carries a tag the plan did not see: deleting a GHCR version takes all of
 * its tags along, so nothing unplanned may ride on it.
 *
 * The registry host is ghcr.io in real life and injectable (the `Repository` passed in), so tests
 * can run against a real docker-registry behind a GitHub API simulator.
 */
import { AuthError, NotFoundError, ProtocolError, RegistryError } from '../errors.js';
import type { Descriptor } from '../oci/schema.js';
import type { Repository } from '../registry/client.js';
import type { CredentialOptions } from '../registry/credentials/index.js';
import { type DeleteOutcome, type DeleteTarget, type RetentionBackend } from '../retention/backend.js';
import type { ConfigFact, ManifestFact, VersionFact } from '../retention/inventory.js';
import { RegistryBackend } from '../retention/registry-backend.js';
import {
  PackagesClient,
  findGitHubToken,
  githubApiUrl,
  indexVersions,
  missingTokenError,
  splitPackagePath,
  versionFacts,
  type PackageVersion,
  type PackagesClientOptions,
} from './packages.js';

export interface GhcrBackendOptions {
  packages: PackagesClient;
  /** The repository on the registry that serves the package (ghcr.io/OWNER/PACKAGE in real life). */
  repo: Repository;
  /** Package owner; default the first path segment of the repository. */
  owner?: string;
  /** Package name; default the rest of the repository path. */
  package?: string;
  /** Parallel HEAD requests when resolving tags. Default 8. */
  concurrency?: number;
}

export class GhcrBackend implements RetentionBackend {
  readonly kind = 'github' as const;
  readonly owner: string;
  readonly package: string;
  readonly packages: PackagesClient;
  readonly repo: Repository;
  readonly #registry: RegistryBackend;
  /** digest → version id from the last listing, for deletes whose target carries no id. */
  #ids = new Map<string, number>();

  constructor(opts: GhcrBackendOptions) {
    const split =
      opts.owner === undefined || opts.package === undefined ? splitPackagePath(opts.repo.name) : undefined;
    this.owner = opts.owner ?? split!.owner;
    this.package = opts.package ?? split!.package;
    this.packages = opts.packages;
    this.repo = opts.repo;
    this.#registry = new RegistryBackend(
      opts.repo,
      opts.concurrency ? { concurrency: opts.concurrency } : {},
    );
  }

  get repository(): string {
    return `${this.repo.registry}/${this.repo.name}`;
  }

  /** Tags as the registry resolves them right now (never cached). */
  listTags(signal?: AbortSignal): Promise<Map<string, string>> {
    return this.#registry.listTags(signal);
  }

  /** The package versions as raw PackageVersion records (newest first). */
  async packageVersions(signal?: AbortSignal): Promise<PackageVersion[]> {
    const versions = await this.packages.listVersions(this.owner, this.package, signal ? { signal } : {});
    this.#ids = new Map([...indexVersions(versions).byDigest].map(([d, v]) => [d, v.id]));
    return versions;
  }

  async listVersions(signal?: AbortSignal): Promise<VersionFact[]> {
    return versionFacts(await this.packageVersions(signal));
  }

  fetchManifest(digest: string, signal?: AbortSignal): Promise<ManifestFact> {
    return this.#registry.fetchManifest(digest, signal);
  }

  fetchConfig(config: Descriptor, signal?: AbortSignal): Promise<ConfigFact> {
    return this.#registry.fetchConfig(config, signal);
  }

  // No listReferrers: ghcr.io has no referrers API; its fallback tags are in the tag list.

  async #versionIdOf(digest: string, signal?: AbortSignal): Promise<number | undefined> {
    const known = this.#ids.get(digest);
    if (known !== undefined) return known;
    await this.packageVersions(signal);
    return this.#ids.get(digest);
  }

  async deleteManifest(target: DeleteTarget, signal?: AbortSignal): Promise<DeleteOutcome> {
    const what = `${this.repository}@${target.digest}`;
    const id = target.versionId ?? (await this.#versionIdOf(target.digest, signal));
    if (id === undefined) {
      // No version: either it is gone, or GitHub and the registry disagree — never guess.
      if ((await this.repo.headManifest(target.digest, signal)) === undefined) return 'absent';
      throw new ProtocolError(`${what}: the registry has it but GitHub lists no package version for it`, {
        hint: 'GitHub may still be indexing a fresh push; run again in a minute',
      });
    }
    let current: PackageVersion;
    try {
      current = await this.packages.getVersion(this.owner, this.package, id, signal);
    } catch (err) {
      if (err instanceof NotFoundError) return 'absent';
      throw err;
    }
    if (current.deletedAt !== undefined) return 'absent';
    if (current.digest !== target.digest) {
      throw new ProtocolError(`${what}: package version ${id} is ${current.digest}, not the planned digest`, {
        hint: 'the plan is stale: make a new one',
      });
    }
    const planned = new Set(target.tags);
    const unplanned = current.tags.filter((t) => !planned.has(t));
    if (unplanned.length > 0) {
      throw new RegistryError(
        `${what}: version ${id} now also carries ${unplanned.join(', ')}; deleting it would delete ${unplanned.length === 1 ? 'that tag' : 'those tags'}`,
        409,
        'VERSION_TAGS_CHANGED',
        { hint: 'the repository changed since the plan: make a new one' },
      );
    }
    try {
      await this.packages.deleteVersion(this.owner, this.package, id, signal);
    } catch (err) {
      if (err instanceof NotFoundError) return 'absent';
      if (err instanceof AuthError && err.status === 403) {
        // A permission problem of the token (exit 3), not a registry that cannot delete (exit 6):
        // the apply engine stops at it all the same, before trying anything else.
        throw new AuthError(
          `${what}: GitHub refused to delete package version ${id} (HTTP 403): the token needs delete:packages`,
          403,
          err.scope ?? 'delete:packages',
          {
            hint: err.hint ?? 'the token needs delete:packages and admin access to the package',
            cause: err,
          },
        );
      }
      throw err;
    }
    this.#ids.delete(target.digest);
    return 'deleted';
  }

  /** Brings back a version deleted in the last 30 days (with its tags, unless they moved since). */
  async restoreVersion(id: number, signal?: AbortSignal): Promise<void> {
    await this.packages.restoreVersion(this.owner, this.package, id, signal);
  }
}

export interface GitHubClientEnvOptions extends Omit<
  PackagesClientOptions,
  'token' | 'tokenSource' | 'baseUrl'
> {
  /** The environment (GHCR_TOKEN, GITHUB_TOKEN, GITHUB_API_URL); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** `--username`/`--password(-stdin)`: a password here is the GitHub token. */
  explicit?: CredentialOptions['explicit'];
  homeDir?: string;
}

/** A Packages API client from the environment: the ghcr.io token, and `GITHUB_API_URL`. */
export async function packagesClientFromEnv(opts: GitHubClientEnvOptions = {}): Promise<PackagesClient> {
  const { env = process.env, explicit, homeDir, ...rest } = opts;
  const baseUrl = githubApiUrl(env);
  const found = await findGitHubToken({
    env,
    ...(explicit ? { explicit } : {}),
    ...(homeDir ? { homeDir } : {}),
  });
  if (!found) throw missingTokenError();
  return new PackagesClient({ ...rest, token: found.token, tokenSource: found.source, baseUrl });
}

/** The GHCR back end for a repository on ghcr.io (or the injected registry host). */
export async function openGhcrBackend(
  repo: Repository,
  opts: GitHubClientEnvOptions & { packages?: PackagesClient; concurrency?: number } = {},
): Promise<GhcrBackend> {
  const { packages, concurrency, ...env } = opts;
  return new GhcrBackend({
    repo,
    packages: packages ?? (await packagesClientFromEnv(env)),
    ...(concurrency ? { concurrency } : {}),
  });
}
