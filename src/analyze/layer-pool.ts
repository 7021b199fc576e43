/**
 * Scans layers in worker threads. The main thread reads each blob (the target digest-checks it as
 * it streams) and posts it in ~1 MiB batches, transferred, not copied; a worker inflates, hashes
 * and parses it with the same `scanLayer` code and posts the scan back. At most `MAX_IN_FLIGHT`
 * batches per layer are on their way, so memory stays bounded as it does in-thread.
 *
 * Where the worker's entry file is: next to this module (tsc's dist/), one level up from the
 * bundle's chunks directory (dist/bin/layer-worker.mjs, see scripts/bundle-cli.mjs), or, when
 * running from TypeScript source (tsx, vitest), the .ts file loaded through tsx's API. When none
 * is found `LayerPool.create` returns undefined and the caller scans in-thread.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { IntegrityError } from '../errors.js';
import type { ByteBudget, LayerRef, LayerScan } from './layer-reader.js';
import type { PortableError, PortableScanOptions, ToMain, ToWorker } from './layer-protocol.js';

/** Batches posted to a worker and not yet taken by its scan. */
const MAX_IN_FLIGHT = 4;
/** Bytes per posted batch. */
const BATCH = 1024 * 1024;

type Spawn = () => Worker;

function tsxApi(): string | undefined {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    // vitest's module runner has no import.meta.resolve: read the export map ourselves.
    try {
      const pkgPath = createRequire(import.meta.url).resolve('tsx/package.json');
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as {
        exports?: Record<string, { import?: { default?: string } }>;
      };
      const rel = pkg.exports?.['./esm/api']?.import?.default;
      return rel ? pathToFileURL(join(dirname(pkgPath), rel)).href : undefined;
    } catch {
      return undefined;
    }
  }
}

let located: Spawn | null | undefined;

/** How to start a worker here, or null when this build has no worker entry. */
function locateWorker(): Spawn | null {
  if (located !== undefined) return located;
  located = null;
  const here = import.meta.url;
  if (!here.startsWith('file:')) return located;
  for (const rel of ['./layer-worker.js', './layer-worker.mjs', '../layer-worker.mjs']) {
    const url = new URL(rel, here);
    if (existsSync(fileURLToPath(url))) {
      located = () => new Worker(url);
      return located;
    }
  }
  const ts = new URL('./layer-worker.ts', here);
  const api = existsSync(fileURLToPath(ts)) ? tsxApi() : undefined;
  if (api) {
    // Loader hooks given in execArgv do not reach a worker's entry module on Node 20; tsx's API does.
    const code = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(ts.href)}, ${JSON.stringify(here)}))`;
    located = () => new Worker(code, { eval: true });
  }
  return located;
}

function rebuildError(e: PortableError): Error {
  if (e.name === 'IntegrityError') return new IntegrityError(e.message, e.hint ? { hint: e.hint } : {});
  return new Error(e.message);
}

/** Structured cloning turns Buffers into plain Uint8Arrays; the captured files are Buffers again. */
function revive(scan: LayerScan): LayerScan {
  const captured = new Map<string, Buffer>();
  for (const [path, bytes] of scan.captured) {
    captured.set(path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  scan.captured = captured;
  return scan;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  failed?: Error;
}

export class LayerPool {
  readonly #slots: Slot[] = [];
  readonly #waiting: ((slot: Slot) => void)[] = [];
  #nextId = 1;

  private constructor(
    readonly size: number,
    readonly spawn: Spawn,
  ) {}

  /** A pool of `size` workers, or undefined when this build cannot start one. */
  static create(size: number): LayerPool | undefined {
    const spawn = locateWorker();
    return spawn ? new LayerPool(Math.max(1, Math.floor(size)), spawn) : undefined;
  }

  async #acquire(): Promise<Slot> {
    const idle = this.#slots.find((s) => !s.busy && !s.failed);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (this.#slots.filter((s) => !s.failed).length < this.size) {
      const worker = this.spawn();
      // A worker that is not scanning must not keep the process alive.
      worker.unref();
      const slot: Slot = { worker, busy: true };
      worker.on('error', (err) => (slot.failed = err));
      worker.on('exit', () => (slot.failed ??= new Error('layer worker exited')));
      this.#slots.push(slot);
      return slot;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(slot: Slot): void {
    if (slot.failed) {
      slot.busy = false;
      void slot.worker.terminate();
      this.#slots.splice(this.#slots.indexOf(slot), 1);
      const next = this.#waiting.shift();
      if (next) void this.#acquire().then(next);
      return;
    }
    const next = this.#waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }

  /**
   * `scanLayer(source, layer, …)` in a worker. A failure of `source` (missing blob, digest
   * mismatch, abort) is thrown as it is; the scan's own failures arrive as IntegrityErrors.
   */
  async scan(
    source: Readable,
    layer: LayerRef,
    options: PortableScanOptions,
    budget?: ByteBudget,
  ): Promise<LayerScan> {
    const slot = await this.#acquire();
    const id = this.#nextId++;
    const { worker } = slot;
    worker.ref();
    const send = (msg: ToWorker, transfer?: ArrayBuffer[]): void => worker.postMessage(msg, transfer);

    let inFlight = 0;
    let wakeSender: (() => void) | undefined;
    let settled = false;
    const result = new Promise<LayerScan>((resolve, reject) => {
      const onMessage = (msg: ToMain): void => {
        if (msg.id !== id) return;
        if (msg.type === 'ack') {
          inFlight--;
          wakeSender?.();
          return;
        }
        cleanup();
        if (msg.type === 'done') resolve(revive(msg.scan));
        else reject(rebuildError(msg.error));
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(
          new IntegrityError(`${layer.digest}: the layer worker failed: ${err.message}`, { cause: err }),
        );
      };
      const onExit = (): void => onError(new Error('it exited'));
      const cleanup = (): void => {
        settled = true;
        wakeSender?.();
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    send({
      type: 'scan',
      id,
      layer: { index: layer.index, digest: layer.digest, mediaType: layer.mediaType, size: layer.size },
      options,
      ...(budget ? { budget: { limit: budget.limit, shared: budget.shared } } : {}),
    });

    let sourceError: Error | undefined;
    const feeding = (async (): Promise<void> => {
      let parts: Buffer[] = [];
      let length = 0;
      const flush = async (): Promise<void> => {
        // A fresh buffer of its own (concat copies), so it can be transferred.
        const data = Buffer.concat(parts, length);
        parts = [];
        length = 0;
        while (inFlight >= MAX_IN_FLIGHT && !settled) {
          await new Promise<void>((resolve) => (wakeSender = resolve));
          wakeSender = undefined;
        }
        if (settled) return;
        inFlight++;
        const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
        send({ type: 'chunk', id, data }, whole ? [data.buffer] : undefined);
      };
      try {
        for await (const chunk of source as AsyncIterable<Buffer>) {
          if (settled) break;
          parts.push(chunk);
          length += chunk.length;
          if (length >= BATCH) await flush();
        }
        if (length > 0 && !settled) await flush();
        if (!settled) send({ type: 'end', id });
      } catch (err) {
        if (settled) return;
        sourceError = err as Error;
        send({ type: 'abort', id });
      }
    })();

    try {
      return await result;
    } catch (err) {
      // The blob's own failure (digest mismatch, missing, aborted) explains the scan's; otherwise
      // the worker refused the layer and the rest of the blob is not read.
      if (sourceError !== undefined) throw sourceError;
      source.destroy();
      throw err;
    } finally {
      await feeding;
      worker.unref();
      this.#release(slot);
    }
  }

  async close(): Promise<void> {
    const slots = this.#slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
