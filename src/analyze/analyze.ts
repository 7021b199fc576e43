/**
 * Reads one image through any ReadTarget and analyses it: every layer is streamed once (a few at
 * a time), the scans are merged in layer order into the image's filesystem, and dive's metrics,
 * our waste categories and (on request) the lint checks are computed from that one walk.
 */
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { CancelledError, IntegrityError, NotFoundError, UsageError } from '../errors.js';
import { fetchBlobBytes, type ReadTarget } from '../content/target.js';
import { selectManifest } from '../inspect/describe.js';
import { isConfigMediaType, layerInfo, type Compression } from '../oci/media-types.js';
import { formatPlatform, platformMatches } from '../oci/platform.js';
import { parseImageConfig, type Descriptor, type ImageConfig, type Platform } from '../oci/schema.js';
import { mapLimit } from '../util/concurrency.js';
import { layerCommands } from './dive-export.js';
import { buildDiveTrees, diveMetrics, type DiveMetrics, type DiveTree } from './efficiency.js';
import { mergeLayers, type MergedTree } from './file-tree.js';
import { LayerPool } from './layer-pool.js';
import { ByteBudget, layerLabel, scanLayer, type LayerScan, type ScanOptions } from './layer-reader.js';
import { findReclaimable, type ReclaimableReport } from './waste.js';
import { estimateZstd, zstdFor, type ZstdReport } from './zstd-estimate.js';

export interface AnalyzeOptions extends ScanOptions {
  /** Pick this child of a multi-platform index. */
  platform?: Platform;
  /** Layers streamed at once (default 3). */
  concurrency?: number;
  /**
   * Worker threads that scan layers (0: all on the calling thread). Default: one per core, at
   * most `concurrency`, for images of at least 16 MiB; never with `visit` or `capture` (functions
   * cannot cross into a worker).
   */
  threads?: number;
  /** Uncompressed bytes the whole image may expand to (default 64 GiB). */
  maxTotalBytes?: number;
  /** Items kept per waste category (default 50). */
  maxItems?: number;
  signal?: AbortSignal;
  /** Called as each layer finishes (in completion order). */
  onLayer?: (scan: LayerScan, finished: number, total: number) => void;
  /** Measure zstd -19 on the layers gzip -9 flagged (re-reads them; default true). */
  zstdEstimate?: boolean;
}

export const DEFAULT_MAX_TOTAL_BYTES = 64 * 1024 ** 3;

/** Below this many stored bytes, starting workers costs more than it saves. */
const THREADS_MIN_BYTES = 16 * 1024 * 1024;

function threadCount(opts: AnalyzeOptions, layers: readonly Descriptor[], concurrency: number): number {
  if (opts.visit || opts.capture) return 0;
  const wanted =
    opts.threads ??
    (layers.reduce((n, l) => n + l.size, 0) >= THREADS_MIN_BYTES ? availableParallelism() : 0);
  return Math.max(0, Math.min(Math.floor(wanted), concurrency, layers.length));
}

export interface LayerSummary {
  index: number;
  digest: string;
  mediaType: string;
  diffId: string;
  /** What the bytes are (read from their magic), and whether the media type said otherwise. */
  compression: Compression;
  compressionMismatch: boolean;
  storedBytes: number;
  uncompressedBytes: number;
  /** Σ of entry sizes (dive's layer size). */
  contentBytes: number;
  entries: number;
  whiteouts: number;
  opaqueDirs: number;
  /** The history entry's created_by, "/bin/sh -c " stripped, as dive shows it. */
  command: string;
}

export interface ImageAnalysis {
  /** Digest of the image manifest that was analysed (the platform child of an index). */
  digest: string;
  mediaType: string;
  platform?: string;
  configDigest: string;
  config: ImageConfig;
  layers: LayerSummary[];
  dive: DiveMetrics;
  reclaimable: ReclaimableReport;
  /** zstd -19 next to the gzip -9 findings (zstd-estimate.ts); absent when not asked for. */
  zstd?: ZstdReport;
  /** The raw material, for exports and lint. */
  scans: LayerScan[];
  tree: MergedTree;
  diveTrees: DiveTree[];
}

function isLayerMediaType(mediaType: string): boolean {
  return layerInfo(mediaType) !== undefined || /(^|[.+/])tar([.+;]|$)/.test(mediaType);
}

export async function analyzeImage(
  target: ReadTarget,
  reference: string,
  opts: AnalyzeOptions = {},
): Promise<ImageAnalysis> {
  const signal = opts.signal;
  const fetched = await selectManifest(target, reference, opts.platform, {
    requireImage: true,
    ...(signal ? { signal } : {}),
  });
  if (fetched.parsed.kind !== 'manifest') {
    throw new NotFoundError(`${target.name}:${reference} is an index, not an image`, {
      hint: 'pick one image with --platform os/arch',
    });
  }
  const manifest = fetched.parsed.manifest;
  if (!isConfigMediaType(manifest.config.mediaType)) {
    throw new UsageError(
      `${target.name}:${reference} is not a container image (config media type ${manifest.config.mediaType}${manifest.artifactType ? `, artifact type ${manifest.artifactType}` : ''})`,
      { hint: 'analyze reads container images; artifacts (signatures, SBOMs, charts) have no filesystem' },
    );
  }
  manifest.layers.forEach((l, i) => {
    if (!isLayerMediaType(l.mediaType)) {
      throw new UsageError(
        `layer ${i + 1} of ${target.name}:${reference} has media type ${l.mediaType}, not an image layer`,
      );
    }
  });
  const config = parseImageConfig(
    await fetchBlobBytes(target, manifest.config, 4 * 1024 * 1024, signal),
    `config ${manifest.config.digest}`,
  );
  const own = {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {}),
  };
  if (opts.platform && fetched.parsed.kind === 'manifest' && !platformMatches(opts.platform, own)) {
    throw new NotFoundError(
      `${target.name}:${reference} is a single ${formatPlatform(own)} image, not ${formatPlatform(opts.platform)}`,
    );
  }

  // One failed layer stops the others' downloads.
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const budget = new ByteBudget(opts.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES);
  // Targets that ignore the signal (a layout on disk) get their streams closed directly.
  const open = new Set<Readable>();
  let failed = false;
  let finished = 0;
  let scans: LayerScan[];
  const concurrency = opts.concurrency ?? 3;
  const threads = threadCount(opts, manifest.layers, concurrency);
  const pool = threads > 0 ? LayerPool.create(threads) : undefined;
  const portable = {
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.hashFiles !== undefined ? { hashFiles: opts.hashFiles } : {}),
    ...(opts.allowAbsolutePaths !== undefined ? { allowAbsolutePaths: opts.allowAbsolutePaths } : {}),
    ...(opts.allowEscapingSymlinks !== undefined
      ? { allowEscapingSymlinks: opts.allowEscapingSymlinks }
      : {}),
    ...(opts.compressionSample !== undefined ? { compressionSample: opts.compressionSample } : {}),
  };
  try {
    scans = await mapLimit(manifest.layers, concurrency, async (desc: Descriptor, index) => {
      const ref = { index, digest: desc.digest, mediaType: desc.mediaType, size: desc.size };
      if (failed) throw new CancelledError(`${layerLabel(ref)}: not read, another layer failed`);
      const source = target.fetchBlob(desc, controller.signal);
      open.add(source);
      try {
        const scan = pool
          ? await pool.scan(source, ref, portable, budget)
          : await scanLayer(source, ref, { ...opts, budget });
        finished++;
        opts.onLayer?.(scan, finished, manifest.layers.length);
        return scan;
      } catch (err) {
        if (!failed) {
          failed = true;
          controller.abort(err);
          for (const other of open) if (other !== source) other.destroy();
        }
        throw err;
      } finally {
        open.delete(source);
      }
    });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await pool?.close();
  }

  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length === scans.length) {
    for (const scan of scans) {
      const expected = diffIds[scan.index];
      if (expected !== undefined && expected !== scan.diffId) {
        throw new IntegrityError(
          `${layerLabel(scan)}: its uncompressed content is ${scan.diffId}, but the config lists ${expected}`,
          { hint: 'the image config does not describe this layer; the image is corrupt' },
        );
      }
    }
  }

  const tree = mergeLayers(scans);
  const diveTrees = buildDiveTrees(scans);
  const dive = diveMetrics(diveTrees);
  const reclaimable = findReclaimable(
    scans,
    tree,
    opts.maxItems === undefined ? {} : { maxItems: opts.maxItems },
  );
  const zstd =
    opts.zstdEstimate === false
      ? undefined
      : await estimateZstd(target, manifest.layers, reclaimable.compression, {
          ...(opts.compressionSample !== undefined ? { compressionSample: opts.compressionSample } : {}),
          ...(signal ? { signal } : {}),
        });
  const commands = layerCommands(config, scans.length);
  const platform = fetched.descriptor.platform
    ? formatPlatform(fetched.descriptor.platform)
    : formatPlatform({
        os: config.os,
        architecture: config.architecture,
        variant: config.variant ?? undefined,
      });

  return {
    digest: fetched.descriptor.digest,
    mediaType: fetched.descriptor.mediaType,
    platform,
    configDigest: manifest.config.digest,
    config,
    layers: scans.map((s, i) => ({
      index: s.index,
      digest: s.digest,
      mediaType: s.mediaType,
      diffId: s.diffId,
      compression: s.compression,
      compressionMismatch: s.declaredCompression !== undefined && s.declaredCompression !== s.compression,
      storedBytes: s.size,
      uncompressedBytes: s.uncompressedSize,
      contentBytes: s.contentSize,
      entries: s.entries.length,
      whiteouts: s.whiteouts.length,
      opaqueDirs: s.opaqueDirs.length,
      command: commands[i] ?? '(missing)',
    })),
    dive,
    reclaimable,
    ...(zstd ? { zstd } : {}),
    scans,
    tree,
    diveTrees,
  };
}

/** The stable, JSON-friendly part of an analysis (what `analyze --json` prints). */
export function analysisSummary(a: ImageAnalysis) {
  return {
    digest: a.digest,
    mediaType: a.mediaType,
    ...(a.platform ? { platform: a.platform } : {}),
    configDigest: a.configDigest,
    layers: a.layers,
    efficiency: a.dive.efficiency,
    sizeBytes: a.dive.sizeBytes,
    userSizeBytes: a.dive.userSizeBytes,
    wastedBytes: a.dive.wastedBytes,
    reclaimableBytes: a.dive.reclaimableBytes,
    userWastedPercent: Number.isFinite(a.dive.userWastedPercent) ? a.dive.userWastedPercent : null,
    inefficiencies: a.dive.inefficiencies.map((x) => ({
      ...x,
      reclaimableBytes: x.cumulativeSize - x.minSize,
    })),
    reclaimable: {
      ...a.reclaimable,
      // Each finding carries the zstd figure next to gzip's; null when it was not measured.
      compression: a.reclaimable.compression.map((f) => ({
        ...f,
        estimatedZstdBytes: zstdFor(a.zstd, f.layer)?.estimatedBytes ?? null,
        zstdSavingBytes: zstdFor(a.zstd, f.layer)?.savingBytes ?? null,
      })),
      ...(a.zstd
        ? {
            zstd: a.zstd.available
              ? {
                  available: true,
                  level: a.zstd.level,
                  savingBytes: a.zstd.savingBytes,
                  failed: a.zstd.failed,
                }
              : { available: false, level: a.zstd.level, reason: a.zstd.reason },
          }
        : {}),
    },
  };
}
