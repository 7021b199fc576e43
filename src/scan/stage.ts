/**
 * Stages one image for trivy as an OCI layout in a temporary directory: we pull it (with our own
 * credentials, CA files and insecure-host settings, through the shared blob cache), trivy only
 * reads files. Trivy's `--input DIR` takes the first manifest of `index.json` and ignores
 * `--platform`, so the layout holds exactly one image: the platform asked for.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, UsageError } from '../errors.js';
import { OciLayoutTarget } from '../content/oci-layout.js';
import type { ReadTarget } from '../content/target.js';
import type { Descriptor, Platform } from '../oci/schema.js';
import { formatPlatform, platformMatches } from '../oci/platform.js';
import { copyImage } from '../transfer/copy.js';
import { pullImage } from '../transfer/pull.js';

export interface StagedImage {
  /** The OCI layout trivy reads (`trivy image --input DIR`). */
  dir: string;
  /** Digest of the one image manifest in the layout. */
  digest: string;
  /** Its platform, when the source was a multi-platform index. */
  platform?: string;
  /** Removes the temporary directory (idempotent). */
  remove(): Promise<void>;
}

export interface StageOptions {
  /** The platform to stage from an index; default: the one `trivy image` picks (see defaultChild). */
  platform?: Platform;
  /** Pull through this blob cache (registry sources); without it the image is copied directly. */
  cacheDir?: string;
  concurrency?: number;
  signal?: AbortSignal;
  /** Parent of the temporary directory; default the OS temp dir. */
  tempRoot?: string;
}

const TAG = 'scan';

function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] !== undefined;
}

/**
 * The child `trivy image REF` scans when no --platform is given: go-containerregistry's default,
 * linux/amd64, and otherwise (where trivy would fail) the index's first image.
 */
export function defaultChild(manifests: Descriptor[]): Descriptor | undefined {
  const images = manifests.filter((d) => !isAttestation(d));
  return images.find((d) => platformMatches({ os: 'linux', architecture: 'amd64' }, d.platform)) ?? images[0];
}

/**
 * Trivy splits its `--input` value at the first "@" (digest) or ":" (tag) to select an image in a
 * layout, so a directory whose path holds either cannot be named at all.
 */
export function checkTrivyInputPath(dir: string): void {
  if (/[:@]/.test(dir)) {
    throw new UsageError(
      `trivy cannot read an OCI layout at ${dir}: it takes ":" and "@" in --input for a tag or digest`,
      { hint: 'set TMPDIR to a directory whose path has neither ":" nor "@"' },
    );
  }
}

/** Copies (or pulls) one image of `ref` in `src` into a fresh temporary OCI layout. */
export async function stageImage(
  src: ReadTarget,
  ref: string,
  opts: StageOptions = {},
): Promise<StagedImage> {
  const root = await mkdtemp(join(opts.tempRoot ?? tmpdir(), 'ghcr-optimize-scan-'));
  const remove = (): Promise<void> => rm(root, { recursive: true, force: true });
  try {
    const dir = join(root, 'layout');
    checkTrivyInputPath(dir);
    // Local layouts read without looking at the signal: an interrupt before we start is honoured here.
    if (opts.signal?.aborted) throw new CancelledError('scan interrupted');
    let platform = opts.platform;
    if (!platform) {
      const top = await src.fetchManifest(ref, opts.signal);
      if (top.parsed.kind === 'index') platform = defaultChild(top.parsed.index.manifests)?.platform;
    }
    const dst = await OciLayoutTarget.open(dir, { create: true });
    const common = {
      ...(platform ? { platforms: [platform] } : {}),
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    const result = opts.cacheDir
      ? await pullImage(src, ref, dst, TAG, { ...common, cacheDir: opts.cacheDir })
      : await copyImage(src, dst, ref, TAG, common);
    return {
      dir,
      digest: result.digest,
      ...(platform && result.sourceDigest !== result.digest ? { platform: formatPlatform(platform) } : {}),
      remove,
    };
  } catch (err) {
    await remove();
    throw err;
  }
}
