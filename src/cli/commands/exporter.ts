import { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../errors.js';
import {
  parseReference,
  registryKey,
  registryOrigin,
  formatRepository,
  type RepositoryName,
} from '../../ref/index.js';
import { probeRegistry } from '../../monitor/health.js';
import {
  DEFAULT_EXPORTER_LISTEN,
  createExporter,
  parseListenAddress,
  serveExporter,
  type ExporterSources,
} from '../../monitor/exporter.js';
import { DEFAULT_GITHUB_API, fetchRateLimits } from '../../monitor/quota.js';
import { storeSource } from '../../monitor/store-source.js';
import { untilStopped } from '../../monitor/listen.js';
import { storageJob } from '../../monitor/storage.js';
import { configuredRepositories } from '../../retention/targets.js';
import { resolveStoreLocation, describeStoreLocation } from '../../store/location.js';
import { parseDuration } from '../../util/units.js';
import { VERSION } from '../../version.js';
import { collect } from '../options.js';
import type { Context, Runner } from '../context.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;

function duration(text: string, flag: string, minMs: number): number {
  const ms = parseDuration(text);
  if (ms === 'forever' || ms < minMs) {
    throw new UsageError(`${flag} must be a duration of at least ${minMs / 1000}s, got "${text}"`, {
      hint: 'e.g. 30s, 5m, 1h',
    });
  }
  return ms;
}

/** `--repo` flags (a tag or digest is refused), else the config's services. */
function watchedRepositories(flags: readonly string[] | undefined, config: Obj): RepositoryName[] {
  if (!flags || flags.length === 0) return configuredRepositories(config);
  const out = new Map<string, RepositoryName>();
  for (const f of flags) {
    const ref = parseReference(f, { defaultTag: false });
    if (ref.tag !== undefined || ref.digest !== undefined) {
      throw new UsageError(`--repo "${f}" names a tag or digest; give a repository`, {
        hint: `try --repo ${formatRepository(ref)}`,
      });
    }
    out.set(formatRepository(ref), { registry: ref.registry, repository: ref.repository });
  }
  return [...out.values()];
}

/**
 * Registries to probe: `--registry` flags, else `monitoring.probes`, else the config's
 * `registries:`, else the registries of the watched repositories, else ghcr.io.
 */
function probeTargets(
  flags: readonly string[] | undefined,
  config: Obj,
  repos: readonly RepositoryName[],
): string[] {
  const found: string[] = [];
  const add = (host: string | undefined): void => {
    if (host !== undefined && !found.some((h) => registryKey(h) === registryKey(host))) found.push(host);
  };
  if (flags && flags.length > 0) flags.forEach((f) => add(str(f)));
  else {
    const probes = obj(config.monitoring).probes;
    if (Array.isArray(probes)) probes.forEach((p) => add(str(p)));
    if (found.length === 0) Object.keys(obj(config.registries)).forEach(add);
    if (found.length === 0) repos.forEach((r) => add(r.registry));
    if (found.length === 0) add('ghcr.io');
  }
  found.forEach((r) => registryOrigin(r)); // one clear error for a malformed host, before listening
  return found;
}

async function sources(
  ctx: Context,
  opts: { registry?: string[]; repo?: string[]; window: string; githubApi?: string },
): Promise<{ sources: ExporterSources; described: Record<string, unknown> }> {
  const config = ctx.config as Obj;
  const repos = watchedRepositories(opts.repo, config);
  const registries = probeTargets(opts.registry, config, repos);
  const windowMs = duration(opts.window, '--window', 60_000);
  const samples = ctx.config.health?.samples ?? 3;
  const maxLatencyMs = ctx.config.health?.maxLatencyMs;

  const client = await ctx.client([...new Set([...registries, ...repos.map((r) => r.registry)])]);
  const out: ExporterSources = {
    version: VERSION,
    probes: {
      registries,
      probe: (registry, signal) =>
        probeRegistry(client, registry, {
          samples,
          signal,
          ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}),
        }),
    },
  };
  if (repos.length > 0) {
    // The same back ends and policy as clean/stats (ghcr.io through the GitHub Packages API),
    // opened on the first run: nothing touches the network before the port is ours.
    const { openBackends, retentionPolicy } = await import('./clean.js');
    const policy = retentionPolicy(ctx);
    let job: ReturnType<typeof storageJob> | undefined;
    out.storage = async (signal) => {
      job ??= storageJob(await openBackends(ctx, repos, 4), policy, { concurrency: 4 });
      return job(signal);
    };
  }
  const location = resolveStoreLocation(ctx.config, process.env);
  if (location.kind !== 'off') out.store = storeSource(location, windowMs);
  const token = process.env.GITHUB_TOKEN || process.env.GHCR_TOKEN || undefined;
  const apiUrl = opts.githubApi ?? (process.env.GITHUB_API_URL || DEFAULT_GITHUB_API);
  if (token !== undefined) out.quota = (signal) => fetchRateLimits({ apiUrl, token, signal });
  return {
    sources: out,
    described: {
      registries,
      repositories: repos.map(formatRepository),
      store: describeStoreLocation(location),
      githubApi: token !== undefined ? apiUrl : null,
    },
  };
}

export function exporterCommand(run: Runner) {
  return new Command('exporter')
    .description(
      'Prometheus exporter: registry availability and latency, storage and tags per repository, vulnerabilities, last build/scan/clean, cache hit ratio, GitHub quota, token age',
    )
    .option(
      '--listen <address>',
      `HOST:PORT to serve on; default monitoring.listen from the config, else ${DEFAULT_EXPORTER_LISTEN}`,
    )
    .option(
      '--registry <host>',
      'registry to probe (repeatable); default monitoring.probes, the configured registries, else ghcr.io',
      collect,
    )
    .option(
      '--repo <repository>',
      'repository whose storage and tags to report (repeatable); default the config\'s "services:"',
      collect,
    )
    .option(
      '--interval <duration>',
      'how often registries are probed and the store and quota read; default monitoring.interval, else 30s',
    )
    .option('--storage-interval <duration>', 'how often each repository is inventoried', '10m')
    .option('--window <duration>', 'insights-store events older than this are not reported', '90d')
    .option(
      '--github-api <url>',
      'GitHub API root for the quota (default $GITHUB_API_URL, else https://api.github.com)',
    )
    .addHelpText(
      'after',
      `
Serves /metrics (Prometheus text format, every name prefixed ghcr_optimize_) and /healthz until
Ctrl-C or SIGTERM. Probes, inventories and store reads run in the background on their intervals,
so a scrape never waits on the network: an unreachable registry is ghcr_optimize_registry_up 0,
an unreadable insights store is ghcr_optimize_store_up 0, and the exporter keeps serving.
The GitHub quota (GET /rate_limit) is read only when GITHUB_TOKEN (or GHCR_TOKEN) is set.
It binds 127.0.0.1 by default; --listen 0.0.0.0:9464 lets a Prometheus in a container reach it.
"ghcr-optimize generate monitoring" writes a Prometheus, Alertmanager and Grafana setup for it.

Examples:
  ghcr-optimize exporter
  ghcr-optimize exporter --registry ghcr.io --repo ghcr.io/OWNER/app --interval 1m
  GITHUB_TOKEN=... ghcr-optimize exporter --listen 127.0.0.1:9464 --json`,
    )
    .action((opts) =>
      run(async (ctx) => {
        const monitoring = obj((ctx.config as Obj).monitoring);
        const address = parseListenAddress(opts.listen ?? str(monitoring.listen) ?? DEFAULT_EXPORTER_LISTEN);
        const intervalMs = duration(opts.interval ?? str(monitoring.interval) ?? '30s', '--interval', 1000);
        const storageIntervalMs = duration(opts.storageInterval, '--storage-interval', 1000);
        const { sources: src, described } = await sources(ctx, {
          window: opts.window,
          ...(opts.registry ? { registry: opts.registry } : {}),
          ...(opts.repo ? { repo: opts.repo } : {}),
          ...(opts.githubApi !== undefined ? { githubApi: opts.githubApi } : {}),
        });
        const running = await serveExporter(createExporter(src, { intervalMs, storageIntervalMs }), address);
        try {
          const info = {
            url: running.url,
            metrics: `${running.url}/metrics`,
            healthz: `${running.url}/healthz`,
            ...described,
          };
          // One line, so a supervisor (or a test) can read the address while the exporter runs.
          if (ctx.out.json) process.stdout.write(`${JSON.stringify(info)}\n`);
          else ctx.out.info(`exporter: serving ${info.metrics} (Ctrl-C to stop)`);
          await untilStopped(ctx.signal);
        } finally {
          await running.close();
        }
      }),
    );
}
