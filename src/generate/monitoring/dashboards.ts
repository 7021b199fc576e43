/**
 * The four Grafana dashboards (Overview, Build Performance, Security Status, Storage Usage) as
 * data: panels with their PromQL, laid out on Grafana's 24-column grid. Pure.
 */
import { EXPORTER_JOB, M } from '../../monitor/metric-names.js';

export const DATASOURCE_UID = 'ghcr-optimize-prometheus';
export const SCHEMA_VERSION = 39;

type PanelType = 'stat' | 'timeseries' | 'bargauge' | 'table' | 'gauge';

export interface PanelSpec {
  title: string;
  type: PanelType;
  expr: string;
  legend?: string;
  unit?: string;
  description?: string;
  /** Grid width (of 24); height is 8, stats 4. */
  width?: number;
  /** Thresholds (ascending): [value, colour]; the first is the base colour. Default green. */
  thresholds?: [number, string][];
  min?: number;
  max?: number;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  file: string;
  description: string;
  panels: PanelSpec[];
}

const daysSince = (operation: string): string =>
  `(time() - ${M.lastRunTime}{operation="${operation}"}) / 86400`;

export const DASHBOARDS: readonly DashboardSpec[] = [
  {
    uid: 'ghcr-optimize-overview',
    title: 'ghcr-optimize / Overview',
    file: 'overview.json',
    description: 'Registry health, vulnerabilities, cache, quota and the last operations at a glance',
    panels: [
      {
        title: 'Exporter up',
        type: 'stat',
        expr: `up{job="${EXPORTER_JOB}"}`,
        width: 4,
        thresholds: [
          [0, 'red'],
          [1, 'green'],
        ],
      },
      {
        title: 'Registries up',
        type: 'stat',
        expr: M.registryUp,
        legend: '{{registry}}',
        width: 5,
        thresholds: [
          [0, 'red'],
          [1, 'green'],
        ],
      },
      {
        title: 'Insights store up',
        type: 'stat',
        expr: M.storeUp,
        width: 4,
        thresholds: [
          [0, 'red'],
          [1, 'green'],
        ],
      },
      {
        title: 'Critical vulnerabilities',
        type: 'stat',
        expr: `sum(${M.vulnerabilities}{severity="CRITICAL"})`,
        width: 5,
        thresholds: [
          [0, 'green'],
          [1, 'red'],
        ],
      },
      {
        title: 'GitHub API requests left',
        type: 'stat',
        expr: `${M.rateLimitRemaining}{resource="core"}`,
        width: 6,
        thresholds: [
          [0, 'red'],
          [500, 'green'],
        ],
      },
      {
        title: 'Registry latency p95',
        type: 'timeseries',
        expr: `${M.registryLatency}{quantile="0.95"}`,
        legend: '{{registry}}',
        unit: 's',
        width: 12,
      },
      {
        title: 'Cache hit ratio',
        type: 'timeseries',
        expr: M.cacheHitRatio,
        legend: '{{kind}}',
        unit: 'percentunit',
        min: 0,
        max: 1,
        width: 12,
      },
      {
        title: 'Last run succeeded',
        type: 'table',
        expr: M.lastRunSuccess,
        legend: '{{operation}} {{repository}}',
        width: 12,
      },
      {
        title: 'Storage per repository',
        type: 'bargauge',
        expr: M.storageBytes,
        legend: '{{repository}}',
        unit: 'decbytes',
        width: 12,
      },
    ],
  },
  {
    uid: 'ghcr-optimize-builds',
    title: 'ghcr-optimize / Build Performance',
    file: 'build-performance.json',
    description: 'Build durations, results and cache reuse from the insights store',
    panels: [
      {
        title: 'Build duration p95',
        type: 'timeseries',
        expr: `${M.buildDuration}{quantile="0.95"}`,
        legend: '{{repository}}',
        unit: 's',
        width: 12,
      },
      {
        title: 'Build duration p50',
        type: 'timeseries',
        expr: `${M.buildDuration}{quantile="0.5"}`,
        legend: '{{repository}}',
        unit: 's',
        width: 12,
      },
      {
        title: 'Builds by result',
        type: 'bargauge',
        expr: `sum by (result) (${M.builds})`,
        legend: '{{result}}',
        width: 8,
      },
      {
        title: 'Build failure ratio',
        type: 'gauge',
        expr: `sum by (repository) (${M.builds}{result="failure"}) / sum by (repository) (${M.builds})`,
        legend: '{{repository}}',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: [
          [0, 'green'],
          [0.2, 'red'],
        ],
        width: 8,
      },
      {
        title: 'Last build duration',
        type: 'stat',
        expr: `${M.lastRunDuration}{operation="build"}`,
        legend: '{{repository}}',
        unit: 's',
        width: 8,
      },
      {
        title: 'Cache hit ratio',
        type: 'timeseries',
        expr: M.cacheHitRatio,
        legend: '{{kind}}',
        unit: 'percentunit',
        min: 0,
        max: 1,
        width: 12,
      },
      {
        title: 'Blobs reused and fetched',
        type: 'bargauge',
        expr: M.cacheBlobs,
        legend: '{{kind}} {{result}}',
        width: 12,
      },
      {
        title: 'Days since last build',
        type: 'stat',
        expr: daysSince('build'),
        legend: '{{repository}}',
        unit: 'd',
        width: 24,
      },
    ],
  },
  {
    uid: 'ghcr-optimize-security',
    title: 'ghcr-optimize / Security Status',
    file: 'security-status.json',
    description: 'Vulnerabilities of the latest scans, scan freshness, tokens and registry authentication',
    panels: [
      {
        title: 'Vulnerabilities by severity',
        type: 'bargauge',
        expr: `sum by (severity) (${M.vulnerabilities})`,
        legend: '{{severity}}',
        width: 12,
      },
      {
        title: 'Critical and high per repository',
        type: 'table',
        expr: `sum by (repository) (${M.vulnerabilities}{severity=~"CRITICAL|HIGH"})`,
        legend: '{{repository}}',
        width: 12,
      },
      {
        title: 'Fixable vulnerabilities',
        type: 'stat',
        expr: M.vulnerabilitiesFixable,
        legend: '{{repository}}',
        width: 8,
      },
      {
        title: 'Last scan passed its gate',
        type: 'stat',
        expr: `${M.lastRunSuccess}{operation="scan"}`,
        legend: '{{repository}}',
        width: 8,
        thresholds: [
          [0, 'red'],
          [1, 'green'],
        ],
      },
      {
        title: 'Days since last scan',
        type: 'stat',
        expr: daysSince('scan'),
        legend: '{{repository}}',
        unit: 'd',
        width: 8,
        thresholds: [
          [0, 'green'],
          [7, 'red'],
        ],
      },
      {
        title: 'Token age',
        type: 'bargauge',
        expr: `${M.tokenAge} / 86400`,
        legend: '{{token}}',
        unit: 'd',
        width: 12,
        thresholds: [
          [0, 'green'],
          [90, 'red'],
        ],
      },
      {
        title: 'Registry authentication',
        type: 'stat',
        expr: M.registryAuthOk,
        legend: '{{registry}}',
        width: 12,
        thresholds: [
          [0, 'red'],
          [1, 'green'],
        ],
      },
    ],
  },
  {
    uid: 'ghcr-optimize-storage',
    title: 'ghcr-optimize / Storage Usage',
    file: 'storage-usage.json',
    description: 'Storage, tags and reclaimable space per repository and retention category',
    panels: [
      {
        title: 'Storage per repository',
        type: 'timeseries',
        expr: M.storageBytes,
        legend: '{{repository}}',
        unit: 'decbytes',
        width: 12,
      },
      {
        title: 'Reclaimable by the policy',
        type: 'bargauge',
        expr: M.storageReclaimable,
        legend: '{{repository}}',
        unit: 'decbytes',
        width: 12,
      },
      {
        title: 'Saved by shared layers',
        type: 'stat',
        expr: M.storageSharedSavings,
        legend: '{{repository}}',
        unit: 'decbytes',
        width: 8,
      },
      {
        title: 'Tags per category',
        type: 'bargauge',
        expr: `sum by (category) (${M.categoryTags})`,
        legend: '{{category}}',
        width: 8,
      },
      {
        title: 'Manifests per category',
        type: 'bargauge',
        expr: `sum by (category) (${M.categoryManifests})`,
        legend: '{{category}}',
        width: 8,
      },
      {
        title: 'Bytes per category',
        type: 'table',
        expr: M.categoryBytes,
        legend: '{{repository}} {{category}}',
        unit: 'decbytes',
        width: 12,
      },
      {
        title: 'Reclaimed by clean runs',
        type: 'bargauge',
        expr: M.reclaimedBytes,
        legend: '{{repository}}',
        unit: 'decbytes',
        width: 12,
      },
      {
        title: 'Image size (latest analysis)',
        type: 'bargauge',
        expr: M.imageSize,
        legend: '{{repository}} {{platform}}',
        unit: 'decbytes',
        width: 12,
      },
      {
        title: 'Days since last clean',
        type: 'stat',
        expr: daysSince('clean'),
        legend: '{{repository}}',
        unit: 'd',
        width: 6,
      },
      {
        title: 'Repository readable',
        type: 'stat',
        expr: M.inventoryUp,
        legend: '{{repository}}',
        width: 6,
        thresholds: [
          [0, 'red'],
          [1, 'green'],
        ],
      },
    ],
  },
];

const datasource = { type: 'prometheus', uid: DATASOURCE_UID };

function panelJson(p: PanelSpec, id: number, x: number, y: number): Record<string, unknown> {
  const width = p.width ?? 12;
  // The first threshold is the base colour (Grafana's base step has no value).
  const steps = (p.thresholds ?? [[0, 'green']]).map(([value, color], i) => ({
    color,
    value: i === 0 ? null : value,
  }));
  const defaults: Record<string, unknown> = {
    thresholds: { mode: 'absolute', steps },
    ...(p.unit ? { unit: p.unit } : {}),
    ...(p.min !== undefined ? { min: p.min } : {}),
    ...(p.max !== undefined ? { max: p.max } : {}),
  };
  const instant = p.type !== 'timeseries';
  return {
    id,
    type: p.type,
    title: p.title,
    ...(p.description ? { description: p.description } : {}),
    datasource,
    gridPos: { h: p.type === 'stat' ? 5 : 8, w: width, x, y },
    targets: [
      {
        refId: 'A',
        datasource,
        expr: p.expr,
        ...(p.legend ? { legendFormat: p.legend } : {}),
        ...(instant
          ? { instant: true, range: false, format: p.type === 'table' ? 'table' : 'time_series' }
          : { range: true }),
      },
    ],
    fieldConfig: { defaults, overrides: [] },
    options: panelOptions(p.type),
    ...(p.type === 'table' ? { transformations: [{ id: 'labelsToFields', options: {} }] } : {}),
  };
}

function panelOptions(type: PanelType): Record<string, unknown> {
  const reduce = { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false } };
  switch (type) {
    case 'stat':
      return {
        ...reduce,
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        textMode: 'auto',
        orientation: 'auto',
      };
    case 'gauge':
      return { ...reduce, showThresholdLabels: false, showThresholdMarkers: true };
    case 'bargauge':
      return { ...reduce, displayMode: 'gradient', orientation: 'horizontal', showUnfilled: true };
    case 'table':
      return { showHeader: true, cellHeight: 'sm' };
    case 'timeseries':
      return {
        legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
        tooltip: { mode: 'multi', sort: 'desc' },
      };
  }
}

/** Grafana dashboard JSON: panels flow left to right, wrapping at 24 columns. */
export function dashboardJson(d: DashboardSpec): Record<string, unknown> {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = d.panels.map((p, i) => {
    const w = p.width ?? 12;
    const h = p.type === 'stat' ? 5 : 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const json = panelJson(p, i + 1, x, y);
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return json;
  });
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['ghcr-optimize'],
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    editable: true,
    graphTooltip: 1,
    timezone: 'browser',
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    templating: { list: [] },
    annotations: { list: [] },
    links: [
      {
        title: 'ghcr-optimize',
        type: 'dashboards',
        tags: ['ghcr-optimize'],
        asDropdown: true,
        includeVars: false,
        keepTime: true,
      },
    ],
    panels,
  };
}
