import { Command } from '@commander-js/extra-typings';
import { parseNow } from '../../retention/policy.js';
import { computeStats, type RepositoryStats } from '../../retention/stats.js';
import { renderStats } from '../../retention/render.js';
import { resolveRepositories } from '../../retention/targets.js';
import { positiveInt, type Runner } from '../context.js';
import { looseConfig, openBackends, planRepository, retentionPolicy } from './clean.js';

export function statsCommand(run: Runner) {
  return new Command('stats')
    .description('versions and tags per category, storage, layer sharing, and what the policy would reclaim')
    .argument('[repository...]', 'e.g. ghcr.io/OWNER/IMAGE (default: the config\'s "services:")')
    .option('--now <instant>', 'measure ages as of this ISO-8601 instant with a zone')
    .addHelpText(
      'after',
      `
Reads the repository as "clean" does (tags, manifests, index children, referrers, configs) and
reports: manifests (images, indexes, artifacts) and tags per retention category; storage as
unique blob bytes plus manifests, and how much layer sharing saves compared with every image
storing its own blobs; what "clean" would delete and reclaim under the current policy; the
oldest and newest tagged images. Nothing is changed. On any OCI registry untagged manifests
are only seen when something tagged references them.

Examples:
  ghcr-optimize stats ghcr.io/OWNER/app
  ghcr-optimize stats registry.internal:5000/app registry.internal:5000/web --json`,
    )
    .action((repositories, opts) =>
      run(async (ctx) => {
        const policy = retentionPolicy(ctx);
        const now = opts.now !== undefined ? parseNow(opts.now) : new Date();
        const repos = resolveRepositories(repositories, looseConfig(ctx), 'stats');
        const concurrency = positiveInt(ctx.globals.concurrency, '--concurrency', 8, 64);
        const backends = await openBackends(ctx, repos, concurrency);
        const stats: RepositoryStats[] = [];
        for (const backend of backends) {
          const { plan, inventory } = await planRepository(ctx, backend, policy, now, concurrency);
          stats.push(computeStats(inventory, plan));
        }
        for (const s of stats) for (const w of s.warnings) ctx.out.warn(`${s.repository}: ${w}`);
        ctx.out.result(stats.length === 1 ? stats[0] : stats, () => stats.map(renderStats).join('\n\n'));
      }),
    );
}
