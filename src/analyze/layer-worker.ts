/**
 * Worker-thread entry of the layer pool (layer-pool.ts): runs `scanLayer` on a layer whose bytes
 * the main thread posts in batches, and posts the scan back. The main thread keeps reading and
 * digest-checking the blob; here the inflating is driven, and the diff id, every file's sha256
 * and the tar parse are computed, so one layer's CPU work no longer competes with another's on
 * one JavaScript thread.
 */
import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { ByteBudget, scanLayer } from './layer-reader.js';
import type { ToMain, ToWorker, WorkerScanRequest } from './layer-protocol.js';

const port = parentPort;
if (!port) throw new Error('layer-worker.js runs as a worker thread');

interface Current {
  id: number;
  queue: Uint8Array[];
  ended: boolean;
  aborted: boolean;
  wake: (() => void) | undefined;
}

let current: Current | undefined;

const post = (msg: ToMain): void => port.postMessage(msg);

/** The posted batches as a byte stream; each batch is acknowledged when the scan takes it. */
async function* batches(job: Current): AsyncGenerator<Buffer> {
  for (;;) {
    if (job.aborted) throw new Error('cancelled');
    const next = job.queue.shift();
    if (next) {
      post({ type: 'ack', id: job.id });
      yield Buffer.from(next.buffer, next.byteOffset, next.byteLength);
      continue;
    }
    if (job.ended) return;
    await new Promise<void>((resolve) => (job.wake = resolve));
    job.wake = undefined;
  }
}

async function run(req: WorkerScanRequest): Promise<void> {
  const job: Current = { id: req.id, queue: [], ended: false, aborted: false, wake: undefined };
  current = job;
  try {
    const budget = req.budget ? new ByteBudget(req.budget.limit, req.budget.shared) : undefined;
    const scan = await scanLayer(Readable.from(batches(job), { objectMode: false }), req.layer, {
      ...req.options,
      ...(budget ? { budget } : {}),
    });
    post({ type: 'done', id: req.id, scan });
  } catch (err) {
    const e = err as { name?: string; message?: string; hint?: string };
    post({
      type: 'error',
      id: req.id,
      error: { name: e.name ?? 'Error', message: e.message ?? String(err), hint: e.hint },
    });
  } finally {
    if (current === job) current = undefined;
  }
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'scan') {
    void run(msg);
    return;
  }
  const job = current;
  if (!job || job.id !== msg.id) return;
  if (msg.type === 'chunk') job.queue.push(msg.data);
  else if (msg.type === 'end') job.ended = true;
  else job.aborted = true;
  job.wake?.();
});
