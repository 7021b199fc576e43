/**
 * The four views (the same as the generated Grafana dashboards) as data: what `/api/<view>`
 * returns and what the HTML pages render. Pure: recorded events in, JSON-ready objects out.
 */
import {
  computeInsights,
  type BuildRow,
  type BuildStat,
  type CacheStat,
  type InsightEvent,
  type Insights,
  type LatencyStat,
  type Reclaimed,
  type Recommendation,
  type SizeTrend,
  type VulnTrend,
} from '../../store/insights.js';
import type { EventKind } from '../../store/types.js';
import {
  activityChart,
  buildDurationChart,
  cacheRatioChart,
  probeLatencyChart,
  pullDurationChart,
  reclaimedChart,
  sizeChart,
  vulnerabilityChart,
  type Chart,
} from './series.js';

export const VIEWS = ['overview', 'builds', 'security', 'storage'] as const;
export type ViewName = (typeof VIEWS)[number];

export function isViewName(value: string): value is ViewName {
  return (VIEWS as readonly string[]).includes(value);
}

export interface ViewInfo {
  title: string;
  /** Page path. */
  path: string;
  /** Event kinds the view is drawn from; none recorded → the "no data yet" state. */
  kinds: readonly EventKind[] | 'any';
  /** What to run to record some. */
  record: string[];
}

export const VIEW_INFO: Record<ViewName, ViewInfo> = {
  overview: {
    title: 'Overview',
    path: '/',
    kinds: 'any',
    record: [
      'ghcr-optimize health REGISTRY',
      'ghcr-optimize pull IMAGE --output oci:DIR:TAG',
      'ghcr-optimize analyze IMAGE',
      'ghcr-optimize scan IMAGE',
    ],
  },
  builds: {
    title: 'Build Performance',
    path: '/builds',
    kinds: ['build', 'pull', 'transfer'],
    record: [
      'ghcr-optimize pull IMAGE --output oci:DIR:TAG',
      'ghcr-optimize cache-warm IMAGE',
      'ghcr-optimize copy SOURCE DESTINATION',
    ],
  },
  security: {
    title: 'Security Status',
    path: '/security',
    kinds: ['scan'],
    record: ['ghcr-optimize scan IMAGE'],
  },
  storage: {
    title: 'Storage Usage',
    path: '/storage',
    kinds: ['analysis', 'retention'],
    record: ['ghcr-optimize analyze IMAGE', 'ghcr-optimize clean REPOSITORY'],
  },
};

interface ViewBase {
  view: ViewName;
  title: string;
  /** Start of the period shown; null: all time. */
  since: string | null;
  until: string;
  /** Events in the period that this view is drawn from. */
  events: number;
  /** No events for this view yet: the page shows how to record some. */
  empty: boolean;
  charts: Record<string, Chart>;
}

export interface OverviewData extends ViewBase {
  view: 'overview';
  totals: {
    events: number;
    images: number;
    builds: number;
    pulls: number;
    scans: number;
    probes: number;
    criticalVulnerabilities: number;
    bytesReclaimed: number;
  };
  latency: LatencyStat[];
  recommendations: Recommendation[];
}

export interface BuildsData extends ViewBase {
  view: 'builds';
  slowest: BuildRow[];
  bySubject: BuildStat[];
  cache: { totals: CacheStat[]; bySubject: CacheStat[] };
  pulls: LatencyStat[];
  recommendations: Recommendation[];
}

export interface SecurityData extends ViewBase {
  view: 'security';
  vulnerabilities: VulnTrend[];
  recommendations: Recommendation[];
}

export interface StorageData extends ViewBase {
  view: 'storage';
  /** Without the per-analysis series (that is the chart). */
  sizes: Omit<SizeTrend, 'series'>[];
  reclaimed: Reclaimed;
  recommendations: Recommendation[];
}

export type ViewData = OverviewData | BuildsData | SecurityData | StorageData;

export interface ViewOptions {
  now: Date;
  since?: Date;
  latencyThresholdMs?: number;
  /** Length of the slowest-builds list; default 10. */
  top?: number;
}

function base(view: ViewName, events: readonly InsightEvent[], opts: ViewOptions): Omit<ViewBase, 'charts'> {
  const kinds = VIEW_INFO[view].kinds;
  const relevant = kinds === 'any' ? events.length : events.filter((e) => kinds.includes(e.kind)).length;
  return {
    view,
    title: VIEW_INFO[view].title,
    since: opts.since ? opts.since.toISOString() : null,
    until: opts.now.toISOString(),
    events: relevant,
    empty: relevant === 0,
  };
}

/** The data of one view, for events already narrowed to the period (as the store query does). */
export function viewData(view: ViewName, all: readonly InsightEvent[], opts: ViewOptions): ViewData {
  const events = all.filter(
    (e) => (!opts.since || e.at.getTime() >= opts.since.getTime()) && e.at.getTime() <= opts.now.getTime(),
  );
  const ins: Insights = computeInsights(events, {
    now: opts.now,
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.latencyThresholdMs !== undefined ? { latencyThresholdMs: opts.latencyThresholdMs } : {}),
    top: opts.top ?? 10,
  });
  const kindCount = (kind: EventKind): number => events.filter((e) => e.kind === kind).length;
  const about = (...topics: Recommendation['topic'][]): Recommendation[] =>
    ins.recommendations.filter((r) => topics.includes(r.topic));

  switch (view) {
    case 'overview':
      return {
        ...base(view, events, opts),
        view,
        totals: {
          events: events.length,
          images: new Set(
            events.filter((e) => e.kind === 'analysis' || e.kind === 'scan').map((e) => e.subject),
          ).size,
          builds: kindCount('build'),
          pulls: kindCount('pull'),
          scans: kindCount('scan'),
          probes: kindCount('probe'),
          criticalVulnerabilities: ins.vulnerabilities.reduce((n, v) => n + v.latest.counts.CRITICAL, 0),
          bytesReclaimed: ins.reclaimed.bytes,
        },
        latency: ins.latency,
        recommendations: ins.recommendations,
        charts: { activity: activityChart(events), latency: probeLatencyChart(events) },
      };
    case 'builds':
      return {
        ...base(view, events, opts),
        view,
        slowest: ins.builds.slowest,
        bySubject: ins.builds.bySubject,
        cache: ins.cache,
        pulls: ins.latency.filter((l) => l.source === 'pull'),
        recommendations: about('build', 'cache'),
        charts: {
          durations: buildDurationChart(events),
          cache: cacheRatioChart(events),
          pulls: pullDurationChart(events),
        },
      };
    case 'security':
      return {
        ...base(view, events, opts),
        view,
        vulnerabilities: ins.vulnerabilities,
        recommendations: about('vulnerabilities'),
        charts: { vulnerabilities: vulnerabilityChart(events) },
      };
    case 'storage':
      return {
        ...base(view, events, opts),
        view,
        sizes: ins.sizes.map(({ series: _series, ...rest }) => rest),
        reclaimed: ins.reclaimed,
        recommendations: about('size', 'retention'),
        charts: { sizes: sizeChart(ins.sizes), reclaimed: reclaimedChart(events) },
      };
  }
}
