/** A registry repository as a `Target`. */
import type { Readable } from 'node:stream';
import { NotFoundError } from '../errors.js';
import { computeDigest } from '../oci/digest.js';
import type { Descriptor } from '../oci/schema.js';
import type { Repository } from '../registry/client.js';
import { sameRegistry } from '../ref/index.js';
import type { BlobSource, FetchedManifest, PushBlobOptions, PushBlobOutcome, Target } from './target.js';

export class RemoteTarget implements Target {
  constructor(readonly repo: Repository) {}

  get name(): string {
    return `${this.repo.registry}/${this.repo.name}`;
  }

  async resolve(reference: string, signal?: AbortSignal): Promise<Descriptor> {
    const desc = await this.repo.headManifest(reference, signal);
    if (!desc) {
      throw new NotFoundError(
        `manifest ${this.name}${reference.includes(':') ? '@' : ':'}${reference}: not found`,
        {
          hint: `list the available tags with "ghcr-optimize tags ${this.name}"`,
        },
      );
    }
    return desc;
  }

  fetchManifest(reference: string | Descriptor, signal?: AbortSignal): Promise<FetchedManifest> {
    return this.repo.getManifest(typeof reference === 'string' ? reference : reference.digest, signal);
  }

  fetchBlob(desc: Descriptor, signal?: AbortSignal): Readable {
    return this.repo.getBlob(desc, signal);
  }

  async exists(desc: Descriptor, signal?: AbortSignal): Promise<boolean> {
    const isManifest = /manifest|index/.test(desc.mediaType);
    if (isManifest) return (await this.repo.headManifest(desc.digest, signal)) !== undefined;
    return (await this.repo.headBlob(desc.digest, signal)) !== undefined;
  }

  /** Referrers of `digest`: the OCI 1.1 API when the registry has it, else the fallback tag. */
  async referrers(digest: string, signal?: AbortSignal): Promise<Descriptor[]> {
    return (await this.repo.referrers(digest, signal ? { signal } : {})).descriptors;
  }

  /** False only when the registry says the repository does not exist yet. */
  repositoryExists(signal?: AbortSignal): Promise<boolean> {
    return this.repo.exists(signal);
  }

  tags(signal?: AbortSignal): Promise<string[]> {
    return this.repo.tags(signal);
  }

  /** Mounts from a repository of the same registry when `from` is one; never sends `from` across registries. */
  async pushBlob(desc: Descriptor, source: BlobSource, opts: PushBlobOptions = {}): Promise<PushBlobOutcome> {
    const from = opts.from;
    const mountFrom =
      from instanceof RemoteTarget && sameRegistry(from.repo.registry, this.repo.registry)
        ? [from.repo.name]
        : [];
    return this.repo.pushBlob(desc, source, { mountFrom, ...(opts.signal ? { signal: opts.signal } : {}) });
  }

  async pushManifest(
    bytes: Uint8Array,
    mediaType: string,
    tag?: string,
    signal?: AbortSignal,
  ): Promise<Descriptor> {
    const { subjectAccepted: _s, ...desc } = await this.repo.putManifest(
      tag ?? computeDigest(bytes),
      bytes,
      mediaType,
      signal,
    );
    return desc;
  }
}
