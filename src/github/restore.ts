/**
 * Restoring deleted GHCR package versions. GitHub keeps a deleted version restorable for 30 days
 * (`POST …/versions/{id}/restore`): the manifest comes back with its tags, except tags that were
 * pushed to another version in the meantime.
 *
 * Several ids restore in passes: an index cannot come back before the platform images it lists,
 * so a version that fails is tried again after the others, as long as a pass makes progress.
 */
import { AuthError, GhcrOptimizeError, UsageError } from '../errors.js';
import type { Repository } from '../registry/client.js';
import type { PackageVersion, PackagesClient } from './packages.js';

export interface RestoreItem {
  id: number;
  /** The manifest digest, when GitHub told us (the deleted listing, or the version after restoring). */
  digest?: string;
  /** Tags on the version after the restore. */
  tags: string[];
  /** `restored` now; `active`: it was not deleted, nothing to do; `failed`: see `error`. */
  status: 'restored' | 'active' | 'failed';
  /** The manifest answers on the registry again (checked when a registry repository is given). */
  verified?: boolean;
  error?: string;
  /** The typed error behind `error` (not serialised). */
  cause?: unknown;
}

export interface RestoreOptions {
  signal?: AbortSignal;
  /** The registry repository of the package: when given, each restored digest is checked there. */
  repo?: Repository;
  /** Called after each id is settled (for progress lines). */
  onItem?: (item: RestoreItem) => void;
}

export interface RestoreSummary {
  owner: string;
  package: string;
  items: RestoreItem[];
  restored: number;
  failed: number;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function restoreVersions(
  client: PackagesClient,
  owner: string,
  pkg: string,
  ids: readonly number[],
  opts: RestoreOptions = {},
): Promise<RestoreSummary> {
  const { signal } = opts;
  const unique = [...new Set(ids)];
  // What the deleted versions were (digest, tags). A user-owned package seen through /users/{name}
  // has no deleted listing; then we learn the digest after the restore.
  let deleted = new Map<number, PackageVersion>();
  try {
    const list = await client.listVersions(owner, pkg, { state: 'deleted', ...(signal ? { signal } : {}) });
    deleted = new Map(list.map((v) => [v.id, v]));
  } catch (err) {
    // A listing GitHub does not offer (or this token may not make) is no reason not to try the
    // restore itself.
    if (!(err instanceof UsageError || (err instanceof AuthError && err.status === 403))) throw err;
  }
  const results = new Map<number, RestoreItem>();

  let pending = unique.filter((id) => !deleted.has(id));
  if (pending.length > 0) {
    // Ids not among the deleted ones may simply be active: say so rather than fail.
    const list = await client.listVersions(owner, pkg, signal ? { signal } : {});
    for (const v of list) {
      if (!pending.includes(v.id)) continue;
      const item: RestoreItem = { id: v.id, digest: v.digest, tags: v.tags, status: 'active' };
      results.set(v.id, item);
      opts.onItem?.(item);
    }
  }
  pending = unique.filter((id) => !results.has(id));

  const errors = new Map<number, unknown>();
  for (let progress = true; pending.length > 0 && progress;) {
    progress = false;
    const next: number[] = [];
    for (const id of pending) {
      try {
        await client.restoreVersion(owner, pkg, id, signal);
      } catch (err) {
        if (!(err instanceof GhcrOptimizeError) || signal?.aborted) throw err;
        errors.set(id, err);
        next.push(id);
        continue;
      }
      progress = true;
      errors.delete(id);
      const item: RestoreItem = { id, tags: [], status: 'restored' };
      const before = deleted.get(id);
      if (before) item.digest = before.digest;
      try {
        const after = await client.getVersion(owner, pkg, id, signal);
        item.digest = after.digest;
        item.tags = after.tags;
      } catch (err) {
        if (!(err instanceof GhcrOptimizeError)) throw err;
      }
      if (opts.repo && item.digest !== undefined) {
        item.verified = (await opts.repo.headManifest(item.digest, signal)) !== undefined;
      }
      results.set(id, item);
      opts.onItem?.(item);
    }
    pending = next;
  }
  for (const id of pending) {
    const err = errors.get(id);
    const before = deleted.get(id);
    const item: RestoreItem = {
      id,
      tags: before?.tags ?? [],
      status: 'failed',
      error: message(err),
      cause: err,
      ...(before ? { digest: before.digest } : {}),
    };
    results.set(id, item);
    opts.onItem?.(item);
  }
  const items = unique.map((id) => results.get(id)!);
  return {
    owner,
    package: pkg,
    items,
    restored: items.filter((i) => i.status === 'restored').length,
    failed: items.filter((i) => i.status === 'failed').length,
  };
}
