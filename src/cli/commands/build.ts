import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from '@commander-js/extra-typings';
import { UsageError } from '../../errors.js';
import { resolveBuildSettings, selectServices, type Service } from '../../config/services.js';
import { bakeFileText } from '../../build/bake.js';
import { writeAuthFile, type AuthFile } from '../../build/auth-file.js';
import { BuildFailedError } from '../../build/errors.js';
import { serviceMeta } from '../../build/meta.js';
import { planBuild, type BuildPlan, type ServicePlan } from '../../build/plan.js';
import { runPlan, type ServiceResult } from '../../build/run.js';
import { buildableServices, configFilePath } from '../../build/services.js';
import { BUILDER_CHOICES, detectBuilder } from '../../build/tools.js';
import { writeFileAtomic } from '../../content/atomic-file.js';
import { CONTEXT_MODES } from '../../meta/load-context.js';
import { fileCommandRecord } from '../../meta/outputs.js';
import { isLoopbackRegistry } from '../../ref/registry.js';
import { redactSecrets } from '../../util/redact.js';
import { collect } from '../options.js';
import { formatTable, shortDigest } from '../output.js';
import type { Context, Runner } from '../context.js';
import { record } from '../record.js';

type Env = Readonly<Record<string, string | undefined>>;

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** Build args whose names say they hold a secret are never printed. */
const SECRET_NAME = /token|secret|passw|key|credential/i;

function platformsOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const bad = list.find((p) => !PLATFORM.test(p));
  if (list.length === 0 || bad !== undefined) {
    throw new UsageError(`--platforms: "${bad ?? value}" is not a platform`, {
      hint: 'comma-separated os/arch[/variant], e.g. linux/amd64,linux/arm64',
    });
  }
  return list;
}

function redactedArgs(args: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, SECRET_NAME.test(k) ? '***' : v]));
}

/** The plan as printed by --dry-run (secrets in build args masked). */
export function printablePlan(plan: BuildPlan): BuildPlan {
  return { ...plan, services: plan.services.map((s) => ({ ...s, args: redactedArgs(s.args) })) };
}

function renderPlan(plan: BuildPlan): string {
  const lines = [
    `builder: ${plan.builder}${plan.push ? ', push' : ', no push'}; at most ${plan.maxParallel} at once${plan.version ? `; version ${plan.version}` : ''}`,
  ];
  for (const s of printablePlan(plan).services) {
    lines.push('', `${s.service}  ${s.image}`);
    lines.push(`  context:     ${s.context} (${s.dockerfile}${s.stage ? `, target ${s.stage}` : ''})`);
    lines.push(`  platforms:   ${s.platforms.join(', ')}`);
    lines.push(`  tags:        ${s.tags.length > 0 ? s.tags.join(', ') : '(none)'}`);
    const args = Object.entries(s.args);
    if (args.length > 0) lines.push(`  args:        ${args.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    if (plan.builder === 'buildx') {
      lines.push(`  cache from:  ${s.cacheFrom.join('; ') || '(none)'}`);
      lines.push(`  cache to:    ${s.cacheTo.join('; ') || '(none)'}`);
      lines.push(`  attest:      ${s.attest.join('; ')}`);
    } else {
      lines.push('  cache:       buildah local storage');
    }
  }
  return redactSecrets(lines.join('\n'));
}

function renderResults(results: ServiceResult[]): string {
  const rows = results.map((r) => [
    r.service,
    r.ok ? 'ok' : 'FAILED',
    r.digest ? shortDigest(r.digest) : '-',
    `${(r.durationMs / 1000).toFixed(1)}s`,
    r.ok ? r.pushed.join(', ') || '(not pushed)' : (r.error ?? ''),
  ]);
  return formatTable(['SERVICE', 'STATUS', 'DIGEST', 'TIME', 'TAGS / ERROR'], rows);
}

/** Credentials for every registry the plan pushes to, in a buildah auth file. */
async function authFileFor(ctx: Context, plan: BuildPlan): Promise<AuthFile> {
  const { findCredential } = await import('../../registry/credentials/index.js');
  const explicit = await ctx.explicitCredentials();
  const hosts = [...new Set(plan.services.flatMap((s) => s.tags.map((t) => t.split('/')[0]!)))];
  const creds = new Map(
    await Promise.all(
      hosts.map(async (h) => [h, await findCredential(h, explicit ? { explicit } : {})] as const),
    ),
  );
  return writeAuthFile(creds);
}

async function writeGithubOutputs(file: string, plan: BuildPlan, results: ServiceResult[]): Promise<void> {
  const outputs: [string, string][] = [
    ['json', JSON.stringify(results.map((r) => ({ service: r.service, digest: r.digest, tags: r.pushed })))],
  ];
  if (results.length === 1) {
    const r = results[0]!;
    outputs.push(
      ['image', plan.services[0]!.image],
      ['digest', r.digest ?? ''],
      ['tags', r.pushed.join('\n')],
    );
  }
  await appendFile(
    file,
    outputs.map(([n, v]) => fileCommandRecord(n, v, `ghadelimiter_${randomUUID()}`)).join(''),
  );
}

export function buildCommand(run: Runner, env: Env = process.env) {
  return new Command('build')
    .description('build (and push) services: docker buildx bake when present, else buildah')
    .argument('[service...]', 'services to build (default: every service with a build context)')
    .option('--push', 'push the images under the tags the tag rules give')
    .option('--platforms <list>', 'platforms for every service, e.g. linux/amd64,linux/arm64')
    .option('--tag <tag>', 'push under this tag instead of the tag rules; repeatable', collect)
    .addOption(
      new Option('--builder <builder>', 'auto: buildx when installed, else buildah')
        .choices(BUILDER_CHOICES)
        .default('auto' as const),
    )
    .option('--dry-run', 'print the plan (services, platforms, tags, cache, builder) and build nothing')
    .option('--bake-file <file>', 'write the buildx bake file here (also with --dry-run)')
    .option(
      '--github-output',
      'append json= (and, for one service, image=, digest=, tags=) to $GITHUB_OUTPUT',
    )
    .addOption(
      new Option('--context <source>', 'where tags come from: GitHub Actions or the local git checkout')
        .choices(CONTEXT_MODES)
        .default('auto' as const),
    )
    .addHelpText(
      'after',
      `
Tags, labels and annotations come from the tag rules in ghcr-optimize.yaml ("tags:", "flavor:",
"labels:", "annotations:", metadata-action syntax) for the current ref: the GitHub Actions event
or the local checkout. Every service's tags are computed before anything is built, so a bad rule
or a missing event payload stops the run with nothing built or pushed.

With docker buildx: a bake file (cache-from/cache-to for the gha, registry and local tiers with
mode=max, provenance/SBOM attestations) and "docker buildx bake --push".
With buildah: one "buildah bud --platform P --manifest LIST" per platform, then
"buildah manifest push --all" (an OCI index) under the first tag and the other tags pointed at the
same digest. Storage and isolation follow buildah's environment (CONTAINERS_STORAGE_CONF,
BUILDAH_ISOLATION=chroot on hosts without a container runtime). Credentials are the ones
ghcr-optimize uses (see Authentication), handed over in a private auth file.
Services build at most build.maxParallel at once; a failed one pushes nothing, the others
finish, and the exit code is 13.

Examples:
  ghcr-optimize build --dry-run
  ghcr-optimize build backend --push
  ghcr-optimize build backend --push --platforms linux/amd64,linux/arm64
  ghcr-optimize build --push --tag 1.2.3 --tag latest
  ghcr-optimize build --bake-file docker-bake.json --dry-run --json`,
    )
    .action((names, opts) =>
      run(async (ctx) => {
        const all = buildableServices(ctx.config);
        if (all.length === 0) {
          throw new UsageError('no services to build are configured', {
            hint: 'add them under "services:" in ghcr-optimize.yaml (or run "ghcr-optimize init")',
          });
        }
        const platforms = platformsOption(opts.platforms);
        const badTag = (opts.tag ?? []).find((t) => !TAG.test(t));
        if (badTag !== undefined) {
          throw new UsageError(`--tag "${badTag}" is not a valid tag`, {
            hint: 'letters, digits, ".", "_" and "-", at most 128, not starting with "." or "-"',
          });
        }
        const services: Service[] = selectServices(all, names).map((s) =>
          platforms ? { ...s, platforms } : s,
        );
        const { dir } = configFilePath(ctx.globals.configFile, env);
        const settings = resolveBuildSettings(ctx.config);
        const meta = await serviceMeta(ctx.config, services, env, { dir, mode: opts.context });
        for (const w of meta.warnings) ctx.out.warn(w);

        let builder: BuildPlan['builder'];
        let available = true;
        try {
          builder = await detectBuilder(opts.builder);
        } catch (err) {
          if (!opts.dryRun) throw err;
          // A plan can be shown (and a bake file written) on a machine without a builder.
          builder = opts.builder === 'buildah' ? 'buildah' : 'buildx';
          available = false;
        }
        const plan = planBuild(services, meta.metas, {
          builder,
          push: opts.push === true,
          settings,
          levels: meta.levels,
          ...(opts.tag ? { tags: opts.tag } : {}),
        });
        if (plan.push) {
          const untagged = plan.services.filter((s: ServicePlan) => s.tags.length === 0);
          if (untagged.length > 0) {
            throw new UsageError(
              `no tag for ${untagged.map((s) => s.service).join(', ')}: the tag rules give none for this ref`,
              {
                hint: 'check "tags:" in ghcr-optimize.yaml (ghcr-optimize meta shows what they give), or pass --tag',
              },
            );
          }
        }
        const bakeFile = opts.bakeFile !== undefined ? resolve(opts.bakeFile) : undefined;
        if (opts.dryRun) {
          if (bakeFile !== undefined) {
            await writeFileAtomic(bakeFile, bakeFileText(printablePlan(plan)));
            ctx.out.info(`wrote the bake file to ${bakeFile}`);
          }
          if (!available) ctx.out.warn(`no builder installed: the plan assumes ${builder}`);
          ctx.out.result({ dryRun: true, builderAvailable: available, ...printablePlan(plan) }, () =>
            renderPlan(plan),
          );
          return;
        }

        const auth = plan.builder === 'buildah' && plan.push ? await authFileFor(ctx, plan) : undefined;
        const insecureHosts = new Set(
          Object.entries(ctx.config.registries ?? {})
            .filter(([, rc]) => rc?.insecure)
            .map(([h]) => h),
        );
        const registries = [...new Set(plan.services.map((s) => s.image.split('/')[0]!))];
        let client: ReturnType<Context['client']> | undefined;
        let results: ServiceResult[];
        try {
          ctx.out.info(
            `building ${plan.services.map((s) => s.service).join(', ')} with ${plan.builder} (at most ${plan.maxParallel} at once)`,
          );
          results = await runPlan(plan, {
            dir,
            ...(bakeFile !== undefined ? { bakeFile } : {}),
            signal: ctx.signal,
            access: (registry) => ({
              insecure:
                ctx.globals.insecure === true || insecureHosts.has(registry) || isLoopbackRegistry(registry),
              ...(auth ? { authFile: auth.path } : {}),
            }),
            retag: async (image, digest, reference) => {
              client ??= ctx.client(registries);
              const slash = image.indexOf('/');
              const repo = (await client).repository(image.slice(0, slash), image.slice(slash + 1));
              const m = await repo.getManifest(digest, ctx.signal);
              await repo.putManifest(
                reference.slice(reference.lastIndexOf(':') + 1),
                m.bytes,
                m.descriptor.mediaType,
                ctx.signal,
              );
            },
            onLine: (line) => {
              if (ctx.globals.debug) process.stderr.write(`${redactSecrets(line)}\n`);
            },
            onResult: async (r) => {
              ctx.out.info(
                r.ok
                  ? `${r.service}: built${r.pushed.length > 0 ? `, pushed ${r.pushed.join(', ')}` : ''}`
                  : `${r.service}: FAILED: ${redactSecrets(r.error ?? '')}`,
              );
              const s = plan.services.find((p) => p.service === r.service)!;
              await record(ctx, async (st) => {
                for (const p of r.platforms) {
                  await st.recordBuild({
                    image: s.image,
                    platform: p.platform,
                    durationMs: p.durationMs,
                    ok: p.ok,
                    command: 'build',
                  });
                }
              });
            },
          });
        } finally {
          await auth?.remove();
        }
        if (opts.githubOutput) {
          if (!env.GITHUB_OUTPUT) {
            throw new UsageError('--github-output needs $GITHUB_OUTPUT (set by GitHub Actions)', {
              hint: 'outside Actions, use --json',
            });
          }
          await writeGithubOutputs(env.GITHUB_OUTPUT, plan, results);
        }
        ctx.out.result(
          {
            builder: plan.builder,
            push: plan.push,
            services: results.map((r) => ({ ...r, error: r.error && redactSecrets(r.error) })),
          },
          () => redactSecrets(renderResults(results)),
        );
        const failed = results.filter((r) => !r.ok);
        if (failed.length > 0) {
          throw new BuildFailedError(
            `${failed.length} of ${results.length} services failed: ${failed.map((r) => `${r.service} (${redactSecrets(r.error ?? 'failed')})`).join('; ')}`,
            { hint: 'run again with --debug to see the builder output' },
          );
        }
      }),
    );
}
