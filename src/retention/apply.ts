/**
 * Applies a retention plan: deletes exactly the plan's `delete` items, in the plan's order and
 * waves, and nothing else.
 *
 * Safety, in the order it is checked:
 * - the plan must be for this repository and made under the policy in force now (its
 *   `policyHash`); otherwise nothing at all is deleted;
 * - before each wave the tags are read again, and each item is checked against them
 *   ({@link checkPlanItem}): a tag that moved off the digest, or a tag that arrived on it, refuses
 *   that item;
 * - a manifest that appeared since the plan (a tag on a digest the plan never saw) is read, and
 *   whatever planned item it references — an index built from old images, a new signature — is
 *   skipped;
 * - an item that is not deleted (refused, failed, skipped) survives, so everything it references
 *   is skipped too: its children, its subject, the subject its `sha256-<hex>.sig` tag names;
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
  const planned = new Set(items.map((i) => i.digest));
  const known = new Set<string>([
    ...plan.keep.map((i) => i.digest),
    ...items.map((i) => i.digest),
    ...Object.values(plan.tags),
  ]);
  const waves = new Map<number, PlanItem[]>();
  for (const item of items) {
    const w = item.wave ?? item.order ?? 0;
    (waves.get(w) ?? waves.set(w, []).get(w)!).push(item);
  }

  const results = new Map<string, ApplyItemResult>();
  /** Planned digests that must survive, and why. */
  const blocked = new Map<string, string>();
  let blockAll: string | undefined;
  let stopped: unknown;
  let deletedSoFar = 0;

  const block = (digest: string, reason: string): void => {
    if (planned.has(digest) && !blocked.has(digest)) blocked.set(digest, reason);
  };

  // What a manifest references (its children and its subject), read on demand and remembered.
  const refs = new Map<string, Promise<string[]>>();
  const referencesOf = (digest: string): Promise<string[]> => {
    let p = refs.get(digest);
    if (!p) {
      p = backend.fetchManifest(digest, signal).then(
        (fact) => {
          const out: string[] = [];
          if (fact.manifest.kind === 'index') {
            out.push(...fact.manifest.index.manifests.map((d) => d.digest));
            if (fact.manifest.index.subject) out.push(fact.manifest.index.subject.digest);
          } else if (fact.manifest.manifest.subject) {
            out.push(fact.manifest.manifest.subject.digest);
          }
          return out;
        },
        (err: unknown) => {
          if (signal?.aborted) throw err;
          // Gone since: it references nothing any more.
          if ((err as { exitCode?: number }).exitCode === 4) return [];
          throw err;
        },
      );
      refs.set(digest, p);
    }
    return p;
  };

  /** `digest` survives: whatever planned item it references must survive too. */
  const protectReferencesOf = async (digest: string, tags: readonly string[], why: string): Promise<void> => {
    for (const tag of tags) {
      const a = parseAttachmentTag(tag);
      if (a) block(`${a.algorithm}:${a.hex}`, `${why} (its tag ${tag} names it)`);
    }
    try {
      for (const r of await referencesOf(digest)) block(r, why);
    } catch (err) {
      if (signal?.aborted) throw err;
      blockAll ??= `${shortDigest(digest)} could not be read (${messageOf(err)}), so what it references is unknown`;
    }
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
      let out: string[];
      try {
        out = await referencesOf(d);
      } catch (err) {
        if (signal?.aborted) throw err;
        blockAll ??= `${tag} points to ${shortDigest(d)}, new since the plan, which could not be read (${messageOf(err)})`;
        return;
      }
      for (const r of out) {
        block(r, why);
        if (!known.has(r)) queue.push(r);
      }
    }
  };

  const settle = (item: PlanItem, status: ApplyStatus, reason?: string): ApplyItemResult => {
    const r: ApplyItemResult = {
      digest: item.digest,
      tags: [...item.tags],
      category: item.category,
      ...(item.order !== undefined ? { order: item.order } : {}),
      ...(item.wave !== undefined ? { wave: item.wave } : {}),
      status,
      ...(reason !== undefined ? { reason } : {}),
      bytes: status === 'deleted' ? item.bytes : 0,
    };
    results.set(item.digest, r);
    opts.onItem?.(r);
    return r;
  };

  const processItem = async (item: PlanItem, current: Map<string, string>): Promise<void> => {
    if (stopped !== undefined) {
      settle(item, 'skipped', `not attempted: ${messageOf(stopped)}`);
      return;
    }
    if (blockAll !== undefined) {
      settle(item, 'skipped', blockAll);
      return;
    }
    const reason = blocked.get(item.digest);
    if (reason !== undefined) {
      settle(item, 'skipped', reason);
      return;
    }
    const check = checkPlanItem(item, current);
    if (!check.ok) {
      settle(item, 'refused', check.reason);
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
      settle(item, outcome);
    } catch (err) {
      if (signal?.aborted) throw new CancelledError('interrupted while deleting', { cause: err });
      if (isFatal(err)) {
        stopped ??= err;
        settle(item, 'failed', messageOf(err));
        return;
      }
      settle(item, 'failed', messageOf(err));
    }
  };

  for (const wave of [...waves.keys()].sort((a, b) => a - b)) {
    const waveItems = waves.get(wave)!;
    if (stopped === undefined && blockAll === undefined) {
      const current = await backend.listTags(signal);
      for (const [tag, digest] of current) {
        if (plan.tags[tag] === digest) continue;
        const a = parseAttachmentTag(tag);
        if (a) block(`${a.algorithm}:${a.hex}`, `${tag} was added since the plan`);
        if (!known.has(digest)) await protectFromNew(digest, tag);
      }
      // Until one deletion went through, one at a time: a back end that refuses deletes stops
      // the run at its first answer.
      let i = 0;
      for (; i < waveItems.length && deletedSoFar === 0 && stopped === undefined; i++) {
        await processItem(waveItems[i]!, current);
      }
      await mapLimit(waveItems.slice(i), concurrency, (item) => processItem(item, current));
    } else {
      for (const item of waveItems) await processItem(item, new Map());
    }
    // Whatever survived this wave keeps what it references alive in the waves to come.
    for (const item of waveItems) {
      const r = results.get(item.digest)!;
      if (r.status === 'deleted' || r.status === 'absent') continue;
      if (stopped !== undefined || blockAll !== undefined) continue;
      await protectReferencesOf(
        item.digest,
        item.tags,
        `referenced by ${shortDigest(item.digest)}, which was not deleted`,
      );
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
