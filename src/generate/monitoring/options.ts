/** What `generate monitoring` can be told, with its defaults. Pure. */

export interface MonitoringOptions {
  /** HOST:PORT Prometheus scrapes the exporter at. */
  exporterTarget: string;
  /** HOST:PORT Prometheus sends alerts to. */
  alertmanagerTarget: string;
  /** Prometheus duration, e.g. 30s. */
  scrapeInterval: string;
  /** Address the compose file publishes ports on. */
  bindAddress: string;
  grafanaPort: number;
  prometheusPort: number;
  alertmanagerPort: number;
  /** p95 registry latency above this fires RegistryLatencyHigh. */
  latencyThresholdSeconds: number;
  /** A token older than this fires TokenOld. */
  tokenMaxAgeDays: number;
}

export const DEFAULT_MONITORING_OPTIONS: MonitoringOptions = {
  // The exporter runs on the host; the containers reach it through Docker's host gateway.
  exporterTarget: 'host.docker.internal:9464',
  alertmanagerTarget: 'alertmanager:9093',
  scrapeInterval: '30s',
  bindAddress: '127.0.0.1',
  grafanaPort: 3002,
  prometheusPort: 9090,
  alertmanagerPort: 9093,
  latencyThresholdSeconds: 0.5,
  tokenMaxAgeDays: 90,
};

export function monitoringOptions(partial: Partial<MonitoringOptions> = {}): MonitoringOptions {
  const out = { ...DEFAULT_MONITORING_OPTIONS };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
