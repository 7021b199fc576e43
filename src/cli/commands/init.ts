import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../errors.js';
import { DEFAULT_CONFIG_FILE } from '../../config/config.js';
import { writeFileAtomic } from '../../content/atomic-file.js';
import { configTemplate, isValidOwner } from '../../generate/config-template.js';
import { PUBLISH_WORKFLOW_PATH, publishWorkflow } from '../../generate/publish-workflow.js';
import { repoFromRemoteUrl } from '../../meta/context.js';
import { positiveInt, type Runner } from '../context.js';
import { ensureDir } from '../../util/ensure-dir.js';

/** The owner of the `origin` (else `upstream`) remote of the checkout at `dir`, when it has one. */
async function ownerFromGit(dir: string): Promise<string | undefined> {
  const remote = (name: string): Promise<string | undefined> =>
    new Promise((res) =>
      execFile('git', ['remote', 'get-url', name], { cwd: dir }, (err, stdout) =>
        res(err ? undefined : stdout.trim() || undefined),
      ),
    );
  const url = (await remote('origin')) ?? (await remote('upstream'));
  return url ? repoFromRemoteUrl(url)?.owner : undefined;
}

export function initCommand(run: Runner) {
  return new Command('init')
    .description('write ghcr-optimize.yaml and a publish workflow (.github/workflows/publish.yml)')
    .option('--owner <owner>', 'user or organisation owning the packages (default: the git remote’s owner)')
    .option('--registry <host>', 'registry images are pushed to (default ghcr.io)')
    .option('--branch <name>', 'branch whose pushes publish (default main)')
    .option('--max-parallel <n>', 'services built at once (default 3)')
    .option('--dir <dir>', 'repository root to write into (default: current directory)')
    .option('--force', 'overwrite existing files')
    .option('--dry-run', 'print the files instead of writing them')
    .addHelpText(
      'after',
      `
The config holds the seed's three services (backend :3001 /health, frontend :3000 /,
auth :8005 /auth/health) for linux/amd64 and linux/arm64. The workflow runs on pushes to the
branch and v* tags and on pull requests: "changes" lists the changed services, "build" builds them
as a matrix (max-parallel), pushes with GITHUB_TOKEN (packages: write on that job only), scans and
uploads SARIF; "release" creates a GitHub release listing the pushed tags on v* tags.
Existing files are never overwritten without --force.

Examples:
  ghcr-optimize init
  ghcr-optimize init --owner acme --dry-run
  ghcr-optimize init --owner acme --max-parallel 2 --force`,
    )
    .action((opts) =>
      run(
        async (ctx) => {
          const dir = resolve(opts.dir ?? process.cwd());
          const owner = opts.owner ?? (await ownerFromGit(dir));
          if (owner === undefined) {
            throw new UsageError(
              'no owner: pass --owner (this checkout has no GitHub remote to take it from)',
              {
                hint: 'e.g. ghcr-optimize init --owner acme',
              },
            );
          }
          if (!isValidOwner(owner)) throw new UsageError(`--owner "${owner}" is not a valid owner name`);
          if (opts.registry !== undefined && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(opts.registry)) {
            throw new UsageError(`--registry "${opts.registry}" is not a host name`, {
              hint: 'e.g. ghcr.io',
            });
          }
          if (opts.branch !== undefined && !/^[A-Za-z0-9._/-]+$/.test(opts.branch)) {
            throw new UsageError(`--branch "${opts.branch}" is not a branch name`);
          }
          const maxParallel = positiveInt(opts.maxParallel, '--max-parallel', 3, 64);
          const files = [
            {
              path: DEFAULT_CONFIG_FILE,
              content: configTemplate({
                owner,
                maxParallel,
                ...(opts.registry !== undefined ? { registry: opts.registry } : {}),
              }),
            },
            {
              path: PUBLISH_WORKFLOW_PATH,
              content: publishWorkflow({
                maxParallel,
                ...(opts.registry !== undefined ? { registry: opts.registry } : {}),
                ...(opts.branch !== undefined ? { branch: opts.branch } : {}),
              }),
            },
          ];
          if (opts.dryRun) {
            ctx.out.result({ dryRun: true, owner, files }, () =>
              files.map((f) => `--- ${f.path}\n${f.content}`).join('\n'),
            );
            return;
          }
          const existing = files.filter((f) => existsSync(join(dir, f.path)));
          if (existing.length > 0 && !opts.force) {
            throw new UsageError(
              `${existing.map((f) => f.path).join(' and ')} already exist${existing.length === 1 ? 's' : ''}`,
              {
                hint: 'pass --force to overwrite, or --dry-run to see what would be written',
              },
            );
          }
          for (const f of files) {
            const target = join(dir, f.path);
            await ensureDir(dirname(target));
            await writeFileAtomic(target, f.content);
          }
          ctx.out.result({ written: files.map((f) => f.path), owner }, () =>
            [
              ...files.map((f) => `wrote ${f.path}`),
              'next: check the services in ghcr-optimize.yaml, then commit both files',
            ].join('\n'),
          );
        },
        // An existing but broken config must not stop init --force from replacing it.
        { config: false },
      ),
    );
}
