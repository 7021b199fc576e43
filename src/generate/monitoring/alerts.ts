/**
 * Alert rules for the five monitored areas (availability, latency, security, quota, retention),
 * each with the promtool unit test that proves it fires on the series it is about and stays
 * quiet on healthy ones. Rules and tests are one list, so no alert ships untested. Pure.
 */
import { Document } from 'yaml';
import { EXPORTER_JOB, M } from '../../monitor/metric-names.js';
import type { MonitoringOptions } from './options.js';

export const AREAS = ['availability', 'latency', 'security', 'quota', 'retention'] as const;
export type Area = (typeof AREAS)[number];

interface Series {
  series: string;
  values: string;
}

export interface AlertRule {
  alert: string;
  area: Area;
  expr: string;
  for: string;
  severity: 'critical' | 'warning' | 'info';
  /** May use {{ $labels.NAME }} only, so the tests can state the expanded text. */
  summary: string;
  description: string;
  test: {
    /** Series under which the alert fires at `evalTime`, and the labels it then carries. */
    firing: Series[];
    labels: Record<string, string>;
    /** Series under which it must not fire. */
    quiet: Series[];
    evalTime: string;
  };
}

const DAY = 86_400;
const s = (series: string, values: string): Series => ({ series, values });

export function alertRules(o: MonitoringOptions): AlertRule[] {
  const latency = o.latencyThresholdSeconds;
  const tokenMax = o.tokenMaxAgeDays * DAY;
  return [
    // ---- availability
    {
      alert: 'GhcrOptimizeExporterDown',
      area: 'availability',
      expr: `up{job="${EXPORTER_JOB}"} == 0`,
      for: '5m',
      severity: 'critical',
      summary: 'The ghcr-optimize exporter at {{ $labels.instance }} cannot be scraped',
      description:
        'Prometheus cannot scrape the exporter: every other ghcr-optimize alert is blind until it is back. Check that "ghcr-optimize exporter" runs and listens where prometheus.yml points.',
      test: {
        firing: [s(`up{job="${EXPORTER_JOB}", instance="exporter:9464"}`, '0x15')],
        labels: { job: EXPORTER_JOB, instance: 'exporter:9464' },
        quiet: [s(`up{job="${EXPORTER_JOB}", instance="exporter:9464"}`, '1x15')],
        evalTime: '10m',
      },
    },
    {
      alert: 'RegistryDown',
      area: 'availability',
      expr: `${M.registryUp} == 0`,
      for: '5m',
      severity: 'critical',
      summary: 'Registry {{ $labels.registry }} is unreachable or refuses authentication',
      description:
        'The exporter’s probes of {{ $labels.registry }}/v2/ fail. Run "ghcr-optimize health {{ $labels.registry }}" to see why.',
      test: {
        firing: [s(`${M.registryUp}{registry="ghcr.io"}`, '0x15')],
        labels: { registry: 'ghcr.io' },
        quiet: [s(`${M.registryUp}{registry="ghcr.io"}`, '1x15')],
        evalTime: '10m',
      },
    },
    {
      alert: 'InsightsStoreUnreadable',
      area: 'availability',
      expr: `${M.storeUp} == 0`,
      for: '15m',
      severity: 'warning',
      summary: 'The insights store cannot be read',
      description:
        'Build, scan, clean and cache figures are missing while the exporter cannot read the insights store. Check store.url / GHCR_OPTIMIZE_STORE_URL and the database.',
      test: {
        firing: [s(M.storeUp, '0x20')],
        labels: {},
        quiet: [s(M.storeUp, '1x20')],
        evalTime: '20m',
      },
    },
    // ---- latency
    {
      alert: 'RegistryLatencyHigh',
      area: 'latency',
      expr: `${M.registryLatency}{quantile="0.95"} > ${latency}`,
      for: '10m',
      severity: 'warning',
      summary: 'Registry {{ $labels.registry }} answers slowly (p95 above ' + `${latency * 1000} ms)`,
      description:
        'Authenticated requests to {{ $labels.registry }} are slow: pulls and pushes will be too. Check the network path, or pull through a mirror closer to these machines.',
      test: {
        firing: [s(`${M.registryLatency}{registry="ghcr.io", quantile="0.95"}`, `${latency * 4}x20`)],
        labels: { registry: 'ghcr.io', quantile: '0.95' },
        quiet: [s(`${M.registryLatency}{registry="ghcr.io", quantile="0.95"}`, `${latency / 4}x20`)],
        evalTime: '15m',
      },
    },
    {
      alert: 'BuildsSlow',
      area: 'latency',
      expr: `${M.buildDuration}{quantile="0.95"} > 1800`,
      for: '30m',
      severity: 'warning',
      summary: 'Builds of {{ $labels.repository }} take over 30 minutes (p95)',
      description:
        'Slow builds usually rebuild without cache: warm it with "ghcr-optimize cache-warm" and order Dockerfile steps from least to most often changing.',
      test: {
        firing: [s(`${M.buildDuration}{repository="ghcr.io/acme/app", quantile="0.95"}`, '2400x40')],
        labels: { repository: 'ghcr.io/acme/app', quantile: '0.95' },
        quiet: [s(`${M.buildDuration}{repository="ghcr.io/acme/app", quantile="0.95"}`, '300x40')],
        evalTime: '35m',
      },
    },
    // ---- security
    {
      alert: 'CriticalVulnerabilities',
      area: 'security',
      expr: `${M.vulnerabilities}{severity="CRITICAL"} > 0`,
      for: '15m',
      severity: 'critical',
      summary: '{{ $labels.repository }} has critical vulnerabilities',
      description:
        'The latest scan of {{ $labels.repository }} found critical vulnerabilities: rebuild on a patched base image; "ghcr-optimize scan" lists them.',
      test: {
        firing: [s(`${M.vulnerabilities}{repository="ghcr.io/acme/app", severity="CRITICAL"}`, '2x20')],
        labels: { repository: 'ghcr.io/acme/app', severity: 'critical' },
        quiet: [s(`${M.vulnerabilities}{repository="ghcr.io/acme/app", severity="CRITICAL"}`, '0x20')],
        evalTime: '20m',
      },
    },
    {
      alert: 'HighVulnerabilities',
      area: 'security',
      expr: `${M.vulnerabilities}{severity="HIGH"} > 0`,
      for: '1h',
      severity: 'warning',
      summary: '{{ $labels.repository }} has high-severity vulnerabilities',
      description: 'The latest scan of {{ $labels.repository }} found high-severity vulnerabilities.',
      test: {
        firing: [s(`${M.vulnerabilities}{repository="ghcr.io/acme/app", severity="HIGH"}`, '5x70')],
        labels: { repository: 'ghcr.io/acme/app', severity: 'warning' },
        quiet: [s(`${M.vulnerabilities}{repository="ghcr.io/acme/app", severity="HIGH"}`, '0x70')],
        evalTime: '65m',
      },
    },
    {
      alert: 'ScanStale',
      area: 'security',
      expr: `time() - ${M.lastRunTime}{operation="scan"} > ${7 * DAY}`,
      for: '1h',
      severity: 'warning',
      summary: '{{ $labels.repository }} has not been scanned for a week',
      description:
        'New vulnerabilities are published daily: scan {{ $labels.repository }} at least weekly (a scheduled workflow running "ghcr-optimize scan").',
      test: {
        // time() starts at 0 in promtool: a last scan 8 days before that.
        firing: [s(`${M.lastRunTime}{operation="scan", repository="ghcr.io/acme/app"}`, `${-8 * DAY}x70`)],
        labels: { operation: 'scan', repository: 'ghcr.io/acme/app' },
        quiet: [s(`${M.lastRunTime}{operation="scan", repository="ghcr.io/acme/app"}`, `${-DAY}x70`)],
        evalTime: '65m',
      },
    },
    {
      alert: 'ScanGateFailed',
      area: 'security',
      expr: `${M.lastRunSuccess}{operation="scan"} == 0`,
      for: '5m',
      severity: 'warning',
      summary: 'The latest scan of {{ $labels.repository }} failed its severity gate',
      description: 'The image has vulnerabilities at or above the configured severity (scan.severity).',
      test: {
        firing: [s(`${M.lastRunSuccess}{operation="scan", repository="ghcr.io/acme/app"}`, '0x10')],
        labels: { operation: 'scan', repository: 'ghcr.io/acme/app' },
        quiet: [s(`${M.lastRunSuccess}{operation="scan", repository="ghcr.io/acme/app"}`, '1x10')],
        evalTime: '10m',
      },
    },
    // ---- quota
    {
      alert: 'GitHubRateLimitLow',
      area: 'quota',
      expr: `${M.rateLimitRemaining} / ${M.rateLimitLimit} < 0.1`,
      for: '5m',
      severity: 'warning',
      summary: 'Less than 10% of the GitHub API quota ({{ $labels.resource }}) is left',
      description:
        'Retention and restore use the GitHub Packages API; when the quota runs out they stop until it resets.',
      test: {
        firing: [
          s(`${M.rateLimitRemaining}{resource="core"}`, '100x10'),
          s(`${M.rateLimitLimit}{resource="core"}`, '5000x10'),
        ],
        labels: { resource: 'core' },
        quiet: [
          s(`${M.rateLimitRemaining}{resource="core"}`, '4000x10'),
          s(`${M.rateLimitLimit}{resource="core"}`, '5000x10'),
        ],
        evalTime: '10m',
      },
    },
    {
      alert: 'GitHubApiUnreachable',
      area: 'quota',
      expr: `${M.githubUp} == 0`,
      for: '15m',
      severity: 'warning',
      summary: 'The GitHub API does not answer the exporter’s quota query',
      description:
        'The exporter cannot read GET /rate_limit: check GITHUB_TOKEN and the network path to the API.',
      test: {
        firing: [s(M.githubUp, '0x20')],
        labels: {},
        quiet: [s(M.githubUp, '1x20')],
        evalTime: '20m',
      },
    },
    {
      alert: 'TokenOld',
      area: 'quota',
      expr: `${M.tokenAge} > ${tokenMax}`,
      for: '1h',
      severity: 'warning',
      summary: 'Token {{ $labels.token }} is older than ' + `${o.tokenMaxAgeDays} days`,
      description:
        'Rotate the token: create a new one with the same scopes, update the secret, revoke the old one.',
      test: {
        firing: [s(`${M.tokenAge}{token="ci"}`, `${tokenMax + DAY}x70`)],
        labels: { token: 'ci' },
        quiet: [s(`${M.tokenAge}{token="ci"}`, `${DAY}x70`)],
        evalTime: '65m',
      },
    },
    {
      alert: 'TokenExpiringSoon',
      area: 'quota',
      expr: `${M.tokenExpiry} - time() < ${7 * DAY}`,
      for: '1h',
      severity: 'warning',
      summary: 'Token {{ $labels.token }} expires within a week',
      description: 'Renew the token before it expires, or publishing and cleaning stop.',
      test: {
        firing: [s(`${M.tokenExpiry}{token="ci"}`, `${DAY}x70`)],
        labels: { token: 'ci' },
        quiet: [s(`${M.tokenExpiry}{token="ci"}`, `${30 * DAY}x70`)],
        evalTime: '65m',
      },
    },
    // ---- retention
    {
      alert: 'CleanFailed',
      area: 'retention',
      expr: `${M.lastRunSuccess}{operation="clean"} == 0`,
      for: '5m',
      severity: 'warning',
      summary: 'The latest clean of {{ $labels.repository }} did not finish',
      description:
        'It was held back (a kept manifest could not be read) or stopped half-way. Run "ghcr-optimize clean {{ $labels.repository }}" to see the plan and its warnings.',
      test: {
        firing: [s(`${M.lastRunSuccess}{operation="clean", repository="ghcr.io/acme/app"}`, '0x10')],
        labels: { operation: 'clean', repository: 'ghcr.io/acme/app' },
        quiet: [s(`${M.lastRunSuccess}{operation="clean", repository="ghcr.io/acme/app"}`, '1x10')],
        evalTime: '10m',
      },
    },
    {
      alert: 'CleanStale',
      area: 'retention',
      expr: `time() - ${M.lastRunTime}{operation="clean"} > ${14 * DAY}`,
      for: '1h',
      severity: 'warning',
      summary: '{{ $labels.repository }} has not been cleaned for two weeks',
      description: 'Old versions keep accumulating storage: check the scheduled clean workflow.',
      test: {
        firing: [s(`${M.lastRunTime}{operation="clean", repository="ghcr.io/acme/app"}`, `${-15 * DAY}x70`)],
        labels: { operation: 'clean', repository: 'ghcr.io/acme/app' },
        quiet: [s(`${M.lastRunTime}{operation="clean", repository="ghcr.io/acme/app"}`, `${-DAY}x70`)],
        evalTime: '65m',
      },
    },
    {
      alert: 'ReclaimableStorageHigh',
      area: 'retention',
      expr: `${M.storageReclaimable} > 1e9`,
      for: '6h',
      severity: 'info',
      summary: 'The retention policy would reclaim over 1 GB in {{ $labels.repository }}',
      description:
        'Run "ghcr-optimize clean {{ $labels.repository }}" to review the plan, then apply it with --force.',
      test: {
        firing: [s(`${M.storageReclaimable}{repository="ghcr.io/acme/app"}`, '2000000000x400')],
        labels: { repository: 'ghcr.io/acme/app' },
        quiet: [s(`${M.storageReclaimable}{repository="ghcr.io/acme/app"}`, '1000000x400')],
        evalTime: '380m',
      },
    },
    {
      alert: 'InventoryFailing',
      area: 'retention',
      expr: `${M.inventoryUp} == 0`,
      for: '30m',
      severity: 'warning',
      summary: 'The exporter cannot read repository {{ $labels.repository }}',
      description:
        'Storage and tag figures of {{ $labels.repository }} are stale. Run "ghcr-optimize stats {{ $labels.repository }}" to see why.',
      test: {
        firing: [s(`${M.inventoryUp}{repository="ghcr.io/acme/app"}`, '0x40')],
        labels: { repository: 'ghcr.io/acme/app' },
        quiet: [s(`${M.inventoryUp}{repository="ghcr.io/acme/app"}`, '1x40')],
        evalTime: '35m',
      },
    },
  ];
}

/** `{{ $labels.x }}` with the labels' values, as Prometheus expands it. */
export function expandTemplate(text: string, labels: Record<string, string>): string {
  return text.replace(
    /\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g,
    (_, name: string) => labels[name] ?? '',
  );
}

const HEADER = [
  ' Alert rules for ghcr-optimize, generated by "ghcr-optimize generate monitoring".',
  ' Check: promtool check rules alerts.yml; test: promtool test rules rules_test.yml',
].join('\n');

export function alertsYaml(o: MonitoringOptions): string {
  const rules = alertRules(o);
  const groups = AREAS.map((area) => ({
    name: `ghcr-optimize-${area}`,
    rules: rules
      .filter((r) => r.area === area)
      .map((r) => ({
        alert: r.alert,
        expr: r.expr,
        for: r.for,
        labels: { severity: r.severity, area: r.area },
        annotations: { summary: r.summary, description: r.description },
      })),
  }));
  const doc = new Document({ groups }, { version: '1.1' });
  doc.commentBefore = HEADER;
  return doc.toString({ lineWidth: 0 });
}

/**
 * promtool unit tests: for every alert, one test where it fires (with its labels and expanded
 * annotations) and one where it does not.
 */
export function rulesTestYaml(o: MonitoringOptions, rulesFile = 'alerts.yml'): string {
  const tests = alertRules(o).flatMap((r) => {
    const labels = { ...r.test.labels, severity: r.severity, area: r.area };
    // An alert's own labels win over the series' (a `severity` series label is replaced).
    return [
      {
        name: `${r.alert} fires`,
        interval: '1m',
        input_series: r.test.firing,
        alert_rule_test: [
          {
            eval_time: r.test.evalTime,
            alertname: r.alert,
            exp_alerts: [
              {
                exp_labels: labels,
                exp_annotations: {
                  summary: expandTemplate(r.summary, labels),
                  description: expandTemplate(r.description, labels),
                },
              },
            ],
          },
        ],
      },
      {
        name: `${r.alert} stays quiet`,
        interval: '1m',
        input_series: r.test.quiet,
        alert_rule_test: [{ eval_time: r.test.evalTime, alertname: r.alert, exp_alerts: [] }],
      },
    ];
  });
  const doc = new Document({ rule_files: [rulesFile], evaluation_interval: '1m', tests }, { version: '1.1' });
  doc.commentBefore = ' Unit tests of alerts.yml: promtool test rules rules_test.yml';
  return doc.toString({ lineWidth: 0 });
}
