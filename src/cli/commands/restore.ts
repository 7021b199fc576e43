import { Command } from '@commander-js/extra-typings';
import { GhcrOptimizeError, RegistryError, UsageError } from '../../errors.js';
import { GHCR_HOST, splitPackagePath } from '../../github/packages.js';
import { packagesClientFromEnv } from '../../github/ghcr-backend.js';
import { restoreVersions, type RestoreItem } from '../../github/restore.js';
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
    .argument('<package>', 'ghcr.io/OWNER/NAME, OWNER/NAME, or NAME with --owner')
    .option('--version-id <id>', 'package version id to restore (repeatable, or comma-separated)', collect)
    .option('--owner <owner>', 'user or organization owning the package (default: from <package>)')
    .option('--last-clean', 'restore everything the last `clean` of this package deleted')
    .option('--registry <host>', 'registry serving the package, to verify restored manifests', GHCR_HOST)
    .option('--no-verify', 'do not check the restored manifests on the registry')
    .addHelpText(
      'after',
      `
Needs a GitHub token (GHCR_TOKEN or GITHUB_TOKEN, or --password-stdin) with read:packages and
write:packages; the token's user must be an admin of the package. GITHUB_API_URL selects the API
(GitHub Enterprise Server). A restored version comes back with its tags, except tags that were
pushed to another version since. Several ids are restored children first (an index after the
images it lists).

Examples:
  ghcr-optimize restore ghcr.io/octo-org/app --version-id 123456789
  ghcr-optimize restore app --owner octo-org --version-id 123456789,123456790 --json`,
    )
    .action((pkgArg, opts) =>
      run(async (ctx) => {
        if (opts.lastClean) {
          throw new UsageError('restore --last-clean is not yet available', {
            hint: 'it needs the record of what each clean deleted, which is not there yet; restore by id with --version-id N (ids are in `clean --json` output)',
          });
        }
        if (!opts.versionId || opts.versionId.length === 0) {
          throw new UsageError('restore needs --version-id N', {
            hint: 'ids are in `clean --json` output and in the package version URLs on github.com',
          });
        }
        const ids = parseVersionIds(opts.versionId);
        const { owner, package: pkg } = resolvePackage(pkgArg, opts.owner);
        const explicit = await ctx.explicitCredentials();
        const client = await packagesClientFromEnv({
          ...(explicit ? { explicit } : {}),
          notice: (line) => ctx.out.warn(line),
          ...(ctx.globals.debug ? { debug: (line: string) => process.stderr.write(`debug: ${line}\n`) } : {}),
        });
        let repo;
        if (opts.verify) {
          const registry = opts.registry;
          repo = (await ctx.client([registry])).repository(registry, `${owner}/${pkg}`.toLowerCase());
        }
        const summary = await restoreVersions(client, owner, pkg, ids, {
          signal: ctx.signal,
          ...(repo ? { repo } : {}),
        });
        const items = summary.items.map(({ cause: _cause, ...item }) => item);
        ctx.out.result({ ...summary, items }, () => render(items, ctx));
        for (const item of items) {
          if (item.status === 'restored' && item.verified === false) {
            ctx.out.warn(
              `version ${item.id} was restored but ${item.digest ?? 'its manifest'} does not answer yet on ${opts.registry}`,
            );
          }
        }
        const failed = summary.items.filter((i) => i.status === 'failed');
        if (failed.length === 1 && failed[0]!.cause instanceof GhcrOptimizeError) throw failed[0]!.cause;
        if (failed.length > 0) {
          const first = failed[0]!.cause;
          throw new RegistryError(
            `${failed.length} of ${summary.items.length} versions could not be restored (first: ${failed[0]!.error ?? 'unknown error'})`,
            first instanceof RegistryError ? first.status : 0,
            undefined,
            { hint: first instanceof GhcrOptimizeError ? first.hint : undefined, cause: first },
          );
        }
      }),
    );
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
