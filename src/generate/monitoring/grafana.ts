/** Grafana provisioning: the Prometheus datasource and the dashboard provider. Pure. */
import { Document } from 'yaml';
import { DATASOURCE_UID } from './dashboards.js';

/** Where the compose file mounts the dashboards inside the Grafana container. */
export const GRAFANA_DASHBOARDS_PATH = '/etc/grafana/dashboards';

export function datasourceYaml(prometheusUrl: string, scrapeInterval: string): string {
  const doc = new Document(
    {
      apiVersion: 1,
      datasources: [
        {
          name: 'Prometheus (ghcr-optimize)',
          uid: DATASOURCE_UID,
          type: 'prometheus',
          access: 'proxy',
          url: prometheusUrl,
          isDefault: true,
          editable: false,
          jsonData: { timeInterval: scrapeInterval },
        },
      ],
    },
    { version: '1.1' },
  );
  doc.commentBefore = ' Grafana datasource for the ghcr-optimize dashboards (their panels use this uid).';
  return doc.toString({ lineWidth: 0 });
}

export function dashboardProviderYaml(): string {
  const doc = new Document(
    {
      apiVersion: 1,
      providers: [
        {
          name: 'ghcr-optimize',
          folder: 'ghcr-optimize',
          type: 'file',
          disableDeletion: true,
          allowUiUpdates: false,
          updateIntervalSeconds: 60,
          options: { path: GRAFANA_DASHBOARDS_PATH, foldersFromFilesStructure: false },
        },
      ],
    },
    { version: '1.1' },
  );
  doc.commentBefore = ' Grafana loads the ghcr-optimize dashboards from the mounted directory.';
  return doc.toString({ lineWidth: 0 });
}
