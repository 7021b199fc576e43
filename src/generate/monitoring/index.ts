/**
 * `generate monitoring`: every file of the Prometheus + Alertmanager + Grafana setup for the
 * exporter, as paths relative to the output directory and their text. Pure: the command writes.
 */
import { alertsYaml, rulesTestYaml } from './alerts.js';
import { composeYaml } from './compose.js';
import { DASHBOARDS, dashboardJson } from './dashboards.js';
import { dashboardProviderYaml, datasourceYaml } from './grafana.js';
import { monitoringOptions, type MonitoringOptions } from './options.js';
import { alertmanagerYaml, prometheusYaml } from './prometheus.js';

export { alertRules, alertsYaml, rulesTestYaml, expandTemplate, AREAS } from './alerts.js';
export type { AlertRule, Area } from './alerts.js';
export { DASHBOARDS, DATASOURCE_UID, SCHEMA_VERSION, dashboardJson } from './dashboards.js';
export type { DashboardSpec, PanelSpec } from './dashboards.js';
export { DEFAULT_MONITORING_OPTIONS, monitoringOptions } from './options.js';
export type { MonitoringOptions } from './options.js';
export { IMAGES } from './compose.js';

export interface GeneratedFile {
  /** Relative to the output directory, with forward slashes. */
  path: string;
  content: string;
}

export const FILES = {
  compose: 'docker-compose.monitoring.yml',
  prometheus: 'prometheus/prometheus.yml',
  alerts: 'prometheus/alerts.yml',
  rulesTest: 'prometheus/rules_test.yml',
  alertmanager: 'alertmanager/alertmanager.yml',
  datasource: 'grafana/provisioning/datasources/prometheus.yml',
  provider: 'grafana/provisioning/dashboards/ghcr-optimize.yml',
} as const;

export function generateMonitoring(partial: Partial<MonitoringOptions> = {}): GeneratedFile[] {
  const o = monitoringOptions(partial);
  return [
    { path: FILES.compose, content: composeYaml(o) },
    { path: FILES.prometheus, content: prometheusYaml(o) },
    { path: FILES.alerts, content: alertsYaml(o) },
    { path: FILES.rulesTest, content: rulesTestYaml(o) },
    { path: FILES.alertmanager, content: alertmanagerYaml() },
    { path: FILES.datasource, content: datasourceYaml('http://prometheus:9090', o.scrapeInterval) },
    { path: FILES.provider, content: dashboardProviderYaml() },
    ...DASHBOARDS.map((d) => ({
      path: `grafana/dashboards/${d.file}`,
      content: `${JSON.stringify(dashboardJson(d), null, 2)}\n`,
    })),
  ];
}
