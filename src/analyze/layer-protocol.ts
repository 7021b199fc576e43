/** Messages between the layer pool (main thread) and its worker threads. Types only. */
import type { LayerRef, LayerScan, ScanLimits } from './layer-reader.js';

/** The scan options that can cross a thread boundary (no functions). */
export interface PortableScanOptions {
  limits?: Partial<ScanLimits>;
  hashFiles?: boolean;
  allowAbsolutePaths?: boolean;
  allowEscapingSymlinks?: boolean;
  compressionSample?: number;
}

export interface WorkerScanRequest {
  type: 'scan';
  id: number;
  layer: LayerRef;
  options: PortableScanOptions;
  budget?: { limit: number; shared: SharedArrayBuffer };
}

export type ToWorker =
  | WorkerScanRequest
  /** A batch of the blob's bytes (transferred). */
  | { type: 'chunk'; id: number; data: Uint8Array }
  | { type: 'end'; id: number }
  | { type: 'abort'; id: number };

export interface PortableError {
  name: string;
  message: string;
  hint: string | undefined;
}

export type ToMain =
  /** The scan took one batch: the main thread may send another. */
  | { type: 'ack'; id: number }
  | { type: 'done'; id: number; scan: LayerScan }
  | { type: 'error'; id: number; error: PortableError };
