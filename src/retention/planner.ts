/**
 * The retention planner: inventory + policy + now → plan. Pure and deterministic (the same inputs
 * give the same plan, byte for byte, whatever order the facts arrived in).
 *
 * How a plan is made:
 * 1. Every tag except attachment tags (`sha256-<hex>`, `sha256-<hex>.sig|.att|.sbom`) is judged by
 *    the first rule that matches it: kept or expired.
 * 2. Each manifest is a root or a member. Tagged manifests are roots: kept if any tag is kept.
 *    Untagged manifests that nothing links to are roots too (`untagged: delete|keep`, with a grace
 *    period), and so are signatures/referrers whose subject is absent (`orphans: keep|delete`).
 *    Everything else is a member of something: an index's child, a subject's referrer.
 * 3. Keep = everything reachable from a kept root (children of kept indexes, recursively; the
 *    signatures, attestations and referrers of kept manifests). Keep always wins.
 * 4. Delete = everything reachable from a deleted root that is not kept.
 * 5. Fail closed: if a kept manifest could not be read, what it references is unknown, so nothing
 *    is deleted at all (every deletion becomes a "held" keep).
 *
 * Deletion order (`order`, `wave`): an owner is deleted before its members. An index goes before
 * its children (a reader never resolves an index whose platform images are gone); a subject goes
 * before its signatures, attestations and referrers, and a referrers index before its entries. The
 * second rule is what keeps a kept image signed: if the subject is refused at apply time (it gained
 * a tag since the plan), its signature has not been touched yet and is skipped with it. The price
 * is a signature briefly left without its subject, which harms nothing. Within a wave (items that
 * may be deleted in parallel) images come first, then referrers, then children; ties break by tag,
 * then digest.
 */
import { UsageError } from '../errors.js';
import {
  tagMapEntries,
  type CreatedSource,
  type Inventory,
  type InventoryManifest,
  type Link,
  type LinkKind,
} from './inventory.js';
import { formatDuration, matchTag, policyHash, type RetentionPolicy, type RuleMatch } from './policy.js';

export type PlanAction = 'keep' | 'delete';

export interface PlanItem {
  digest: string;
  /** Every tag on the digest when the plan was made (apply refuses if this changed). */
  tags: string[];
  category: string;
  reason: string;
  kind: 'index' | 'manifest' | 'unknown';
  mediaType?: string;
  created?: string;
  createdSource?: CreatedSource;
  ageSeconds?: number;
  /** Bytes this deletion frees (blobs no kept manifest uses, each counted once); 0 when kept. */
  bytes: number;
  /** GHCR package version id: what GitHub's API deletes. */
  versionId?: number;
  /** The owner this item followed: the index it is a child of, or the subject it refers to. */
  via?: { relation: Link['relation']; kind: LinkKind; of: string };
  /** Kept items: tags whose rule expired (the digest is kept for another reason). */
  expiredTags?: string[];
  /** Kept only because the plan fails closed (see `summary.held`). */
  held?: boolean;
  /** Delete items: 1-based position in the deletion order. */
  order?: number;
  /** Delete items: items of one wave do not reference each other and may go in parallel. */
  wave?: number;
}

export interface TagDecision {
  tag: string;
  digest: string;
  category: string;
  /** `expire`: the rule lets the tag go (its digest may still be kept for another reason). */
  decision: 'keep' | 'expire';
  reason: string;
  /** Index of the matching rule; absent when no rule matched. */
  rule?: number;
  pattern?: string;
}

export interface CategorySummary {
  kept: number;
  deleted: number;
  bytes: number;
}

export interface PlanSummary {
  manifests: { total: number; kept: number; deleted: number };
  tags: { total: number; kept: number; deleted: number };
  bytesReclaimed: number;
  /** Deleted manifests whose content (so whose size) is unknown. */
  bytesUnknown: number;
  categories: Record<string, CategorySummary>;
  unmatchedTags: string[];
  /** True when the plan held every deletion back (a kept manifest could not be read). */
  held: boolean;
}

export interface RetentionPlan {
  schemaVersion: 1;
  repository: string;
  /** The instant ages were measured against. */
  now: string;
  policyHash: string;
  keep: PlanItem[];
  /** In deletion order. */
  delete: PlanItem[];
  /** tag → digest when the plan was made, every tag. */
  tags: Record<string, string>;
  tagDecisions: TagDecision[];
  warnings: string[];
  summary: PlanSummary;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `sha256:0123456789ab`: enough of a digest for a human to find it. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return colon === -1
    ? digest.slice(0, 19)
    : `${digest.slice(0, colon)}:${digest.slice(colon + 1, colon + 13)}`;
}

interface Fate {
  action: PlanAction;
  category: string;
  reason: string;
  via?: Link;
  held?: boolean;
}

function ageMs(node: InventoryManifest, nowMs: number): number | undefined {
  if (node.created === undefined) return undefined;
  return Math.max(0, nowMs - Date.parse(node.created));
}

/** The most recent of the image's own timestamp and its push time, for the untagged grace period. */
function youngestAgeMs(node: InventoryManifest, nowMs: number): number | undefined {
  const times = [node.created, node.pushedAt]
    .filter((t): t is string => t !== undefined)
    .map((t) => Date.parse(t));
  if (times.length === 0) return undefined;
  return Math.max(0, nowMs - Math.max(...times));
}

function describeMember(link: Link, ownerAction: PlanAction, ownerLabel: string): string {
  const state = ownerAction === 'keep' ? 'kept' : 'deleted';
  if (link.relation === 'child') {
    return link.kind === 'child'
      ? `child of ${state} index ${ownerLabel}`
      : `${link.kind} listed in ${state} index ${ownerLabel}`;
  }
  const how =
    link.via === 'cosign-tag' || link.via === 'fallback-tag'
      ? ` via tag ${link.tag}`
      : link.via === 'referrers-api'
        ? ' via the referrers API'
        : '';
  return `${link.kind} of ${state} ${ownerLabel}${how}`;
}

/**
 * Makes the plan. `now` pins the clock (`--now`): ages are measured against it and it is recorded
 * in the plan, so the same inputs always give the same plan.
 */
export function planRetention(inventory: Inventory, policy: RetentionPolicy, now: Date): RetentionPlan {
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new UsageError('the planning instant ("now") is not a valid date');
  const nodes = inventory.manifests;
  const warnings = [...inventory.warnings];
  const sortedDigests = [...nodes.keys()].sort(compare);

  const policyTagsOf = (node: InventoryManifest): string[] =>
    node.tags.filter((t) => !inventory.attachmentTags.has(t));
  const label = (digest: string): string => {
    const node = nodes.get(digest);
    const tags = node ? policyTagsOf(node) : [];
    if (tags.length === 0) return shortDigest(digest);
    const shown = tags.slice(0, 2).join(', ');
    return `${shortDigest(digest)} (${shown}${tags.length > 2 ? `, +${tags.length - 2}` : ''})`;
  };

  // 1. Tag decisions.
  const matches = new Map<string, RuleMatch | undefined>();
  for (const [tag] of inventory.tags) {
    if (!inventory.attachmentTags.has(tag)) matches.set(tag, matchTag(policy, tag));
  }
  // keepLast: per rule, the N newest images (distinct digests with a known age) it matches.
  const newestPerRule = new Map<number, Set<string>>();
  for (const [index, rule] of policy.rules.entries()) {
    if (rule.keepLast <= 0) continue;
    const candidates = new Set<string>();
    for (const [tag, m] of matches) {
      const digest = inventory.tags.get(tag)!;
      if (m?.index === index && nodes.get(digest)?.created !== undefined) candidates.add(digest);
    }
    const ranked = [...candidates].sort(
      (a, b) => compare(nodes.get(b)!.created!, nodes.get(a)!.created!) || compare(a, b),
    );
    newestPerRule.set(index, new Set(ranked.slice(0, rule.keepLast)));
  }
  const tagDecisions: TagDecision[] = [];
  for (const [tag, m] of matches) {
    const digest = inventory.tags.get(tag)!;
    const node = nodes.get(digest)!;
    const prefix = m && m.pattern !== tag ? `${tag}: ${m.pattern}` : `${tag}:`;
    let decision: TagDecision;
    if (!m) {
      decision = {
        tag,
        digest,
        category: 'unmatched',
        decision: 'keep',
        reason: `${tag}: no rule matches (kept)`,
      };
    } else {
      const base = { tag, digest, category: m.rule.name, rule: m.index, pattern: m.pattern };
      const age = ageMs(node, nowMs);
      const inNewest = newestPerRule.get(m.index)?.has(digest) ?? false;
      if (m.rule.keepMs === undefined) {
        decision = { ...base, decision: 'keep', reason: `${prefix} kept forever` };
      } else if (age === undefined) {
        decision = { ...base, decision: 'keep', reason: `${prefix} age unknown (kept)` };
      } else if (age < m.rule.keepMs) {
        decision = {
          ...base,
          decision: 'keep',
          reason: `${prefix} younger than ${m.rule.keep} (${formatDuration(age)})`,
        };
      } else if (inNewest) {
        decision = {
          ...base,
          decision: 'keep',
          reason: `${prefix} among the ${m.rule.keepLast} newest ${m.rule.name} (keepLast ${m.rule.keepLast}, ${formatDuration(age)} old)`,
        };
      } else {
        decision = {
          ...base,
          decision: 'expire',
          reason: `${prefix} older than ${m.rule.keep} (${formatDuration(age)})`,
        };
      }
    }
    tagDecisions.push(decision);
  }
  tagDecisions.sort((a, b) => compare(a.tag, b.tag));
  const decisionsByDigest = new Map<string, TagDecision[]>();
  for (const d of tagDecisions) {
    const list = decisionsByDigest.get(d.digest) ?? [];
    list.push(d);
    decisionsByDigest.set(d.digest, list);
  }
  const strongestFirst = (a: TagDecision, b: TagDecision): number =>
    (a.rule ?? Number.MAX_SAFE_INTEGER) - (b.rule ?? Number.MAX_SAFE_INTEGER) || compare(a.tag, b.tag);

  // 2. Graph.
  const membersOf = new Map<string, Link[]>();
  const ownersOf = new Map<string, Link[]>();
  for (const l of inventory.links) {
    if (l.owner === l.member) continue;
    (membersOf.get(l.owner) ?? membersOf.set(l.owner, []).get(l.owner)!).push(l);
    (ownersOf.get(l.member) ?? ownersOf.set(l.member, []).get(l.member)!).push(l);
  }
  const danglingOf = new Map<string, Link>();
  for (const l of inventory.dangling) if (!danglingOf.has(l.member)) danglingOf.set(l.member, l);

  // 3. Roots.
  const fates = new Map<string, Fate>();
  const keptRoots: string[] = [];
  const deletedRoots: string[] = [];
  for (const digest of sortedDigests) {
    const node = nodes.get(digest)!;
    const decisions = [...(decisionsByDigest.get(digest) ?? [])].sort(strongestFirst);
    if (node.tagMismatch) {
      fates.set(digest, {
        action: 'keep',
        category: decisions[0]?.category ?? 'untagged',
        reason: `held: GHCR and the registry disagree about tags ${node.tagMismatch.join(', ')}; plan again later`,
        held: true,
      });
      keptRoots.push(digest);
    } else if (decisions.length > 0) {
      const kept = decisions.filter((d) => d.decision === 'keep');
      if (kept.length > 0) {
        fates.set(digest, {
          action: 'keep',
          category: kept[0]!.category,
          reason: kept.map((d) => d.reason).join('; '),
        });
        keptRoots.push(digest);
      } else {
        fates.set(digest, {
          action: 'delete',
          category: decisions[0]!.category,
          reason: decisions.map((d) => d.reason).join('; '),
        });
        deletedRoots.push(digest);
      }
    } else if (ownersOf.has(digest)) {
      continue; // a member: it follows its owners
    } else {
      const orphanOf = danglingOf.get(digest);
      const setting = orphanOf ? policy.orphans : policy.untagged;
      const what = orphanOf
        ? `${orphanOf.kind} of ${shortDigest(orphanOf.owner)}, which is not in the repository`
        : 'untagged, nothing references it';
      const category = orphanOf ? 'orphan' : 'untagged';
      const young = youngestAgeMs(node, nowMs);
      let fate: Fate;
      if (setting === 'keep') {
        fate = { action: 'keep', category, reason: `${what} (${orphanOf ? 'orphans' : 'untagged'}: keep)` };
      } else if (young === undefined) {
        fate = { action: 'keep', category, reason: `${what}, age unknown (kept)` };
      } else if (young < policy.untaggedMinAgeMs) {
        fate = {
          action: 'keep',
          category,
          reason: `${what}, but pushed ${formatDuration(young)} ago (grace ${policy.untaggedMinAge})`,
        };
      } else {
        fate = { action: 'delete', category, reason: `${what} (${formatDuration(young)} old)` };
      }
      fates.set(digest, fate);
      (fate.action === 'keep' ? keptRoots : deletedRoots).push(digest);
    }
  }

  // 4. Keep closure: children of kept indexes, referrers of kept subjects, recursively.
  const kept = new Set<string>(keptRoots);
  const queue = [...keptRoots];
  for (let i = 0; i < queue.length; i++) {
    const owner = queue[i]!;
    for (const link of membersOf.get(owner) ?? []) {
      if (kept.has(link.member)) continue;
      kept.add(link.member);
      fates.set(link.member, {
        action: 'keep',
        category: link.kind,
        reason: describeMember(link, 'keep', label(owner)),
        via: link,
      });
      queue.push(link.member);
    }
  }

  // 5. Delete closure: what deleted roots reach and nothing kept does.
  const deleted = new Set<string>();
  const dqueue = deletedRoots.filter((d) => !kept.has(d));
  for (const d of dqueue) deleted.add(d);
  for (let i = 0; i < dqueue.length; i++) {
    const owner = dqueue[i]!;
    for (const link of membersOf.get(owner) ?? []) {
      if (kept.has(link.member) || deleted.has(link.member)) continue;
      deleted.add(link.member);
      fates.set(link.member, {
        action: 'delete',
        category: link.kind,
        reason: describeMember(link, 'delete', label(owner)),
        via: link,
      });
      dqueue.push(link.member);
    }
  }

  // 6. Anything left is only reachable through a reference cycle: keep it.
  for (const digest of sortedDigests) {
    if (fates.has(digest)) continue;
    kept.add(digest);
    fates.set(digest, {
      action: 'keep',
      category: 'untagged',
      reason: 'only reachable through a reference cycle (kept)',
    });
    warnings.push(`${digest} is only reachable through a reference cycle; kept`);
  }

  // 7. Fail closed when a kept manifest's references are unknown.
  const unknownKept = sortedDigests.filter((d) => kept.has(d) && nodes.get(d)!.kind === 'unknown');
  const held = unknownKept.length > 0 && deleted.size > 0;
  if (held) {
    const first = unknownKept[0]!;
    const why = `held: kept ${label(first)} could not be read (${nodes.get(first)!.unreadable ?? 'unknown'}), so what it references is unknown`;
    warnings.push(
      `${unknownKept.length} kept manifest(s) could not be read (first ${first}); nothing will be deleted`,
    );
    for (const d of deleted) {
      const fate = fates.get(d)!;
      fates.set(d, { ...fate, action: 'keep', reason: `${why}; would delete: ${fate.reason}`, held: true });
      kept.add(d);
    }
    deleted.clear();
  }

  // 8. Items.
  const makeItem = (digest: string): PlanItem => {
    const node = nodes.get(digest)!;
    const fate = fates.get(digest)!;
    const item: PlanItem = {
      digest,
      tags: [...node.tags],
      category: fate.category,
      reason: fate.reason,
      kind: node.kind,
      bytes: 0,
    };
    if (node.mediaType !== undefined) item.mediaType = node.mediaType;
    if (node.created !== undefined) {
      item.created = node.created;
      if (node.createdSource !== undefined) item.createdSource = node.createdSource;
      item.ageSeconds = Math.floor(ageMs(node, nowMs)! / 1000);
    }
    if (node.versionId !== undefined) item.versionId = node.versionId;
    if (fate.via) item.via = { relation: fate.via.relation, kind: fate.via.kind, of: fate.via.owner };
    if (fate.action === 'keep' || fate.held) {
      const expired = (decisionsByDigest.get(digest) ?? [])
        .filter((d) => d.decision === 'expire')
        .map((d) => d.tag);
      if (expired.length > 0) item.expiredTags = expired;
    }
    if (fate.held) item.held = true;
    return item;
  };

  const keepItems = sortedDigests.filter((d) => kept.has(d)).map(makeItem);
  const firstTag = (i: PlanItem): string => i.tags[0] ?? '\uffff';
  keepItems.sort(
    (a, b) =>
      compare(a.category, b.category) || compare(firstTag(a), firstTag(b)) || compare(a.digest, b.digest),
  );

  const deleteItems = orderDeletions(
    sortedDigests.filter((d) => deleted.has(d)).map(makeItem),
    inventory.links,
    warnings,
  );

  // 9. Bytes: blobs no kept manifest uses, each counted once (on the first deletion that frees it).
  const keptBlobs = new Set<string>();
  for (const d of kept) {
    keptBlobs.add(d);
    for (const b of nodes.get(d)!.blobs) keptBlobs.add(b.digest);
  }
  const counted = new Set<string>();
  let bytesUnknown = 0;
  for (const item of deleteItems) {
    const node = nodes.get(item.digest)!;
    if (node.kind === 'unknown') bytesUnknown++;
    if (node.size !== undefined && !counted.has(item.digest)) {
      item.bytes += node.size;
      counted.add(item.digest);
    }
    for (const b of node.blobs) {
      if (keptBlobs.has(b.digest) || counted.has(b.digest)) continue;
      counted.add(b.digest);
      item.bytes += b.size;
    }
  }

  // 10. Summary.
  const categories: Record<string, CategorySummary> = {};
  const bump = (item: PlanItem, action: PlanAction): void => {
    const c = (categories[item.category] ??= { kept: 0, deleted: 0, bytes: 0 });
    if (action === 'keep') c.kept++;
    else {
      c.deleted++;
      c.bytes += item.bytes;
    }
  };
  keepItems.forEach((i) => bump(i, 'keep'));
  deleteItems.forEach((i) => bump(i, 'delete'));
  const sortedCategories: Record<string, CategorySummary> = {};
  for (const k of Object.keys(categories).sort(compare)) sortedCategories[k] = categories[k]!;

  const tagsDeleted = deleteItems.reduce((n, i) => n + i.tags.length, 0);
  const tags: Record<string, string> = {};
  for (const [t, d] of inventory.tags) tags[t] = d;

  return {
    schemaVersion: 1,
    repository: inventory.repository,
    now: now.toISOString(),
    policyHash: policyHash(policy),
    keep: keepItems,
    delete: deleteItems,
    tags,
    tagDecisions,
    warnings: [...new Set(warnings)].sort(compare),
    summary: {
      manifests: { total: nodes.size, kept: keepItems.length, deleted: deleteItems.length },
      tags: { total: inventory.tags.size, kept: inventory.tags.size - tagsDeleted, deleted: tagsDeleted },
      bytesReclaimed: deleteItems.reduce((n, i) => n + i.bytes, 0),
      bytesUnknown,
      categories: sortedCategories,
      unmatchedTags: tagDecisions.filter((d) => d.category === 'unmatched').map((d) => d.tag),
      held,
    },
  };
}

/** Images first, then referrers, then children: the tie-break inside a wave. */
function phase(item: PlanItem): number {
  if (item.via?.relation === 'referrer' || item.category === 'orphan') return 1;
  if (item.via?.relation === 'child') return 2;
  return 0;
}

/**
 * Orders deletions so that an owner goes before its members: an index before its children, a
 * subject before its signatures and referrers (see the module comment for why). Kahn's algorithm
 * in waves; no two items of a wave are owner and member, so a wave may be deleted in parallel.
 */
export function orderDeletions(
  items: PlanItem[],
  links: readonly Link[],
  warnings: string[] = [],
): PlanItem[] {
  const byDigest = new Map(items.map((i) => [i.digest, i]));
  const preds = new Map<string, Set<string>>();
  const succs = new Map<string, Set<string>>();
  for (const i of items) {
    preds.set(i.digest, new Set());
    succs.set(i.digest, new Set());
  }
  for (const l of links) {
    if (!byDigest.has(l.owner) || !byDigest.has(l.member) || l.owner === l.member) continue;
    // The owner (index, subject) goes first; its member only once the owner is gone.
    preds.get(l.member)!.add(l.owner);
    succs.get(l.owner)!.add(l.member);
  }
  const tieBreak = (a: PlanItem, b: PlanItem): number =>
    phase(a) - phase(b) ||
    compare(a.tags[0] ?? '\uffff', b.tags[0] ?? '\uffff') ||
    compare(a.digest, b.digest);

  const out: PlanItem[] = [];
  const remaining = new Map<string, number>([...preds].map(([d, p]) => [d, p.size]));
  let wave = 0;
  let ready = items.filter((i) => remaining.get(i.digest) === 0);
  while (ready.length > 0) {
    wave++;
    ready.sort(tieBreak);
    const next: PlanItem[] = [];
    for (const item of ready) {
      remaining.delete(item.digest);
      item.wave = wave;
      item.order = out.length + 1;
      out.push(item);
      for (const s of succs.get(item.digest)!) {
        const n = remaining.get(s)! - 1;
        remaining.set(s, n);
        if (n === 0) next.push(byDigest.get(s)!);
      }
    }
    ready = next;
  }
  if (remaining.size > 0) {
    // Only a reference cycle (possible only through tag-based links) gets here.
    wave++;
    const rest = [...remaining.keys()]
      .map((d) => byDigest.get(d)!)
      .sort((a, b) => compare(a.digest, b.digest));
    warnings.push(`reference cycle among ${rest.map((i) => i.digest).join(', ')}; deleted last, by digest`);
    for (const item of rest) {
      item.wave = wave;
      item.order = out.length + 1;
      out.push(item);
    }
  }
  return out;
}

export type PlanCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether a planned deletion may still be executed, given the repository's tags now (tag →
 * digest). Refused when a tag the plan saw on the digest now points elsewhere, or when the digest
 * gained a tag since the plan was made (deleting it would take that tag along: on GHCR a version
 * and all its tags go together). A tag that disappeared is fine: it was going with its digest.
 */
export function checkPlanItem(
  item: Pick<PlanItem, 'digest' | 'tags'>,
  currentTagDigests: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
): PlanCheck {
  const planned = new Set(item.tags);
  const current = new Map<string, string>(tagMapEntries(currentTagDigests));
  for (const tag of item.tags) {
    const now = current.get(tag);
    if (now !== undefined && now !== item.digest) {
      return {
        ok: false,
        reason: `tag ${tag} now points to ${shortDigest(now)}, not ${shortDigest(item.digest)} as planned`,
      };
    }
  }
  for (const [tag, digest] of current) {
    if (digest === item.digest && !planned.has(tag)) {
      return { ok: false, reason: `${shortDigest(item.digest)} gained tag ${tag} since the plan was made` };
    }
  }
  return { ok: true };
}
