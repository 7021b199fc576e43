/**
 * Deterministic identity and time of a document, so the same image gives byte-identical SBOMs:
 * the serial number / namespace derive from the image digest and the format, the time from
 * SOURCE_DATE_EPOCH or the image's own creation time. Pure.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import { formatPurl } from './purl.js';
import type { ImageIdentity } from './types.js';

/** A UUID (RFC 9562 version 8, "custom") from a SHA-256 of `seed`. */
export function uuidFromSeed(seed: string): string {
  const b = createHash('sha256').update(seed).digest();
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** RFC 3339 in UTC without fractions: what SPDX's `created` asks for. */
export function formatTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * SOURCE_DATE_EPOCH (reproducible-builds.org) first, then the image config's `created`, then
 * now (only an image with no creation time at all gets a time that changes between runs).
 */
export function creationTime(
  sourceDateEpoch: string | undefined,
  imageCreated: string | null | undefined,
  now: Date,
): string {
  if (sourceDateEpoch !== undefined && sourceDateEpoch.trim() !== '') {
    const s = sourceDateEpoch.trim();
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s)) || Number(s) > 253402300799) {
      throw new UsageError(
        `SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, got "${sourceDateEpoch}"`,
        {
          hint: 'e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)',
        },
      );
    }
    return formatTimestamp(new Date(Number(s) * 1000));
  }
  if (imageCreated) {
    const t = Date.parse(imageCreated);
    if (Number.isFinite(t)) return formatTimestamp(new Date(t));
  }
  return formatTimestamp(now);
}

/** `pkg:oci/app@sha256:…?arch=amd64&repository_url=ghcr.io/o/app`, as Trivy and Syft name images. */
export function imagePurl(image: ImageIdentity): string {
  const repo = image.repository;
  return formatPurl({
    type: 'oci',
    name: image.shortName.toLowerCase(),
    version: image.digest,
    qualifiers: { arch: image.architecture, repository_url: repo },
  });
}
