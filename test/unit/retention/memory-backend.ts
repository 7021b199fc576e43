/**
 * An in-memory {@link RetentionBackend} over real manifest bytes (test/support fixtures), with
 * knobs for the failures the gatherer and the apply engine must handle: unreadable manifests, a
 * referrers API, deletes refused altogether or failing one by one, and hooks that change the
 * tags while a run is in progress.
 */
import { NotFoundError, RegistryError } from '../../../src/errors.js';
import { parseManifest, type Descriptor } from '../../../src/oci/schema.js';
import {
  DeleteUnsupportedError,
  type DeleteOutcome,
  type DeleteTarget,
  type RetentionBackend,
} from '../../../src/retention/backend.js';
import type { ConfigFact, ManifestFact, ReferrersFact } from '../../../src/retention/inventory.js';
import { allManifests, allBlobs, type ImageOrIndex } from '../../support/images.js';

export class MemoryBackend implements RetentionBackend {
  readonly kind = 'registry' as const;
  readonly manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
  readonly blobs = new Map<string, Buffer>();
  readonly tags = new Map<string, string>();
  /** Digest → error thrown by fetchManifest. */
  readonly fetchErrors = new Map<string, Error>();
  /** Digest → error thrown by fetchConfig. */
  readonly configErrors = new Map<string, Error>();
  /** Digest → error thrown by deleteManifest. */
  readonly deleteErrors = new Map<string, Error>();
  /** Serve the OCI referrers API (computed from `subject` fields). */
  referrersApi = false;
  /** Refuse every delete, as a registry without storage.delete does. */
  refuseDeletes = false;
  /** Every delete attempted, in order. */
  readonly deleteAttempts: string[] = [];
  listTagsCalls = 0;
  /** Runs before each listTags answer, with the call number (1 = the first). */
  onListTags: ((call: number) => void) | undefined;

  constructor(readonly repository = 'registry.test/app') {}

  /** Stores an image or index (and everything under it), tagged when `tag` is given. */
  push(image: ImageOrIndex, tag?: string): string {
    for (const m of allManifests(image))
      this.manifests.set(m.digest, { bytes: m.manifest, mediaType: m.mediaType });
    for (const b of allBlobs(image)) this.blobs.set(b.digest, b.data);
    if (tag !== undefined) this.tags.set(tag, image.digest);
    return image.digest;
  }

  listTags(): Promise<Map<string, string>> {
    this.listTagsCalls++;
    this.onListTags?.(this.listTagsCalls);
    return Promise.resolve(new Map([...this.tags].sort(([a], [b]) => (a < b ? -1 : 1))));
  }

  fetchManifest(digest: string): Promise<ManifestFact> {
    return settle(() => {
      const err = this.fetchErrors.get(digest);
      if (err) throw err;
      const m = this.manifests.get(digest);
      if (!m) throw new NotFoundError(`manifest ${digest}: not found`);
      return { digest, size: m.bytes.length, manifest: parseManifest(m.bytes, m.mediaType) };
    });
  }

  fetchConfig(config: Descriptor): Promise<ConfigFact> {
    return settle(() => this.#config(config));
  }

  #config(config: Descriptor): ConfigFact {
    const err = this.configErrors.get(config.digest);
    if (err) throw err;
    const bytes = this.blobs.get(config.digest);
    if (!bytes) throw new NotFoundError(`blob ${config.digest}: not found`);
    const doc = JSON.parse(bytes.toString('utf8')) as { created?: string };
    return { digest: config.digest, created: doc.created };
  }

  listReferrers(subject: string): Promise<ReferrersFact | undefined> {
    return settle(() => this.#referrers(subject));
  }

  #referrers(subject: string): ReferrersFact | undefined {
    if (!this.referrersApi) return undefined;
    const descriptors: Descriptor[] = [];
    for (const [digest, m] of this.manifests) {
      const doc = JSON.parse(m.bytes.toString('utf8')) as {
        subject?: { digest: string };
        artifactType?: string;
      };
      if (doc.subject?.digest === subject) {
        descriptors.push({
          mediaType: m.mediaType,
          digest,
          size: m.bytes.length,
          ...(doc.artifactType ? { artifactType: doc.artifactType } : {}),
        });
      }
    }
    return { subject, descriptors };
  }

  deleteManifest(target: DeleteTarget): Promise<DeleteOutcome> {
    return settle(() => this.#delete(target));
  }

  #delete(target: DeleteTarget): DeleteOutcome {
    this.deleteAttempts.push(target.digest);
    if (this.refuseDeletes) {
      throw new DeleteUnsupportedError(
        `${this.repository}: this registry does not allow deletes (HTTP 405)`,
        405,
      );
    }
    const err = this.deleteErrors.get(target.digest);
    if (err) throw err;
    if (!this.manifests.delete(target.digest)) return 'absent';
    for (const [tag, digest] of [...this.tags]) if (digest === target.digest) this.tags.delete(tag);
    return 'deleted';
  }
}

/** A synchronous body as a promise: a throw becomes a rejection. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

export const serverError = (what: string): RegistryError =>
  new RegistryError(`${what}: HTTP 500 (internal error)`, 500);
