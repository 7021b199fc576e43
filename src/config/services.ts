/**
 * The configured services with every default filled in: what `build`, `changed`, `compose`,
 * `validate`, `optimize-images` and the generated workflows work on. Pure: paths stay relative to
 * the config file's directory and nothing is read from disk.
 */
import { posix } from 'node:path';
import { UsageError } from '../errors.js';
import { formatRepository, parseReference, type RepositoryName } from '../ref/index.js';
import { parseDuration, parseSize } from '../util/units.js';
import type { Config, ServiceConfig } from './schema.js';

export interface SmokeCheck {
  name?: string;
  path: string;
  /** Expected HTTP status. */
  status: number;
  contains?: string;
}

export interface Service {
  name: string;
  /** `registry/repository`, no tag. */
  image: string;
  repository: RepositoryName;
  /** Relative to the config file's directory, POSIX separators, no leading `./`. */
  context: string;
  /** Relative to the config file's directory. */
  dockerfile: string;
  target?: string;
  port?: number;
  health?: string;
  platforms: string[];
  buildArgs: Record<string, string>;
  /** Globs (relative to the config file) besides the context whose change rebuilds the service. */
  paths: string[];
  cacheMaxBytes: number;
  resources?: { cpus?: string; memoryBytes?: number };
  environment: Record<string, string>;
  volumes: string[];
  dependsOn: string[];
  sizeBudgetBytes: number;
  startupTimeoutMs: number;
  smoke: SmokeCheck[];
}

export const DEFAULT_REGISTRY = 'ghcr.io';
export const DEFAULT_PLATFORMS: readonly string[] = ['linux/amd64', 'linux/arm64'];
export const DEFAULT_MAX_PARALLEL = 3;
export const DEFAULT_CACHE_MAX_BYTES = 2_000_000_000;
export const DEFAULT_CACHE_MAX_AGE_MS = 24 * 3600 * 1000;
export const DEFAULT_SIZE_BUDGET_BYTES = 1_000_000_000;
export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;

/** The seed project's three services: ports and health paths used when a config names them. */
export const SEED_SERVICES: Readonly<Record<string, { port: number; health: string }>> = {
  backend: { port: 3001, health: '/health' },
  frontend: { port: 3000, health: '/' },
  auth: { port: 8005, health: '/auth/health' },
};

function sizeOf(value: string | number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  return typeof value === 'number' ? value : parseSize(value, what);
}

function durationOf(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const d = parseDuration(value);
  return d === 'forever' ? fallback : d;
}

function cleanRelative(path: string): string {
  const p = posix.normalize(path.replace(/\\/g, '/'));
  return p === '.' || p === './' ? '.' : p.replace(/^\.\//, '').replace(/\/$/, '');
}

function stringMap(input: Record<string, string | number | boolean> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(input ?? {}).map(([k, v]) => [k, String(v)]));
}

interface Entry {
  where: string;
  name?: string;
  settings: ServiceConfig & { repository?: string };
}

function entries(config: Config): Entry[] {
  const services = config.services;
  if (services === undefined || services === null) return [];
  if (Array.isArray(services)) {
    return services.map((s, i) => {
      const where = `services.${i}`;
      if (typeof s === 'string') return { where, settings: { image: s } };
      const { name, ...settings } = s;
      return { where, ...(name !== undefined ? { name } : {}), settings };
    });
  }
  return Object.entries(services).map(([name, s]) => ({
    where: `services.${name}`,
    name,
    settings: typeof s === 'string' ? { image: s } : (s ?? {}),
  }));
}

function imageOf(entry: Entry, config: Config): string {
  const explicit = entry.settings.image ?? entry.settings.repository;
  if (explicit !== undefined) return explicit.trim();
  if (entry.name !== undefined && config.owner !== undefined) {
    return `${config.registry ?? DEFAULT_REGISTRY}/${config.owner}/${entry.name}`.toLowerCase();
  }
  throw new UsageError(`config ${entry.where}: expected an image reference or { image: REF }`, {
    hint: 'give the service an "image:", or set the top-level "owner:" so images default to ghcr.io/OWNER/NAME',
  });
}

/** Every configured service, in file order, defaults applied. Throws UsageError naming the entry. */
export function resolveServices(config: Config): Service[] {
  const defaultPlatforms = config.build?.platforms ?? DEFAULT_PLATFORMS;
  const cacheDefault = sizeOf(
    config.cache?.maxSizePerService,
    DEFAULT_CACHE_MAX_BYTES,
    'cache.maxSizePerService',
  );
  const seen = new Set<string>();
  const services = entries(config).map((entry) => {
    const image = imageOf(entry, config);
    let ref;
    try {
      ref = parseReference(image, { defaultTag: false });
    } catch (err) {
      throw new UsageError(`config ${entry.where}: ${(err as Error).message}`);
    }
    const repository = { registry: ref.registry, repository: ref.repository };
    // A list entry without a name is named after its repository's last path component.
    const name = entry.name ?? repository.repository.split('/').pop()!;
    if (seen.has(name)) throw new UsageError(`config ${entry.where}: a second service named "${name}"`);
    seen.add(name);
    const s = entry.settings;
    const seed = SEED_SERVICES[name];
    const context = cleanRelative(s.context ?? name);
    const port = s.port ?? seed?.port;
    const health = s.health ?? seed?.health;
    const smoke = (s.smoke ?? []).map((t) => ({ ...t, status: t.status ?? 200 }));
    return {
      name,
      image: formatRepository(repository),
      repository,
      context,
      dockerfile: cleanRelative(posix.join(context, s.dockerfile ?? 'Dockerfile')),
      ...(s.target !== undefined ? { target: s.target } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(health !== undefined ? { health } : {}),
      platforms: [...(s.platforms ?? defaultPlatforms)],
      buildArgs: stringMap(s.buildArgs),
      paths: (s.paths ?? []).map(cleanRelative),
      cacheMaxBytes: sizeOf(s.cache?.maxSize, cacheDefault, `${entry.where}.cache.maxSize`),
      ...(s.resources
        ? {
            resources: {
              ...(s.resources.cpus !== undefined ? { cpus: String(s.resources.cpus) } : {}),
              ...(s.resources.memory !== undefined
                ? { memoryBytes: sizeOf(s.resources.memory, 0, `${entry.where}.resources.memory`) }
                : {}),
            },
          }
        : {}),
      environment: stringMap(s.environment),
      volumes: [...(s.volumes ?? [])],
      dependsOn: [...(s.dependsOn ?? [])],
      sizeBudgetBytes: sizeOf(s.sizeBudget, DEFAULT_SIZE_BUDGET_BYTES, `${entry.where}.sizeBudget`),
      startupTimeoutMs: durationOf(s.startupTimeout, DEFAULT_STARTUP_TIMEOUT_MS),
      smoke,
    };
  });
  for (const s of services) {
    for (const dep of s.dependsOn) {
      if (dep === s.name || !seen.has(dep)) {
        throw new UsageError(
          `config services.${s.name}.dependsOn: ${dep === s.name ? 'a service cannot depend on itself' : `no service named "${dep}"`}`,
        );
      }
    }
  }
  return services;
}

/** The services named on the command line (all when none), or a UsageError listing the known names. */
export function selectServices(all: readonly Service[], names: readonly string[]): Service[] {
  if (names.length === 0) return [...all];
  const byName = new Map(all.map((s) => [s.name, s]));
  return names.map((n) => {
    const s = byName.get(n);
    if (!s) {
      throw new UsageError(`unknown service "${n}"`, {
        hint: all.length > 0 ? `configured: ${all.map((x) => x.name).join(', ')}` : 'no services: configured',
      });
    }
    return s;
  });
}

export interface BuildSettings {
  maxParallel: number;
  cache: ('gha' | 'registry' | 'local')[];
  provenance: boolean;
  sbom: boolean;
  /** Paths whose change rebuilds every service. */
  shared: string[];
}

export function resolveBuildSettings(config: Config): BuildSettings {
  const b = config.build ?? {};
  return {
    maxParallel: b.maxParallel ?? DEFAULT_MAX_PARALLEL,
    cache: [...(b.cache ?? ['gha', 'registry'])],
    provenance: b.provenance ?? true,
    sbom: b.sbom ?? false,
    shared: (b.shared ?? []).map(cleanRelative),
  };
}

export interface CacheSettings {
  maxSizePerServiceBytes: number;
  maxAgeMs: number;
}

export function resolveCacheSettings(config: Config): CacheSettings {
  return {
    maxSizePerServiceBytes: sizeOf(
      config.cache?.maxSizePerService,
      DEFAULT_CACHE_MAX_BYTES,
      'cache.maxSizePerService',
    ),
    maxAgeMs: durationOf(config.cache?.maxAge, DEFAULT_CACHE_MAX_AGE_MS),
  };
}
