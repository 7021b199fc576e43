/**
 * The one interface every engine reads and writes through. A registry repository and an OCI
 * layout directory both implement it, so inspect, copy, retention and analysis never care where
 * content lives. Kept small on purpose: resolve + fetch to read, push + tag to write.
 */
import type { Readable } from 'node:stream';
import { readSmallBlob, type BlobSource, type FetchedManifest } from '../oci/content.js';
import type { Descriptor } from '../oci/schema.js';

export type { BlobSource, FetchedManifest };

export interface ReadTarget {
  /** Human name for messages: `ghcr.io/o/app`, `oci:/tmp/layout`. */
  readonly name: string;
  /** A tag or digest to the descriptor of the manifest or index it names. */
  resolve(reference: string, signal?: AbortSignal): Promise<Descriptor>;
  /** A manifest or index by tag, digest or descriptor; digest-verified and schema-validated. */
  fetchManifest(reference: string | Descriptor, signal?: AbortSignal): Promise<FetchedManifest>;
  /** A blob as a stream that errors unless its digest and size match the descriptor. */
  fetchBlob(desc: Descriptor, signal?: AbortSignal): Readable;
  /** Whether a blob or manifest is present. */
  exists(desc: Descriptor, signal?: AbortSignal): Promise<boolean>;
  tags(signal?: AbortSignal): Promise<string[]>;
}

export interface PushBlobOptions {
  signal?: AbortSignal;
  /** Where the blob is read from: a registry target may mount it from there instead of uploading. */
  from?: ReadTarget;
}

/** What a push did: sent the bytes, mounted them from another repository, or found them present. */
export type PushBlobOutcome = 'uploaded' | 'mounted' | 'exists';

export interface WriteTarget {
  pushBlob(desc: Descriptor, source: BlobSource, opts?: PushBlobOptions): Promise<PushBlobOutcome>;
  /** Stores a manifest (by digest) and, when `tag` is given, points the tag at it. */
  pushManifest(bytes: Uint8Array, mediaType: string, tag?: string, signal?: AbortSignal): Promise<Descriptor>;
}

export type Target = ReadTarget & WriteTarget;

/** Reads a whole (small) blob through a target, refusing more than `limit` bytes. */
export function fetchBlobBytes(
  target: ReadTarget,
  desc: Descriptor,
  limit = 4 * 1024 * 1024,
  signal?: AbortSignal,
): Promise<Buffer> {
  return readSmallBlob(desc, limit, () => target.fetchBlob(desc, signal));
}
