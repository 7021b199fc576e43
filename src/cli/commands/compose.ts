import { Command } from '@commander-js/extra-typings';
import { NotFoundError, UsageError } from '../../errors.js';
import { resolveServices, selectServices, type Service } from '../../config/services.js';
import { renderCompose } from '../../generate/compose.js';
import { writeFileAtomic } from '../../content/atomic-file.js';
import { mapLimit } from '../../util/concurrency.js';
import type { Context, Runner } from '../context.js';

/** Where a service's image lives in an environment: the environment's registry, if it names one. */
function locate(
  service: Service,
  registry: string | undefined,
): { registry: string; repository: string; name: string } {
  const reg = registry ?? service.repository.registry;
  const name = registry ? `${registry}/${service.repository.repository}` : service.image;
  return { registry: reg, repository: service.repository.repository, name };
}

async function pin(
  ctx: Context,
  service: Service,
  at: ReturnType<typeof locate>,
  tag: string,
): Promise<string> {
  const client = await ctx.client([at.registry]);
  const desc = await client.repository(at.registry, at.repository).headManifest(tag, ctx.signal);
  if (!desc) {
    throw new NotFoundError(`${service.name}: ${at.name}:${tag} does not exist`, {
      hint: `push it first (ghcr-optimize build ${service.name} --push), pick another --tag, or use --no-pin`,
    });
  }
  return `${at.name}@${desc.digest}`;
}

export function composeCommand(run: Runner) {
  const compose = new Command('compose').description('generate a Compose file for the configured services');
  compose
    .command('generate')
    .description(
      'a Compose file with images pinned by digest, resource limits, health checks, networks, volumes',
    )
    .argument('[service...]', 'services to include (default: all configured)')
    .option('--env <name>', "an environment from the config's environments: (its registry and tag)")
    .option('--tag <tag>', 'tag to resolve to a digest (default: the environment\'s tag, else "latest")')
    .option('--no-pin', 'keep tags instead of resolving digests (no registry access)')
    .option('-o, --output <file>', 'write the file (atomically) instead of printing it')
    .addHelpText(
      'after',
      `
Each service's image tag is resolved to its digest in the registry, so the file runs exactly
the images that were built, scanned and signed. Ports are published on 127.0.0.1 unless
BIND_ADDRESS is set when compose runs.

Examples:
  ghcr-optimize compose generate --output docker-compose.yml
  ghcr-optimize compose generate backend auth --env prod --output compose.prod.yml
  ghcr-optimize compose generate --tag 1.4.2 --json`,
    )
    .action((names, opts) =>
      run(async (ctx) => {
        const services = selectServices(resolveServices(ctx.config), names);
        if (services.length === 0) {
          throw new UsageError('no services configured', {
            hint: 'add services: to ghcr-optimize.yaml (ghcr-optimize init writes one)',
          });
        }
        const env = opts.env === undefined ? undefined : ctx.config.environments?.[opts.env];
        if (opts.env !== undefined && env === undefined) {
          const known = Object.keys(ctx.config.environments ?? {});
          throw new UsageError(`unknown environment "${opts.env}"`, {
            hint:
              known.length > 0
                ? `configured: ${known.join(', ')}`
                : 'add it under environments: in ghcr-optimize.yaml',
          });
        }
        const tag = opts.tag ?? env?.tag ?? 'latest';
        const images = new Map<string, string>();
        const pinned = await mapLimit(services, 4, async (s) => {
          const at = locate(s, env?.registry);
          return [s.name, opts.pin ? await pin(ctx, s, at, tag) : `${at.name}:${tag}`] as const;
        });
        for (const [name, image] of pinned) images.set(name, image);
        const text = renderCompose({
          services,
          images,
          tag,
          ...(opts.env !== undefined ? { environment: opts.env } : {}),
        });
        if (opts.output !== undefined) await writeFileAtomic(opts.output, text);
        const summary = {
          ...(opts.output !== undefined ? { output: opts.output } : {}),
          tag,
          services: Object.fromEntries(images),
          ...(opts.output === undefined ? { compose: text } : {}),
        };
        if (opts.output === undefined && !ctx.out.json) {
          ctx.out.raw(text);
          return;
        }
        ctx.out.result(summary, () =>
          [...images]
            .map(([n, i]) => `${n.padEnd(12)} ${i}`)
            .concat(`wrote ${opts.output}`)
            .join('\n'),
        );
      }),
    );
  return compose;
}
