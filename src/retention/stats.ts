/**
 * Repository statistics from an inventory and the plan the policy makes for it: manifests and
 * tags per category, storage (unique blob bytes, and what layer sharing saves), what the policy
 * would reclaim, and the oldest and newest images. Pure: no I/O.
 */
import type { Inventory } from './inventory.js';
import type { RetentionPlan } from './planner.js';

export interface StatsImage {
  digest: string;
  tags: string[];
  created: string;
  ageSeconds: number;
}

export interface CategoryStats {
  /** Manifests (images, indexes, artifacts) in the category. */
  manifests: number;
  /** Tags on those manifests. */
  tags: number;
  /**
   * Unique blob bytes those manifests use, an index's through its children (a blob shared with
   * another category counts in both).
   */
  bytes: number;
  kept: number;
  deleted: number;
}

export interface RepositoryStats {
  repository: string;
  now: string;
  manifests: { total: number; images: number; indexes: number; artifacts: number; unreadable: number };
  tags: { total: number; attachment: number };
  categories: Record<string, CategoryStats>;
  storage: {
    /** Every distinct blob (configs and layers) once. */
    blobBytes: number;
    /** The manifests and indexes themselves. */
    manifestBytes: number;
    /** blobBytes + manifestBytes: what the repository stores. */
    totalBytes: number;
    /** What the images would take if no blob were shared between them. */
    unsharedBytes: number;
    /** unsharedBytes − blobBytes: what layer sharing saves. */
    sharedSavings: number;
  };
  reclaimable: {
    manifests: number;
    tags: number;
    bytes: number;
    /** Deletions whose size is unknown (unreadable content). */
    bytesUnknown: number;
    /** True when the policy would hold every deletion (an unreadable kept manifest). */
    held: boolean;
  };
  /** By image creation time, among tagged manifests whose age is known (else all). */
  oldest?: StatsImage;
  newest?: StatsImage;
  warnings: string[];
}

export function computeStats(inventory: Inventory, plan: RetentionPlan): RepositoryStats {
  const nowMs = Date.parse(plan.now);
  const categoryOf = new Map<string, string>();
  for (const item of plan.keep) categoryOf.set(item.digest, item.category);
  for (const item of plan.delete) categoryOf.set(item.digest, item.category);
  const deleted = new Set(plan.delete.map((i) => i.digest));

  let images = 0;
  let indexes = 0;
  let artifacts = 0;
  let unreadable = 0;
  let manifestBytes = 0;
  let unsharedBytes = 0;
  const blobs = new Map<string, number>();
  const childrenOf = new Map<string, string[]>();
  for (const l of inventory.links) {
    if (l.relation !== 'child') continue;
    (childrenOf.get(l.owner) ?? childrenOf.set(l.owner, []).get(l.owner)!).push(l.member);
  }
  /** The blobs of a manifest and, for an index, of everything it lists (recursively). */
  const blobsUnder = (digest: string, into: Map<string, number>, seen = new Set<string>()): void => {
    if (seen.has(digest)) return;
    seen.add(digest);
    for (const b of inventory.manifests.get(digest)?.blobs ?? []) into.set(b.digest, b.size);
    for (const child of childrenOf.get(digest) ?? []) blobsUnder(child, into, seen);
  };
  const catBlobs = new Map<string, Map<string, number>>();
  const categories: Record<string, CategoryStats> = {};
  for (const node of inventory.manifests.values()) {
    if (node.kind === 'unknown') unreadable++;
    else if (node.kind === 'index') indexes++;
    else if (node.artifactType !== undefined) artifacts++;
    else images++;
    manifestBytes += node.size ?? 0;
    const category = categoryOf.get(node.digest) ?? 'unmatched';
    const c = (categories[category] ??= { manifests: 0, tags: 0, bytes: 0, kept: 0, deleted: 0 });
    c.manifests++;
    c.tags += node.tags.length;
    if (deleted.has(node.digest)) c.deleted++;
    else c.kept++;
    blobsUnder(node.digest, catBlobs.get(category) ?? catBlobs.set(category, new Map()).get(category)!);
    for (const b of node.blobs) {
      blobs.set(b.digest, b.size);
      unsharedBytes += b.size;
    }
  }
  for (const [category, cb] of catBlobs) {
    categories[category]!.bytes = [...cb.values()].reduce((n, s) => n + s, 0);
  }
  const sorted: Record<string, CategoryStats> = {};
  for (const k of Object.keys(categories).sort()) sorted[k] = categories[k]!;
  const blobBytes = [...blobs.values()].reduce((n, s) => n + s, 0);

  const dated = [...inventory.manifests.values()].filter((n) => n.created !== undefined);
  const taggedDated = dated.filter((n) => n.tags.some((t) => !inventory.attachmentTags.has(t)));
  const pool = taggedDated.length > 0 ? taggedDated : dated;
  const byAge = [...pool].sort((a, b) =>
    a.created! < b.created! ? -1 : a.created! > b.created! ? 1 : a.digest < b.digest ? -1 : 1,
  );
  const asImage = (n: (typeof pool)[number] | undefined): StatsImage | undefined =>
    n && {
      digest: n.digest,
      tags: [...n.tags],
      created: n.created!,
      ageSeconds: Math.max(0, Math.floor((nowMs - Date.parse(n.created!)) / 1000)),
    };

  const oldest = asImage(byAge[0]);
  const newest = asImage(byAge[byAge.length - 1]);
  return {
    repository: inventory.repository,
    now: plan.now,
    manifests: { total: inventory.manifests.size, images, indexes, artifacts, unreadable },
    tags: { total: inventory.tags.size, attachment: inventory.attachmentTags.size },
    categories: sorted,
    storage: {
      blobBytes,
      manifestBytes,
      totalBytes: blobBytes + manifestBytes,
      unsharedBytes,
      sharedSavings: unsharedBytes - blobBytes,
    },
    reclaimable: {
      manifests: plan.summary.manifests.deleted,
      tags: plan.summary.tags.deleted,
      bytes: plan.summary.bytesReclaimed,
      bytesUnknown: plan.summary.bytesUnknown,
      held: plan.summary.held,
    },
    ...(oldest ? { oldest } : {}),
    ...(newest ? { newest } : {}),
    warnings: [...plan.warnings],
  };
}
