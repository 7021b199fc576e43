/**
 * Storage per repository for the exporter: the same inventory, plan and statistics as
 * `ghcr-optimize stats`, run on a (long) interval. A repository that cannot be read is reported
 * as down with its last good figures kept, so one broken repository blanks no dashboard.
 */
import { gatherInventory } from '../retention/gather.js';
import { planRetention } from '../retention/planner.js';
import type { RetentionPolicy } from '../retention/policy.js';
import type { RetentionBackend } from '../retention/backend.js';
import { computeStats, type RepositoryStats } from '../retention/stats.js';
import { mapLimit } from '../util/concurrency.js';
import type { StorageFigures } from './metrics.js';

export async function repositoryStats(
  backend: RetentionBackend,
  policy: RetentionPolicy,
  now: Date,
  opts: { concurrency?: number; signal?: AbortSignal } = {},
): Promise<RepositoryStats> {
  const gathered = await gatherInventory(backend, {
    concurrency: opts.concurrency ?? 4,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const plan = planRetention(gathered.inventory, policy, now);
  plan.warnings = [...new Set([...plan.warnings, ...gathered.warnings])].sort();
  return computeStats(gathered.inventory, plan);
}

/**
 * A job for a {@link Collector}: inventories every repository (two at a time). It does not fail
 * as a whole: each repository's result says whether it could be read (`inventory_up`).
 */
export function storageJob(
  backends: readonly RetentionBackend[],
  policy: RetentionPolicy,
  opts: { concurrency?: number; now?: () => Date } = {},
): (signal: AbortSignal) => Promise<StorageFigures[]> {
  const previous = new Map<string, StorageFigures>();
  const now = opts.now ?? (() => new Date());
  return async (signal) => {
    const figures = await mapLimit([...backends], 2, async (backend): Promise<StorageFigures> => {
      const at = now();
      try {
        const stats = await repositoryStats(backend, policy, at, {
          signal,
          ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
        });
        return { repository: backend.repository, ok: true, stats, at };
      } catch (err) {
        const last = previous.get(backend.repository);
        return {
          repository: backend.repository,
          ok: false,
          error: err instanceof Error ? err.message : String(err),
          ...(last?.stats && last.at ? { stats: last.stats, at: last.at } : {}),
        };
      }
    });
    for (const f of figures) previous.set(f.repository, f);
    return figures;
  };
}
