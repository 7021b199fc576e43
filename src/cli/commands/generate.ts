import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../content/atomic-file.js';
import {
  DEFAULT_MONITORING_OPTIONS,
  generateMonitoring,
  type GeneratedFile,
} from '../../generate/monitoring/index.js';
import { formatBytes, formatTable } from '../output.js';
import type { Runner } from '../context.js';

/** HOST:PORT or [IPv6]:PORT, as Prometheus targets are written. */
function target(value: string, flag: string): string {
  if (
    !/^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/.test(value) ||
    Number(value.split(':').pop()) > 65535
  ) {
    throw new UsageError(`${flag} must be HOST:PORT, got "${value}"`, {
      hint: `e.g. ${flag} 127.0.0.1:9464`,
    });
  }
  return value;
}

function port(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new UsageError(`${flag} must be a port from 1 to 65535, got "${value}"`);
  }
  return n;
}

/** A Prometheus duration: 15s, 1m, 2h. */
function promDuration(value: string, flag: string): string {
  if (!/^(?:\d+(?:ms|s|m|h|d|w|y))+$/.test(value) || /^0+[a-z]+$/.test(value)) {
    throw new UsageError(`${flag} must be a Prometheus duration such as 15s or 1m, got "${value}"`);
  }
  return value;
}

/** Files that are already there: the command refuses to replace them without --force. */
async function existing(dir: string, files: readonly GeneratedFile[]): Promise<string[]> {
  const found: string[] = [];
  for (const f of files) {
    try {
      await stat(join(dir, f.path));
      found.push(f.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return found;
}

function monitoringCommand(run: Runner) {
  const d = DEFAULT_MONITORING_OPTIONS;
  return new Command('monitoring')
    .description(
      'write a Prometheus + Alertmanager + Grafana setup for the exporter: config, alert rules and their tests, dashboards, compose file',
    )
    .option('--out <dir>', 'directory to write into', 'monitoring')
    .option('--force', 'overwrite files that already exist')
    .option(
      '--exporter <host:port>',
      `where Prometheus scrapes "ghcr-optimize exporter" (default ${d.exporterTarget})`,
    )
    .option('--alertmanager <host:port>', `where Prometheus sends alerts (default ${d.alertmanagerTarget})`)
    .option(
      '--scrape-interval <duration>',
      `Prometheus scrape and rule interval (default ${d.scrapeInterval})`,
    )
    .option('--bind <address>', `address the compose file publishes ports on (default ${d.bindAddress})`)
    .option('--grafana-port <port>', `published Grafana port (default ${d.grafanaPort})`)
    .option('--prometheus-port <port>', `published Prometheus port (default ${d.prometheusPort})`)
    .option('--alertmanager-port <port>', `published Alertmanager port (default ${d.alertmanagerPort})`)
    .addHelpText(
      'after',
      `
Writes, under --out:
  docker-compose.monitoring.yml                    Prometheus, Alertmanager, Grafana (ports on 127.0.0.1)
  prometheus/prometheus.yml, alerts.yml, rules_test.yml
  alertmanager/alertmanager.yml
  grafana/provisioning/{datasources,dashboards}/*.yml
  grafana/dashboards/{overview,build-performance,security-status,storage-usage}.json
Alerts cover availability, latency, security, quota and retention; the registry latency limit
is health.maxLatencyMs from the config (default 500 ms). Check them with
"promtool check rules", "promtool test rules prometheus/rules_test.yml" and "amtool check-config".
Existing files are left alone unless --force; each file is written whole or not at all.

Examples:
  ghcr-optimize generate monitoring
  ghcr-optimize generate monitoring --out ops/monitoring --exporter 172.17.0.1:9464 --force
  GRAFANA_ADMIN_PASSWORD=... docker compose -f monitoring/docker-compose.monitoring.yml up -d`,
    )
    .action((opts) =>
      run(async (ctx) => {
        const maxLatencyMs = ctx.config.health?.maxLatencyMs;
        const files = generateMonitoring({
          ...(opts.exporter !== undefined ? { exporterTarget: target(opts.exporter, '--exporter') } : {}),
          ...(opts.alertmanager !== undefined
            ? { alertmanagerTarget: target(opts.alertmanager, '--alertmanager') }
            : {}),
          ...(opts.scrapeInterval !== undefined
            ? { scrapeInterval: promDuration(opts.scrapeInterval, '--scrape-interval') }
            : {}),
          ...(opts.bind !== undefined ? { bindAddress: opts.bind } : {}),
          grafanaPort: port(opts.grafanaPort, '--grafana-port', d.grafanaPort),
          prometheusPort: port(opts.prometheusPort, '--prometheus-port', d.prometheusPort),
          alertmanagerPort: port(opts.alertmanagerPort, '--alertmanager-port', d.alertmanagerPort),
          ...(maxLatencyMs !== undefined ? { latencyThresholdSeconds: maxLatencyMs / 1000 } : {}),
        });
        const dir = resolve(opts.out);
        if (!opts.force) {
          const there = await existing(dir, files);
          if (there.length > 0) {
            throw new UsageError(
              `${there.length} of the files already exist in ${dir} (${there[0]}${there.length > 1 ? ', …' : ''})`,
              { hint: 'add --force to overwrite them, or choose another --out directory' },
            );
          }
        }
        for (const f of files) await writeFileAtomic(join(dir, f.path), f.content);
        const written = files.map((f) => ({ path: f.path, bytes: Buffer.byteLength(f.content) }));
        ctx.out.result({ out: dir, files: written }, () =>
          [
            `wrote ${written.length} files to ${dir}`,
            formatTable(
              ['FILE', 'SIZE'],
              written.map((w) => [w.path, formatBytes(w.bytes)]),
            ),
          ].join('\n'),
        );
      }),
    );
}

export function generateCommand(run: Runner) {
  return new Command('generate')
    .description('generate files for running ghcr-optimize: monitoring (Prometheus, Alertmanager, Grafana)')
    .addHelpText(
      'after',
      `
Examples:
  ghcr-optimize generate monitoring --out monitoring`,
    )
    .addCommand(monitoringCommand(run));
}
