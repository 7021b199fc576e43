import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { basename, relative } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../errors.js';
import { resolveBuildSettings } from '../../config/services.js';
import { changedServices, matrixOf } from '../../build/changes.js';
import { gitChangedFiles } from '../../build/git-changes.js';
import { buildableServices, configFilePath } from '../../build/services.js';
import { fileCommandRecord } from '../../meta/outputs.js';
import type { Runner } from '../context.js';

type Env = Readonly<Record<string, string | undefined>>;

export function changedCommand(run: Runner, env: Env = process.env) {
  return new Command('changed')
    .description('list the services whose build context (or shared paths) changed since a base commit')
    .requiredOption('--base <ref>', 'the commit to compare with (branch, tag or SHA)')
    .option(
      '--head <ref>',
      'compare base...head instead of the checkout (commits, staged, unstaged, untracked)',
    )
    .option('--all', 'list every service (e.g. for a scheduled rebuild)')
    .option('--github-output', 'append services=, matrix= and any= to $GITHUB_OUTPUT')
    .addHelpText(
      'after',
      `
A file rebuilds a service when it is inside the service's context, is its Dockerfile, or matches
its "paths:" globs. A change to the config file or to a "build.shared" path rebuilds every service,
and so does an all-zero --base (what GitHub sends for a new branch or tag).
Without --head the checkout is compared as it is: committed, staged, unstaged and untracked files.
--json prints {"services":[…],"matrix":{"include":[{service,context,dockerfile,image,platforms}]}},
ready for a GitHub Actions matrix (strategy.matrix: \${{ fromJSON(needs.changes.outputs.matrix) }}).

Examples:
  ghcr-optimize changed --base origin/main
  ghcr-optimize changed --base v1.2.0 --head HEAD --json
  ghcr-optimize changed --base "\${{ github.event.pull_request.base.sha || github.event.before }}" --github-output`,
    )
    .action((opts) =>
      run(async (ctx) => {
        const services = buildableServices(ctx.config);
        if (services.length === 0) {
          throw new UsageError('no services to build are configured', {
            hint: 'add them under "services:" in ghcr-optimize.yaml (or run "ghcr-optimize init")',
          });
        }
        const { file, dir } = configFilePath(ctx.globals.configFile, env);
        const changes = opts.all
          ? { files: [], baseKnown: false }
          : await gitChangedFiles({
              dir,
              base: opts.base,
              ...(opts.head !== undefined ? { head: opts.head } : {}),
            });
        const result = changedServices({
          files: changes.files,
          services,
          shared: resolveBuildSettings(ctx.config).shared,
          configFile: relative(dir, file) || basename(file),
          all: !changes.baseKnown,
        });
        if (opts.all) result.allBecause = '--all';
        const matrix = matrixOf(services, result.services);
        if (opts.githubOutput) {
          const outputFile = env.GITHUB_OUTPUT;
          if (!outputFile) {
            throw new UsageError('--github-output needs $GITHUB_OUTPUT (set by GitHub Actions)', {
              hint: 'outside Actions, use --json',
            });
          }
          const records = [
            ['services', JSON.stringify(result.services)],
            ['matrix', JSON.stringify(matrix)],
            ['any', String(result.services.length > 0)],
          ].map(([n, v]) => fileCommandRecord(n!, v!, `ghadelimiter_${randomUUID()}`));
          await appendFile(outputFile, records.join(''));
        }
        if (result.allBecause) ctx.out.info(`every service: ${result.allBecause}`);
        else {
          for (const name of result.services) ctx.out.info(`${name}: ${result.reasons[name]!.join(', ')}`);
          if (result.services.length === 0)
            ctx.out.info(`no service changed (${changes.files.length} files)`);
        }
        ctx.out.result(
          {
            services: result.services,
            matrix,
            reasons: result.reasons,
            ...(result.allBecause ? { allBecause: result.allBecause } : {}),
          },
          () => result.services.join('\n'),
        );
      }),
    );
}
