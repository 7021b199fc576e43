/**
 * Applies a retention plan: deletes exactly the plan's `delete` items and nothing else.
 *
 * The invariant everything below serves: a manifest that survives the run keeps everything it
 * needs — an index its children, an image its signatures, attestations and referrers. Safety, in
 * the order it is checked:
 * - the plan must be for this repository and made under the policy in force now (its
 *   `policyHash`); otherwise nothing at all is deleted;
 * - pre-flight, before the first deletion: every planned manifest is read again (what it lists,
 *   what its `subject` is) and the tags are read again. Each item is checked against them
 *   ({@link checkPlanItem}: a tag that moved off the digest, or a tag that arrived on it, refuses
 *   it; so does a tag on a subject the plan saw absent). A manifest that appeared since the plan
 *   (a tag on a digest the plan never saw) is read, and whatever planned item it references is
 *   skipped; a new `sha256-<hex>.sig` tag skips the digest it names. Any item refused or skipped
 *   here holds back its whole dependent group (the planned items linked to it as index/child or
 *   subject/referrer, transitively): the plan decided them together;
 * - deletion goes owner first, whatever order the plan was saved in: an index before its
 *   children, a subject before its signatures and referrers. An item is deleted only after every
 *   planned owner of it was deleted, so an owner that is refused, fails or is skipped keeps its
 *   members — a kept image never loses its signature. (A referrer left behind by a failure after
 *   its subject went is an orphan, which harms nothing and the next plan deletes.);
 * - before each later wave the tags are read again and the same checks run, so a race after the
 *   pre-flight refuses only that item and the members not yet deleted;
 * - the first deletion runs alone: a back end that refuses deletes altogether
 *   ({@link DeleteUnsupportedError}, or an authorisation error) stops the run before anything else
 *   is tried.
 */
import { AuthError, CancelledError, ExitCode, GhcrOptimizeError, UsageError } from '../errors.js';
import { mapLimit } from '../util/concurrency.js';
import { DeleteUnsupportedError, type RetentionBackend } from './backend.js';
import { parseAttachmentTag } from './inventory.js';
import { checkPlanItem, shortDigest, type PlanItem, type RetentionPlan } from './planner.js';

export type ApplyStatus = 'deleted' | 'absent' | 'refused' | 'skipped' | 'failed';

export interface ApplyItemResult {
  digest: string;
  tags: string[];
  category: string;
  order?: number;
  /** The wave it was deleted (or settled) in: owners go in earlier waves than their members. */
  wave?: number;
  /** `absent`: already gone when we came to delete it (counts as done). */
  status: ApplyStatus;
  /** Why an item was refused, skipped or failed. */
  reason?: string;
  /** Bytes the plan expected this deletion to free (0 unless deleted). */
  bytes: number;
}

export interface ApplyResult {
  repository: string;
  deleted: number;
  absent: number;
  refused: number;
  skipped: number;
  failed: number;
  /** Planned bytes of the items actually deleted (reclaimed once the registry collects garbage). */
  bytesDeleted: number;
  /** In the plan's order. */
  items: ApplyItemResult[];
  /** Set when the run stopped early: the back end refused deletes, or authorisation failed. */
  stopped?: string;
}

export interface ApplyOptions {
  /** The hash of the policy in force now; a plan made under another policy is refused. */
  policyHash: string;
  /** Parallel deletions within a wave. Default 4. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called as each item is settled. */
  onItem?: (result: ApplyItemResult) => void;
}

/** A plan made under another policy, or for another repository: nothing was deleted. */
export class PlanMismatchError extends UsageError {}

/** Some planned deletions failed (network, registry errors); the rest went through. */
export class DeletionsFailedError extends GhcrOptimizeError {
  readonly exitCode = ExitCode.Protocol;
  readonly kind = 'deletions-failed';
}

/** Thrown when the run stopped early; `result` says what was done before. */
export class ApplyStoppedError extends Error {
  constructor(
    readonly result: ApplyResult,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Checks that `plan` may be applied to `backend` under `policyHash`; throws otherwise. */
export function assertApplicable(plan: RetentionPlan, repository: string, policyHash: string): void {
  if (plan.schemaVersion !== 1) {
    throw new PlanMismatchError(`unsupported plan schemaVersion ${String(plan.schemaVersion)}`, {
      hint: 'make the plan again with this version of ghcr-optimize',
    });
  }
  if (plan.repository !== repository) {
    throw new PlanMismatchError(`the plan is for ${plan.repository}, not ${repository}`);
  }
  if (plan.policyHash !== policyHash) {
    throw new PlanMismatchError(
      `the plan for ${plan.repository} was made under a different retention policy (${shortDigest(plan.policyHash)}, now ${shortDigest(policyHash)}); nothing deleted`,
      {
        hint: 'plan again under the current policy (clean --dry-run --plan-out FILE), or apply with the config the plan was made with',
      },
    );
  }
}

function isFatal(err: unknown): boolean {
  return err instanceof DeleteUnsupportedError || err instanceof AuthError;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** What a manifest references: the entries of an index, and its `subject`. */
interface References {
  children: string[];
  subject?: string;
}

type Relation = 'child' | 'referrer';

/** A pre-flight or wave check's verdict on one item. */
interface Problem {
  status: 'refused' | 'skipped';
  reason: string;
}

/** The digest an attachment tag names, when it names a whole one. */
function attachmentSubject(tag: string): string | undefined {
  const a = parseAttachmentTag(tag);
  if (!a) return undefined;
  const full = a.algorithm === 'sha256' ? 64 : 128;
  return a.hex.length === full ? `${a.algorithm}:${a.hex}` : undefined;
}

/**
 * Waves of deletion, owner first: an item's wave comes after the waves of all its planned owners.
 * Items only reachable through a reference cycle go last, together.
 */
export function deletionWaves(
  digests: readonly string[],
  ownersOf: ReadonlyMap<string, ReadonlySet<string>>,
): string[][] {
  const waves: string[][] = [];
  const placed = new Set<string>();
  let left = [...digests];
  while (left.length > 0) {
    const ready = left.filter((d) => [...(ownersOf.get(d) ?? [])].every((o) => placed.has(o)));
    if (ready.length === 0) {
      waves.push(left);
      break;
    }
    waves.push(ready);
    for (const d of ready) placed.add(d);
    left = left.filter((d) => !placed.has(d));
  }
  return waves;
}

/** Deletes the plan's items (see the module comment for every check on the way). */
export async function applyPlan(
  plan: RetentionPlan,
  backend: RetentionBackend,
  opts: ApplyOptions,
): Promise<ApplyResult> {
  assertApplicable(plan, backend.repository, opts.policyHash);
  const { signal } = opts;
  const concurrency = opts.concurrency ?? 4;

  const items = [...plan.delete].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  const byDigest = new Map(items.map((i) => [i.digest, i]));
  const planned = new Set(byDigest.keys());
  const known = new Set<string>([
    ...plan.keep.map((i) => i.digest),
    ...items.map((i) => i.digest),
    ...Object.values(plan.tags),
  ]);

  const results = new Map<string, ApplyItemResult>();
  /** Planned digests that must survive, and why. */
  const blocked = new Map<string, string>();
  let blockAll: string | undefined;
  let stopped: unknown;
  let deletedSoFar = 0;

  const block = (digest: string, reason: string): void => {
    if (planned.has(digest) && !results.has(digest) && !blocked.has(digest)) blocked.set(digest, reason);
  };
  const label = (digest: string): string => {
    const tags = byDigest.get(digest)?.tags ?? [];
    return tags.length > 0 ? `${shortDigest(digest)} (${tags.join(', ')})` : shortDigest(digest);
  };

  // Dependencies among planned items: owner → member, and subjects outside the plan.
  const membersOf = new Map<string, Map<string, Relation>>();
  const ownersOf = new Map<string, Set<string>>();
  const outsideSubjects = new Map<string, Set<string>>();
  const addEdge = (owner: string, member: string, relation: Relation): void => {
    if (owner === member || !planned.has(member)) return;
    if (!planned.has(owner)) {
      // A referrer whose subject the plan does not delete: the subject was absent when planning.
      if (relation === 'referrer')
        (outsideSubjects.get(member) ?? outsideSubjects.set(member, new Set()).get(member)!).add(owner);
      return;
    }
    (membersOf.get(owner) ?? membersOf.set(owner, new Map()).get(owner)!).set(member, relation);
    (ownersOf.get(member) ?? ownersOf.set(member, new Set()).get(member)!).add(owner);
  };
  for (const item of items) {
    if (item.via) addEdge(item.via.of, item.digest, item.via.relation);
    for (const tag of item.tags) {
      const subject = attachmentSubject(tag);
      if (subject !== undefined) addEdge(subject, item.digest, 'referrer');
    }
  }

  // What a manifest references, read on demand and remembered.
  const refs = new Map<string, Promise<References>>();
  const referencesOf = (digest: string): Promise<References> => {
    let p = refs.get(digest);
    if (!p) {
      p = backend.fetchManifest(digest, signal).then(
        (fact): References => {
          if (fact.manifest.kind === 'index') {
            const { index } = fact.manifest;
            return {
              children: index.manifests.map((d) => d.digest),
              ...(index.subject ? { subject: index.subject.digest } : {}),
            };
          }
          const { subject } = fact.manifest.manifest;
          return { children: [], ...(subject ? { subject: subject.digest } : {}) };
        },
        (err: unknown) => {
          if (signal?.aborted) throw err;
          // Gone since: it references nothing any more.
          if ((err as { exitCode?: number }).exitCode === 4) return { children: [] };
          throw err;
        },
      );
      refs.set(digest, p);
    }
    return p;
  };

  /** Manifests that appeared since the plan: walk what they reference through unknown digests. */
  const walked = new Set<string>();
  const protectFromNew = async (digest: string, tag: string): Promise<void> => {
    const why = `referenced by ${tag} (${shortDigest(digest)}), which appeared since the plan`;
    const queue = [digest];
    while (queue.length > 0) {
      const d = queue.pop()!;
      if (walked.has(d)) continue;
      walked.add(d);
      let out: References;
      try {
        out = await referencesOf(d);
      } catch (err) {
        if (signal?.aborted) throw err;
        blockAll ??= `${tag} points to ${shortDigest(d)}, new since the plan, which could not be read (${messageOf(err)})`;
        return;
      }
      for (const r of [...out.children, ...(out.subject !== undefined ? [out.subject] : [])]) {
        block(r, why);
        if (!known.has(r)) queue.push(r);
      }
    }
  };

  /** Reads the tags again; what changed since the plan protects what it names or references. */
  const scanTags = async (): Promise<Map<string, string>> => {
    const current = await backend.listTags(signal);
    for (const [tag, digest] of current) {
      if (plan.tags[tag] === digest) continue;
      const subject = attachmentSubject(tag);
      if (subject !== undefined) block(subject, `${tag} was added since the plan`);
      if (!known.has(digest)) await protectFromNew(digest, tag);
    }
    return current;
  };

  /** Whether `item` may go now, given the tags now. */
  const problemOf = (item: PlanItem, current: ReadonlyMap<string, string>): Problem | undefined => {
    const reason = blocked.get(item.digest);
    if (reason !== undefined) return { status: 'skipped', reason };
    const check = checkPlanItem(item, current);
    if (!check.ok) return { status: 'refused', reason: check.reason };
    for (const subject of outsideSubjects.get(item.digest) ?? []) {
      for (const [tag, digest] of current) {
        if (digest === subject) {
          return {
            status: 'refused',
            reason: `its subject ${shortDigest(subject)}, absent when planned, now has tag ${tag}`,
          };
        }
      }
    }
    return undefined;
  };

  const settle = (item: PlanItem, status: ApplyStatus, wave: number, reason?: string): ApplyItemResult => {
    const r: ApplyItemResult = {
      digest: item.digest,
      tags: [...item.tags],
      category: item.category,
      ...(item.order !== undefined ? { order: item.order } : {}),
      wave,
      status,
      ...(reason !== undefined ? { reason } : {}),
      bytes: status === 'deleted' ? item.bytes : 0,
    };
    results.set(item.digest, r);
    opts.onItem?.(r);
    return r;
  };

  // Pre-flight 1: read every planned manifest again, for the links the plan may not record (an
  // image two planned indexes share, a subject field) and for subjects that came back.
  await mapLimit(items, concurrency, async (item) => {
    try {
      const r = await referencesOf(item.digest);
      for (const child of r.children) addEdge(item.digest, child, 'child');
      if (r.subject !== undefined) addEdge(r.subject, item.digest, 'referrer');
    } catch (err) {
      if (signal?.aborted) throw err;
      // Unreadable when planned too: the plan's own links are all anyone knows.
      if (item.kind === 'unknown') return;
      blocked.set(
        item.digest,
        `could not be read before deleting (${messageOf(err)}), so what it references is unknown`,
      );
    }
  });
  const waves = deletionWaves(
    items.map((i) => i.digest),
    ownersOf,
  );
  const waveOf = new Map<string, number>();
  waves.forEach((w, n) => w.forEach((d) => waveOf.set(d, n + 1)));

  // Pre-flight 2: the tags now, checked against every item; a problem holds back its whole group.
  let current = await scanTags();
  if (blockAll === undefined) {
    const problems = new Map<string, Problem>();
    for (const item of items) {
      const p = problemOf(item, current);
      if (p) problems.set(item.digest, p);
    }
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(item.digest)) continue;
      // The group: everything linked to this item as owner or member, transitively.
      const group: string[] = [];
      const queue = [item.digest];
      seen.add(item.digest);
      while (queue.length > 0) {
        const d = queue.pop()!;
        group.push(d);
        for (const n of [...(membersOf.get(d)?.keys() ?? []), ...(ownersOf.get(d) ?? [])]) {
          if (!seen.has(n)) {
            seen.add(n);
            queue.push(n);
          }
        }
      }
      const inPlanOrder = group.map((d) => byDigest.get(d)!).sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
      const causes = inPlanOrder.filter((i) => problems.has(i.digest));
      if (causes.length === 0) continue;
      const cause = causes.find((i) => problems.get(i.digest)!.status === 'refused') ?? causes[0]!;
      const why = problems.get(cause.digest)!;
      for (const g of inPlanOrder) {
        const own = problems.get(g.digest);
        if (own) settle(g, own.status, waveOf.get(g.digest)!, own.reason);
        else
          settle(
            g,
            why.status,
            waveOf.get(g.digest)!,
            `kept with ${label(cause.digest)}, which was ${why.status}: ${why.reason}`,
          );
      }
    }
  }

  const processItem = async (item: PlanItem, wave: number): Promise<void> => {
    if (results.has(item.digest)) return; // settled in the pre-flight
    if (stopped !== undefined) {
      settle(item, 'skipped', wave, `not attempted: ${messageOf(stopped)}`);
      return;
    }
    if (blockAll !== undefined) {
      settle(item, 'skipped', wave, blockAll);
      return;
    }
    const problem = problemOf(item, current);
    if (problem) {
      settle(item, problem.status, wave, problem.reason);
      return;
    }
    try {
      const outcome = await backend.deleteManifest(
        {
          digest: item.digest,
          tags: item.tags,
          ...(item.versionId !== undefined ? { versionId: item.versionId } : {}),
        },
        signal,
      );
      deletedSoFar++;
      settle(item, outcome, wave);
    } catch (err) {
      if (signal?.aborted) throw new CancelledError('interrupted while deleting', { cause: err });
      if (isFatal(err)) stopped ??= err;
      settle(item, 'failed', wave, messageOf(err));
    }
  };

  for (const [n, digests] of waves.entries()) {
    const wave = n + 1;
    const waveItems = digests.map((d) => byDigest.get(d)!).sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
    const pending = waveItems.filter((i) => !results.has(i.digest));
    if (pending.length > 0 && n > 0 && stopped === undefined && blockAll === undefined) {
      current = await scanTags();
    }
    // Until one deletion went through, one at a time: a back end that refuses deletes stops the
    // run at its first answer.
    let i = 0;
    for (; i < pending.length && deletedSoFar === 0 && stopped === undefined; i++) {
      await processItem(pending[i]!, wave);
    }
    await mapLimit(pending.slice(i), concurrency, (item) => processItem(item, wave));
    // An owner that survived this wave keeps its members (children, signatures, referrers).
    for (const item of waveItems) {
      const r = results.get(item.digest)!;
      if (r.status === 'deleted' || r.status === 'absent') continue;
      for (const [member, relation] of membersOf.get(item.digest) ?? []) {
        block(
          member,
          relation === 'child'
            ? `referenced by ${shortDigest(item.digest)}, which was not deleted`
            : `refers to ${shortDigest(item.digest)}, which was not deleted`,
        );
      }
    }
  }

  const ordered = items.map((i) => results.get(i.digest)!);
  const count = (s: ApplyStatus): number => ordered.filter((r) => r.status === s).length;
  const result: ApplyResult = {
    repository: plan.repository,
    deleted: count('deleted'),
    absent: count('absent'),
    refused: count('refused'),
    skipped: count('skipped'),
    failed: count('failed'),
    bytesDeleted: ordered.reduce((n, r) => n + r.bytes, 0),
    items: ordered,
  };
  if (stopped !== undefined) {
    result.stopped = messageOf(stopped);
    throw new ApplyStoppedError(result, stopped);
  }
  return result;
}
