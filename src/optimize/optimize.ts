/**
 * `optimize-images --apply`: rewrites an image (each platform of an index) into a new one, writes
 * it to a Target by digest, reads it back and compares its final filesystem with the source's,
 * and only then tags it. Squash mode writes one layer holding the final tree minus the stripped
 * paths (files deleted or replaced by later layers are simply not in it); keep-layers mode only
 * recompresses each layer, byte for byte the same tar.
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeImage, type ImageAnalysis } from '../analyze/analyze.js';
import { createDecompressor } from '../analyze/decompress.js';
import { fetchBlobBytes, type ReadTarget, type Target } from '../content/target.js';
import { IntegrityError, UsageError } from '../errors.js';
import { computeDigest } from '../oci/digest.js';
import { isConfigMediaType } from '../oci/media-types.js';
import { formatPlatform } from '../oci/platform.js';
import type { FetchedManifest } from '../content/target.js';
import type { Descriptor } from '../oci/schema.js';
import { compressToFile, formatCompression, type CompressedBlob, type CompressionSpec } from './compress.js';
import {
  configMediaType,
  familyOf,
  indexDocument,
  layerMediaType,
  manifestDocument,
  manifestMediaType,
  rewriteConfig,
} from './documents.js';
import { planSquash } from './plan.js';
import { squashTar } from './squash-tar.js';
import { ContentSpool } from './spool.js';
import type { StripRule } from './strip.js';
import { compareTrees, describeDifference, normalTree, type NormalEntry } from './tree-compare.js';

export interface OptimizeOptions {
  /** Default: caches. */
  strip?: readonly StripRule[];
  /** Recompress each layer instead of squashing (nothing is stripped). */
  keepLayers?: boolean;
  /** Default gzip level 9. */
  compression?: CompressionSpec;
  /** Layers read at once. */
  concurrency?: number;
  /** Where spooled content and new layers are kept while the rewrite runs (default: os.tmpdir()). */
  tmpDir?: string;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** For tests: alter the squashed tar after it is built (as a writer bug would). */
  testHooks?: { tamperLayerTar?: (tar: AsyncIterable<Buffer>) => AsyncIterable<Buffer> };
}

export interface ImageSizes {
  layers: number;
  /** Σ layer blob sizes, as stored and pulled. */
  compressedBytes: number;
  /** Σ uncompressed layer tar sizes. */
  uncompressedBytes: number;
}

export interface StripSummary {
  rule: StripRule;
  /** Paths removed (files, links and emptied directories). */
  paths: number;
  /** Bytes of regular files removed. */
  bytes: number;
}

export interface PlatformOutcome {
  platform: string;
  sourceDigest: string;
  digest: string;
  mediaType: string;
  before: ImageSizes;
  after: ImageSizes;
  stripped: StripSummary[];
  /** Hard links written as copies (their target was stripped or changed later). */
  copiedHardLinks: number;
}

export interface OptimizeResult {
  sourceDigest: string;
  digest: string;
  mediaType: string;
  size: number;
  /** The tag written after verification, if one was asked for. */
  tag?: string;
  mode: 'squash' | 'keep-layers';
  compression: string;
  platforms: PlatformOutcome[];
  /** Index children not carried over (attestations of the old images, artifacts). */
  dropped: { digest: string; reason: string }[];
  before: ImageSizes;
  after: ImageSizes;
  savedBytes: number;
  savedPercent: number;
  verified: true;
}

interface Rewritten {
  descriptor: Descriptor;
  expected: Map<string, NormalEntry>;
  diffIds: string[];
  outcome: PlatformOutcome;
}

const DEFAULT_COMPRESSION: CompressionSpec = { algorithm: 'gzip', level: 9 };

function isAttestation(d: Descriptor): boolean {
  return (
    d.platform?.os === 'unknown' || d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'
  );
}

const sum = (xs: number[]): number => xs.reduce((n, x) => n + x, 0);

function addSizes(list: ImageSizes[]): ImageSizes {
  return {
    layers: sum(list.map((s) => s.layers)),
    compressedBytes: sum(list.map((s) => s.compressedBytes)),
    uncompressedBytes: sum(list.map((s) => s.uncompressedBytes)),
  };
}

export async function optimizeImage(
  src: ReadTarget,
  srcRef: string,
  dst: Target,
  dstTag: string | undefined,
  opts: OptimizeOptions = {},
): Promise<OptimizeResult> {
  const signal = opts.signal;
  const compression = opts.compression ?? DEFAULT_COMPRESSION;
  const progress = opts.onProgress ?? (() => undefined);
  const root = await src.fetchManifest(srcRef, signal);
  const work = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'ghcr-optimize-rewrite-'));
  try {
    const dropped: OptimizeResult['dropped'] = [];
    const rewritten: Rewritten[] = [];
    const children = root.parsed.kind === 'index' ? root.parsed.index.manifests : [root.descriptor];
    for (const [i, child] of children.entries()) {
      if (isAttestation(child)) {
        dropped.push({ digest: child.digest, reason: 'attestation of the source image' });
        continue;
      }
      const dir = join(work, `image-${i}`);
      await mkdir(dir);
      const r = await rewriteImage(src, child, dst, dir, compression, opts, progress);
      if (r) rewritten.push(r);
      else dropped.push({ digest: child.digest, reason: 'not a container image' });
      await rm(dir, { recursive: true, force: true });
    }
    if (rewritten.length === 0) {
      throw new UsageError(`${src.name}:${srcRef} has no container image to optimize`);
    }

    // The index (if any) is written by digest too: nothing is tagged before verification.
    let digest = rewritten[0]!.descriptor.digest;
    if (root.parsed.kind === 'index') {
      const top = indexDocument(
        rewritten.map((r) => r.descriptor),
        root.parsed.index.annotations,
      );
      digest = (await dst.pushManifest(top.bytes, top.mediaType, undefined, signal)).digest;
    }

    for (const r of rewritten) await verifyImage(dst, r, opts, progress);
    const written = await dst.fetchManifest(digest, signal);
    if (dstTag !== undefined) {
      progress(`tagging ${dst.name}:${dstTag}`);
      await dst.pushManifest(written.bytes, written.descriptor.mediaType, dstTag, signal);
    }

    const before = addSizes(rewritten.map((r) => r.outcome.before));
    const after = addSizes(rewritten.map((r) => r.outcome.after));
    const savedBytes = before.compressedBytes - after.compressedBytes;
    return {
      sourceDigest: root.descriptor.digest,
      digest,
      mediaType: written.descriptor.mediaType,
      size: written.bytes.length,
      ...(dstTag !== undefined ? { tag: dstTag } : {}),
      mode: opts.keepLayers ? 'keep-layers' : 'squash',
      compression: formatCompression(compression),
      platforms: rewritten.map((r) => r.outcome),
      dropped,
      before,
      after,
      savedBytes,
      savedPercent: before.compressedBytes > 0 ? (savedBytes / before.compressedBytes) * 100 : 0,
      verified: true,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** One image: read, build, write by digest. Undefined when `desc` is not a container image. */
async function rewriteImage(
  src: ReadTarget,
  desc: Descriptor,
  dst: Target,
  dir: string,
  compression: CompressionSpec,
  opts: OptimizeOptions,
  progress: (m: string) => void,
): Promise<Rewritten | undefined> {
  const signal = opts.signal;
  const fetched: FetchedManifest = await src.fetchManifest(desc, signal);
  if (fetched.parsed.kind !== 'manifest' || !isConfigMediaType(fetched.parsed.manifest.config.mediaType)) {
    return undefined;
  }
  const manifest = fetched.parsed.manifest;
  const label = desc.platform ? formatPlatform(desc.platform) : desc.digest.slice(0, 19);
  progress(`reading ${label} (${manifest.layers.length} layers)`);
  const spool = new ContentSpool(dir);
  try {
    const analysis = await analyzeImage(src, desc.digest, {
      concurrency: opts.concurrency ?? 3,
      compressionSample: 0,
      ...(signal ? { signal } : {}),
      ...(opts.keepLayers ? {} : { visit: spool.visit }),
    });
    const configBytes = await fetchBlobBytes(src, manifest.config, 4 * 1024 * 1024, signal);
    const family = familyOf(fetched.descriptor.mediaType, compression);
    const mediaType = layerMediaType(family, compression);

    let blobs: CompressedBlob[];
    let expected: Map<string, NormalEntry>;
    let config: Buffer;
    let stripped: StripSummary[] = [];
    let copiedHardLinks = 0;
    if (opts.keepLayers) {
      blobs = await recompressLayers(src, analysis, dir, compression, signal, progress);
      expected = normalTree(analysis.scans, analysis.tree);
      config = configBytes; // the tars, and so the diff_ids, are unchanged
    } else {
      const rules = opts.strip ?? ['caches'];
      const plan = planSquash(analysis.scans, analysis.tree, rules);
      progress(
        `writing one layer for ${label} (${plan.entries.length} entries, ${plan.stripped.length} stripped)`,
      );
      let tar: AsyncIterable<Buffer> = squashTar(plan.entries, spool);
      if (opts.testHooks?.tamperLayerTar) tar = opts.testHooks.tamperLayerTar(tar);
      blobs = [await compressToFile(tar, compression, join(dir, 'squashed.layer'), signal)];
      expected = plan.expected;
      const what = `squashed ${manifest.layers.length} layer${manifest.layers.length === 1 ? '' : 's'}`;
      const strippedNote = rules.length > 0 ? `, stripped ${rules.join(', ')}` : '';
      config = rewriteConfig(
        configBytes,
        blobs.map((b) => b.diffId),
        { createdBy: `ghcr-optimize optimize-images: ${what}${strippedNote}` },
      );
      stripped = rules
        .map((rule) => {
          const mine = plan.stripped.filter((s) => s.rule === rule);
          return { rule, paths: mine.length, bytes: sum(mine.map((s) => s.size)) };
        })
        .filter((s) => s.paths > 0);
      copiedHardLinks = plan.copiedLinks.length;
    }
    await spool.close();

    const layers: Descriptor[] = blobs.map((b) => ({ mediaType, digest: b.digest, size: b.size }));
    for (const [i, b] of blobs.entries()) {
      await dst.pushBlob(
        layers[i]!,
        { size: b.size, open: () => createReadStream(b.file) },
        signal ? { signal } : {},
      );
    }
    const configDesc: Descriptor = {
      mediaType: configMediaType(family),
      digest: computeDigest(config),
      size: config.length,
    };
    await dst.pushBlob(configDesc, { size: config.length, open: () => config }, signal ? { signal } : {});
    const bytes = manifestDocument(family, configDesc, layers, manifest.annotations);
    const pushed = await dst.pushManifest(bytes, manifestMediaType(family), undefined, signal);
    const platform = analysis.platform ?? label;
    return {
      descriptor: {
        mediaType: pushed.mediaType,
        digest: pushed.digest,
        size: pushed.size,
        ...(desc.platform ? { platform: desc.platform } : {}),
        ...(desc.annotations ? { annotations: desc.annotations } : {}),
      },
      expected,
      diffIds: blobs.map((b) => b.diffId),
      outcome: {
        platform,
        sourceDigest: desc.digest,
        digest: pushed.digest,
        mediaType: pushed.mediaType,
        before: sizesOf(analysis),
        after: {
          layers: blobs.length,
          compressedBytes: sum(blobs.map((b) => b.size)),
          uncompressedBytes: sum(blobs.map((b) => b.uncompressedSize)),
        },
        stripped,
        copiedHardLinks,
      },
    };
  } finally {
    await spool.close();
  }
}

function sizesOf(a: ImageAnalysis): ImageSizes {
  return {
    layers: a.layers.length,
    compressedBytes: sum(a.layers.map((l) => l.storedBytes)),
    uncompressedBytes: sum(a.layers.map((l) => l.uncompressedBytes)),
  };
}

/** keep-layers: each layer decompressed and compressed again; its tar must not change. */
async function recompressLayers(
  src: ReadTarget,
  a: ImageAnalysis,
  dir: string,
  compression: CompressionSpec,
  signal: AbortSignal | undefined,
  progress: (m: string) => void,
): Promise<CompressedBlob[]> {
  const out: CompressedBlob[] = [];
  for (const l of a.layers) {
    progress(`recompressing layer ${l.index + 1} of ${a.layers.length}`);
    const source = src.fetchBlob({ mediaType: l.mediaType, digest: l.digest, size: l.storedBytes }, signal);
    const tar = source.pipe(createDecompressor(l.compression));
    source.once('error', (err) => tar.destroy(err));
    const blob = await compressToFile(tar, compression, join(dir, `layer-${l.index}.layer`), signal);
    if (blob.diffId !== l.diffId) {
      throw new IntegrityError(
        `layer ${l.index + 1}: recompressed content ${blob.diffId} differs from ${l.diffId}`,
      );
    }
    out.push(blob);
  }
  return out;
}

/** Reads the written image back from the destination and compares its final tree. */
async function verifyImage(
  dst: Target,
  r: Rewritten,
  opts: OptimizeOptions,
  progress: (m: string) => void,
): Promise<void> {
  progress(`verifying ${r.outcome.platform} (${r.descriptor.digest.slice(0, 19)})`);
  let written: ImageAnalysis;
  try {
    written = await analyzeImage(dst, r.descriptor.digest, {
      concurrency: opts.concurrency ?? 3,
      compressionSample: 0,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    throw new IntegrityError(
      `verification failed: the written ${r.outcome.platform} image cannot be read back: ${(err as Error).message}`,
      { hint: 'nothing was tagged', cause: err },
    );
  }
  const diffIds = written.layers.map((l) => l.diffId);
  if (diffIds.join() !== r.diffIds.join()) {
    throw new IntegrityError(
      `verification failed: the written ${r.outcome.platform} image has other layers than were built`,
      {
        hint: 'nothing was tagged',
      },
    );
  }
  const diffs = compareTrees(r.expected, normalTree(written.scans, written.tree));
  if (diffs.length > 0) {
    const shown = diffs.slice(0, 5).map(describeDifference).join('; ');
    throw new IntegrityError(
      `verification failed: the written ${r.outcome.platform} image differs from the source in ${diffs.length} path${diffs.length === 1 ? '' : 's'}: ${shown}${diffs.length > 5 ? '; …' : ''}`,
      { hint: 'nothing was tagged; the blobs written by digest are unreferenced' },
    );
  }
}
