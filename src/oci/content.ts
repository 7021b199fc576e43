/** Content shapes shared by every source and sink (registry, OCI layout, archive). */
import type { Readable } from 'node:stream';
import { IntegrityError } from '../errors.js';
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
  /**
   * The stream already errors unless its bytes match the descriptor (a Target's `fetchBlob`
   * does), so a sink need not hash it a second time.
   */
  verified?: boolean;
}

/**
 * Reads a whole small blob (a config, an artifact) from a verified stream, refusing up front
 * when the descriptor says it is larger than `limit`: the verifier then stops any excess.
 */
export async function readSmallBlob(
  desc: Pick<Descriptor, 'digest' | 'size'>,
  limit: number,
  open: () => Readable,
): Promise<Buffer> {
  if (desc.size > limit) {
    throw new IntegrityError(
      `blob ${desc.digest} is ${desc.size} bytes, over the ${limit}-byte limit for this read`,
    );
  }
  const chunks: Buffer[] = [];
  for await (const c of open() as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}
