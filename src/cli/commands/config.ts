import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { UsageError } from '../../errors.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../config/config.js';
import { checkConfigText, configLocator, formatProblem } from '../../config/validate.js';
import { checkMetaInputs } from '../../meta/check-inputs.js';
import { configJsonSchema } from '../../config/json-schema.js';
import { resolveBuildSettings, resolveCacheSettings, resolveServices } from '../../config/services.js';
import { writeFileAtomic } from '../../content/atomic-file.js';
import { formatBytes, formatTable } from '../output.js';
import type { Context, Runner } from '../context.js';

function configPath(file: string | undefined, ctx: Context): string {
  return file ?? ctx.globals.configFile ?? (process.env.GHCR_OPTIMIZE_CONFIG || DEFAULT_CONFIG_FILE);
}

export function configCommand(run: Runner) {
  const config = new Command('config').description('check, show and describe ghcr-optimize.yaml').addHelpText(
    'after',
    `
Examples:
  ghcr-optimize config validate
  ghcr-optimize config validate deploy/ghcr-optimize.yaml --json
  ghcr-optimize config show --json
  ghcr-optimize config schema --output schema.json`,
  );

  config
    .command('validate')
    .description('check the config file; every problem with its line and column')
    .argument(
      '[file]',
      `config file (default: ${DEFAULT_CONFIG_FILE}, --config-file or $GHCR_OPTIMIZE_CONFIG)`,
    )
    .addHelpText(
      'after',
      `
Exit code 0 when valid (unknown top-level keys are warnings), 2 when not.

Examples:
  ghcr-optimize config validate
  ghcr-optimize config validate other.yaml --json`,
    )
    .action((file, _opts) =>
      run(
        async (ctx) => {
          const path = configPath(file, ctx);
          let text: string;
          try {
            text = await readFile(path, 'utf8');
          } catch (err) {
            throw new UsageError(
              `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
              {
                hint: 'run "ghcr-optimize init" to write one, or name the file',
              },
            );
          }
          const check = checkConfigText(text);
          let semanticError: string | undefined;
          let services = 0;
          if (check.config) {
            // Rules the schema cannot express (a service with no image and no owner, duplicates).
            try {
              services = resolveServices(check.config).length;
            } catch (err) {
              semanticError = (err as Error).message;
            }
            // The metadata inputs, entry by entry, with the parsers `build` and `meta` use: a bad
            // tag rule fails here rather than at `build --push`.
            const locate = configLocator(text);
            for (const p of checkMetaInputs(check.config)) {
              const path = [p.input, p.index] as const;
              (p.severity === 'error' ? check.errors : check.warnings).push({
                path: path.join('.'),
                message: p.message,
                ...locate(path),
              });
            }
          }
          const valid = check.errors.length === 0 && semanticError === undefined;
          ctx.out.result(
            {
              file: path,
              valid,
              services,
              errors: [
                ...check.errors,
                ...(semanticError ? [{ path: '(services)', message: semanticError }] : []),
              ],
              warnings: check.warnings,
            },
            () =>
              [
                ...check.errors.map((p) => formatProblem(path, p)),
                ...(semanticError ? [`${path}: ${semanticError}`] : []),
                ...check.warnings.map((p) => `${formatProblem(path, p)} (warning)`),
                valid ? `${path}: valid (${services} service${services === 1 ? '' : 's'})` : '',
              ]
                .filter(Boolean)
                .join('\n'),
          );
          if (!valid) process.exitCode = 2;
        },
        { config: false },
      ),
    );

  config
    .command('show')
    .description('the configured services with every default filled in')
    .addHelpText(
      'after',
      `
Examples:
  ghcr-optimize config show
  ghcr-optimize config show --json | jq '.services[].image'`,
    )
    .action(() =>
      run(async (ctx) => {
        const { file } = await loadConfig(
          ctx.globals.configFile ?? (process.env.GHCR_OPTIMIZE_CONFIG || undefined),
        );
        const services = resolveServices(ctx.config);
        const build = resolveBuildSettings(ctx.config);
        const cache = resolveCacheSettings(ctx.config);
        ctx.out.result({ file: file ? resolve(file) : null, services, build, cache }, () =>
          services.length === 0
            ? `no services configured${file ? ` in ${file}` : ' (no config file)'}`
            : formatTable(
                ['SERVICE', 'IMAGE', 'CONTEXT', 'PORT', 'HEALTH', 'PLATFORMS', 'CACHE'],
                services.map((s) => [
                  s.name,
                  s.image,
                  s.context,
                  s.port === undefined ? '-' : String(s.port),
                  s.health ?? '-',
                  s.platforms.join(','),
                  formatBytes(s.cacheMaxBytes),
                ]),
              ) + `\nmax parallel builds: ${build.maxParallel}; cache tiers: ${build.cache.join(', ')}`,
        );
      }),
    );

  config
    .command('schema')
    .description('the JSON Schema of ghcr-optimize.yaml, for editors')
    .option('-o, --output <file>', 'write it to FILE instead of stdout')
    .addHelpText(
      'after',
      `
Point your editor's YAML language server at it with a first line such as:
  # yaml-language-server: $schema=./ghcr-optimize.schema.json

Examples:
  ghcr-optimize config schema --output ghcr-optimize.schema.json`,
    )
    .action((opts) =>
      run(
        async (ctx) => {
          const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
          if (opts.output === undefined) {
            ctx.out.raw(text);
            return;
          }
          await writeFileAtomic(opts.output, text);
          ctx.out.result({ written: opts.output }, () => `wrote ${opts.output}`);
        },
        { config: false },
      ),
    );
  return config;
}
