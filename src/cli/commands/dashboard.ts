import { Command } from '@commander-js/extra-typings';
import { registryOrigin } from '../../ref/index.js';
import { probeRegistry } from '../../monitor/health.js';
import { mapLimit } from '../../util/concurrency.js';
import { parseDuration } from '../../util/units.js';
import { collect } from '../options.js';
import type { Runner } from '../context.js';

/** More events than this in one period: the oldest are left out (the page says how many it used). */
const EVENT_LIMIT = 100_000;
/** The dashboard's default address (the seed's Grafana port). */
const DEFAULT_LISTEN = '127.0.0.1:3002';

function configuredListen(config: unknown): string | undefined {
  const monitoring = (config as { monitoring?: { dashboard?: unknown } } | undefined)?.monitoring;
  return typeof monitoring?.dashboard === 'string' ? monitoring.dashboard : undefined;
}

export function dashboardCommand(run: Runner) {
  return new Command('dashboard')
    .description(
      'web dashboard of the insights store (overview, build performance, security status, storage usage) with live registry health',
    )
    .option(
      '--listen <address>',
      'HOST:PORT to serve on; default monitoring.dashboard from the config, else 127.0.0.1:3002',
    )
    .option(
      '--registry <host>',
      'registry to probe live on the overview (repeatable); default: the registries and services in the config',
      collect,
    )
    .option('--since <duration>', 'period shown when the page names none, e.g. 7d, 24h, or forever', '30d')
    .addHelpText(
      'after',
      `
Serves HTML pages and their JSON (/api/overview, /api/builds, /api/security, /api/storage,
/api/probes) until Ctrl-C. Everything it needs is built in (no CDN), so it works offline. It
binds 127.0.0.1 by default and then answers only requests addressed to a loopback name;
--listen 0.0.0.0:3002 exposes it to the network (without authentication: put it behind one).

Examples:
  ghcr-optimize dashboard
  ghcr-optimize dashboard --listen 127.0.0.1:8080 --registry ghcr.io --registry registry.internal:5000
  GHCR_OPTIMIZE_STORE_URL=postgres://ci@db.internal/ghcr ghcr-optimize dashboard --since 7d`,
    )
    .action((opts) =>
      run(async (ctx) => {
        const { parseListen, isLoopbackHost, listenHttp, untilStopped } =
          await import('../../monitor/listen.js');
        const { probeTargets } = await import('../../monitor/dashboard/probes.js');
        const address = parseListen(
          opts.listen ?? configuredListen(ctx.config) ?? DEFAULT_LISTEN,
          DEFAULT_LISTEN,
        );
        parseDuration(opts.since);
        const registries = probeTargets(opts.registry, ctx.config);
        registries.forEach((r) => registryOrigin(r)); // one clear error for a malformed host, before serving

        const { loadAssets } = await import('../../monitor/dashboard/assets.js');
        const { createDashboardApp, LOOPBACK_HOSTS } = await import('../../monitor/dashboard/app.js');
        const { openStore } = await import('../../store/open.js');
        const assets = await loadAssets();

        const store = await openStore(ctx.config);
        let server: Awaited<ReturnType<typeof listenHttp>> | undefined;
        try {
          const samples = ctx.config.health?.samples ?? 3;
          const maxLatencyMs = ctx.config.health?.maxLatencyMs;
          const app = createDashboardApp({
            source: {
              location: store.location,
              events: (since, until) =>
                store.events({ ...(since ? { since } : {}), until, limit: EVENT_LIMIT }),
            },
            assets,
            registries,
            probe: async () => {
              const client = await ctx.client(registries);
              return mapLimit(registries, 4, (r) =>
                probeRegistry(client, r, {
                  samples,
                  ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}),
                  signal: ctx.signal,
                }),
              );
            },
            defaultPeriod: opts.since,
            ...(maxLatencyMs !== undefined ? { latencyThresholdMs: maxLatencyMs } : {}),
            ...(isLoopbackHost(address.host)
              ? { allowedHosts: [...LOOPBACK_HOSTS, address.host.toLowerCase()] }
              : {}),
          });
          server = await listenHttp(app.fetch, address, DEFAULT_LISTEN);
          const url = server.url;
          const info = { url, host: server.host, port: server.port, store: store.location, registries };
          // One line, so a supervisor (or a test) can read the address while the dashboard runs.
          process.stdout.write(
            ctx.out.json
              ? `${JSON.stringify(info)}\n`
              : `dashboard: ${url} (store ${store.location}; Ctrl-C to stop)\n`,
          );
          await untilStopped(ctx.signal);
          ctx.out.info('dashboard stopped');
        } finally {
          await server?.close();
          await store.close();
        }
      }),
    );
}
