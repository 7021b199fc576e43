/**
 * What the exporter reports from the insights store: last build/scan/clean per repository,
 * vulnerabilities of the latest scan, build durations, cache hit ratios, reclaimed storage, image
 * sizes and token ages. Pure: the events come from the store (or a test). The aggregations of
 * `insights` are reused so that the exporter and `ghcr-optimize insights` agree on every figure.
 */
import { SEVERITIES, type Severity } from '../scan/types.js';
import { EVENT_KINDS, type EventKind } from '../store/types.js';
import {
  buildStats,
  cacheStats,
  reclaimedStorage,
  sizeTrends,
  vulnerabilityTrends,
  type InsightEvent,
} from '../store/insights.js';
import type { Operation } from './metric-names.js';

export interface LastRun {
  operation: Operation;
  repository: string;
  at: Date;
  ok: boolean;
  durationMs?: number;
}

export interface VulnerabilityFigures {
  repository: string;
  counts: Record<Severity, number>;
  fixable?: number;
}

export interface BuildFigures {
  repository: string;
  success: number;
  failure: number;
  p50Ms: number;
  p95Ms: number;
}

export interface CacheFigures {
  /** pull: blob cache and pulls; transfer: copies/pushes; build: builder layer cache. */
  kind: 'pull' | 'transfer' | 'build';
  reused: number;
  fetched: number;
  /** reused / (reused + fetched); null when nothing was involved. */
  ratio: number | null;
}

export interface ImageFigures {
  repository: string;
  platform: string;
  sizeBytes: number;
  wastedBytes?: number;
}

export interface TokenFigures {
  token: string;
  ageSeconds: number;
  expiresAt?: Date;
}

export interface StoreSummary {
  /** Events per kind in the window. */
  events: Partial<Record<EventKind, number>>;
  lastRuns: LastRun[];
  vulnerabilities: VulnerabilityFigures[];
  builds: BuildFigures[];
  cache: CacheFigures[];
  reclaimed: { repository: string; bytes: number }[];
  images: ImageFigures[];
  tokens: TokenFigures[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const date = (v: unknown): Date | undefined => {
  const s = str(v);
  const t = s === undefined ? NaN : Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t);
};

/** The latest event per key (events in any order). */
function latestBy<T extends InsightEvent>(
  events: readonly T[],
  key: (e: T) => string | undefined,
): Map<string, T> {
  const out = new Map<string, T>();
  for (const e of events) {
    const k = key(e);
    if (k === undefined) continue;
    const seen = out.get(k);
    if (!seen || seen.at.getTime() <= e.at.getTime()) out.set(k, e);
  }
  return out;
}

function lastRuns(events: readonly InsightEvent[]): LastRun[] {
  const pick = (
    operation: Operation,
    filter: (e: InsightEvent) => boolean,
    ok: (e: InsightEvent) => boolean,
  ) =>
    [...latestBy(events.filter(filter), (e) => e.subject ?? undefined)].map(([repository, e]): LastRun => ({
      operation,
      repository,
      at: e.at,
      ok: ok(e),
      ...(e.durationMs !== null && Number.isFinite(e.durationMs) ? { durationMs: e.durationMs } : {}),
    }));
  return [
    ...pick(
      'build',
      (e) => e.kind === 'build',
      (e) => e.ok,
    ),
    ...pick(
      'scan',
      (e) => e.kind === 'scan',
      (e) => e.ok,
    ),
    // A dry run deletes nothing: only real cleans count, and one that stopped half-way failed.
    ...pick(
      'clean',
      (e) => e.kind === 'retention' && obj(e.data).dryRun !== true,
      (e) => e.ok && obj(e.data).complete !== false,
    ),
  ].sort((a, b) => a.operation.localeCompare(b.operation) || a.repository.localeCompare(b.repository));
}

function buildCache(events: readonly InsightEvent[]): CacheFigures | undefined {
  let hits = 0;
  let misses = 0;
  for (const e of events) {
    if (e.kind !== 'build') continue;
    hits += Math.max(0, num(obj(e.data).cacheHits) ?? 0);
    misses += Math.max(0, num(obj(e.data).cacheMisses) ?? 0);
  }
  if (hits + misses === 0) return undefined;
  return {
    kind: 'build',
    reused: hits,
    fetched: misses,
    ratio: Math.round((hits / (hits + misses)) * 1000) / 1000,
  };
}

/**
 * Token events are written by token checks; `data` names when the token was created
 * (`createdAt`) or how old it was then (`ageSeconds`), and optionally when it expires.
 */
function tokens(events: readonly InsightEvent[], now: Date): TokenFigures[] {
  const latest = latestBy(
    events.filter((e) => e.kind === 'token'),
    (e) => e.subject ?? str(obj(e.data).name) ?? 'default',
  );
  const out: TokenFigures[] = [];
  for (const [token, e] of latest) {
    const d = obj(e.data);
    const created = date(d.createdAt);
    const recordedAge = num(d.ageSeconds);
    const ageSeconds =
      created !== undefined
        ? (now.getTime() - created.getTime()) / 1000
        : recordedAge !== undefined
          ? recordedAge + (now.getTime() - e.at.getTime()) / 1000
          : undefined;
    if (ageSeconds === undefined) continue;
    const expiresAt = date(d.expiresAt);
    out.push({ token, ageSeconds: Math.max(0, Math.round(ageSeconds)), ...(expiresAt ? { expiresAt } : {}) });
  }
  return out.sort((a, b) => a.token.localeCompare(b.token));
}

/** `kinds`: the kinds the events were read for (each is reported, with 0 when none was found). */
export function summarizeEvents(
  events: readonly InsightEvent[],
  now: Date,
  kinds: readonly EventKind[] = EVENT_KINDS,
): StoreSummary {
  const counts = Object.fromEntries(kinds.map((k) => [k, 0])) as Partial<Record<EventKind, number>>;
  for (const e of events) if (counts[e.kind] !== undefined) counts[e.kind]!++;

  const scansBySubject = latestBy(
    events.filter((e) => e.kind === 'scan'),
    (e) => e.subject ?? undefined,
  );
  const vulnerabilities = vulnerabilityTrends(events).map((v): VulnerabilityFigures => {
    const fixable = num(obj(scansBySubject.get(v.subject)?.data).fixable);
    return { repository: v.subject, counts: v.latest.counts, ...(fixable !== undefined ? { fixable } : {}) };
  });

  const builds = buildStats(events, 0).bySubject.map((b): BuildFigures => ({
    repository: b.subject,
    success: b.builds - b.failures,
    failure: b.failures,
    p50Ms: b.p50Ms,
    p95Ms: b.p95Ms,
  }));

  const cache: CacheFigures[] = cacheStats(events).totals.map((t) => ({
    kind: t.kind,
    reused: t.reused,
    fetched: t.fetched,
    ratio: t.ratio,
  }));
  const bc = buildCache(events);
  if (bc) cache.push(bc);

  const images = sizeTrends(events).map((s): ImageFigures => ({
    repository: s.subject,
    platform: s.platform ?? '',
    sizeBytes: s.latest.sizeBytes,
    ...(s.latest.wastedBytes !== undefined ? { wastedBytes: s.latest.wastedBytes } : {}),
  }));

  return {
    events: counts,
    lastRuns: lastRuns(events),
    vulnerabilities: vulnerabilities.map((v) => ({
      ...v,
      counts: Object.fromEntries(SEVERITIES.map((s) => [s, v.counts[s]])) as Record<Severity, number>,
    })),
    builds,
    cache,
    reclaimed: reclaimedStorage(events).byRepository.map((r) => ({ repository: r.subject, bytes: r.bytes })),
    images,
    tokens: tokens(events, now),
  };
}
