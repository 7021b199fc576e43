/**
 * An SBOM of one image read through any ReadTarget: the analysis walk streams every layer once,
 * keeping only the package databases and os-release (capture hook), merges the layers into the
 * final filesystem, and the packages are read from that.
 */
import { analyzeImage } from '../analyze/analyze.js';
import type { ReadTarget } from '../content/target.js';
import type { ImageConfig, Platform } from '../oci/schema.js';
import { isSbomSource, MAX_DATABASE_BYTES } from './capture.js';
import { collectPackages } from './collect.js';
import { toCycloneDx } from './cyclonedx.js';
import { toSpdx } from './spdx.js';
import type { RenderOptions, Sbom } from './types.js';

export const SBOM_FORMATS = ['spdx-json', 'cyclonedx-json'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

export interface SbomOptions {
  platform?: Platform;
  /** Layers streamed at once (default 3). */
  concurrency?: number;
  signal?: AbortSignal;
}

/** How the image is named in the document (the caller knows how the user wrote it). */
export interface ImageNaming {
  name: string;
  shortName: string;
  repository?: string;
}

export async function buildSbom(
  target: ReadTarget,
  reference: string,
  naming: ImageNaming,
  opts: SbomOptions = {},
): Promise<{ sbom: Sbom; config: ImageConfig }> {
  const analysis = await analyzeImage(target, reference, {
    ...(opts.platform ? { platform: opts.platform } : {}),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    capture: isSbomSource,
    hashFiles: false,
    compressionSample: 0,
    limits: { maxCapturedFileBytes: MAX_DATABASE_BYTES },
  });
  const { os, packages, warnings } = collectPackages(analysis.tree, analysis.scans);
  const sbom: Sbom = {
    image: {
      name: naming.name,
      shortName: naming.shortName,
      ...(naming.repository ? { repository: naming.repository } : {}),
      digest: analysis.digest,
      configDigest: analysis.configDigest,
      ...(analysis.platform ? { platform: analysis.platform } : {}),
      ...(analysis.config.architecture ? { architecture: analysis.config.architecture } : {}),
    },
    ...(os ? { os } : {}),
    packages,
    warnings,
  };
  return { sbom, config: analysis.config };
}

/** The document as written to disk: two-space JSON and a final newline. */
export function renderSbom(sbom: Sbom, format: SbomFormat, opts: RenderOptions): string {
  const doc = format === 'spdx-json' ? toSpdx(sbom, opts) : toCycloneDx(sbom, opts);
  return `${JSON.stringify(doc, null, 2)}\n`;
}
