import { randomUUID } from 'node:crypto';
import { Command } from '@commander-js/extra-typings';
import { ExitCode, UsageError } from '../../errors.js';
import { formatRepository, parseReference, type RepositoryName } from '../../ref/index.js';
import {
  ApplyStoppedError,
  DeletionsFailedError,
  applyPlan,
  assertApplicable,
  type ApplyResult,
} from '../../retention/apply.js';
import type { RetentionBackend } from '../../retention/backend.js';
import { gatherInventory } from '../../retention/gather.js';
import type { Inventory } from '../../retention/inventory.js';
import { planRetention, shortDigest, type RetentionPlan } from '../../retention/planner.js';
import { parseNow, policyHash, resolvePolicy, type RetentionPolicy } from '../../retention/policy.js';
import { RegistryBackend, isGhcr } from '../../retention/registry-backend.js';
import { displayTags, renderApplied, renderPlan } from '../../retention/render.js';
import { readPlanFile, resolveRepositories, writePlanFile } from '../../retention/targets.js';
import { positiveInt, type Context, type Runner } from '../context.js';
import { record } from '../record.js';
import type { RetentionDeletion, RetentionPackage } from '../../store/events.js';

/** The config as a plain record: `retention:` and `services:` pass through its loose schema. */
export function looseConfig(ctx: Context): Readonly<Record<string, unknown>> {
  return ctx.config;
}

export function retentionPolicy(ctx: Context): RetentionPolicy {
  return resolvePolicy(looseConfig(ctx).retention);
}

/**
 * The back end for each repository: ghcr.io through the GitHub back end (the registry for tags and
 * manifests, the Packages API for every version and for deletes), any other registry through the
 * Distribution API.
 */
export async function openBackends(
  ctx: Context,
  repos: readonly RepositoryName[],
  concurrency: number,
): Promise<RetentionBackend[]> {
  const client = await ctx.client([...new Set(repos.map((r) => r.registry))]);
  const backends: RetentionBackend[] = [];
  for (const r of repos) {
    const repo = client.repository(r.registry, r.repository);
    if (isGhcr(r.registry) || githubRegistries().has(r.registry.toLowerCase())) {
      const { openGhcrBackend } = await import('../../github/ghcr-backend.js');
      const explicit = await ctx.explicitCredentials();
      backends.push(await openGhcrBackend(repo, { concurrency, ...(explicit ? { explicit } : {}) }));
    } else {
      backends.push(new RegistryBackend(repo, { concurrency }));
    }
  }
  return backends;
}

/**
 * Registry hosts other than ghcr.io whose packages the GitHub Packages API manages: the container
 * registry of a GitHub Enterprise Server (`containers.HOSTNAME`, with GITHUB_API_URL set to its
 * API), or a stand-in for tests. `GHCR_OPTIMIZE_GITHUB_REGISTRIES`, comma-separated.
 */
export function githubRegistries(env: NodeJS.ProcessEnv = process.env): Set<string> {
  return new Set(
    (env['GHCR_OPTIMIZE_GITHUB_REGISTRIES'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== ''),
  );
}

/** The package a GitHub back end works on, with how GitHub addresses its owner (when it can tell). */
async function packageOf(
  backend: RetentionBackend,
  signal: AbortSignal,
): Promise<RetentionPackage | undefined> {
  if (backend.kind !== 'github') return undefined;
  const { GhcrBackend } = await import('../../github/ghcr-backend.js');
  if (!(backend instanceof GhcrBackend)) return undefined;
  const pkg: RetentionPackage = { owner: backend.owner, package: backend.package };
  try {
    // Known already from the listing: this answer comes from the client's owner cache or one GET.
    const found = await backend.packages.getPackage(backend.owner, backend.package, signal);
    pkg.owner = found.owner;
    pkg.ownerKind = found.ownerKind === 'org' ? 'org' : 'user';
  } catch {
    // The kind is informational; the restore finds the owner again by itself.
  }
  return pkg;
}

/**
 * Records what one repository's `clean --force` deleted (the digests, tags and GHCR version ids),
 * so `restore --last-clean` can bring GHCR versions back. Never fails the command.
 */
async function recordApplied(
  ctx: Context,
  runId: string,
  backend: RetentionBackend,
  plan: RetentionPlan,
  apply: ApplyResult,
): Promise<void> {
  const ids = new Map(plan.delete.map((i) => [i.digest, i.versionId]));
  const deleted: RetentionDeletion[] = apply.items
    .filter((i) => i.status === 'deleted')
    .map((i) => {
      const versionId = ids.get(i.digest);
      return { digest: i.digest, tags: [...i.tags], ...(versionId !== undefined ? { versionId } : {}) };
    });
  const github = await packageOf(backend, ctx.signal).catch(() => undefined);
  const ref = parseReference(plan.repository, { defaultTag: false });
  await record(ctx, async (st) => {
    const { retentionRunEvent } = await import('../../store/events.js');
    await st.record(
      retentionRunEvent(plan.summary, {
        repository: plan.repository,
        command: 'clean',
        bytesReclaimed: apply.bytesDeleted,
        runId,
        backend: backend.kind,
        registry: ref.registry,
        ...(github ? { github } : {}),
        deleted,
      }),
    );
  });
}

/** Reads one repository and plans it; gathering warnings join the plan's own. */
export async function planRepository(
  ctx: Context,
  backend: RetentionBackend,
  policy: RetentionPolicy,
  now: Date,
  concurrency: number,
): Promise<{ plan: RetentionPlan; inventory: Inventory }> {
  ctx.out.info(`${backend.repository}: reading tags, manifests and referrers…`);
  const gathered = await gatherInventory(backend, { concurrency, signal: ctx.signal });
  const plan = planRetention(gathered.inventory, policy, now);
  plan.warnings = [...new Set([...plan.warnings, ...gathered.warnings])].sort();
  return { plan, inventory: gathered.inventory };
}

const HELP = `
Without --force nothing is deleted: the plan is printed (a table, or --json: the plan with
"keep", "delete" and "summary"), and --plan-out saves it. --force plans and deletes; with
--plan FILE --force a saved plan is applied exactly as it was made, never re-planned.

The policy is "retention:" in ghcr-optimize.yaml, else the built-in rules: semver releases,
latest and stable forever; main, main-*, sha-* 90d; develop* and dev-* 30d; pr-* 7d;
buildcache* and cache-* 24h; untagged manifests nothing kept references are deleted after 1h;
other tags are kept. A digest is kept when any of its tags is kept; an index keeps its children,
an image keeps its signatures, attestations and referrers (cosign sha256-<hex>.sig/.att/.sbom
tags, OCI subject, sha256-<hex> fallback indexes). A manifest that cannot be read holds every
deletion (fail closed).

Before the first deletion every planned manifest and every tag is read again: an item whose tags
moved (or that gained a tag) since the plan is refused together with everything planned with it
(an index and its children, an image and its signatures, attestations and referrers). Deletion
then goes owner first: an index before its children, an image before its signatures and
referrers, the tags read again before each wave. A manifest that is not deleted keeps its
children and its signatures. Any refused item makes the exit code 12 (incomplete).
A saved plan made under another policy is refused as a whole.

Any OCI registry (Distribution API): deleting is DELETE /v2/NAME/manifests/DIGEST, which the
registry must allow (distribution: storage.delete.enabled), and removes every tag on that
digest. The API cannot list untagged manifests, so untagged cleanup covers only manifests
reachable from a tag (index children, referrers); a manifest that lost its last tag earlier is
invisible here. Disk space returns when the registry collects garbage (registry garbage-collect).
On ghcr.io the GitHub Packages API lists every version, tagged or not, and does the deleting
(a token with delete:packages).

Repositories default to the "services:" of the config file.

Every --force run records what it deleted (digests, tags; on GHCR the package version ids) in
the insights store under a run id, printed last: "ghcr-optimize restore --last-clean" brings
back the GHCR versions of the most recent run that deleted something within 30 days, and
"restore --last-clean --run ID" those of an earlier one ("restore --list-cleans" lists them). GHCR_OPTIMIZE_GITHUB_REGISTRIES=host,… treats other registry hosts as GitHub-managed
(a GitHub Enterprise Server container registry, with GITHUB_API_URL set).

Examples:
  ghcr-optimize clean ghcr.io/OWNER/app
  ghcr-optimize clean registry.internal:5000/app --now 2025-06-01T00:00:00Z --json
  ghcr-optimize clean registry.internal:5000/app --plan-out plan.json
  ghcr-optimize clean --plan plan.json --force
  ghcr-optimize clean registry.internal:5000/app --force`;

export function cleanCommand(run: Runner) {
  return new Command('clean')
    .description('delete what the retention policy no longer keeps (a dry run unless --force)')
    .argument('[repository...]', 'e.g. ghcr.io/OWNER/IMAGE (default: the config\'s "services:")')
    .option('--dry-run', 'only print the plan (the default)')
    .option('--force', 'delete what the plan says')
    .option('--plan <file>', 'use a plan saved with --plan-out instead of planning')
    .option('--plan-out <file>', 'save the plan (JSON) to this file')
    .option('--now <instant>', 'plan as of this ISO-8601 instant with a zone, e.g. 2025-06-01T00:00:00Z')
    .addHelpText('after', HELP)
    .action((repositories, opts) =>
      run(async (ctx) => {
        if (opts.force && opts.dryRun) throw new UsageError('use either --dry-run or --force');
        if (opts.plan !== undefined && opts.now !== undefined) {
          throw new UsageError('--now applies when planning; a saved plan keeps the instant it was made for');
        }
        if (opts.plan !== undefined && opts.planOut !== undefined) {
          throw new UsageError('--plan reads a saved plan; --plan-out saves a new one: use one of them');
        }
        const policy = retentionPolicy(ctx);
        const hash = policyHash(policy);
        const concurrency = positiveInt(ctx.globals.concurrency, '--concurrency', 8, 64);
        const force = opts.force === true;

        // 1. The plans: saved, or made now.
        let plans: RetentionPlan[];
        let backends: RetentionBackend[];
        if (opts.plan !== undefined) {
          plans = await readPlanFile(opts.plan);
          if (repositories.length > 0) {
            const wanted = resolveRepositories(repositories, {}, 'clean').map(formatRepository);
            const missing = wanted.filter((w) => !plans.some((p) => p.repository === w));
            if (missing.length > 0)
              throw new UsageError(`${opts.plan} has no plan for ${missing.join(', ')}`);
            plans = plans.filter((p) => wanted.includes(p.repository));
          }
          // Refuse before touching anything: every plan must be for the policy in force now.
          if (force) for (const p of plans) assertApplicable(p, p.repository, hash);
          if (!force) {
            ctx.out.result(plans.length === 1 ? plans[0] : { schemaVersion: 1, plans }, () =>
              plans.map((p) => renderPlan(p, true)).join('\n\n'),
            );
            return;
          }
          const repos = plans.map((p) => {
            const ref = parseReference(p.repository, { defaultTag: false });
            return { registry: ref.registry, repository: ref.repository };
          });
          backends = await openBackends(ctx, repos, concurrency);
        } else {
          const repos = resolveRepositories(repositories, looseConfig(ctx), 'clean');
          const now = opts.now !== undefined ? parseNow(opts.now) : new Date();
          backends = await openBackends(ctx, repos, concurrency);
          plans = [];
          for (const backend of backends) {
            plans.push((await planRepository(ctx, backend, policy, now, concurrency)).plan);
          }
          if (opts.planOut !== undefined) {
            await writePlanFile(opts.planOut, plans);
            ctx.out.info(`plan saved to ${opts.planOut}`);
          }
        }
        for (const p of plans) for (const w of p.warnings) ctx.out.warn(`${p.repository}: ${w}`);

        if (!force) {
          ctx.out.result(plans.length === 1 ? plans[0] : { schemaVersion: 1, plans }, () =>
            plans.map((p) => renderPlan(p, true)).join('\n\n'),
          );
          return;
        }

        // 2. Apply, one repository after the other.
        const applied: { plan: RetentionPlan; apply: ApplyResult }[] = [];
        const runId = randomUUID();
        let stop: Error | undefined;
        for (const [i, plan] of plans.entries()) {
          const backend = backends[i]!;
          if (plan.delete.length > 0)
            ctx.out.info(`${plan.repository}: deleting ${plan.delete.length} manifests…`);
          let result: ApplyResult;
          try {
            result = await applyPlan(plan, backend, { policyHash: hash, concurrency, signal: ctx.signal });
          } catch (err) {
            if (!(err instanceof ApplyStoppedError)) throw err;
            result = err.result;
            stop = err.cause instanceof Error ? err.cause : err;
          }
          for (const r of result.items) {
            if (r.status === 'refused' || r.status === 'failed') {
              ctx.out.warn(
                `${plan.repository}: ${r.status} ${shortDigest(r.digest)} (${displayTags(r.tags)}): ${r.reason ?? ''}`,
              );
            }
          }
          applied.push({ plan, apply: result });
          await recordApplied(ctx, runId, backend, plan, result);
          if (stop !== undefined) break;
        }
        const deletedAny = applied.some((a) => a.apply.deleted > 0);
        // Stopped before anything was deleted: the error alone says it all.
        if (stop !== undefined && !deletedAny) throw stop;
        // The run id names this invocation in the insights store: `restore --last-clean --run ID`.
        const docs = applied.map((a) => ({ ...a.plan, runId, apply: a.apply }));
        const onGithub = backends.some((b) => b.kind === 'github');
        ctx.out.result(docs.length === 1 ? docs[0] : { schemaVersion: 1, runId, plans: docs }, () =>
          [
            ...applied.map((a) => renderApplied(a.plan, a.apply)),
            `run ${runId}${deletedAny && onGithub ? ` (undo: ghcr-optimize restore --last-clean --run ${runId})` : ''}`,
          ].join('\n\n'),
        );
        if (stop !== undefined) throw stop;
        const failed = applied.reduce((n, a) => n + a.apply.failed, 0);
        if (failed > 0) {
          throw new DeletionsFailedError(`${failed} deletion${failed === 1 ? '' : 's'} failed`, {
            hint: 'see the warnings above; plan and clean again to retry',
          });
        }
        // Refused items changed since the plan: the run did only part of the work.
        const refused = applied.reduce((n, a) => n + a.apply.refused, 0);
        if (refused > 0) {
          ctx.out.warn(
            `${refused} item${refused === 1 ? ' was' : 's were'} refused because ${refused === 1 ? 'it' : 'they'} changed since the plan was made; plan again (clean --dry-run) to reconsider ${refused === 1 ? 'it' : 'them'}`,
          );
          process.exitCode = ExitCode.Incomplete;
        }
      }),
    );
}
