/**
 * The exporter's read side of the insights store: keeps one connection open between scrapes, and
 * after any failure closes it and opens a fresh one next time (a database that restarted, or an
 * SQLite file replaced, comes back without restarting the exporter).
 */
import { openStoreLocation } from '../store/open.js';
import type { StoreLocation } from '../store/location.js';
import { EVENT_KINDS, type EventKind, type InsightsStore } from '../store/types.js';
import { summarizeEvents, type StoreSummary } from './store-metrics.js';

/** Probe events are the exporter's own business (it probes live); they are not read back. */
export const EXPORTED_KINDS: readonly EventKind[] = EVENT_KINDS.filter((k) => k !== 'probe');

export interface StoreSource {
  /** A summary of the events since `now - windowMs`; throws when the store cannot be read. */
  summary(now: Date, signal?: AbortSignal): Promise<StoreSummary>;
  close(): Promise<void>;
}

export function storeSource(
  location: Exclude<StoreLocation, { kind: 'off' }>,
  windowMs: number,
  opts: { connectTimeoutMs?: number } = {},
): StoreSource {
  let store: InsightsStore | undefined;
  return {
    async summary(now) {
      try {
        store ??= await openStoreLocation(location, { connectTimeoutMs: opts.connectTimeoutMs ?? 3000 });
        const events = await store.events({
          since: new Date(now.getTime() - windowMs),
          kinds: EXPORTED_KINDS,
        });
        return summarizeEvents(events, now, EXPORTED_KINDS);
      } catch (err) {
        const broken = store;
        store = undefined;
        await broken?.close().catch(() => undefined);
        throw err;
      }
    },
    async close() {
      await store?.close().catch(() => undefined);
      store = undefined;
    },
  };
}
