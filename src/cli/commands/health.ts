import { Command } from '@commander-js/extra-typings';
import { UnhealthyError } from '../../errors.js';
import { registryOrigin } from '../../ref/index.js';
import { probeRegistry, type HealthResult } from '../../monitor/health.js';
import { mapLimit } from '../../util/concurrency.js';
import { formatTable } from '../output.js';
import { record } from '../record.js';
import { positiveInt, type Context, type Runner } from '../context.js';

export function healthCommand(run: Runner) {
  return new Command('health')
    .description('probe registries: /v2/ reachability, authentication, API version, latency p50/p95')
    .argument('[registry...]', 'registry hosts; default: those in the config file, else ghcr.io')
    .option('--samples <n>', 'authenticated requests used for the latency figures', '5')
    .option('--max-latency <ms>', 'mark a registry unhealthy when its p95 latency is above this')
    .addHelpText(
      'after',
      `
Exit status is 0 when every registry is healthy and 7 when any is not.

Examples:
  ghcr-optimize health
  ghcr-optimize health ghcr.io localhost:5000 --samples 20 --json`,
    )
    .action((registries, opts) =>
      run(async (ctx) => {
        const targets = registries.length > 0 ? registries : Object.keys(ctx.config.registries ?? {});
        if (targets.length === 0) targets.push('ghcr.io');
        targets.forEach((r) => registryOrigin(r)); // one clear error for a malformed host, before any probe
        const samples = positiveInt(opts.samples, '--samples', ctx.config.health?.samples ?? 5, 100);
        const maxLatencyMs =
          opts.maxLatency === undefined
            ? ctx.config.health?.maxLatencyMs
            : positiveInt(opts.maxLatency, '--max-latency', 1, 600_000);
        const client = await ctx.client(targets);
        const results = await mapLimit(targets, 4, (r) =>
          probeRegistry(client, r, {
            samples,
            ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}),
            signal: ctx.signal,
          }),
        );
        await record(ctx, async (st) => {
          for (const r of results) await st.recordProbe(r);
        });
        ctx.out.result(results, () => render(results, ctx));
        await warnAboutTokens(ctx);
        const bad = results.filter((r) => !r.healthy);
        if (bad.length > 0) {
          throw new UnhealthyError(
            `${bad.length} of ${results.length} registries unhealthy: ${bad.map((r) => r.registry).join(', ')}`,
            {
              hint: bad[0]?.error?.hint ?? 'see the table above',
            },
          );
        }
      }),
    );
}

/** Tokens past their rotation period or lacking a configured scope are warnings, not failures. */
async function warnAboutTokens(ctx: Context): Promise<void> {
  const { resolveEnvironments } = await import('../../tokens/profiles.js');
  const profiles = resolveEnvironments(ctx.config);
  if (profiles.length === 0) return;
  const { checkToken } = await import('../../tokens/check.js');
  const { tokenDeps } = await import('./token.js');
  const deps = tokenDeps(ctx);
  for (const p of profiles) {
    try {
      const r = await checkToken(p, [], deps);
      for (const problem of r.problems) ctx.out.warn(`token ${p.name} (${r.source}): ${problem}`);
    } catch (err) {
      ctx.out.warn(`token ${p.name}: cannot check: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function render(results: HealthResult[], ctx: Context): string {
  const { c } = ctx.out;
  const rows = results.map((r) => [
    r.registry,
    r.healthy ? c.green('healthy') : c.red('unhealthy'),
    r.reachable ? 'yes' : 'no',
    r.authScheme === undefined
      ? '-'
      : `${r.authScheme}${r.authOk === undefined ? '' : r.authOk ? ' ok' : ' FAILED'}`,
    r.apiVersion ?? '-',
    r.latencyMs ? `${r.latencyMs.p50} ms` : '-',
    r.latencyMs ? `${r.latencyMs.p95} ms` : '-',
    r.error?.message ?? '',
  ]);
  return formatTable(['REGISTRY', 'STATUS', 'REACHABLE', 'AUTH', 'API', 'P50', 'P95', 'PROBLEM'], rows);
}
