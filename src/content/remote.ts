/** A registry repository as a `Target`. */
import type { Readable } from 'node:stream';
import { NotFoundError } from '../errors.js';
import { computeDigest } from '../oci/digest.js';
import type { Descriptor } from '../oci/schema.js';
import type { Repository } from '../registry/client.js';
import type { BlobSource, FetchedManifest, Target } from './target.js';

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

  tags(signal?: AbortSignal): Promise<string[]> {
    return this.repo.tags(signal);
  }

  async pushBlob(desc: Descriptor, source: BlobSource, signal?: AbortSignal): Promise<void> {
    await this.repo.pushBlob(desc, source, { signal });
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
