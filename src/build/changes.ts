/**
 * Which services a set of changed files rebuilds. Pure: the file list comes from git (see
 * git-changes.ts), paths are POSIX and relative to the config file's directory.
 *
 * A file rebuilds a service when it lies inside the service's context, is its Dockerfile (which may
 * live outside the context), or matches one of its `paths:` globs. A change to the config file
 * itself or to a `build.shared` path rebuilds every service: either can change any image.
 */
import picomatch from 'picomatch';
import type { Service } from '../config/services.js';

export interface ChangeInput {
  /** Changed files, relative to the config file's directory. */
  files: readonly string[];
  services: readonly Service[];
  /** `build.shared` globs. */
  shared: readonly string[];
  /** The config file's name relative to its directory (normally `ghcr-optimize.yaml`). */
  configFile?: string;
  /** Rebuild everything regardless of the files (the base commit is unknown). */
  all?: boolean;
}

export interface ChangeResult {
  /** Names of the services to rebuild, in config order. */
  services: string[];
  /** Why: service name → the first files that rebuilt it (at most 5 each). */
  reasons: Record<string, string[]>;
  /** Set when every service is rebuilt because of a shared path, the config file, or an unknown base. */
  allBecause?: string;
}

const MAX_REASONS = 5;

function inside(dir: string, file: string): boolean {
  return dir === '.' || file === dir || file.startsWith(`${dir}/`);
}

function matcher(globs: readonly string[]): (file: string) => boolean {
  if (globs.length === 0) return () => false;
  // A bare directory name in `paths:` means everything under it, as in the action's path filters.
  const expanded = globs.flatMap((g) => (/[*?[{]/.test(g) ? [g] : [g, `${g}/**`]));
  return picomatch(expanded, { dot: true });
}

export function changedServices(input: ChangeInput): ChangeResult {
  const all = (because: string): ChangeResult => ({
    services: input.services.map((s) => s.name),
    reasons: Object.fromEntries(input.services.map((s) => [s.name, [because]])),
    allBecause: because,
  });
  if (input.all) return all('the base commit is unknown');
  const configFile = input.configFile ?? 'ghcr-optimize.yaml';
  if (input.files.includes(configFile)) return all(configFile);
  const isShared = matcher(input.shared);
  const sharedHit = input.files.find((f) => isShared(f));
  if (sharedHit !== undefined) return all(sharedHit);

  const reasons: Record<string, string[]> = {};
  for (const s of input.services) {
    const extra = matcher(s.paths);
    const hits = input.files.filter((f) => inside(s.context, f) || f === s.dockerfile || extra(f));
    if (hits.length > 0) reasons[s.name] = hits.slice(0, MAX_REASONS);
  }
  return { services: input.services.filter((s) => reasons[s.name]).map((s) => s.name), reasons };
}

/** One entry of a GitHub Actions matrix (`strategy.matrix: ${{ fromJSON(...) }}`). */
export interface MatrixEntry {
  service: string;
  context: string;
  dockerfile: string;
  image: string;
  /** Comma-separated, as buildx's `platforms` input takes them. */
  platforms: string;
}

export function matrixOf(services: readonly Service[], names: readonly string[]): { include: MatrixEntry[] } {
  const chosen = new Set(names);
  return {
    include: services
      .filter((s) => chosen.has(s.name))
      .map((s) => ({
        service: s.name,
        context: s.context,
        dockerfile: s.dockerfile,
        image: s.image,
        platforms: s.platforms.join(','),
      })),
  };
}
