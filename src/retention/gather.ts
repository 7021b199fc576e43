/**
 * Gathers the raw facts of one repository from a {@link RetentionBackend} and builds the
 * inventory: every tag and its digest, the back end's manifest versions (GHCR), then every
 * manifest reachable from those — index children recursively, referrers (API answers, `subject`
 * fields, `sha256-<hex>` fallback and cosign tags) — with the `created` of each image config.
 *
 * Fail closed: a manifest that a tag or a version names but that cannot be read goes into
 * `unreadable`, and the planner then holds every deletion. Only a child or referrer that the
 * registry says does not exist (404) is left out: the inventory reports it as missing.
 */
import {
  AuthError,
  CancelledError,
  GhcrOptimizeError,
  NetworkError,
  NotFoundError,
  UsageError,
} from '../errors.js';
import { isConfigMediaType } from '../oci/media-types.js';
import type { Descriptor } from '../oci/schema.js';
import { mapLimit } from '../util/concurrency.js';
import type { RetentionBackend } from './backend.js';
import {
  buildInventory,
  type ConfigFact,
  type Inventory,
  type InventoryFacts,
  type ManifestFact,
  type ReferrersFact,
  type UnreadableFact,
  type VersionFact,
} from './inventory.js';

export interface GatherOptions {
  /** Parallel reads. Default 8. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called as the walk proceeds (for a progress notice on stderr). */
  onProgress?: (state: { manifests: number; pending: number }) => void;
}

export interface GatherResult {
  facts: InventoryFacts;
  inventory: Inventory;
  /** Problems that did not stop the walk: a config or referrers read that failed. */
  warnings: string[];
}

/** Errors that say nothing about one manifest but about the whole session: stop, do not guess. */
function isSessionError(err: unknown, signal?: AbortSignal): boolean {
  return (
    signal?.aborted === true ||
    err instanceof AuthError ||
    err instanceof NetworkError ||
    err instanceof CancelledError ||
    err instanceof UsageError ||
    !(err instanceof GhcrOptimizeError)
  );
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function gatherInventory(
  backend: RetentionBackend,
  opts: GatherOptions = {},
): Promise<GatherResult> {
  const { signal } = opts;
  const concurrency = opts.concurrency ?? 8;
  const warnings: string[] = [];

  const tags = await backend.listTags(signal);
  const versions: VersionFact[] = backend.listVersions ? await backend.listVersions(signal) : [];

  const manifests = new Map<string, ManifestFact>();
  const unreadable = new Map<string, string>();
  const configs = new Map<string, Promise<ConfigFact | undefined>>();
  const referrers: ReferrersFact[] = [];
  const seen = new Set<string>();

  const roots = new Set<string>([...tags.values(), ...versions.map((v) => v.digest)]);
  let frontier = [...roots].sort();
  for (const d of frontier) seen.add(d);

  const readConfig = (desc: Descriptor): Promise<ConfigFact | undefined> => {
    let p = configs.get(desc.digest);
    if (!p) {
      p = backend.fetchConfig(desc, signal).catch((err: unknown) => {
        if (isSessionError(err, signal)) throw err;
        warnings.push(
          `config ${desc.digest} could not be read (${message(err)}); its image's age is unknown`,
        );
        return undefined;
      });
      configs.set(desc.digest, p);
    }
    return p;
  };

  while (frontier.length > 0) {
    opts.onProgress?.({ manifests: manifests.size, pending: frontier.length });
    const found = await mapLimit(frontier, concurrency, async (digest): Promise<string[]> => {
      let fact: ManifestFact;
      try {
        fact = await backend.fetchManifest(digest, signal);
      } catch (err) {
        if (isSessionError(err, signal)) throw err;
        // A child or referrer the registry does not have: the inventory reports it as missing.
        if (err instanceof NotFoundError && !roots.has(digest)) return [];
        unreadable.set(digest, message(err));
        return [];
      }
      manifests.set(digest, fact);
      const next: string[] = [];
      if (fact.manifest.kind === 'index') {
        for (const d of fact.manifest.index.manifests) next.push(d.digest);
      } else if (isConfigMediaType(fact.manifest.manifest.config.mediaType)) {
        await readConfig(fact.manifest.manifest.config);
      }
      if (backend.listReferrers) {
        try {
          const r = await backend.listReferrers(digest, signal);
          if (r && r.descriptors.length > 0) {
            referrers.push(r);
            for (const d of r.descriptors) next.push(d.digest);
          }
        } catch (err) {
          if (isSessionError(err, signal)) throw err;
          warnings.push(`referrers of ${digest} could not be listed (${message(err)})`);
        }
      }
      return next;
    });
    const next: string[] = [];
    for (const d of found.flat()) {
      if (seen.has(d)) continue;
      seen.add(d);
      next.push(d);
    }
    frontier = next.sort();
  }

  const configFacts = (await Promise.all(configs.values())).filter((c): c is ConfigFact => c !== undefined);
  const unreadableFacts: UnreadableFact[] = [...unreadable].map(([digest, error]) => ({ digest, error }));
  const facts: InventoryFacts = {
    repository: backend.repository,
    tags,
    manifests: [...manifests.values()],
    configs: configFacts,
    ...(versions.length > 0 ? { versions } : {}),
    unreadable: unreadableFacts,
    referrers,
  };
  return { facts, inventory: buildInventory(facts), warnings: [...new Set(warnings)].sort() };
}
