/**
 * The buildx bake file (JSON form) for a plan, and the `docker buildx bake` command line. Pure.
 * Each target carries what the metadata engine's `--bake-file` output carries (tags, labels,
 * annotations, args) plus the build itself: context, Dockerfile, platforms, cache, attestations.
 * Paths are relative to the config file's directory, where bake runs.
 */
import type { BuildPlan, ServicePlan } from './plan.js';

export interface BakeTarget {
  context: string;
  dockerfile: string;
  target?: string;
  platforms: string[];
  args: Record<string, string>;
  tags: string[];
  labels: Record<string, string>;
  annotations: string[];
  'cache-from': string[];
  'cache-to': string[];
  attest: string[];
}

export interface BakeFile {
  group: { default: { targets: string[] } };
  target: Record<string, BakeTarget>;
}

export function bakeTarget(s: ServicePlan): BakeTarget {
  return {
    context: s.context,
    dockerfile: s.dockerfile,
    ...(s.stage !== undefined ? { target: s.stage } : {}),
    platforms: s.platforms,
    args: s.args,
    tags: s.tags,
    labels: s.labels,
    annotations: s.annotations,
    'cache-from': s.cacheFrom,
    'cache-to': s.cacheTo,
    attest: s.attest,
  };
}

export function bakeFile(plan: BuildPlan): BakeFile {
  return {
    group: { default: { targets: plan.services.map((s) => s.target) } },
    target: Object.fromEntries(plan.services.map((s) => [s.target, bakeTarget(s)])),
  };
}

/** As written to disk: two-space JSON and a final newline. */
export function bakeFileText(plan: BuildPlan): string {
  return `${JSON.stringify(bakeFile(plan), null, 2)}\n`;
}

/** `docker` arguments that build (and with --push, push) every target of the file. */
export function bakeArgv(plan: BuildPlan, file: string): string[] {
  return [
    'buildx',
    'bake',
    '--file',
    file,
    ...(plan.push ? ['--push'] : []),
    ...plan.services.map((s) => s.target),
  ];
}
