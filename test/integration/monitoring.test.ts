/**
 * The exporter and the generated monitoring setup against real components: a docker-registry to
 * probe and inventory, the GitHub simulator for the quota, a seeded SQLite insights store, and a
 * real Prometheus scraping the exporter with the generated config; promtool and amtool check the
 * generated files, and the compose file is validated against the compose-spec schema.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeValidator } from '../support/compose-schema.js';
import { createExporter, serveExporter, type RunningExporter } from '../../src/monitor/exporter.js';
import { probeRegistry } from '../../src/monitor/health.js';
import { fetchRateLimits } from '../../src/monitor/quota.js';
import { storeSource } from '../../src/monitor/store-source.js';
import { storageJob } from '../../src/monitor/storage.js';
import { RegistryBackend } from '../../src/retention/registry-backend.js';
import { resolvePolicy } from '../../src/retention/policy.js';
import { openStoreLocation } from '../../src/store/open.js';
import { DASHBOARDS, FILES, generateMonitoring } from '../../src/generate/monitoring/index.js';
import { cliEnv, describeRun, runCli } from '../support/cli.js';
import { testClient } from '../support/client.js';
import { startGitHubSim, type GitHubSim } from '../support/github-sim/index.js';
import { makeImage } from '../support/images.js';
import { makeTempDir, removeTempDir, stopChild, trackChild } from '../support/lifecycle.js';
import { closeServer, listenLocal } from '../support/net.js';
import { freePort, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { requireTool } from '../support/tools.js';

const tools = ['docker-registry', 'prometheus', 'promtool', 'amtool'].every((t) => requireTool(t));

const VERSION_DAY = 86_400_000;

async function seedStore(path: string, registryHost: string): Promise<void> {
  const store = await openStoreLocation({ kind: 'sqlite', path });
  const repo = `${registryHost}/acme/app`;
  try {
    const now = Date.now();
    await store.recordBuild({
      image: `${repo}:1.0.0`,
      durationMs: 95_000,
      ok: true,
      cacheHits: 8,
      cacheMisses: 2,
    });
    await store.recordBuild({ image: `${repo}:1.0.1`, durationMs: 120_000, ok: false });
    await store.recordScan(
      { CRITICAL: 1, HIGH: 3, LOW: 7 },
      { image: `${repo}:1.0.0`, fixable: 2, ok: false },
    );
    await store.recordRetention(
      {
        manifests: { total: 4, kept: 3, deleted: 1 },
        tags: { total: 5, kept: 4, deleted: 1 },
        bytesReclaimed: 12_345,
        bytesUnknown: 0,
        categories: {},
        unmatchedTags: [],
        held: false,
      },
      [101],
      { repository: repo, bytesReclaimed: 12_345 },
    );
    await store.recordTransfer(
      {
        blobs: { copied: 1, skipped: 0, mounted: 0, cached: 3 },
        manifests: { copied: 1, skipped: 0 },
        bytes: 1000,
        seconds: 0.5,
        mbPerSecond: 0.002,
      },
      { source: `${repo}:1.0.0`, destination: 'oci:/tmp/x:1', command: 'pull' },
    );
    await store.recordAnalysis(
      { bytes: 5_000_000, storedBytes: 2_000_000, layers: 3 },
      { bytes: 400_000, reclaimableBytes: 300_000, efficiency: 0.92 },
      { image: `${repo}:1.0.0`, platform: 'linux/amd64' },
    );
    await store.record({
      kind: 'token',
      command: 'token',
      subject: 'ci',
      data: { createdAt: new Date(now - 40 * VERSION_DAY).toISOString() },
    });
  } finally {
    await store.close();
  }
}

/** The metric names an exposition carries samples for. */
function metricNames(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]),
  );
}

function run(cmd: string, args: string[], cwd: string): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!tools)('exporter + generated monitoring against real Prometheus', () => {
  let registry: RunningRegistry;
  let sim: GitHubSim;
  let exporter: RunningExporter;
  let prometheus: RunningPrometheus;
  let dir: string;
  let out: string;
  let exposition: string;

  beforeAll(async () => {
    dir = makeTempDir('ghcr-opt-monitoring');
    registry = await startRegistry();
    const created = new Date(Date.now() - 3 * VERSION_DAY).toISOString();
    await pushImage(
      registry.url,
      'acme/app',
      '1.0.0',
      makeImage({ layers: [{ 'a.txt': 'one' }], config: { created } }),
    );
    await pushImage(
      registry.url,
      'acme/app',
      'pr-7',
      makeImage({ layers: [{ 'b.txt': 'two' }], config: { created } }),
    );
    sim = await startGitHubSim({
      registry,
      owners: [{ login: 'acme', type: 'Organization' }],
      tokens: { 'tok-acme': { login: 'acme' } },
    });
    const storePath = join(dir, 'insights.db');
    await seedStore(storePath, registry.host);

    const client = testClient();
    const backend = new RegistryBackend(client.repository(registry.host, 'acme/app'));
    const ex = createExporter(
      {
        version: 'test',
        probes: {
          registries: [registry.host],
          probe: (r, signal) => probeRegistry(client, r, { samples: 2, signal }),
        },
        storage: storageJob([backend], resolvePolicy(undefined)),
        store: storeSource({ kind: 'sqlite', path: storePath }, 90 * VERSION_DAY),
        quota: (signal) => fetchRateLimits({ apiUrl: sim.apiUrl, token: 'tok-acme', signal }),
      },
      { intervalMs: 60_000, storageIntervalMs: 600_000 },
    );
    exporter = await serveExporter(ex, { host: '127.0.0.1', port: 0 });
    await ex.refresh();
    exposition = await (await fetch(`${exporter.url}/metrics`)).text();

    // Alerts go to a port nothing listens on: Prometheus must not look up "alertmanager" anywhere.
    out = join(dir, 'monitoring');
    for (const f of generateMonitoring({
      exporterTarget: `127.0.0.1:${exporter.port}`,
      alertmanagerTarget: `127.0.0.1:${await freePort()}`,
      scrapeInterval: '1s',
    })) {
      mkdirSync(dirname(join(out, f.path)), { recursive: true });
      writeFileSync(join(out, f.path), f.content);
    }
    prometheus = await startPrometheus(join(out, FILES.prometheus));
    // Scraped at least once, with the store's figures in.
    await prometheus.waitFor('ghcr_optimize_store_up == 1');
    await prometheus.waitFor('ghcr_optimize_storage_bytes');
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
    await sim?.stop();
    await registry?.stop();
    if (dir) removeTempDir(dir);
  });

  it('exports probe, storage, store and quota metrics from the real sources', () => {
    const names = metricNames(exposition);
    for (const n of [
      'ghcr_optimize_registry_up',
      'ghcr_optimize_registry_latency_seconds',
      'ghcr_optimize_storage_bytes',
      'ghcr_optimize_tags',
      'ghcr_optimize_vulnerabilities',
      'ghcr_optimize_last_run_timestamp_seconds',
      'ghcr_optimize_cache_hit_ratio',
      'ghcr_optimize_token_age_seconds',
      'ghcr_optimize_github_rate_limit_remaining',
    ]) {
      expect(names, n).toContain(n);
    }
    expect(exposition).toContain(`ghcr_optimize_registry_up{registry="${registry.host}"} 1`);
    expect(exposition).toContain(
      `ghcr_optimize_tags{repository="${registry.host}/acme/app",category="pr"} 1`,
    );
    expect(exposition).toContain('ghcr_optimize_github_rate_limit_limit{resource="core"} 5000');
    expect(exposition).toContain('ghcr_optimize_store_up 1');
  });

  it('answers every panel query of the four dashboards through Prometheus, each with data', async () => {
    const names = metricNames(exposition);
    let queried = 0;
    for (const d of DASHBOARDS) {
      const json = JSON.parse(
        generateMonitoring().find((f) => f.path === `grafana/dashboards/${d.file}`)!.content,
      ) as { panels: { title: string; targets: { expr: string }[] }[] };
      for (const panel of json.panels) {
        for (const t of panel.targets) {
          const r = await prometheus.query(t.expr);
          queried++;
          expect(r.status, `${d.title} / ${panel.title}: ${t.expr} → ${r.error ?? ''}`).toBe('success');
          const used = (t.expr.match(/ghcr_optimize_[a-z0-9_]+/g) ?? []).filter((n) => names.has(n));
          // Every metric the panels use is provided by this seeded setup, so every panel shows data.
          expect(used.length, `${d.title} / ${panel.title} uses metrics the exporter does not serve`).toBe(
            (t.expr.match(/ghcr_optimize_[a-z0-9_]+/g) ?? []).length,
          );
          expect(
            r.data!.result.length,
            `${d.title} / ${panel.title}: ${t.expr} returned no series`,
          ).toBeGreaterThan(0);
        }
      }
    }
    expect(queried).toBeGreaterThanOrEqual(30);
  });

  it('passes promtool check config, check rules and test rules, and amtool check-config', () => {
    const prom = join(out, 'prometheus');
    for (const [cmd, args, cwd] of [
      ['promtool', ['check', 'config', 'prometheus.yml'], prom],
      ['promtool', ['check', 'rules', 'alerts.yml'], prom],
      ['promtool', ['test', 'rules', 'rules_test.yml'], prom],
      ['amtool', ['check-config', join(out, FILES.alertmanager)], out],
    ] as const) {
      const r = run(cmd, [...args], cwd);
      expect(r.code, `${cmd} ${args.join(' ')}:\n${r.out}`).toBe(0);
      expect(r.out).toContain('SUCCESS');
    }
  });

  it('promtool test rules fails when an alert rule no longer fires as its test expects', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad, { recursive: true });
    const alerts = generateMonitoring().find((f) => f.path === FILES.alerts)!.content;
    writeFileSync(
      join(bad, 'alerts.yml'),
      alerts.replace('ghcr_optimize_registry_up == 0', 'ghcr_optimize_registry_up == 2'),
    );
    writeFileSync(
      join(bad, 'rules_test.yml'),
      generateMonitoring().find((f) => f.path === FILES.rulesTest)!.content,
    );
    const r = run('promtool', ['test', 'rules', 'rules_test.yml'], bad);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('RegistryDown');
  });

  it('writes a compose file that the compose-spec schema accepts, with Grafana on 127.0.0.1:3002', () => {
    const validate = composeValidator();
    const compose = parse(generateMonitoring().find((f) => f.path === FILES.compose)!.content) as {
      services: { grafana: { ports: unknown[] } };
    };
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    expect(compose.services.grafana.ports).toEqual([
      { target: 3000, published: 3002, host_ip: '127.0.0.1', protocol: 'tcp' },
    ]);
    // The schema is strict enough to catch a mistake.
    expect(validate({ services: { grafana: { ports: [{ published: 'x' }] } } })).toBe(false);
  });
});

describe.skipIf(!requireTool('docker-registry'))('exporter failures', () => {
  it('a stopped registry reads ghcr_optimize_registry_up 0 and a corrupt store store_up 0, while /metrics answers', async () => {
    const dir = makeTempDir('ghcr-opt-exporter-down');
    const registry = await startRegistry();
    const corrupt = join(dir, 'corrupt.db');
    writeFileSync(
      corrupt,
      'this is not an SQLite database, but it is long enough to have a header page\n'.repeat(100),
    );
    const client = testClient({ retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 1 } });
    const ex = createExporter(
      {
        version: 'test',
        probes: {
          registries: [registry.host],
          probe: (r, signal) => probeRegistry(client, r, { samples: 1, signal }),
        },
        store: storeSource({ kind: 'sqlite', path: corrupt }, VERSION_DAY),
      },
      { intervalMs: 60_000 },
    );
    const running = await serveExporter(ex, { host: '127.0.0.1', port: 0 });
    try {
      await ex.refresh();
      const before = await (await fetch(`${running.url}/metrics`)).text();
      expect(before).toContain(`ghcr_optimize_registry_up{registry="${registry.host}"} 1`);
      expect(before).toContain('ghcr_optimize_store_up 0');

      await registry.stop();
      await ex.refresh();
      const res = await fetch(`${running.url}/metrics`);
      expect(res.status).toBe(200);
      const after = await res.text();
      expect(after).toContain(`ghcr_optimize_registry_up{registry="${registry.host}"} 0`);
      expect(after).toContain('ghcr_optimize_store_up 0');
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    } finally {
      await running.close();
      await registry.stop();
      await client.close();
      removeTempDir(dir);
    }
  }, 60_000);

  it('a busy port is one clear error line and exit 2', async () => {
    const home = makeTempDir('ghcr-opt-exporter-busy');
    const blocker = createServer();
    const { port } = await listenLocal(blocker);
    try {
      const r = await runCli(['exporter', '--listen', `127.0.0.1:${port}`, '--registry', '127.0.0.1:9'], {
        home,
        env: { GHCR_OPTIMIZE_STORE_URL: 'off' },
      });
      expect(r.code, describeRun(r)).toBe(2);
      expect(r.stderrLines[0]).toBe(`error: cannot listen on 127.0.0.1:${port}: the port is already in use`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await closeServer(blocker);
      removeTempDir(home);
    }
  });

  it('the CLI exporter serves /metrics and /healthz, and stops cleanly on SIGTERM', async () => {
    const home = makeTempDir('ghcr-opt-exporter-cli');
    const registry = await startRegistry();
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const tsx = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;
    const child = spawn(
      process.execPath,
      [
        '--import',
        tsx,
        join(root, 'src', 'cli', 'main.ts'),
        '--json',
        'exporter',
        '--listen',
        '127.0.0.1:0',
        '--registry',
        registry.host,
      ],
      {
        cwd: home,
        env: cliEnv({ home, env: { XDG_DATA_HOME: join(home, 'data') } }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    trackChild(child);
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const info = await new Promise<{ url: string; metrics: string; registries: string[] }>(
        (resolve, reject) => {
          child.stdout.on('data', (d: Buffer) => {
            stdout += d.toString();
            const line = stdout.split('\n')[0];
            if (stdout.includes('\n') && line)
              resolve(JSON.parse(line) as { url: string; metrics: string; registries: string[] });
          });
          child.once('exit', (code) => reject(new Error(`exporter exited ${code}: ${stderr}`)));
        },
      );
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info.registries).toEqual([registry.host]);
      expect((await fetch(`${info.url}/healthz`)).status).toBe(200);
      const res = await fetch(info.metrics);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('ghcr_optimize_exporter_info{version=');
      expect(text).toMatch(/ghcr_optimize_store_up [01]/);

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await stopChild(child);
      await registry.stop();
      removeTempDir(home);
    }
  }, 60_000);
});
