/**
 * Chart data for the dashboard: recorded events → time series in the column layout uPlot draws
 * (one shared x array of Unix seconds, one value array per line, null where a line has no point).
 * Pure; event `data` is read defensively, as in store/insights.ts, since a shared store holds
 * rows written by other versions.
 */
import { SEVERITIES, type Severity } from '../../scan/types.js';
import type { InsightEvent, SizeTrend } from '../../store/insights.js';

export type ChartUnit = 'bytes' | 'ms' | 'ratio' | 'count';

export interface Chart {
  title: string;
  unit: ChartUnit;
  /** Unix seconds, ascending. */
  x: number[];
  series: { label: string; values: (number | null)[] }[];
}

export interface Line {
  label: string;
  points: { t: number; v: number }[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const count = (v: unknown): number => Math.max(0, num(v) ?? 0);

const DAY_S = 86_400;
const seconds = (at: Date): number => Math.floor(at.getTime() / 1000);
/** Midnight UTC of the event's day, in Unix seconds. */
const dayOf = (at: Date): number => Math.floor(seconds(at) / DAY_S) * DAY_S;
const byTime = <T extends { at: Date }>(events: readonly T[]): T[] =>
  [...events].sort((a, b) => a.at.getTime() - b.at.getTime());

/** Lines → one shared x axis; a line without a point at some x gets null there. Same x twice: last wins. */
export function alignLines(title: string, unit: ChartUnit, lines: readonly Line[]): Chart {
  const kept = lines.filter((l) => l.points.length > 0);
  const x = [...new Set(kept.flatMap((l) => l.points.map((p) => p.t)))].sort((a, b) => a - b);
  const index = new Map(x.map((t, i) => [t, i]));
  const series = kept.map((l) => {
    const values: (number | null)[] = x.map(() => null);
    for (const p of l.points) values[index.get(p.t)!] = p.v;
    return { label: l.label, values };
  });
  return { title, unit, x, series };
}

function linesBy<T>(
  items: readonly T[],
  label: (item: T) => string | undefined,
  point: (item: T) => Line['points'][number] | undefined,
): Line[] {
  const lines = new Map<string, Line>();
  for (const item of items) {
    const l = label(item);
    const p = point(item);
    if (l === undefined || p === undefined) continue;
    let line = lines.get(l);
    if (!line) lines.set(l, (line = { label: l, points: [] }));
    line.points.push(p);
  }
  return [...lines.values()].sort((a, b) => a.label.localeCompare(b.label));
}

/** Events recorded per day, one line per kind. */
export function activityChart(events: readonly InsightEvent[]): Chart {
  const perKind = new Map<string, Map<number, number>>();
  for (const e of events) {
    const days = perKind.get(e.kind) ?? new Map<number, number>();
    perKind.set(e.kind, days);
    const d = dayOf(e.at);
    days.set(d, (days.get(d) ?? 0) + 1);
  }
  const lines = [...perKind.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, days]) => ({ label: kind, points: [...days.entries()].map(([t, v]) => ({ t, v })) }));
  const chart = alignLines('Events recorded per day', 'count', lines);
  // A day without events of a kind is a real zero, not a gap.
  for (const s of chart.series) s.values = s.values.map((v) => v ?? 0);
  return chart;
}

/** p95 of each health probe, one line per registry. */
export function probeLatencyChart(events: readonly InsightEvent[]): Chart {
  const probes = byTime(events.filter((e) => e.kind === 'probe'));
  return alignLines(
    'Registry latency p95 (health probes)',
    'ms',
    linesBy(
      probes,
      (e) => e.subject ?? undefined,
      (e) => {
        const p95 = num(obj(obj(e.data).latencyMs).p95);
        return p95 === undefined ? undefined : { t: seconds(e.at), v: p95 };
      },
    ),
  );
}

/** Wall time of every build, one line per image. */
export function buildDurationChart(events: readonly InsightEvent[]): Chart {
  const builds = byTime(events.filter((e) => e.kind === 'build'));
  return alignLines(
    'Build duration',
    'ms',
    linesBy(
      builds,
      (e) => e.subject ?? undefined,
      (e) =>
        e.durationMs === null || !Number.isFinite(e.durationMs)
          ? undefined
          : { t: seconds(e.at), v: e.durationMs },
    ),
  );
}

/** Wall time of every successful pull, one line per registry. */
export function pullDurationChart(events: readonly InsightEvent[]): Chart {
  const pulls = byTime(events.filter((e) => e.kind === 'pull' && e.ok));
  return alignLines(
    'Pull duration',
    'ms',
    linesBy(
      pulls,
      (e) => str(obj(e.data).registry) ?? e.subject ?? undefined,
      (e) =>
        e.durationMs === null || !Number.isFinite(e.durationMs)
          ? undefined
          : { t: seconds(e.at), v: e.durationMs },
    ),
  );
}

/**
 * Daily cache hit ratio: for pulls and transfers, blobs reused (cache, already there, mounted) over
 * all blobs; for builds, cache hits over hits + misses. Days without blobs have no point.
 */
export function cacheRatioChart(events: readonly InsightEvent[]): Chart {
  const tallies = new Map<string, Map<number, { hit: number; all: number }>>();
  const add = (label: string, at: Date, hit: number, all: number): void => {
    if (all <= 0) return;
    const days = tallies.get(label) ?? new Map<number, { hit: number; all: number }>();
    tallies.set(label, days);
    const d = dayOf(at);
    const t = days.get(d) ?? { hit: 0, all: 0 };
    t.hit += hit;
    t.all += all;
    days.set(d, t);
  };
  for (const e of events) {
    const d = obj(e.data);
    if ((e.kind === 'pull' || e.kind === 'transfer') && e.ok) {
      const b = obj(d.blobs);
      const reused = count(b.cached) + count(b.skipped) + count(b.mounted);
      add(e.kind, e.at, reused, reused + count(b.copied));
    } else if (e.kind === 'build') {
      const hits = count(d.cacheHits);
      add('build', e.at, hits, hits + count(d.cacheMisses));
    }
  }
  const lines = [...tallies.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, days]) => ({
      label,
      points: [...days.entries()].map(([t, { hit, all }]) => ({
        t,
        v: Math.round((hit / all) * 1000) / 1000,
      })),
    }));
  return alignLines('Cache hit ratio per day', 'ratio', lines);
}

/**
 * Open vulnerabilities by severity over time: after each scan, the sum over images of each image's
 * latest scan (a rescan replaces an image's figures rather than adding to them).
 */
export function vulnerabilityChart(events: readonly InsightEvent[]): Chart {
  const scans = byTime(events.filter((e) => e.kind === 'scan' && e.subject && obj(obj(e.data).counts)));
  const latest = new Map<string, Record<Severity, number>>();
  const points: { t: number; totals: Record<Severity, number> }[] = [];
  for (const e of scans) {
    const c = obj(obj(e.data).counts);
    if (Object.keys(c).length === 0) continue;
    latest.set(
      e.subject!,
      Object.fromEntries(SEVERITIES.map((s) => [s, count(c[s])])) as Record<Severity, number>,
    );
    const totals = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    for (const counts of latest.values()) for (const s of SEVERITIES) totals[s] += counts[s];
    points.push({ t: seconds(e.at), totals });
  }
  // CRITICAL and HIGH always show (a flat zero is news); the others only when they occur.
  const shown = SEVERITIES.filter(
    (s) => s === 'CRITICAL' || s === 'HIGH' || points.some((p) => p.totals[s] > 0),
  );
  return alignLines(
    'Open vulnerabilities by severity',
    'count',
    shown.map((s) => ({ label: s, points: points.map((p) => ({ t: p.t, v: p.totals[s] })) })),
  );
}

/** Image size (uncompressed) of every analysis, one line per image and platform. */
export function sizeChart(trends: readonly SizeTrend[]): Chart {
  return alignLines(
    'Image size per service',
    'bytes',
    trends.map((t) => ({
      label: t.platform ? `${t.subject} (${t.platform})` : t.subject,
      points: t.series.map((p) => ({ t: seconds(new Date(p.at)), v: p.sizeBytes })),
    })),
  );
}

/** Bytes freed by retention runs (not dry runs), cumulative. */
export function reclaimedChart(events: readonly InsightEvent[]): Chart {
  const runs = byTime(events.filter((e) => e.kind === 'retention' && obj(e.data).dryRun !== true));
  let total = 0;
  const points = runs.map((e) => {
    total += count(obj(e.data).bytesReclaimed);
    return { t: seconds(e.at), v: total };
  });
  return alignLines('Storage reclaimed (cumulative)', 'bytes', [{ label: 'reclaimed', points }]);
}

/** True when the chart has at least one drawable value. */
export function hasPoints(chart: Chart): boolean {
  return chart.series.some((s) => s.values.some((v) => v !== null));
}
