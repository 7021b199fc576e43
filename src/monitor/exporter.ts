/**
 * The Prometheus exporter: collectors (registry probes, repository storage, insights store,
 * GitHub quota) run in the background; `/metrics` renders what they last saw, `/healthz` says
 * the exporter itself is alive. Every source is optional and injected, so the library can run
 * it on anything and tests on real local components.
 */
import { Hono } from 'hono';
import { listenHttp, parseListen, type ListenAddress } from './listen.js';
import { Collector } from './collector.js';
import type { HealthResult } from './health.js';
import {
  renderMetrics,
  type ExporterSnapshot,
  type ProbeFigures,
  type RateLimit,
  type StorageFigures,
} from './metrics.js';
import type { StoreSource } from './store-source.js';
import type { StoreSummary } from './store-metrics.js';

export const DEFAULT_EXPORTER_LISTEN = '127.0.0.1:9464';

export interface ExporterSources {
  version: string;
  /** Registries to probe and how (probeRegistry with a client, normally). */
  probes?: {
    registries: readonly string[];
    probe(registry: string, signal: AbortSignal): Promise<HealthResult>;
  };
  /** Storage per repository (see storageJob). */
  storage?: (signal: AbortSignal) => Promise<StorageFigures[]>;
  store?: StoreSource;
  quota?: (signal: AbortSignal) => Promise<RateLimit[]>;
}

export interface ExporterIntervals {
  /** Probes, store and quota. Default 30 s. */
  intervalMs?: number;
  /** Repository inventories (many requests each). Default 10 min. */
  storageIntervalMs?: number;
}

export interface Exporter {
  /** The snapshot `/metrics` renders now. */
  snapshot(): ExporterSnapshot;
  /** Runs every collector once more and waits for them (tests, or a forced refresh). */
  refresh(): Promise<void>;
  /** Starts the background collectors (idempotent). */
  start(): void;
  stop(): Promise<void>;
  app: Hono;
}

export function createExporter(sources: ExporterSources, intervals: ExporterIntervals = {}): Exporter {
  const interval = intervals.intervalMs ?? 30_000;
  const now = (): Date => new Date();
  const probes = sources.probes
    ? new Collector<ProbeFigures[]>(
        'probes',
        async (signal) => {
          const p = sources.probes!;
          // Each probe catches its own failures: an unreachable registry is a result, not an error.
          const results = await Promise.all(p.registries.map((r) => p.probe(r, signal)));
          const at = now();
          return results.map((result) => ({ result, at }));
        },
        interval,
      )
    : undefined;
  const storage = sources.storage
    ? new Collector<StorageFigures[]>('storage', sources.storage, intervals.storageIntervalMs ?? 600_000)
    : undefined;
  const store = sources.store
    ? new Collector<StoreSummary>('store', (signal) => sources.store!.summary(now(), signal), interval)
    : undefined;
  const quota = sources.quota ? new Collector<RateLimit[]>('quota', sources.quota, interval) : undefined;
  const collectors = [probes, storage, store, quota].filter((c) => c !== undefined);

  const snapshot = (): ExporterSnapshot => {
    const snap: ExporterSnapshot = {
      version: sources.version,
      collectors: collectors.map((c) => c.status()),
    };
    if (probes) snap.probes = probes.state.value ?? [];
    if (storage) snap.storage = storage.state.value ?? [];
    if (store) {
      const s = store.state;
      // A store that cannot be read reports nothing stale: only store_up 0.
      snap.store =
        s.ok && s.value
          ? { ok: true, summary: s.value }
          : { ok: false, ...(s.error ? { error: s.error } : {}) };
    }
    if (quota) {
      const q = quota.state;
      snap.quota =
        q.ok && q.value
          ? { ok: true, limits: q.value }
          : { ok: false, limits: [], ...(q.error ? { error: q.error } : {}) };
    }
    return snap;
  };

  const app = new Hono();
  app.get('/metrics', async (c) => {
    const { contentType, body } = await renderMetrics(snapshot());
    return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
  });
  app.get('/healthz', (c) =>
    c.json({
      status: 'ok',
      collectors: collectors.map((col) => ({
        name: col.name,
        ok: col.state.ok,
        ...(col.state.error ? { error: col.state.error } : {}),
      })),
    }),
  );
  app.get('/', (c) =>
    c.html(
      '<!doctype html><title>ghcr-optimize exporter</title><h1>ghcr-optimize exporter</h1>' +
        '<p><a href="/metrics">/metrics</a> · <a href="/healthz">/healthz</a></p>',
    ),
  );

  return {
    app,
    snapshot,
    refresh: async () => {
      await Promise.all(collectors.map((c) => c.refresh()));
    },
    start: () => collectors.forEach((c) => c.start()),
    stop: async () => {
      await Promise.all(collectors.map((c) => c.stop()));
      await sources.store?.close();
    },
  };
}

// ---- listening ---------------------------------------------------------------------------------

export type { ListenAddress };

/** `HOST:PORT`, `[IPv6]:PORT`, `:PORT` or `PORT` (host 127.0.0.1). Pure. */
export const parseListenAddress = (text: string): ListenAddress => parseListen(text, DEFAULT_EXPORTER_LISTEN);

export interface RunningExporter {
  /** http://HOST:PORT */
  url: string;
  host: string;
  port: number;
  exporter: Exporter;
  close(): Promise<void>;
}

/** Listens, then starts the collectors. A busy port is a UsageError with one clear message. */
export async function serveExporter(exporter: Exporter, address: ListenAddress): Promise<RunningExporter> {
  const listening = await listenHttp(exporter.app.fetch, address, DEFAULT_EXPORTER_LISTEN);
  exporter.start();
  return {
    url: listening.url.replace(/\/$/, ''),
    host: listening.host,
    port: listening.port,
    exporter,
    async close() {
      await exporter.stop();
      await listening.close();
    },
  };
}
