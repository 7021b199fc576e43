/**
 * The retention back end for any OCI registry, through the Distribution API: tags from
 * `tags/list` (each resolved with a HEAD), manifests and configs by digest, referrers through the
 * OCI 1.1 API when the registry has it, and deletes as `DELETE /v2/<name>/manifests/<digest>`.
 *
 * Limits of the API, which the commands document: it cannot list untagged manifests, so only
 * those reachable from a tag (index children, referrers) are seen; and distribution refuses to
 * delete a tag alone (a digest delete takes every tag on it along), so tags are never deleted
 * one by one here.
 */
import { AuthError, NotFoundError, RegistryError } from '../errors.js';
import type { Descriptor } from '../oci/schema.js';
import type { Repository } from '../registry/client.js';
import { mapLimit } from '../util/concurrency.js';
import {
  DeleteUnsupportedError,
  type DeleteOutcome,
  type DeleteTarget,
  type RetentionBackend,
} from './backend.js';
import type { ConfigFact, ManifestFact, ReferrersFact } from './inventory.js';

/** Configs are small; one larger than this is not read (its image's age stays unknown). */
const CONFIG_LIMIT = 4 * 1024 * 1024;

export interface RegistryBackendOptions {
  /** Parallel HEAD requests when resolving tags. Default 8. */
  concurrency?: number;
}

export function isGhcr(registry: string): boolean {
  return registry.toLowerCase() === 'ghcr.io';
}

export class RegistryBackend implements RetentionBackend {
  readonly kind = 'registry' as const;
  readonly #concurrency: number;
  /** Whether the registry serves the referrers API; learned by the first call. */
  #referrersApi: Promise<boolean> | undefined;

  constructor(
    readonly repo: Repository,
    opts: RegistryBackendOptions = {},
  ) {
    this.#concurrency = opts.concurrency ?? 8;
  }

  get repository(): string {
    return `${this.repo.registry}/${this.repo.name}`;
  }

  async listTags(signal?: AbortSignal): Promise<Map<string, string>> {
    const names = (await this.repo.tags(signal)).sort();
    const resolved = await mapLimit(names, this.#concurrency, async (tag) => {
      // undefined: deleted between the listing and the HEAD; it no longer exists.
      const desc = await this.repo.headManifest(tag, signal);
      return [tag, desc?.digest] as const;
    });
    const out = new Map<string, string>();
    for (const [tag, digest] of resolved) if (digest !== undefined) out.set(tag, digest);
    return out;
  }

  async fetchManifest(digest: string, signal?: AbortSignal): Promise<ManifestFact> {
    const fetched = await this.repo.getManifest(digest, signal);
    return { digest, size: fetched.bytes.length, manifest: fetched.parsed };
  }

  async fetchConfig(config: Descriptor, signal?: AbortSignal): Promise<ConfigFact> {
    const bytes = await this.repo.getBlobBytes(config, CONFIG_LIMIT, signal);
    let created: string | null | undefined;
    try {
      const doc = JSON.parse(bytes.toString('utf8')) as { created?: unknown };
      created = typeof doc.created === 'string' ? doc.created : undefined;
    } catch {
      created = undefined; // not JSON: no age, which the planner treats as "keep"
    }
    return { digest: config.digest, created };
  }

  async listReferrers(subject: string, signal?: AbortSignal): Promise<ReferrersFact | undefined> {
    const opts = signal ? { signal } : {};
    if (this.#referrersApi === undefined) {
      // The first call learns whether the API exists; the others wait for the answer.
      const probe = this.repo.referrers(subject, opts);
      this.#referrersApi = probe.then(
        (r) => r.via === 'api',
        () => false,
      );
      const r = await probe;
      return r.via === 'api' ? { subject, descriptors: r.descriptors } : undefined;
    }
    if (!(await this.#referrersApi)) return undefined; // the fallback tags are in the tag list
    const r = await this.repo.referrers(subject, opts);
    return r.via === 'api' ? { subject, descriptors: r.descriptors } : undefined;
  }

  async deleteManifest(target: DeleteTarget, signal?: AbortSignal): Promise<DeleteOutcome> {
    try {
      await this.repo.deleteManifest(target.digest, signal ? { signal } : {});
      return 'deleted';
    } catch (err) {
      if (err instanceof NotFoundError) return 'absent';
      throw this.#explain(err);
    }
  }

  #explain(err: unknown): unknown {
    const ghcr = isGhcr(this.repo.registry);
    const refused =
      (err instanceof RegistryError && (err.status === 405 || err.code === 'UNSUPPORTED')) ||
      (ghcr && err instanceof AuthError);
    if (!refused) return err;
    const status = err instanceof RegistryError || err instanceof AuthError ? err.status : undefined;
    if (ghcr) {
      return new DeleteUnsupportedError(
        `${this.repository}: ghcr.io does not delete through the registry API${status ? ` (HTTP ${status})` : ''}`,
        status,
        {
          hint: 'on ghcr.io use the GitHub back end (the GitHub Packages API, a token with delete:packages)',
          cause: err,
        },
      );
    }
    return new DeleteUnsupportedError(
      `${this.repository}: this registry does not allow deletes${status ? ` (HTTP ${status})` : ''}; enable storage.delete`,
      status,
      {
        hint: 'for the CNCF registry set storage.delete.enabled: true (or REGISTRY_STORAGE_DELETE_ENABLED=true) and restart it; on ghcr.io use the GitHub back end',
        cause: err,
      },
    );
  }
}
