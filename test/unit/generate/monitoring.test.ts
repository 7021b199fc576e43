import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import {
  AREAS,
  DASHBOARDS,
  DATASOURCE_UID,
  FILES,
  alertRules,
  expandTemplate,
  generateMonitoring,
  monitoringOptions,
} from '../../../src/generate/monitoring/index.js';
import { M } from '../../../src/monitor/metric-names.js';

interface RulesFile {
  groups: { name: string; rules: unknown[] }[];
}
interface RulesTestFile {
  tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
}
interface ComposeFile {
  services: Record<string, { ports: { host_ip: string; published: number }[] }>;
}
interface DashboardFile {
  uid: string;
  schemaVersion: number;
  panels: {
    id: number;
    datasource: { uid: string };
    targets: { expr: string }[];
    gridPos: { x: number; w: number };
  }[];
}

const files = (o = {}) => new Map(generateMonitoring(o).map((f) => [f.path, f.content]));

describe('generateMonitoring', () => {
  it('writes the compose file, Prometheus, Alertmanager, Grafana provisioning and four dashboards', () => {
    expect([...files().keys()].sort()).toEqual(
      [
        ...Object.values(FILES),
        'grafana/dashboards/overview.json',
        'grafana/dashboards/build-performance.json',
        'grafana/dashboards/security-status.json',
        'grafana/dashboards/storage-usage.json',
      ].sort(),
    );
  });

  it('is deterministic', () => {
    expect(generateMonitoring()).toEqual(generateMonitoring());
  });

  it('scrapes the exporter target and sends alerts to the Alertmanager target', () => {
    const prom = parse(
      files({ exporterTarget: '10.0.0.1:9464', scrapeInterval: '15s' }).get(FILES.prometheus)!,
    );
    expect(prom.scrape_configs[0]).toMatchObject({
      job_name: 'ghcr-optimize',
      static_configs: [{ targets: ['10.0.0.1:9464'] }],
    });
    expect(prom.global.scrape_interval).toBe('15s');
    expect(prom.rule_files).toEqual(['alerts.yml']);
    expect(prom.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
  });

  it('has alerts in each of the five areas, each with a firing and a quiet promtool test', () => {
    const rules = parse(files().get(FILES.alerts)!) as RulesFile;
    expect(rules.groups.map((g) => g.name)).toEqual(AREAS.map((a) => `ghcr-optimize-${a}`));
    for (const g of rules.groups) expect(g.rules.length).toBeGreaterThan(0);
    const tests = parse(files().get(FILES.rulesTest)!) as RulesTestFile;
    for (const r of alertRules(monitoringOptions())) {
      const mine = tests.tests.filter((t) => t.alert_rule_test[0]!.alertname === r.alert);
      expect(
        mine.map((t) => t.alert_rule_test[0]!.exp_alerts.length),
        r.alert,
      ).toEqual([1, 0]);
    }
  });

  it('takes the latency limit from the options', () => {
    const r = alertRules(monitoringOptions({ latencyThresholdSeconds: 0.25 })).find(
      (a) => a.alert === 'RegistryLatencyHigh',
    )!;
    expect(r.expr).toBe(`${M.registryLatency}{quantile="0.95"} > 0.25`);
    expect(r.summary).toContain('250 ms');
  });

  it('expands $labels in annotation templates as Prometheus does', () => {
    expect(
      expandTemplate('Registry {{ $labels.registry }} is {{$labels.state}}.', { registry: 'ghcr.io' }),
    ).toBe('Registry ghcr.io is .');
  });

  it('publishes every compose port on 127.0.0.1 by default, Grafana on 3002, and says so', () => {
    const text = files().get(FILES.compose)!;
    const compose = parse(text) as ComposeFile;
    expect(Object.keys(compose.services)).toEqual(['prometheus', 'alertmanager', 'grafana']);
    for (const svc of Object.values(compose.services)) {
      for (const p of svc.ports) expect(p.host_ip).toBe('127.0.0.1');
    }
    expect(compose.services.grafana!.ports).toEqual([
      { target: 3000, published: 3002, host_ip: '127.0.0.1', protocol: 'tcp' },
    ]);
    expect(text).toMatch(/# Published on 127\.0\.0\.1 only/);
    // YAML 1.1 readers would take a bare false as a boolean.
    expect(text).toContain('GF_USERS_ALLOW_SIGN_UP: "false"');
    expect(parseDocument(text, { version: '1.1' }).errors).toEqual([]);
  });

  it('binds elsewhere when told to', () => {
    const compose = parse(files({ bindAddress: '0.0.0.0', grafanaPort: 4000 }).get(FILES.compose)!);
    expect(compose.services.grafana.ports[0]).toMatchObject({ host_ip: '0.0.0.0', published: 4000 });
  });

  it('makes Grafana dashboards with schemaVersion >= 39, unique ids, and the provisioned datasource', () => {
    const ds = parse(files().get(FILES.datasource)!);
    expect(ds.datasources[0]).toMatchObject({
      uid: DATASOURCE_UID,
      type: 'prometheus',
      url: 'http://prometheus:9090',
    });
    const provider = parse(files().get(FILES.provider)!);
    expect(provider.providers[0].options.path).toBe('/etc/grafana/dashboards');
    const titles = DASHBOARDS.map((d) => d.title);
    expect(titles).toEqual([
      'ghcr-optimize / Overview',
      'ghcr-optimize / Build Performance',
      'ghcr-optimize / Security Status',
      'ghcr-optimize / Storage Usage',
    ]);
    const uids = new Set<string>();
    for (const d of DASHBOARDS) {
      const json = JSON.parse(files().get(`grafana/dashboards/${d.file}`)!) as DashboardFile;
      expect(json.schemaVersion).toBeGreaterThanOrEqual(39);
      uids.add(json.uid);
      const ids = json.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of json.panels) {
        expect(p.datasource.uid).toBe(DATASOURCE_UID);
        expect(p.targets[0]!.expr).toMatch(/ghcr_optimize_|^up\{/);
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      }
    }
    expect(uids.size).toBe(4);
  });

  it('queries only metrics the exporter defines', () => {
    const known = new Set<string>(Object.values(M));
    for (const d of DASHBOARDS) {
      for (const p of d.panels) {
        for (const name of p.expr.match(/ghcr_optimize_[a-z0-9_]+/g) ?? [])
          expect(known, `${d.title}: ${p.title}`).toContain(name);
      }
    }
    for (const r of alertRules(monitoringOptions())) {
      for (const name of r.expr.match(/ghcr_optimize_[a-z0-9_]+/g) ?? [])
        expect(known, r.alert).toContain(name);
    }
  });
});
