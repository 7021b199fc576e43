/**
 * Trends and recommendations from recorded events. Pure: the events come from
 * `InsightsStore.events()` (or a test), nothing here touches a database. Event `data` is read
 * defensively: a shared store holds rows from other versions, and a malformed row is skipped, not
 * fatal.
 */
import { formatBytes } from '../cli/output.js';
import { SEVERITIES, type Severity } from '../scan/types.js';
import { percentile } from '../util/stats.js';
import { formatDuration } from '../util/units.js';
import type { StoredEvent } from './types.js';

export type InsightEvent = Pick<StoredEvent, 'at' | 'kind' | 'subject' | 'data' | 'durationMs' | 'ok'>;

export interface InsightOptions {
  now: Date;
  since?: Date;
  /** p95 probe latency above this is called out. Default 500 (or the config's health.maxLatencyMs). */
  latencyThresholdMs?: number;
  /** Length of the slowest-builds list. Default 5. */
  top?: number;
}

export const THRESHOLDS = {
  /** Pull cache hit ratio below this, over at least `minPulls` pulls, gets a recommendation. */
  cacheHitRatio: 0.5,
  minPulls: 3,
  latencyP95Ms: 500,
  sizeGrowthPercent: 10,
  sizeGrowthBytes: 10e6,
  reclaimableBytes: 10e6,
  reclaimablePercent: 5,
  minBuilds: 3,
  /** p95 at least this many times p50 (and at least buildSlowMs) means erratic builds. */
  buildSpread: 2,
  buildSlowMs: 60_000,
  buildFailureRate: 0.2,
} as const;

export interface SizePoint {
  at: string;
  sizeBytes: number;
  storedBytes?: number;
  wastedBytes?: number;
  reclaimableBytes?: number;
}

export interface SizeTrend {
  subject: string;
  platform?: string;
  /** The latest analysed reference (for the commands recommendations suggest). */
  reference: string;
  samples: number;
  first: SizePoint;
  latest: SizePoint;
  changeBytes: number;
  /** null when the first size was 0. */
  changePercent: number | null;
  series: SizePoint[];
}

export interface CacheStat {
  kind: 'pull' | 'transfer';
  /** `all` for the per-kind total. */
  subject: string;
  reference?: string;
  runs: number;
  /** Blobs not transferred: served from the cache, already at the destination, or mounted. */
  reused: number;
  /** Blobs that crossed the network. */
  fetched: number;
  bytesFetched: number;
  /** reused / (reused + fetched); null when no blob was involved. */
  ratio: number | null;
}

export interface BuildRow {
  subject: string;
  at: string;
  durationMs: number;
  ok: boolean;
  platform?: string;
}

export interface BuildStat {
  subject: string;
  builds: number;
  failures: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  cacheRatio?: number;
}

export interface LatencyStat {
  registry: string;
  /** `probe`: health checks' request latency; `pull`: wall time of whole pulls. */
  source: 'probe' | 'pull';
  /** Probes (or successful pulls) recorded. */
  runs: number;
  /** Those with a measurement. */
  samples: number;
  /** probe: of the per-probe p50s; pull: of pull durations. */
  p50Ms: number | null;
  /** probe: of the per-probe p95s; pull: of pull durations. */
  p95Ms: number | null;
  failures: number;
  lastError?: string;
  /** pull: median throughput. */
  mbPerSecondP50?: number;
}

export type Counts = Record<Severity, number>;

export interface VulnPoint {
  at: string;
  counts: Counts;
}

export interface VulnTrend {
  subject: string;
  reference: string;
  scans: number;
  first: VulnPoint;
  latest: VulnPoint;
  delta: Counts;
}

export interface Reclaimed {
  runs: number;
  bytes: number;
  versions: number;
  /** Runs that held every deletion back. */
  held: number;
  byRepository: { subject: string; runs: number; bytes: number; versions: number; held: number }[];
}

export type RecommendationTopic =
  'cache' | 'latency' | 'availability' | 'size' | 'build' | 'vulnerabilities' | 'retention';

export interface Recommendation {
  severity: 'warning' | 'info';
  topic: RecommendationTopic;
  subject: string;
  message: string;
}

export interface Insights {
  since: string | null;
  until: string;
  events: number;
  sizes: SizeTrend[];
  cache: { totals: CacheStat[]; bySubject: CacheStat[] };
  builds: { slowest: BuildRow[]; bySubject: BuildStat[] };
  latency: LatencyStat[];
  vulnerabilities: VulnTrend[];
  reclaimed: Reclaimed;
  recommendations: Recommendation[];
}

// ---- defensive readers -------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const count = (v: unknown): number => Math.max(0, num(v) ?? 0);

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = m.get(k);
    if (list) list.push(item);
    else m.set(k, [item]);
  }
  return m;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const pct = (ratio: number): string => `${Math.round(ratio * 100)}%`;
const day = (iso: string): string => iso.slice(0, 10);

/** 850 ms, 12.3 s, 4m10s, 2h5m. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 59_950) return `${round1(ms / 1000)} s`;
  if (ms < 3_600_000) {
    const s = Math.round(ms / 1000);
    return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  }
  return formatDuration(ms);
}

function byTime<T extends { at: Date }>(events: readonly T[]): T[] {
  return [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
}

// ---- sections ----------------------------------------------------------------------------------

export function sizeTrends(events: readonly InsightEvent[]): SizeTrend[] {
  const points = byTime(events.filter((e) => e.kind === 'analysis' && e.subject)).flatMap((e) => {
    const d = obj(e.data);
    const sizeBytes = num(d.sizeBytes);
    if (sizeBytes === undefined) return [];
    const point: SizePoint = { at: e.at.toISOString(), sizeBytes };
    const stored = num(d.storedBytes);
    const wasted = num(d.wastedBytes);
    const reclaimable = num(d.reclaimableBytes);
    if (stored !== undefined) point.storedBytes = stored;
    if (wasted !== undefined) point.wastedBytes = wasted;
    if (reclaimable !== undefined) point.reclaimableBytes = reclaimable;
    return [
      { subject: e.subject!, platform: str(d.platform), reference: str(d.reference) ?? e.subject!, point },
    ];
  });
  const groups = groupBy(points, (p) => `${p.subject}\u0000${p.platform ?? ''}`);
  const trends = [...groups.values()].map((g): SizeTrend => {
    const first = g[0]!;
    const last = g[g.length - 1]!;
    const changeBytes = last.point.sizeBytes - first.point.sizeBytes;
    return {
      subject: first.subject,
      ...(first.platform ? { platform: first.platform } : {}),
      reference: last.reference,
      samples: g.length,
      first: first.point,
      latest: last.point,
      changeBytes,
      changePercent: first.point.sizeBytes > 0 ? round1((changeBytes / first.point.sizeBytes) * 100) : null,
      series: g.map((p) => p.point),
    };
  });
  return trends.sort((a, b) => b.latest.sizeBytes - a.latest.sizeBytes || a.subject.localeCompare(b.subject));
}

export function cacheStats(events: readonly InsightEvent[]): { totals: CacheStat[]; bySubject: CacheStat[] } {
  const rows = byTime(events.filter((e) => (e.kind === 'pull' || e.kind === 'transfer') && e.ok)).map((e) => {
    const d = obj(e.data);
    const b = obj(d.blobs);
    return {
      kind: e.kind as 'pull' | 'transfer',
      subject: e.subject ?? 'unknown',
      reference: str(e.kind === 'pull' ? d.source : d.destination),
      reused: count(b.cached) + count(b.skipped) + count(b.mounted),
      fetched: count(b.copied),
      bytes: count(d.bytes),
    };
  });
  const stat = (kind: 'pull' | 'transfer', subject: string, g: typeof rows): CacheStat => {
    const reused = g.reduce((n, r) => n + r.reused, 0);
    const fetched = g.reduce((n, r) => n + r.fetched, 0);
    const reference = g
      .map((r) => r.reference)
      .filter((r) => r !== undefined)
      .pop();
    return {
      kind,
      subject,
      ...(reference !== undefined && subject !== 'all' ? { reference } : {}),
      runs: g.length,
      reused,
      fetched,
      bytesFetched: g.reduce((n, r) => n + r.bytes, 0),
      ratio: reused + fetched > 0 ? Math.round((reused / (reused + fetched)) * 1000) / 1000 : null,
    };
  };
  const totals = (['pull', 'transfer'] as const).flatMap((kind) => {
    const g = rows.filter((r) => r.kind === kind);
    return g.length > 0 ? [stat(kind, 'all', g)] : [];
  });
  const bySubject = [...groupBy(rows, (r) => `${r.kind}\u0000${r.subject}`).values()].map((g) =>
    stat(g[0]!.kind, g[0]!.subject, g),
  );
  bySubject.sort(
    (a, b) => (a.ratio ?? 2) - (b.ratio ?? 2) || b.runs - a.runs || a.subject.localeCompare(b.subject),
  );
  return { totals, bySubject };
}

export function buildStats(
  events: readonly InsightEvent[],
  top = 5,
): { slowest: BuildRow[]; bySubject: BuildStat[] } {
  const builds = events.filter(
    (e) => e.kind === 'build' && e.subject && e.durationMs !== null && Number.isFinite(e.durationMs),
  );
  const slowest = [...builds]
    .sort((a, b) => b.durationMs! - a.durationMs! || b.at.getTime() - a.at.getTime())
    .slice(0, top)
    .map((e): BuildRow => {
      const platform = str(obj(e.data).platform);
      return {
        subject: e.subject!,
        at: e.at.toISOString(),
        durationMs: e.durationMs!,
        ok: e.ok,
        ...(platform ? { platform } : {}),
      };
    });
  const bySubject = [...groupBy(builds, (e) => e.subject!).entries()].map(([subject, g]): BuildStat => {
    const times = g.map((e) => e.durationMs!);
    const hits = g.reduce((n, e) => n + count(obj(e.data).cacheHits), 0);
    const misses = g.reduce((n, e) => n + count(obj(e.data).cacheMisses), 0);
    return {
      subject,
      builds: g.length,
      failures: g.filter((e) => !e.ok).length,
      p50Ms: percentile(times, 50)!,
      p95Ms: percentile(times, 95)!,
      maxMs: Math.max(...times),
      ...(hits + misses > 0 ? { cacheRatio: Math.round((hits / (hits + misses)) * 1000) / 1000 } : {}),
    };
  });
  bySubject.sort((a, b) => b.p95Ms - a.p95Ms || a.subject.localeCompare(b.subject));
  return { slowest, bySubject };
}

export function latencyStats(events: readonly InsightEvent[]): LatencyStat[] {
  const out: LatencyStat[] = [];
  const probes = byTime(events.filter((e) => e.kind === 'probe' && e.subject));
  for (const [registry, g] of groupBy(probes, (e) => e.subject!)) {
    const lat = g.map((e) => obj(obj(e.data).latencyMs));
    const p50s = lat.flatMap((l) => (num(l.p50) === undefined ? [] : [num(l.p50)!]));
    const p95s = lat.flatMap((l) => (num(l.p95) === undefined ? [] : [num(l.p95)!]));
    const failed = g.filter((e) => !e.ok);
    const lastError = failed
      .map((e) => str(obj(obj(e.data).error).message))
      .filter((m) => m)
      .pop();
    out.push({
      registry,
      source: 'probe',
      runs: g.length,
      samples: p95s.length,
      p50Ms: p50s.length > 0 ? round1(percentile(p50s, 50)!) : null,
      p95Ms: p95s.length > 0 ? round1(percentile(p95s, 95)!) : null,
      failures: failed.length,
      ...(lastError ? { lastError } : {}),
    });
  }
  const pulls = events.filter((e) => e.kind === 'pull' && e.ok);
  for (const [registry, g] of groupBy(pulls, (e) => str(obj(e.data).registry))) {
    const times = g.flatMap((e) => (e.durationMs === null ? [] : [e.durationMs]));
    const rates = g.flatMap((e) => {
      const r = num(obj(e.data).mbPerSecond);
      return r !== undefined && r > 0 ? [r] : [];
    });
    out.push({
      registry,
      source: 'pull',
      runs: g.length,
      samples: times.length,
      p50Ms: times.length > 0 ? round1(percentile(times, 50)!) : null,
      p95Ms: times.length > 0 ? round1(percentile(times, 95)!) : null,
      failures: 0,
      ...(rates.length > 0 ? { mbPerSecondP50: percentile(rates, 50)! } : {}),
    });
  }
  return out.sort(
    (a, b) =>
      a.source.localeCompare(b.source) ||
      (b.p95Ms ?? -1) - (a.p95Ms ?? -1) ||
      a.registry.localeCompare(b.registry),
  );
}

function readCounts(v: unknown): Counts {
  const c = obj(v);
  return Object.fromEntries(SEVERITIES.map((s) => [s, count(c[s])])) as Counts;
}

export function vulnerabilityTrends(events: readonly InsightEvent[]): VulnTrend[] {
  const scans = byTime(events.filter((e) => e.kind === 'scan' && e.subject && obj(e.data).counts));
  const trends = [...groupBy(scans, (e) => e.subject!).entries()].map(([subject, g]): VulnTrend => {
    const first = g[0]!;
    const last = g[g.length - 1]!;
    const a = readCounts(obj(first.data).counts);
    const b = readCounts(obj(last.data).counts);
    return {
      subject,
      reference: str(obj(last.data).reference) ?? subject,
      scans: g.length,
      first: { at: first.at.toISOString(), counts: a },
      latest: { at: last.at.toISOString(), counts: b },
      delta: Object.fromEntries(SEVERITIES.map((s) => [s, b[s] - a[s]])) as Counts,
    };
  });
  return trends.sort(
    (x, y) =>
      y.latest.counts.CRITICAL - x.latest.counts.CRITICAL ||
      y.latest.counts.HIGH - x.latest.counts.HIGH ||
      x.subject.localeCompare(y.subject),
  );
}

export function reclaimedStorage(events: readonly InsightEvent[]): Reclaimed {
  const runs = events.filter((e) => e.kind === 'retention' && obj(e.data).dryRun !== true);
  const row = (g: readonly InsightEvent[]) => ({
    runs: g.length,
    bytes: g.reduce((n, e) => n + count(obj(e.data).bytesReclaimed), 0),
    versions: g.reduce((n, e) => {
      const ids = obj(e.data).deletedVersionIds;
      return n + (Array.isArray(ids) ? ids.length : 0);
    }, 0),
    held: g.filter((e) => obj(e.data).held === true).length,
  });
  const byRepository = [...groupBy(runs, (e) => e.subject ?? 'unknown').entries()]
    .map(([subject, g]) => ({ subject, ...row(g) }))
    .sort((a, b) => b.bytes - a.bytes || a.subject.localeCompare(b.subject));
  return { ...row(runs), byRepository };
}

// ---- recommendations ---------------------------------------------------------------------------

export function recommend(
  ins: Omit<Insights, 'recommendations'>,
  opts: { latencyThresholdMs?: number } = {},
): Recommendation[] {
  const out: Recommendation[] = [];
  const threshold = opts.latencyThresholdMs ?? THRESHOLDS.latencyP95Ms;

  for (const c of ins.cache.bySubject) {
    if (c.kind !== 'pull' || c.ratio === null || c.runs < THRESHOLDS.minPulls) continue;
    if (c.ratio >= THRESHOLDS.cacheHitRatio) continue;
    out.push({
      severity: 'warning',
      topic: 'cache',
      subject: c.subject,
      message:
        `cache hit ratio ${pct(c.ratio)} for ${c.subject} over ${c.runs} pulls (${c.fetched} blobs, ${formatBytes(c.bytesFetched)} fetched): ` +
        `run "ghcr-optimize cache-warm ${c.reference ?? c.subject}" before builds, and keep the blob cache ($XDG_CACHE_HOME/ghcr-optimize) between CI runs`,
    });
  }

  for (const l of ins.latency) {
    if (l.source !== 'probe') continue;
    if (l.p95Ms !== null && l.p95Ms > threshold) {
      out.push({
        severity: 'warning',
        topic: 'latency',
        subject: l.registry,
        message:
          `p95 latency to registry ${l.registry} ${formatMs(l.p95Ms)} over ${l.samples} probes (p50 ${formatMs(l.p50Ms ?? 0)}, limit ${formatMs(threshold)}): ` +
          'check the network path from these machines, or pull through a registry mirror closer to them',
      });
    }
    if (l.failures > 0) {
      out.push({
        severity: 'warning',
        topic: 'availability',
        subject: l.registry,
        message: `${l.registry} was unhealthy in ${l.failures} of ${l.runs} probes${l.lastError ? ` (last: ${l.lastError})` : ''}: run "ghcr-optimize health ${l.registry}"`,
      });
    }
  }

  for (const s of ins.sizes) {
    const name = s.platform ? `${s.subject} (${s.platform})` : s.subject;
    if (
      s.samples > 1 &&
      s.changePercent !== null &&
      s.changePercent >= THRESHOLDS.sizeGrowthPercent &&
      s.changeBytes >= THRESHOLDS.sizeGrowthBytes
    ) {
      out.push({
        severity: 'warning',
        topic: 'size',
        subject: s.subject,
        message: `${name} grew ${s.changePercent}% (${formatBytes(s.first.sizeBytes)} → ${formatBytes(s.latest.sizeBytes)}) since ${day(s.first.at)}: run "ghcr-optimize analyze ${s.reference}" to see which layers added it`,
      });
    }
    const reclaimable = s.latest.reclaimableBytes ?? s.latest.wastedBytes;
    if (
      reclaimable !== undefined &&
      reclaimable >= THRESHOLDS.reclaimableBytes &&
      s.latest.sizeBytes > 0 &&
      (reclaimable / s.latest.sizeBytes) * 100 >= THRESHOLDS.reclaimablePercent
    ) {
      out.push({
        severity: 'info',
        topic: 'size',
        subject: s.subject,
        message: `${name} carries ${formatBytes(reclaimable)} (${pct(reclaimable / s.latest.sizeBytes)}) a rebuild would drop (files deleted or replaced by later layers, duplicates, caches): see "ghcr-optimize analyze ${s.reference}"`,
      });
    }
  }

  for (const b of ins.builds.bySubject) {
    if (b.builds < THRESHOLDS.minBuilds) continue;
    if (b.p95Ms >= THRESHOLDS.buildSlowMs && b.p95Ms >= THRESHOLDS.buildSpread * b.p50Ms) {
      out.push({
        severity: 'warning',
        topic: 'build',
        subject: b.subject,
        message: `builds of ${b.subject} take p50 ${formatMs(b.p50Ms)} but p95 ${formatMs(b.p95Ms)}: the slow ones likely rebuild without cache; warm it ("ghcr-optimize cache-warm") and copy dependency manifests before sources in the Dockerfile`,
      });
    }
    if (b.cacheRatio !== undefined && b.cacheRatio < THRESHOLDS.cacheHitRatio) {
      out.push({
        severity: 'warning',
        topic: 'build',
        subject: b.subject,
        message: `build cache hit ratio ${pct(b.cacheRatio)} for ${b.subject} over ${b.builds} builds: restore the build cache between runs (cache-from/cache-to) and order Dockerfile steps from least to most often changing`,
      });
    }
    if (b.failures / b.builds >= THRESHOLDS.buildFailureRate) {
      out.push({
        severity: 'warning',
        topic: 'build',
        subject: b.subject,
        message: `${b.failures} of ${b.builds} builds of ${b.subject} failed`,
      });
    }
  }

  for (const v of ins.vulnerabilities) {
    const critical = v.latest.counts.CRITICAL;
    if (critical > 0) {
      out.push({
        severity: 'warning',
        topic: 'vulnerabilities',
        subject: v.subject,
        message: `${v.subject} has ${critical} critical vulnerabilit${critical === 1 ? 'y' : 'ies'} (scan of ${day(v.latest.at)}): rebuild on a patched base image; "ghcr-optimize scan ${v.reference} --severity CRITICAL" lists them`,
      });
    }
    const before = v.first.counts.CRITICAL + v.first.counts.HIGH;
    const now = v.latest.counts.CRITICAL + v.latest.counts.HIGH;
    if (v.scans > 1 && now > before) {
      out.push({
        severity: 'info',
        topic: 'vulnerabilities',
        subject: v.subject,
        message: `critical and high vulnerabilities in ${v.subject} rose from ${before} to ${now} since ${day(v.first.at)}`,
      });
    }
  }

  for (const r of ins.reclaimed.byRepository) {
    if (r.held === 0) continue;
    out.push({
      severity: 'warning',
      topic: 'retention',
      subject: r.subject,
      message: `retention for ${r.subject} held every deletion back in ${r.held} of ${r.runs} runs (a kept manifest could not be read): see the plan's warnings`,
    });
  }

  const order: RecommendationTopic[] = [
    'vulnerabilities',
    'availability',
    'latency',
    'cache',
    'build',
    'size',
    'retention',
  ];
  return out
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) =>
        (a.r.severity === b.r.severity ? 0 : a.r.severity === 'warning' ? -1 : 1) ||
        order.indexOf(a.r.topic) - order.indexOf(b.r.topic) ||
        a.i - b.i,
    )
    .map(({ r }) => r);
}

/** Every section and the recommendations, for events already narrowed to the period. */
export function computeInsights(events: readonly InsightEvent[], opts: InsightOptions): Insights {
  const inWindow = events.filter(
    (e) => (!opts.since || e.at.getTime() >= opts.since.getTime()) && e.at.getTime() <= opts.now.getTime(),
  );
  const base = {
    since: opts.since ? opts.since.toISOString() : null,
    until: opts.now.toISOString(),
    events: inWindow.length,
    sizes: sizeTrends(inWindow),
    cache: cacheStats(inWindow),
    builds: buildStats(inWindow, opts.top ?? 5),
    latency: latencyStats(inWindow),
    vulnerabilities: vulnerabilityTrends(inWindow),
    reclaimed: reclaimedStorage(inWindow),
  };
  return {
    ...base,
    recommendations: recommend(base, {
      ...(opts.latencyThresholdMs !== undefined ? { latencyThresholdMs: opts.latencyThresholdMs } : {}),
    }),
  };
}
