/**
 * From what the collectors last saw (a snapshot) to the Prometheus text exposition. Pure: a fresh
 * prom-client registry per scrape, so a repository or registry that is no longer watched simply
 * disappears instead of lingering with its last value.
 */
import { Gauge, Registry } from 'prom-client';
import type { HealthResult } from './health.js';
import { M } from './metric-names.js';
import type { StoreSummary } from './store-metrics.js';
import type { RepositoryStats } from '../retention/stats.js';
import { SEVERITIES } from '../scan/types.js';

export interface CollectorStatus {
  /** probes, storage, store, quota */
  name: string;
  /** The last run succeeded. */
  ok: boolean;
  durationMs?: number;
  lastSuccessAt?: Date;
}

export interface ProbeFigures {
  result: HealthResult;
  at: Date;
}

export interface StorageFigures {
  repository: string;
  /** The last inventory of this repository succeeded. */
  ok: boolean;
  /** The last successful inventory (kept while later ones fail, with ok false). */
  stats?: RepositoryStats;
  at?: Date;
  error?: string;
}

export interface RateLimit {
  /** core, search, graphql, … */
  resource: string;
  limit: number;
  remaining: number;
  resetAt: Date;
}

export interface ExporterSnapshot {
  version: string;
  collectors: CollectorStatus[];
  /** Absent: no registry is probed. */
  probes?: ProbeFigures[];
  /** Absent: no repository is watched. */
  storage?: StorageFigures[];
  /** Absent: the store is turned off. `ok` false: it could not be read (summary absent). */
  store?: { ok: boolean; summary?: StoreSummary; error?: string };
  /** Absent: no GitHub token. */
  quota?: { ok: boolean; limits: RateLimit[]; error?: string };
}

const seconds = (d: Date): number => d.getTime() / 1000;
const bit = (b: boolean): number => (b ? 1 : 0);

/** A gauge factory bound to one registry. */
function gauges(registry: Registry) {
  return <L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> =>
    new Gauge<L>({ name, help, labelNames: [...labelNames], registers: [registry] });
}

function probeMetrics(g: ReturnType<typeof gauges>, probes: readonly ProbeFigures[]): void {
  const up = g(
    M.registryUp,
    'Registry answered /v2/ and authentication worked at the last probe (1) or not (0)',
    ['registry'],
  );
  const auth = g(M.registryAuthOk, 'Authentication against the registry worked at the last probe', [
    'registry',
  ]);
  const latency = g(M.registryLatency, 'Authenticated request latency at the last probe', [
    'registry',
    'quantile',
  ]);
  const at = g(M.registryProbeTime, 'When the registry was last probed (Unix time)', ['registry']);
  for (const { result, at: when } of probes) {
    const registry = result.registry;
    up.set({ registry }, bit(result.reachable && result.authOk !== false));
    if (result.authOk !== undefined) auth.set({ registry }, bit(result.authOk));
    if (result.latencyMs) {
      latency.set({ registry, quantile: '0.5' }, result.latencyMs.p50 / 1000);
      latency.set({ registry, quantile: '0.95' }, result.latencyMs.p95 / 1000);
    }
    at.set({ registry }, seconds(when));
  }
}

function storageMetrics(g: ReturnType<typeof gauges>, storage: readonly StorageFigures[]): void {
  const up = g(M.inventoryUp, 'The last inventory of the repository succeeded (1) or failed (0)', [
    'repository',
  ]);
  const at = g(M.inventoryTime, 'When the repository was last inventoried successfully (Unix time)', [
    'repository',
  ]);
  const total = g(M.storageBytes, 'Bytes the repository stores: unique blobs plus manifests', ['repository']);
  const reclaimable = g(M.storageReclaimable, 'Bytes the retention policy would reclaim', ['repository']);
  const shared = g(M.storageSharedSavings, 'Bytes saved by layers shared between images', ['repository']);
  const manifests = g(M.categoryManifests, 'Manifests per retention category', ['repository', 'category']);
  const tags = g(M.categoryTags, 'Tags per retention category', ['repository', 'category']);
  const bytes = g(M.categoryBytes, 'Unique blob bytes per retention category', ['repository', 'category']);
  for (const s of storage) {
    const repository = s.repository;
    up.set({ repository }, bit(s.ok));
    if (!s.stats || !s.at) continue;
    at.set({ repository }, seconds(s.at));
    total.set({ repository }, s.stats.storage.totalBytes);
    reclaimable.set({ repository }, s.stats.reclaimable.bytes);
    shared.set({ repository }, s.stats.storage.sharedSavings);
    for (const [category, c] of Object.entries(s.stats.categories)) {
      manifests.set({ repository, category }, c.manifests);
      tags.set({ repository, category }, c.tags);
      bytes.set({ repository, category }, c.bytes);
    }
  }
}

function storeMetrics(g: ReturnType<typeof gauges>, s: StoreSummary): void {
  const events = g(M.storeEvents, 'Events in the insights store within the window, per kind', ['kind']);
  for (const [kind, n] of Object.entries(s.events)) events.set({ kind }, n);

  const lastAt = g(M.lastRunTime, 'When the operation last ran for the repository (Unix time)', [
    'operation',
    'repository',
  ]);
  const lastOk = g(M.lastRunSuccess, 'The last run of the operation succeeded (1) or failed (0)', [
    'operation',
    'repository',
  ]);
  const lastDuration = g(M.lastRunDuration, 'How long the last run of the operation took', [
    'operation',
    'repository',
  ]);
  for (const r of s.lastRuns) {
    const labels = { operation: r.operation, repository: r.repository };
    lastAt.set(labels, seconds(r.at));
    lastOk.set(labels, bit(r.ok));
    if (r.durationMs !== undefined) lastDuration.set(labels, r.durationMs / 1000);
  }

  const vulns = g(M.vulnerabilities, 'Vulnerabilities found by the latest scan, per severity', [
    'repository',
    'severity',
  ]);
  const fixable = g(M.vulnerabilitiesFixable, 'Vulnerabilities of the latest scan that have a fix', [
    'repository',
  ]);
  for (const v of s.vulnerabilities) {
    for (const severity of SEVERITIES) vulns.set({ repository: v.repository, severity }, v.counts[severity]);
    if (v.fixable !== undefined) fixable.set({ repository: v.repository }, v.fixable);
  }

  const builds = g(M.builds, 'Builds within the window, per result', ['repository', 'result']);
  const duration = g(M.buildDuration, 'Build duration within the window', ['repository', 'quantile']);
  for (const b of s.builds) {
    builds.set({ repository: b.repository, result: 'success' }, b.success);
    builds.set({ repository: b.repository, result: 'failure' }, b.failure);
    duration.set({ repository: b.repository, quantile: '0.5' }, b.p50Ms / 1000);
    duration.set({ repository: b.repository, quantile: '0.95' }, b.p95Ms / 1000);
  }

  const ratio = g(M.cacheHitRatio, 'Share of blobs (or build steps) reused rather than fetched or rebuilt', [
    'kind',
  ]);
  const blobs = g(M.cacheBlobs, 'Blobs (or build steps) reused or fetched within the window', [
    'kind',
    'result',
  ]);
  for (const c of s.cache) {
    if (c.ratio !== null) ratio.set({ kind: c.kind }, c.ratio);
    blobs.set({ kind: c.kind, result: 'reused' }, c.reused);
    blobs.set({ kind: c.kind, result: 'fetched' }, c.fetched);
  }

  const reclaimed = g(M.reclaimedBytes, 'Bytes freed by clean runs within the window', ['repository']);
  for (const r of s.reclaimed) reclaimed.set({ repository: r.repository }, r.bytes);

  const size = g(M.imageSize, 'Uncompressed size of the latest analysed image', ['repository', 'platform']);
  const wasted = g(M.imageWasted, 'Wasted bytes of the latest analysed image', ['repository', 'platform']);
  for (const i of s.images) {
    size.set({ repository: i.repository, platform: i.platform }, i.sizeBytes);
    if (i.wastedBytes !== undefined)
      wasted.set({ repository: i.repository, platform: i.platform }, i.wastedBytes);
  }

  const age = g(M.tokenAge, 'Age of the token at its latest check', ['token']);
  const expiry = g(M.tokenExpiry, 'When the token expires (Unix time)', ['token']);
  for (const t of s.tokens) {
    age.set({ token: t.token }, t.ageSeconds);
    if (t.expiresAt) expiry.set({ token: t.token }, seconds(t.expiresAt));
  }
}

function quotaMetrics(g: ReturnType<typeof gauges>, limits: readonly RateLimit[]): void {
  const remaining = g(M.rateLimitRemaining, 'GitHub API requests left in the current window', ['resource']);
  const limit = g(M.rateLimitLimit, 'GitHub API requests allowed per window', ['resource']);
  const reset = g(M.rateLimitReset, 'When the GitHub API window resets (Unix time)', ['resource']);
  for (const l of limits) {
    remaining.set({ resource: l.resource }, l.remaining);
    limit.set({ resource: l.resource }, l.limit);
    reset.set({ resource: l.resource }, seconds(l.resetAt));
  }
}

/** The registry holding every metric of `snapshot`. */
export function buildRegistry(snapshot: ExporterSnapshot): Registry {
  const registry = new Registry();
  const g = gauges(registry);
  g(M.exporterInfo, 'ghcr-optimize exporter version', ['version']).set({ version: snapshot.version }, 1);

  const up = g(M.collectorUp, 'The collector’s last run succeeded (1) or failed (0)', ['collector']);
  const took = g(M.collectorDuration, 'How long the collector’s last run took', ['collector']);
  const last = g(M.collectorLastSuccess, 'When the collector last succeeded (Unix time)', ['collector']);
  for (const c of snapshot.collectors) {
    up.set({ collector: c.name }, bit(c.ok));
    if (c.durationMs !== undefined) took.set({ collector: c.name }, c.durationMs / 1000);
    if (c.lastSuccessAt) last.set({ collector: c.name }, seconds(c.lastSuccessAt));
  }

  if (snapshot.probes) probeMetrics(g, snapshot.probes);
  if (snapshot.storage) storageMetrics(g, snapshot.storage);
  if (snapshot.store) {
    g(M.storeUp, 'The insights store could be read (1) or not (0)').set(bit(snapshot.store.ok));
    if (snapshot.store.summary) storeMetrics(g, snapshot.store.summary);
  }
  if (snapshot.quota) {
    g(M.githubUp, 'The GitHub API answered the rate-limit query (1) or not (0)').set(bit(snapshot.quota.ok));
    quotaMetrics(g, snapshot.quota.limits);
  }
  return registry;
}

/** The text exposition of `snapshot` and its content type. */
export async function renderMetrics(
  snapshot: ExporterSnapshot,
): Promise<{ contentType: string; body: string }> {
  const registry = buildRegistry(snapshot);
  return { contentType: registry.contentType, body: await registry.metrics() };
}
