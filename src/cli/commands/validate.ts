import { Command } from '@commander-js/extra-typings';
import { ExitCode, PolicyError, UsageError } from '../../errors.js';
import { resolveServices, selectServices } from '../../config/services.js';
import { openLocation } from '../../content/open.js';
import { parseLocation } from '../../ref/index.js';
import { detectRuntime } from '../../deploy/runtime.js';
import { NO_RUNTIME, validateService, type ServiceValidation } from '../../deploy/validate.js';
import { formatBytes, type Output } from '../output.js';
import type { Runner } from '../context.js';

function render(results: readonly ServiceValidation[], out: Output): string {
  const c = out.c;
  const mark = { pass: c.green('pass'), fail: c.red('FAIL'), skip: c.yellow('skip') } as const;
  return results
    .map((r) =>
      [
        `${r.service}  ${r.image}`,
        ...r.checks.map((k) => `  ${mark[k.status]}  ${k.check.padEnd(8)} ${k.detail}`),
      ].join('\n'),
    )
    .join('\n\n');
}

export function validateCommand(run: Runner) {
  return new Command('validate')
    .description(
      'check that services are fit to deploy: size budget, config lint, health, startup time, smoke tests',
    )
    .argument('[service...]', 'services to check (default: all configured)')
    .option('--tag <tag>', 'image tag to validate', 'latest')
    .option('--no-lint', 'skip the config lint')
    .option(
      '--runtime <name>',
      'container runtime for runtime checks: docker or podman (default: whichever answers)',
    )
    .addHelpText(
      'after',
      `
Static checks always run: the image's compressed size against the service's sizeBudget (default
1 GB) and the config lint (no FATAL finding). Runtime checks (the health endpoint answers, within
startupTimeout, default 30 s; each smoke test) start the image with docker or podman on
127.0.0.1; without a runtime they are reported as "skipped: no container runtime" and the exit
code is 12 — never a silent pass.

Exit codes: 0 all passed, 9 a check failed, 12 static checks passed but runtime checks were skipped.

Examples:
  ghcr-optimize validate
  ghcr-optimize validate backend --tag 1.4.2 --json
  ghcr-optimize validate auth --runtime podman`,
    )
    .action((names, opts) =>
      run(async (ctx) => {
        const services = selectServices(resolveServices(ctx.config), names);
        if (services.length === 0) {
          throw new UsageError('no services configured', { hint: 'add services: to ghcr-optimize.yaml' });
        }
        if (opts.runtime !== undefined && opts.runtime !== 'docker' && opts.runtime !== 'podman') {
          throw new UsageError(`--runtime must be docker or podman, got "${opts.runtime}"`);
        }
        const runtime = await detectRuntime(opts.runtime ? [opts.runtime] : undefined);
        const results: ServiceValidation[] = [];
        for (const s of services) {
          const loc = parseLocation(`${s.image}:${opts.tag}`);
          const opened = await openLocation(loc, () => ctx.client([s.repository.registry]));
          const desc = await opened.target.resolve(opts.tag, ctx.signal);
          results.push(
            await validateService(s, {
              target: opened.target,
              reference: desc.digest,
              runtime,
              runImage: `${s.image}@${desc.digest}`,
              formatBytes,
              lint: opts.lint,
              signal: ctx.signal,
            }),
          );
        }
        const failed = results.flatMap((r) =>
          r.checks.filter((k) => k.status === 'fail').map((k) => `${r.service}/${k.check}`),
        );
        const skipped = results.some((r) => r.checks.some((k) => k.status === 'skip'));
        ctx.out.result(
          {
            runtime: runtime?.name ?? null,
            ok: failed.length === 0 && !skipped,
            failed,
            skipped,
            services: results,
          },
          () => render(results, ctx.out) + (skipped && failed.length === 0 ? `\n\n${NO_RUNTIME}` : ''),
        );
        if (failed.length > 0) {
          throw new PolicyError(
            `${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.join(', ')}`,
            {
              hint: 'see the lines marked FAIL above',
            },
          );
        }
        if (skipped) process.exitCode = ExitCode.Incomplete;
      }),
    );
}
