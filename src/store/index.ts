/**
 * The insights store: events recorded by commands (transfers, pulls, probes, scans, retention,
 * analyses, builds) and a small key/value memory with TTLs, in SQLite by default or a shared
 * PostgreSQL. This module is light: Kysely and the drivers load only when a store is opened.
 */
export { openStore, openStoreLocation, withStore } from './open.js';
export type { OpenStoreConfig, OpenStoreOptions, StoreHost } from './open.js';
export {
  STORE_URL_ENV,
  defaultStorePath,
  describeStoreLocation,
  parseStoreUrl,
  redactStoreUrl,
  resolveStoreLocation,
} from './location.js';
export type { StoreLocation } from './location.js';
export { StoreError } from './errors.js';
export {
  analysisEvent,
  buildEvent,
  probeEvent,
  retentionEvent,
  scanEvent,
  subjectOf,
  transferEvent,
} from './events.js';
export type { AnalysisData, BuildData, ProbeData, RetentionData, ScanData, TransferData } from './events.js';
export {
  THRESHOLDS,
  buildStats,
  cacheStats,
  computeInsights,
  formatMs,
  latencyStats,
  reclaimedStorage,
  recommend,
  sizeTrends,
  vulnerabilityTrends,
} from './insights.js';
export type {
  BuildRow,
  BuildStat,
  CacheStat,
  InsightEvent,
  InsightOptions,
  Insights,
  LatencyStat,
  Reclaimed,
  Recommendation,
  SizePoint,
  SizeTrend,
  VulnTrend,
} from './insights.js';
export { EVENT_KINDS, isEventKind } from './types.js';
export type * from './types.js';
