import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { UsageError, fileSystemError } from '../../errors.js';
import { writeFileAtomic } from '../../content/atomic-file.js';
import { DEFAULT_CONFIG_FILE } from '../../config/config.js';
import { formatRepository } from '../../ref/index.js';
import {
  DEFAULT_RETENTION_CRON,
  RETENTION_WORKFLOW_PATH,
  checkCron,
  retentionWorkflow,
} from '../../generate/retention-workflow.js';
import {
  defaultRetentionSection,
  writeRetentionSection,
  type SectionAction,
} from '../../retention/config-section.js';
import { resolveRepositories } from '../../retention/targets.js';
import type { Runner } from '../context.js';
import { ensureDir } from '../../util/ensure-dir.js';

interface PlannedFile {
  /** As shown to the user: relative to the working directory when inside it. */
  path: string;
  action: SectionAction;
  content: string;
  /** Absolute path written to. */
  target: string;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileSystemError(err);
  }
}

const shown = (abs: string): string => {
  const rel = relative(process.cwd(), abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
};

const VERB: Record<SectionAction, [string, string]> = {
  create: ['would create', 'created'],
  add: ['would add the retention section to', 'added the retention section to'],
  replace: ['would replace the retention section of', 'replaced the retention section of'],
  unchanged: ['would leave unchanged', 'unchanged:'],
};
const WORKFLOW_VERB: Record<SectionAction, [string, string]> = {
  create: ['would create', 'created'],
  add: ['would create', 'created'],
  replace: ['would overwrite', 'overwrote'],
  unchanged: ['would leave unchanged', 'unchanged:'],
};

export function setupRetentionCommand(run: Runner) {
  return new Command('setup-retention')
    .description('write the retention policy into ghcr-optimize.yaml and a daily clean workflow')
    .argument('[repository...]', 'repositories the workflow cleans (default: the config\'s "services:")')
    .option('--dir <dir>', 'repository root to write into', '.')
    .option('--cron <expression>', 'when the workflow runs (five fields, UTC)', DEFAULT_RETENTION_CRON)
    .option('--force', 'replace an existing retention: section and an existing, different workflow')
    .option('--dry-run', 'print what would be written, write nothing')
    .addHelpText(
      'after',
      `
Writes two files under --dir:
  ghcr-optimize.yaml (or --config-file)  the "retention:" section: the built-in policy spelled out,
                                          ready to edit. A new file is created; in an existing one
                                          only the retention section is added, everything else
                                          (keys, order, comments) stays as it was. An existing
                                          retention section is replaced only with --force.
  ${RETENTION_WORKFLOW_PATH}     a GitHub Actions workflow, daily (schedule) and on demand
                                          (workflow_dispatch), with permissions contents: read and
                                          packages: write, that runs
                                          "ghcr-optimize clean --force --plan-out plan.json" with the
                                          workflow's GITHUB_TOKEN and uploads plan.json as the
                                          "retention-plan" artifact (even when the clean fails).

Nothing is written when either file cannot be: a refusal leaves both as they were.

Examples:
  ghcr-optimize setup-retention --dry-run
  ghcr-optimize setup-retention ghcr.io/OWNER/app ghcr.io/OWNER/api --cron "30 2 * * *"
  ghcr-optimize setup-retention --force --json`,
    )
    .action((repositories, opts) =>
      run(async (ctx) => {
        const cron = checkCron(opts.cron);
        const repos = repositories.length > 0 ? resolveRepositories(repositories, {}, 'setup-retention') : [];
        const root = resolve(opts.dir);
        const configPath =
          ctx.globals.configFile !== undefined
            ? resolve(ctx.globals.configFile)
            : join(root, DEFAULT_CONFIG_FILE);
        const configRel = relative(root, configPath);
        if (configRel.startsWith('..') || isAbsolute(configRel)) {
          throw new UsageError(`the config file ${configPath} is outside ${root}`, {
            hint: 'the workflow reads it from the checkout: keep it inside the repository (--dir)',
          });
        }
        const workflowPath = join(root, ...RETENTION_WORKFLOW_PATH.split('/'));

        // Both files are worked out first: a refusal of either writes neither.
        const existingConfig = await readIfPresent(configPath);
        const section = writeRetentionSection(existingConfig, defaultRetentionSection(), {
          force: opts.force === true,
          file: shown(configPath),
        });
        const workflowText = retentionWorkflow({
          cron,
          repositories: repos.map(formatRepository),
          ...(configRel !== DEFAULT_CONFIG_FILE ? { configFile: configRel.split(sep).join('/') } : {}),
        });
        const existingWorkflow = await readIfPresent(workflowPath);
        let workflowAction: SectionAction = 'create';
        if (existingWorkflow !== undefined) {
          if (existingWorkflow === workflowText) workflowAction = 'unchanged';
          else if (opts.force) workflowAction = 'replace';
          else {
            throw new UsageError(
              `${shown(workflowPath)} already exists and differs from the generated workflow`,
              {
                hint: 'run setup-retention --dry-run to see the new one; --force overwrites it',
              },
            );
          }
        }
        const files: PlannedFile[] = [
          { path: shown(configPath), action: section.action, content: section.text, target: configPath },
          { path: shown(workflowPath), action: workflowAction, content: workflowText, target: workflowPath },
        ];
        if (repos.length === 0 && !/^services\s*:/m.test(section.text)) {
          ctx.out.warn(
            `the workflow cleans the "services:" of ${files[0]!.path}, which lists none: give the repositories (setup-retention ghcr.io/OWNER/IMAGE) or add services:`,
          );
        }

        if (!opts.dryRun) {
          for (const f of files) {
            if (f.action === 'unchanged') continue;
            try {
              await ensureDir(dirname(f.target));
              await writeFileAtomic(f.target, f.content);
            } catch (err) {
              throw fileSystemError(err);
            }
          }
        }

        const dryRun = opts.dryRun === true;
        const verb = (f: PlannedFile, i: number): string =>
          (i === 0 ? VERB : WORKFLOW_VERB)[f.action][dryRun ? 0 : 1];
        ctx.out.result(
          {
            dryRun,
            cron,
            repositories: repos.map(formatRepository),
            files: files.map(({ target: _t, ...f }) => f),
          },
          () =>
            dryRun
              ? [
                  ...files.map((f, i) => `# ${verb(f, i)} ${f.path}\n${f.content.trimEnd()}\n`),
                  'Dry run: nothing written',
                ].join('\n')
              : [
                  ...files.map((f, i) => `${verb(f, i)} ${f.path}`),
                  `Commit both files: the workflow runs at "${cron}" (UTC) and from the Actions tab.`,
                  'See what it would delete first: ghcr-optimize clean --dry-run',
                ].join('\n'),
        );
      }),
    );
}
