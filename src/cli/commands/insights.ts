import { Command } from '@commander-js/extra-typings';
import { openStore } from '../../store/open.js';
import { computeInsights } from '../../store/insights.js';
import { renderInsights } from '../../store/render.js';
import { parseDuration } from '../../util/units.js';
import { positiveInt, type Runner } from '../context.js';

const EVENT_LIMIT = 100_000;

export function insightsCommand(run: Runner) {
  return new Command('insights')
    .description(
      'trends from the insights store (image size, cache hit ratio, build times, latency, vulnerabilities, reclaimed storage) and recommendations',
    )
    .option('--since <duration>', 'the period to look at, e.g. 7d, 24h, or forever', '30d')
    .option('--top <n>', 'length of the slowest-builds list', '5')
    .addHelpText(
      'after',
      `
Reads the events that commands record in the insights store (SQLite by default; the shared
PostgreSQL of store.url / GHCR_OPTIMIZE_STORE_URL shows the whole team's or every runner's).
Latency above health.maxLatencyMs from the config (default 500 ms) is called out.

Examples:
  ghcr-optimize insights
  ghcr-optimize insights --since 7d
  ghcr-optimize insights --since forever --json | jq '.recommendations[].message'`,
    )
    .action((opts) =>
      run(async (ctx) => {
        const period = parseDuration(opts.since);
        const top = positiveInt(opts.top, '--top', 5, 100);
        const now = new Date();
        const since = period === 'forever' ? undefined : new Date(now.getTime() - period);
        const store = await openStore(ctx.config);
        let events;
        try {
          events = await store.events({
            ...(since ? { since } : {}),
            until: new Date(now.getTime() + 1),
            limit: EVENT_LIMIT,
          });
        } finally {
          await store.close();
        }
        if (events.length >= EVENT_LIMIT)
          ctx.out.warn(
            `only the ${EVENT_LIMIT} most recent events were used: narrow the period with --since`,
          );
        const maxLatency = ctx.config.health?.maxLatencyMs;
        const insights = computeInsights(events, {
          now,
          ...(since ? { since } : {}),
          ...(maxLatency !== undefined ? { latencyThresholdMs: maxLatency } : {}),
          top,
        });
        ctx.out.result({ store: { dialect: store.dialect, location: store.location }, ...insights }, () =>
          renderInsights(insights, ctx.out.c),
        );
      }),
    );
}
