import { Command } from '@commander-js/extra-typings';
import { GhcrOptimizeError, NotFoundError, RegistryError, UsageError } from '../../errors.js';
import { GHCR_HOST, splitPackagePath } from '../../github/packages.js';
import { packagesClientFromEnv } from '../../github/ghcr-backend.js';
import { restoreVersions, type RestoreItem } from '../../github/restore.js';
import type { PackagesClient } from '../../github/packages.js';
import { listCleanRuns, restoreOrder, selectLastClean, type LastClean } from '../../retention/last-clean.js';
import type { RecordedClean } from '../../store/events.js';
import { formatTable } from '../output.js';
import type { Context, Runner } from '../context.js';
import { collect } from '../options.js';

/** `123`, `123,456` and repeated flags → ids. */
export function parseVersionIds(values: readonly string[]): number[] {
  const ids: number[] = [];
  for (const part of values.flatMap((v) => v.split(','))) {
    const text = part.trim();
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n <= 0) {
      throw new UsageError(`--version-id must be a package version id (a positive number), got "${part}"`, {
        hint: 'ids are in `clean --json` output and in the package version URLs on github.com',
      });
    }
    ids.push(n);
  }
  return ids;
}

/** `ghcr.io/OWNER/NAME`, `OWNER/NAME`, or `NAME` with --owner (or $GITHUB_REPOSITORY_OWNER). */
export function resolvePackage(
  arg: string,
  owner: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { owner: string; package: string } {
  if (owner !== undefined) {
    if (/^ghcr\.io\//i.test(arg)) {
      throw new UsageError(`with --owner, give the package name alone, not "${arg}"`, {
        hint: `try: ghcr-optimize restore ${arg} --version-id N`,
      });
    }
    return { owner, package: arg.replace(/^\/+|\/+$/g, '') };
  }
  if (/^ghcr\.io\//i.test(arg) || arg.includes('/')) return splitPackagePath(arg);
  const fromEnv = env['GITHUB_REPOSITORY_OWNER']?.trim();
  if (fromEnv) return { owner: fromEnv, package: arg };
  throw new UsageError(`"${arg}" names no owner`, {
    hint: `give ghcr.io/OWNER/${arg}, OWNER/${arg}, or --owner OWNER`,
  });
}

export function restoreCommand(run: Runner) {
  return new Command('restore')
    .description('restore deleted GHCR package versions (GitHub keeps them restorable for 30 days)')
    .argument('[package]', 'ghcr.io/OWNER/NAME, OWNER/NAME, or NAME with --owner')
    .option('--version-id <id>', 'package version id to restore (repeatable, or comma-separated)', collect)
    .option('--owner <owner>', 'user or organization owning the package (default: from <package>)')
    .option('--last-clean', 'restore what the most recent `clean --force` that deleted anything removed')
    .option('--run <id>', 'with --last-clean: undo this recorded run instead (an id from --list-cleans)')
    .option('--list-cleans', 'list the recorded `clean --force` runs, newest first (with --package: of it)')
    .option('--package <name>', 'with --last-clean or --list-cleans: only this package')
    .option('--dry-run', 'with --last-clean: list what would be restored, restore nothing')
    .option(
      '--registry <host>',
      'registry serving the package, to verify restored manifests (default ghcr.io)',
    )
    .option('--no-verify', 'do not check the restored manifests on the registry')
    .addHelpText(
      'after',
      `
Needs a GitHub token (GHCR_TOKEN or GITHUB_TOKEN, or --password-stdin) with read:packages and
write:packages; the token's user must be an admin of the package. GITHUB_API_URL selects the API
(GitHub Enterprise Server). A restored version comes back with its tags, except tags that were
pushed to another version since. Several ids are restored children first (an index after the
images it lists).

--last-clean reads the insights store, where every \`clean --force\` records what it deleted
(digests, tags, version ids), and restores the versions of the most recent run that deleted
something (a run that deleted nothing is passed over); with --package (or a <package> argument)
the most recent run that deleted something in that package. --run ID undoes an earlier run:
--list-cleans lists the recorded runs with their ids (clean --force and restore --dry-run print
the id too). Deletions made through the Distribution API (registries other than ghcr.io) are
final and cannot be restored.

Examples:
  ghcr-optimize restore ghcr.io/octo-org/app --version-id 123456789
  ghcr-optimize restore app --owner octo-org --version-id 123456789,123456790 --json
  ghcr-optimize restore --last-clean --dry-run
  ghcr-optimize restore --last-clean --package octo-org/app
  ghcr-optimize restore --list-cleans
  ghcr-optimize restore --last-clean --run 3f2a9c1e --dry-run`,
    )
    .action((pkgArg, opts) =>
      run(async (ctx) => {
        if (opts.listCleans) {
          if (opts.lastClean || (opts.versionId && opts.versionId.length > 0) || opts.run !== undefined)
            throw new UsageError('--list-cleans only lists; use --last-clean [--run ID] to restore');
          if (pkgArg !== undefined && opts.package !== undefined && pkgArg !== opts.package)
            throw new UsageError(`two packages given ("${pkgArg}" and --package "${opts.package}")`);
          await listCleans(ctx, opts.package ?? pkgArg);
          return;
        }
        if (opts.run !== undefined && !opts.lastClean)
          throw new UsageError('--run applies to --last-clean', {
            hint: 'e.g. ghcr-optimize restore --last-clean --run ID (ids: restore --list-cleans)',
          });
        if (opts.lastClean) {
          if (opts.versionId && opts.versionId.length > 0)
            throw new UsageError('use either --last-clean or --version-id');
          if (opts.owner !== undefined)
            throw new UsageError(
              '--owner names the owner for --version-id; with --last-clean use --package OWNER/NAME',
            );
          if (pkgArg !== undefined && opts.package !== undefined && pkgArg !== opts.package)
            throw new UsageError(`two packages given ("${pkgArg}" and --package "${opts.package}")`);
          await restoreLastClean(ctx, {
            ...((opts.package ?? pkgArg) !== undefined ? { filter: (opts.package ?? pkgArg)! } : {}),
            ...(opts.run !== undefined ? { runId: opts.run } : {}),
            dryRun: opts.dryRun === true,
            verify: opts.verify,
            ...(opts.registry !== undefined ? { registry: opts.registry } : {}),
          });
          return;
        }
        if (opts.dryRun) throw new UsageError('--dry-run applies to --last-clean');
        if (opts.package !== undefined)
          throw new UsageError('--package applies to --last-clean; give the package as the argument');
        if (pkgArg === undefined) {
          throw new UsageError('restore needs a package and --version-id N, or --last-clean', {
            hint: 'e.g. ghcr-optimize restore ghcr.io/OWNER/NAME --version-id 123, or ghcr-optimize restore --last-clean',
          });
        }
        if (!opts.versionId || opts.versionId.length === 0) {
          throw new UsageError('restore needs --version-id N', {
            hint: 'ids are in `clean --json` output and in the package version URLs on github.com; or use --last-clean',
          });
        }
        const ids = parseVersionIds(opts.versionId);
        const { owner, package: pkg } = resolvePackage(pkgArg, opts.owner);
        const client = await packagesClient(ctx);
        const registry = opts.registry ?? GHCR_HOST;
        const summary = await restoreVersions(client, owner, pkg, ids, {
          signal: ctx.signal,
          ...(opts.verify
            ? { repo: (await ctx.client([registry])).repository(registry, `${owner}/${pkg}`.toLowerCase()) }
            : {}),
        });
        const items = summary.items.map(({ cause: _cause, ...item }) => item);
        ctx.out.result({ ...summary, items }, () => render(items, ctx));
        warnUnverified(ctx, items, registry);
        throwIfFailed(summary.items);
      }),
    );
}

async function packagesClient(ctx: Context): Promise<PackagesClient> {
  const explicit = await ctx.explicitCredentials();
  return packagesClientFromEnv({
    ...(explicit ? { explicit } : {}),
    notice: (line) => ctx.out.warn(line),
    ...(ctx.globals.debug ? { debug: (line: string) => process.stderr.write(`debug: ${line}\n`) } : {}),
  });
}

function warnUnverified(ctx: Context, items: readonly Omit<RestoreItem, 'cause'>[], registry: string): void {
  for (const item of items) {
    if (item.status === 'restored' && item.verified === false) {
      ctx.out.warn(
        `version ${item.id} was restored but ${item.digest ?? 'its manifest'} does not answer yet on ${registry}`,
      );
    }
  }
}

function throwIfFailed(all: readonly RestoreItem[]): void {
  const failed = all.filter((i) => i.status === 'failed');
  if (failed.length === 1 && failed[0]!.cause instanceof GhcrOptimizeError) throw failed[0]!.cause;
  if (failed.length > 0) {
    const first = failed[0]!.cause;
    throw new RegistryError(
      `${failed.length} of ${all.length} versions could not be restored (first: ${failed[0]!.error ?? 'unknown error'})`,
      first instanceof RegistryError ? first.status : 0,
      undefined,
      { hint: first instanceof GhcrOptimizeError ? first.hint : undefined, cause: first },
    );
  }
}

/** The clean runs recorded in the insights store (a store that cannot be opened is this command's error). */
async function recordedCleans(ctx: Context): Promise<{ records: RecordedClean[]; location: string }> {
  const { openStore } = await import('../../store/open.js');
  const { readRecordedClean } = await import('../../store/events.js');
  const store = await openStore(ctx.config);
  try {
    const events = await store.events({ kinds: ['retention'] });
    const records = events.flatMap((e) => {
      const r = e.command === 'clean' ? readRecordedClean(e) : undefined;
      return r ? [r] : [];
    });
    return { records, location: store.location };
  } finally {
    await store.close();
  }
}

/** `restore --list-cleans`: the recorded runs, newest first, with what each could restore. */
async function listCleans(ctx: Context, filter: string | undefined): Promise<void> {
  const { records } = await recordedCleans(ctx);
  const runs = listCleanRuns(records, filter).map((r) => ({
    runId: r.runId,
    at: r.at.toISOString(),
    repositories: r.records.map((x) => x.repository),
    deleted: r.deleted,
    restorable: r.restorable,
  }));
  ctx.out.result({ runs }, () =>
    runs.length === 0
      ? `no \`clean --force\`${filter !== undefined ? ` of ${filter}` : ''} is recorded in the insights store`
      : formatTable(
          ['RUN', 'AT', 'DELETED', 'RESTORABLE', 'REPOSITORIES'],
          runs.map((r) => [
            r.runId,
            r.at,
            String(r.deleted),
            String(r.restorable),
            r.repositories.join(', '),
          ]),
        ),
  );
}

interface LastCleanOptions {
  filter?: string;
  runId?: string;
  dryRun: boolean;
  verify: boolean;
  registry?: string;
}

interface PackageRestore {
  repository: string;
  owner: string;
  package: string;
  ownerKind?: 'org' | 'user';
  items: Omit<RestoreItem, 'cause'>[];
  restored: number;
  failed: number;
}

async function restoreLastClean(ctx: Context, opts: LastCleanOptions): Promise<void> {
  const { records, location } = await recordedCleans(ctx);
  const last: LastClean | undefined = selectLastClean(
    records,
    opts.filter,
    opts.runId !== undefined ? { runId: opts.runId } : {},
  );
  if (!last) {
    const what = `${opts.runId !== undefined ? ` run ${opts.runId}` : ''}${opts.filter !== undefined ? ` of ${opts.filter}` : ''}`;
    throw new NotFoundError(`no \`clean --force\`${what} is recorded in the insights store`, {
      hint:
        opts.runId !== undefined
          ? 'restore --list-cleans lists the recorded runs and their ids'
          : `restore --last-clean reads what clean --force recorded in ${location}; restore by id with --version-id N`,
    });
  }
  const github = last.records.filter((r) => r.backend === 'github' && r.github);
  const final = last.records.filter((r) => r.backend !== 'github' || !r.github);
  for (const r of final) {
    if (r.deleted.length === 0) continue;
    ctx.out.warn(
      `${r.repository}: ${r.deleted.length} manifest${r.deleted.length === 1 ? ' was' : 's were'} deleted through the registry API, which cannot be restored (push ${r.deleted.length === 1 ? 'it' : 'them'} again from a copy)`,
    );
  }
  const base = {
    runId: last.runId,
    at: last.at.toISOString(),
    dryRun: opts.dryRun,
    unrestorable: final.map((r) => ({
      repository: r.repository,
      backend: r.backend,
      digests: r.deleted.map((d) => d.digest),
    })),
  };
  const restorable = github.reduce((n, r) => n + restoreOrder(r).length, 0);
  const finalCount = final.reduce((n, r) => n + r.deleted.length, 0);
  if (restorable === 0 && finalCount > 0) {
    throw new UsageError(
      `the last clean (${base.at}) deleted ${finalCount} manifest${finalCount === 1 ? '' : 's'} through the registry API: such deletions cannot be restored`,
      {
        hint: 'only GHCR package versions (deleted through the GitHub Packages API) are restorable, for 30 days',
      },
    );
  }

  if (opts.dryRun) {
    const packages = github.map((r) => ({
      repository: r.repository,
      ...r.github!,
      versions: [...r.deleted].reverse().filter((d) => d.versionId !== undefined),
    }));
    ctx.out.result({ ...base, packages }, () =>
      [
        `last clean: ${base.at} (run ${last.runId})`,
        ...packages.map((p) =>
          p.versions.length === 0
            ? `${p.repository}: nothing deleted`
            : `${p.repository}: would restore ${p.versions.length} version${p.versions.length === 1 ? '' : 's'}\n` +
              formatTable(
                ['VERSION', 'DIGEST', 'TAGS'],
                p.versions.map((v) => [String(v.versionId), v.digest, v.tags.join(', ') || '-']),
              ),
        ),
        'Dry run: nothing restored',
      ].join('\n'),
    );
    return;
  }

  const client = restorable > 0 ? await packagesClient(ctx) : undefined;
  const done: PackageRestore[] = [];
  const causes: RestoreItem[] = [];
  for (const r of github) {
    const ids = restoreOrder(r);
    const { owner, package: pkg, ownerKind } = r.github!;
    if (ids.length === 0 || !client) {
      done.push({
        repository: r.repository,
        owner,
        package: pkg,
        ...(ownerKind ? { ownerKind } : {}),
        items: [],
        restored: 0,
        failed: 0,
      });
      continue;
    }
    const registry = opts.registry ?? r.registry ?? GHCR_HOST;
    const repoPath = r.repository.slice(r.repository.indexOf('/') + 1);
    const summary = await restoreVersions(client, owner, pkg, ids, {
      signal: ctx.signal,
      ...(opts.verify ? { repo: (await ctx.client([registry])).repository(registry, repoPath) } : {}),
      onItem: (item) => {
        if (item.status === 'restored')
          ctx.out.info(`${r.repository}: restored version ${item.id} (${item.digest ?? 'digest unknown'})`);
      },
    });
    causes.push(...summary.items);
    const items = summary.items.map(({ cause: _cause, ...item }) => item);
    warnUnverified(ctx, items, registry);
    done.push({
      repository: r.repository,
      owner,
      package: pkg,
      ...(ownerKind ? { ownerKind } : {}),
      items,
      restored: summary.restored,
      failed: summary.failed,
    });
  }
  ctx.out.result({ ...base, packages: done }, () =>
    [
      `last clean: ${base.at} (run ${last.runId})`,
      ...done.map((p) =>
        p.items.length === 0
          ? `${p.repository}: nothing deleted`
          : `${p.repository}:\n${render(p.items, ctx)}`,
      ),
    ].join('\n'),
  );
  throwIfFailed(causes);
}

function render(items: Omit<RestoreItem, 'cause'>[], ctx: Context): string {
  const { c } = ctx.out;
  return formatTable(
    ['VERSION', 'STATUS', 'DIGEST', 'TAGS'],
    items.map((i) => [
      String(i.id),
      i.status === 'restored' ? c.green('restored') : i.status === 'active' ? 'not deleted' : c.red('failed'),
      i.digest ?? '-',
      i.status === 'failed' ? (i.error ?? '') : i.tags.join(', ') || '-',
    ]),
  );
}
