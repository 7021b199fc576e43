/**
 * What pulling an image costs: config plus compressed layers, per platform. The budget applies to
 * the largest platform, since that is what some host will download.
 */
import type { ReadTarget } from '../content/target.js';
import type { ImageManifest } from '../oci/schema.js';
import { formatPlatform } from '../oci/platform.js';

export interface PlatformSize {
  platform: string;
  digest: string;
  bytes: number;
}

export function manifestBytes(m: ImageManifest): number {
  return m.config.size + m.layers.reduce((n, l) => n + l.size, 0);
}

/** Sizes of every image an index names (attestation manifests excluded), or of the single image. */
export async function imageSizes(
  target: ReadTarget,
  reference: string,
  signal?: AbortSignal,
): Promise<PlatformSize[]> {
  const top = await target.fetchManifest(reference, signal);
  if (top.parsed.kind === 'manifest') {
    return [{ platform: 'single', digest: top.descriptor.digest, bytes: manifestBytes(top.parsed.manifest) }];
  }
  const out: PlatformSize[] = [];
  for (const child of top.parsed.index.manifests) {
    // buildx attaches provenance as unknown/unknown children; they are not pulled to run anything.
    if (child.platform?.os === 'unknown') continue;
    const m = await target.fetchManifest(child, signal);
    if (m.parsed.kind !== 'manifest') continue;
    out.push({
      platform: child.platform ? formatPlatform(child.platform) : 'unknown',
      digest: child.digest,
      bytes: manifestBytes(m.parsed.manifest),
    });
  }
  return out;
}
