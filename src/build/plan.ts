/**
 * The build plan: per service, what is built (context, Dockerfile, platforms, args), under which
 * tags, labels and annotations (from the metadata engine), with which cache and attestations.
 * Pure, so the plan `--dry-run` prints is exactly what the builders receive, and tests can check it.
 */
import { posix } from 'node:path';
import type { BuildSettings, Service } from '../config/services.js';
import type { MetaResult } from '../meta/meta.js';
import { bakeDefinition } from '../meta/outputs.js';

export type Builder = 'buildx' | 'buildah';
export type CacheTier = BuildSettings['cache'][number];

export interface ServicePlan {
  service: string;
  /** Bake target name (`[a-zA-Z0-9_-]`). */
  target: string;
  image: string;
  /** Relative to the config file's directory. */
  context: string;
  /** Relative to the context (as bake and buildah take it). */
  dockerfile: string;
  stage?: string;
  platforms: string[];
  /** Build args: the service's, then the engine's DOCKER_META_IMAGES / DOCKER_META_VERSION. */
  args: Record<string, string>;
  /** Full references, `image:tag`. */
  tags: string[];
  labels: Record<string, string>;
  /** `level:key=value`. */
  annotations: string[];
  cacheFrom: string[];
  cacheTo: string[];
  /** buildx attestations. */
  attest: string[];
}

export interface BuildPlan {
  builder: Builder;
  push: boolean;
  maxParallel: number;
  /** The version the engine computed for the ref (same for every service), when any. */
  version?: string;
  services: ServicePlan[];
}

export interface PlanOptions {
  builder: Builder;
  push: boolean;
  settings: BuildSettings;
  /** Annotation levels (DOCKER_METADATA_ANNOTATIONS_LEVELS), default manifest. */
  levels?: readonly string[];
  /** Directory of the `local` cache tier, relative to the config file. Default `.buildx-cache`. */
  localCacheDir?: string;
  /** Tags given on the command line: they replace the engine's. */
  tags?: readonly string[];
}

export const DEFAULT_LOCAL_CACHE_DIR = '.buildx-cache';
export const REGISTRY_CACHE_TAG = 'buildcache';

/** Bake target names allow letters, digits, `_` and `-`; service names may also hold dots. */
export function bakeTargetName(service: string): string {
  return service.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/**
 * cache-from / cache-to per tier, in lookup order. `mode=max` exports every stage's layers, so a
 * multi-stage build reuses its builder stages too. The registry tier is written only when pushing
 * (a pull request's token cannot write packages).
 */
export function cacheRefs(
  tiers: readonly CacheTier[],
  service: Pick<Service, 'name' | 'image'>,
  opts: { push: boolean; localCacheDir?: string },
): { from: string[]; to: string[] } {
  const from: string[] = [];
  const to: string[] = [];
  const scope = bakeTargetName(service.name);
  for (const tier of tiers) {
    if (tier === 'gha') {
      from.push(`type=gha,scope=${scope}`);
      to.push(`type=gha,scope=${scope},mode=max`);
    } else if (tier === 'registry') {
      const ref = `${service.image}:${REGISTRY_CACHE_TAG}`;
      from.push(`type=registry,ref=${ref}`);
      if (opts.push) to.push(`type=registry,ref=${ref},mode=max`);
    } else {
      const dir = posix.join(opts.localCacheDir ?? DEFAULT_LOCAL_CACHE_DIR, scope);
      from.push(`type=local,src=${dir}`);
      to.push(`type=local,dest=${dir},mode=max`);
    }
  }
  return { from, to };
}

export function attestations(settings: Pick<BuildSettings, 'provenance' | 'sbom'>): string[] {
  // buildx adds min-mode provenance by default: say "disabled" rather than leave it implicit.
  const out = [settings.provenance ? 'type=provenance,mode=max' : 'type=provenance,disabled=true'];
  if (settings.sbom) out.push('type=sbom');
  return out;
}

export function planService(service: Service, meta: MetaResult, opts: PlanOptions): ServicePlan {
  const target = bakeTargetName(service.name);
  const def = bakeDefinition(meta, 'all', { target, levels: opts.levels ?? ['manifest'] }).target[target]!;
  const engineArgs = Object.fromEntries(
    Object.entries(def.args as Record<string, string | undefined>).filter(
      (e): e is [string, string] => e[1] !== undefined,
    ),
  );
  const tags = opts.tags
    ? opts.tags.map((t) => (t.includes(':') || t.includes('@') ? t : `${service.image}:${t}`))
    : (def.tags as string[]);
  const cache = cacheRefs(opts.settings.cache, service, opts);
  return {
    service: service.name,
    target,
    image: service.image,
    context: service.context,
    dockerfile: posix.relative(service.context === '.' ? '' : service.context, service.dockerfile),
    ...(service.target !== undefined ? { stage: service.target } : {}),
    platforms: [...service.platforms],
    args: {
      ...service.buildArgs,
      ...engineArgs,
      // Explicit tags replace the engine's: the version the image is told about follows them.
      ...(opts.tags?.[0] !== undefined ? { DOCKER_META_VERSION: opts.tags[0] } : {}),
    },
    tags,
    labels: def.labels as Record<string, string>,
    annotations: def.annotations as string[],
    cacheFrom: cache.from,
    cacheTo: cache.to,
    attest: attestations(opts.settings),
  };
}

export function planBuild(
  services: readonly Service[],
  metas: ReadonlyMap<string, MetaResult>,
  opts: PlanOptions,
): BuildPlan {
  const plans = services.map((s) => planService(s, metas.get(s.name)!, opts));
  const version = services.length > 0 ? metas.get(services[0]!.name)?.version.main : undefined;
  return {
    builder: opts.builder,
    push: opts.push,
    maxParallel: opts.settings.maxParallel,
    ...(version !== undefined ? { version } : {}),
    services: plans,
  };
}
