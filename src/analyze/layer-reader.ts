/**
 * One pass over a layer blob, streamed: detect the compression from magic bytes, decompress,
 * parse the tar (ustar, pax, GNU long names) and record every entry's metadata; optionally hash
 * file contents and keep the bytes of a few small, known files (/etc/passwd, …) for lint.
 * Nothing is written to disk and no file body is held in memory beyond those small captures.
 *
 * Hostile input is refused with an IntegrityError naming the layer and the entry: "..", absolute
 * names, links whose target leaves the root, names or pax headers over a limit, more entries or
 * more bytes than the limits allow, truncated or corrupt archives.
 */
import { createHash, hash as hashOnce, type Hash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { IntegrityError, isGhcrOptimizeError } from '../errors.js';
import { layerInfo, type Compression } from '../oci/media-types.js';
import { createDecompressor, detectCompression, zstdWindowSize } from './decompress.js';
import { GzipSampler, DEFAULT_SAMPLE_BUDGET, type Gzip9Estimate } from './gzip-estimate.js';
import { basename, classifyWhiteout, normaliseEntryPath, symlinkEscapes } from './paths.js';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';

export interface LayerEntry {
  /** Normalised: relative to the root, no leading "/" or "./", e.g. "etc/passwd". */
  path: string;
  type: EntryType;
  /** The tar typeflag byte ('0' = 48 …), as dive reports it. */
  typeFlag: number;
  /** Bytes of content in the tar (0 for directories, links and devices). */
  size: number;
  /** Permission bits with setuid (0o4000), setgid (0o2000) and sticky (0o1000). */
  mode: number;
  uid: number;
  gid: number;
  /** Symlink target as written; hard-link target normalised like a path. */
  linkTarget?: string;
  /** sha256 hex of the content, for regular files when hashing is on. */
  sha256?: string;
}

export interface WhiteoutEntry {
  /** The path this marker removes from lower layers. */
  target: string;
  /** The marker's own path (`dir/.wh.name`). */
  markerPath: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  typeFlag: number;
}

export interface LayerScan {
  index: number;
  digest: string;
  mediaType: string;
  /** Stored (compressed) size, from the descriptor. */
  size: number;
  /** What the media type claims; undefined for media types that are not layers. */
  declaredCompression: Compression | undefined;
  /** What the bytes are. */
  compression: Compression;
  /** sha256 of the uncompressed tar (the config's rootfs.diff_ids entry). */
  diffId: string;
  /** Bytes of the uncompressed tar stream. */
  uncompressedSize: number;
  /** Σ of entry sizes, whiteout markers included: dive's layer size. */
  contentSize: number;
  /** Entries in tar order, whiteout and `.wh..wh.` markers excluded. */
  entries: LayerEntry[];
  whiteouts: WhiteoutEntry[];
  /** Directories whose lower contents this layer hides (`.wh..wh..opq`). */
  opaqueDirs: string[];
  /** Paths of every `.wh..wh.*` marker (dive still creates their parent directories). */
  metaMarkers: string[];
  /** Contents of small captured files, by path (last version in this layer). */
  captured: Map<string, Buffer>;
  /** Captured-file candidates that were too large to keep, by path → size. */
  tooLargeToCapture: Map<string, number>;
  gzip9?: Gzip9Estimate;
}

export interface ScanLimits {
  /** Entries per layer. */
  maxEntries: number;
  /** Bytes of one entry name (after pax / GNU long names). */
  maxPathLength: number;
  /** Uncompressed tar bytes per layer. */
  maxLayerBytes: number;
  /** Largest file whose content is kept for lint. */
  maxCapturedFileBytes: number;
  /** Largest zstd window a frame may declare (fzstd allocates it). */
  maxZstdWindow: number;
}

export const DEFAULT_LIMITS: Readonly<ScanLimits> = {
  maxEntries: 1_000_000,
  maxPathLength: 4096,
  maxLayerBytes: 32 * 1024 ** 3,
  maxCapturedFileBytes: 1024 * 1024,
  maxZstdWindow: 512 * 1024 * 1024,
};

/**
 * A budget of uncompressed bytes shared by the layers of one image. The count lives in shared
 * memory so layers scanned in worker threads (layer-pool.ts) draw on the same budget.
 */
export class ByteBudget {
  readonly #cell: BigInt64Array;
  constructor(
    readonly limit: number,
    shared?: SharedArrayBuffer,
  ) {
    this.#cell = new BigInt64Array(shared ?? new SharedArrayBuffer(8), 0, 1);
  }
  take(n: number, what: string): void {
    const used = Number(Atomics.add(this.#cell, 0, BigInt(n))) + n;
    if (used > this.limit) {
      throw new IntegrityError(`${what}: the image expands to more than ${this.limit} bytes uncompressed`, {
        hint: 'a tar bomb, or a genuinely huge image: raise the limit (maxTotalBytes) if you trust it',
      });
    }
  }
  get used(): number {
    return Number(Atomics.load(this.#cell, 0));
  }
  /** The memory holding the count, to hand to a worker thread. */
  get shared(): SharedArrayBuffer {
    return this.#cell.buffer as SharedArrayBuffer;
  }
}

export interface ScanOptions {
  limits?: Partial<ScanLimits>;
  /** sha256 every regular file (duplicate detection). Default true. */
  hashFiles?: boolean;
  /** Which files to keep the bytes of (default: the account files and `.npmrc`). */
  capture?: (path: string) => boolean;
  /** Strip a leading "/" instead of refusing the entry. Default false. */
  allowAbsolutePaths?: boolean;
  /** Accept relative symlinks that climb above the root. Default false. */
  allowEscapingSymlinks?: boolean;
  /** Byte budget of the gzip -9 estimate; 0 turns it off. Default 4 MiB. */
  compressionSample?: number;
  /** Shared across the layers of one image. */
  budget?: ByteBudget;
  /**
   * Sees every entry (whiteouts and markers excluded) with its raw tar header; may return a sink
   * that receives a regular file's content as it streams (the image rewrite spools content this way).
   */
  visit?: (visit: EntryVisit) => ContentSink | undefined;
}

export interface EntryVisit {
  /** Index of the layer in the image. */
  layer: number;
  /** Position of the entry in `LayerScan.entries`. */
  ordinal: number;
  /** Without `sha256`: the content has not been read yet. */
  entry: LayerEntry;
  header: tar.Header;
}

export type ContentSink = (chunk: Buffer) => void | Promise<void>;

export interface LayerRef {
  index: number;
  digest: string;
  mediaType: string;
  size: number;
}

// os-release and debian_version identify the base image for recommendations (base-image.ts).
const CAPTURED_PATHS = new Set([
  'etc/passwd',
  'etc/shadow',
  'etc/group',
  'etc/master.passwd',
  'etc/os-release',
  'usr/lib/os-release',
  'etc/debian_version',
]);
const CAPTURED_NAMES = new Set(['.npmrc']);

export function defaultCapture(path: string): boolean {
  return CAPTURED_PATHS.has(path) || CAPTURED_NAMES.has(basename(path));
}

/** "layer 2 (sha256:0123456789ab)" for messages. */
export function layerLabel(layer: Pick<LayerRef, 'index' | 'digest'>): string {
  const [alg, hex = ''] = layer.digest.split(':');
  return `layer ${layer.index + 1} (${alg}:${hex.slice(0, 12)})`;
}

const TYPES: Record<string, { type: EntryType; flag: number }> = {
  file: { type: 'file', flag: 48 },
  'contiguous-file': { type: 'file', flag: 55 },
  link: { type: 'hardlink', flag: 49 },
  symlink: { type: 'symlink', flag: 50 },
  'character-device': { type: 'char', flag: 51 },
  'block-device': { type: 'block', flag: 52 },
  directory: { type: 'dir', flag: 53 },
  fifo: { type: 'fifo', flag: 54 },
};

function paxNumber(pax: unknown, key: string): number | undefined {
  if (typeof pax !== 'object' || pax === null) return undefined;
  const v = (pax as Record<string, unknown>)[key];
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** Reads all of a layer. `source` must already be digest-verified (ReadTarget.fetchBlob). */
export async function scanLayer(
  source: Readable,
  layer: LayerRef,
  opts: ScanOptions = {},
): Promise<LayerScan> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const label = layerLabel(layer);
  const hashFiles = opts.hashFiles ?? true;
  const capture = opts.capture ?? defaultCapture;
  const refuse = (what: string, hint?: string): never => {
    throw new IntegrityError(`${label}: ${what}`, hint ? { hint } : {});
  };

  const upstream = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headLength = 0;
  let ended = false;
  // Enough bytes for the gzip/zstd magic and a zstd frame header.
  while (headLength < 18) {
    const r = await upstream.next();
    if (r.done) {
      ended = true;
      break;
    }
    head.push(r.value);
    headLength += r.value.length;
  }
  const first = Buffer.concat(head);
  const compression = detectCompression(first);
  if (compression === 'zstd') {
    const window = zstdWindowSize(first);
    if (window !== undefined && window > limits.maxZstdWindow) {
      await upstream.return?.();
      refuse(
        `zstd frame asks for a ${window}-byte window (limit ${limits.maxZstdWindow})`,
        'recompress the layer without --long, or raise maxZstdWindow if you trust it',
      );
    }
  }

  // Failures of the source itself (network, digest mismatch, abort) are reported as they are.
  let sourceError: unknown;
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      if (first.length > 0) yield first;
      if (ended) return;
      // Input goes on in ~1 MiB batches: every chunk is one trip to zlib's thread pool, and at a
      // file stream's 64 KiB those trips cost more CPU than the inflating (on a busy machine, a
      // context switch each). Holds at most one batch per layer.
      let batch: Buffer[] = [];
      let batched = 0;
      for (;;) {
        let r: IteratorResult<Buffer>;
        try {
          r = await upstream.next();
        } catch (err) {
          sourceError = err;
          throw err;
        }
        if (r.done) break;
        batch.push(r.value);
        batched += r.value.length;
        if (batched >= INPUT_BATCH) {
          yield batch.length === 1 ? batch[0]! : Buffer.concat(batch, batched);
          batch = [];
          batched = 0;
        }
      }
      if (batched > 0) yield batch.length === 1 ? batch[0]! : Buffer.concat(batch, batched);
    } finally {
      await upstream.return?.();
    }
  }

  const decompressor = createDecompressor(compression);
  const compressed = Readable.from(replay(), { objectMode: false });
  const tarBytes = pipeline(compressed, decompressor, () => undefined);

  const diffHash = createHash('sha256');
  const expected = compression === 'none' ? layer.size : layer.size * 4;
  const sampleBudget = opts.compressionSample ?? DEFAULT_SAMPLE_BUDGET;
  const sampler = sampleBudget > 0 ? new GzipSampler(expected, sampleBudget) : undefined;
  let uncompressedSize = 0;

  const extract = tar.extract();
  const waitDrain = () =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        extract.off('drain', done);
        extract.off('close', done);
        resolve();
      };
      extract.on('drain', done);
      extract.on('close', done);
    });

  const feeding = (async (): Promise<unknown> => {
    try {
      for await (const chunk of tarBytes as AsyncIterable<Buffer>) {
        uncompressedSize += chunk.length;
        if (uncompressedSize > limits.maxLayerBytes) {
          throw new IntegrityError(
            `${label}: expands to more than ${limits.maxLayerBytes} bytes uncompressed (a tar bomb?)`,
            { hint: 'raise the limit (maxLayerBytes) if you trust this image' },
          );
        }
        opts.budget?.take(chunk.length, label);
        diffHash.update(chunk);
        sampler?.push(chunk);
        if (extract.destroyed) return undefined;
        if (!extract.write(chunk)) await waitDrain();
        if (extract.destroyed) return undefined;
      }
      extract.end(undefined);
      return undefined;
    } catch (err) {
      extract.destroy(err as Error);
      return err;
    }
  })();

  const entries: LayerEntry[] = [];
  const whiteouts: WhiteoutEntry[] = [];
  const opaqueDirs: string[] = [];
  const metaMarkers: string[] = [];
  const captured = new Map<string, Buffer>();
  const tooLargeToCapture = new Map<string, number>();
  let contentSize = 0;
  let count = 0;

  let failure: unknown;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      count++;
      if (count > limits.maxEntries) {
        refuse(
          `more than ${limits.maxEntries} entries (a tar bomb?)`,
          'raise the limit (maxEntries) if you trust this image',
        );
      }
      const rawName = h.name;
      const nameBytes = Buffer.byteLength(rawName);
      if (nameBytes > limits.maxPathLength) {
        refuse(
          `entry name of ${nameBytes} bytes exceeds the ${limits.maxPathLength}-byte limit: ${JSON.stringify(rawName.slice(0, 80))}…`,
        );
      }
      const norm = normaliseEntryPath(rawName, opts.allowAbsolutePaths ?? false);
      if (!norm.ok)
        refuse(
          `unsafe entry ${JSON.stringify(rawName)}: ${norm.problem}`,
          'the layer may be malicious; it was not analysed',
        );
      const path = norm.ok ? norm.path : '';
      const kind = TYPES[h.type ?? ''] ?? { type: 'other' as EntryType, flag: 0 };
      const size = Number.isFinite(h.size) && h.size > 0 ? h.size : 0;
      const uid = paxNumber(h.pax, 'uid') ?? h.uid ?? 0;
      const gid = paxNumber(h.pax, 'gid') ?? h.gid ?? 0;
      const mode = (h.mode ?? 0) & 0o7777;

      let linkTarget: string | undefined;
      const linkBytes = Buffer.byteLength(h.linkname ?? '');
      if (linkBytes > limits.maxPathLength) {
        refuse(
          `link target of ${JSON.stringify(rawName)} is ${linkBytes} bytes, over the ${limits.maxPathLength}-byte limit`,
        );
      }
      if (kind.type === 'symlink') {
        linkTarget = h.linkname ?? '';
        if (!(opts.allowEscapingSymlinks ?? false) && symlinkEscapes(path, linkTarget)) {
          refuse(
            `symlink ${JSON.stringify(rawName)} → ${JSON.stringify(linkTarget)} points outside the image root`,
            'the layer may be malicious; it was not analysed',
          );
        }
      } else if (kind.type === 'hardlink') {
        const t = normaliseEntryPath(h.linkname ?? '', opts.allowAbsolutePaths ?? false);
        if (!t.ok || t.path === '') {
          refuse(
            `hard link ${JSON.stringify(rawName)} → ${JSON.stringify(h.linkname ?? '')} points outside the image root${t.ok ? '' : ` (${t.problem})`}`,
            'the layer may be malicious; it was not analysed',
          );
        }
        linkTarget = t.ok ? t.path : '';
      }

      if (path === '') {
        // The root directory itself ("./"): dive skips it too.
        entry.resume();
        continue;
      }
      contentSize += size;

      const wh = classifyWhiteout(path);
      if (wh.kind !== 'none') {
        if (wh.kind === 'whiteout') {
          whiteouts.push({ target: wh.target, markerPath: path, size, mode, uid, gid, typeFlag: kind.flag });
        } else {
          metaMarkers.push(path);
          if (wh.kind === 'opaque') opaqueDirs.push(wh.dir);
        }
        entry.resume();
        continue;
      }

      const record: LayerEntry = { path, type: kind.type, typeFlag: kind.flag, size, mode, uid, gid };
      if (linkTarget !== undefined) record.linkTarget = linkTarget;
      const wantCapture = kind.type === 'file' && capture(path);
      if (wantCapture && size > limits.maxCapturedFileBytes) tooLargeToCapture.set(path, size);
      const keep = wantCapture && size <= limits.maxCapturedFileBytes;
      if (keep) captured.delete(path);
      const sink = opts.visit?.({ layer: layer.index, ordinal: entries.length, entry: record, header: h });
      if (kind.type === 'file' && size > 0 && !sink && (hashFiles || keep)) {
        const content = await drainEntry(entry as unknown as Readable, size, hashFiles, keep);
        if (content.sha256 !== undefined) record.sha256 = content.sha256;
        if (content.bytes) captured.set(path, content.bytes);
      } else if (kind.type === 'file' && size > 0 && (hashFiles || keep || sink)) {
        const hash = hashFiles ? createHash('sha256') : undefined;
        const parts: Buffer[] = [];
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          hash?.update(chunk);
          if (keep) parts.push(chunk);
          if (sink) await sink(chunk);
        }
        if (hash) record.sha256 = hash.digest('hex');
        if (keep) captured.set(path, Buffer.concat(parts));
      } else {
        if (kind.type === 'file' && hashFiles) record.sha256 = EMPTY_SHA256;
        if (keep) captured.set(path, Buffer.alloc(0));
        entry.resume();
      }
      entries.push(record);
    }
  } catch (err) {
    failure = err;
  }

  if (failure !== undefined) {
    extract.destroy();
    compressed.destroy();
    source.destroy();
  }
  const feedFailure = await feeding;
  if (failure === undefined && feedFailure !== undefined) failure = feedFailure;
  if (failure !== undefined) {
    sampler?.abort();
    throw failure === sourceError && failure instanceof Error ? failure : describeFailure(failure, label);
  }

  const gzip9 = sampler ? await sampler.finish() : undefined;
  const scan: LayerScan = {
    index: layer.index,
    digest: layer.digest,
    mediaType: layer.mediaType,
    size: layer.size,
    declaredCompression: layerInfo(layer.mediaType)?.compression,
    compression,
    diffId: `sha256:${diffHash.digest('hex')}`,
    uncompressedSize,
    contentSize,
    entries,
    whiteouts,
    opaqueDirs,
    metaMarkers,
    captured,
    tooLargeToCapture,
  };
  if (gzip9) scan.gzip9 = gzip9;
  return scan;
}

const INPUT_BATCH = 1024 * 1024;

/**
 * Reads one entry's content through events rather than async iteration (a promise per chunk and
 * an iterator per entry add up over tens of thousands of small files). A file that arrives as one
 * chunk, as most small files do, is hashed in one call.
 */
function drainEntry(
  entry: Readable,
  size: number,
  hashFiles: boolean,
  keep: boolean,
): Promise<{ sha256?: string; bytes?: Buffer }> {
  return new Promise((resolve, reject) => {
    let hash: Hash | undefined;
    let sha256: string | undefined;
    const parts: Buffer[] = [];
    let ended = false;
    entry.on('data', (chunk: Buffer) => {
      if (keep) parts.push(chunk);
      if (!hashFiles) return;
      if (hash) hash.update(chunk);
      else if (sha256 === undefined && chunk.length === size) sha256 = hashOnce('sha256', chunk, 'hex');
      else hash = createHash('sha256').update(chunk);
    });
    entry.once('end', () => {
      ended = true;
      if (hash) sha256 = hash.digest('hex');
      resolve({
        ...(sha256 !== undefined ? { sha256 } : {}),
        ...(keep ? { bytes: Buffer.concat(parts) } : {}),
      });
    });
    entry.once('error', reject);
    entry.once('close', () => {
      if (!ended) reject(new Error('premature close'));
    });
  });
}

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Our own errors pass through; zlib, fzstd and tar-stream failures become an IntegrityError. */
function describeFailure(err: unknown, label: string): Error {
  if (isGhcrOptimizeError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/Header exceeds max size/i.test(message)) {
    return new IntegrityError(`${label}: a tar header (pax or GNU long name) exceeds the 4 MiB limit`, {
      hint: 'the layer may be malicious; it was not analysed',
      cause: err,
    });
  }
  if (/Unexpected end of data|premature close/i.test(message)) {
    return new IntegrityError(`${label}: the tar archive is truncated`, { cause: err });
  }
  if (/invalid tar header|unknown format|Invalid header/i.test(message)) {
    return new IntegrityError(`${label} is not a valid tar archive: ${message}`, {
      hint: 'the layer is corrupt or uses a compression this tool does not read',
      cause: err,
    });
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (code?.startsWith('Z_') || /zstd|incorrect header check|unexpected end of file/i.test(message)) {
    return new IntegrityError(`${label}: cannot decompress: ${message}`, { cause: err });
  }
  return new IntegrityError(`${label}: cannot read: ${message}`, { cause: err });
}
