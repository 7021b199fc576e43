/** Content shapes shared by every source and sink (registry, OCI layout, archive). */
import type { Readable } from 'node:stream';
import type { Descriptor, ParsedManifest } from './schema.js';

export interface FetchedManifest {
  descriptor: Descriptor;
  /** The exact bytes: what was digested, and what a copy must write. */
  bytes: Buffer;
  parsed: ParsedManifest;
}

export interface BlobSource {
  size: number;
  /** Opens the content from the start; called again for each retry or fallback. */
  open(): Readable | AsyncIterable<Uint8Array> | Uint8Array;
}
