/**
 * Environment token profiles (`environments:` in the config): which registry each environment
 * uses, where its token comes from, how often it must be rotated and what it must be allowed to
 * do. The config names a source (an environment variable, a file, a credential helper, the docker
 * config) and never holds the secret itself.
 */
import { UsageError } from '../errors.js';
import type { Config } from '../config/schema.js';
import { DEFAULT_REGISTRY } from '../config/services.js';
import { parseDuration } from '../util/units.js';
import type { PackageScope } from '../github/token-scopes.js';

export type CredentialSource =
  { env: string } | { file: string } | { helper: string } | { dockerConfig: true };

export interface EnvironmentProfile {
  name: string;
  registry: string;
  username?: string;
  /** Undefined: the usual lookup for the registry (flags, env, docker config, helpers). */
  source?: CredentialSource;
  rotationMs: number;
  /** Scopes the token must have. */
  scopes: string[];
}

export const DEFAULT_ROTATION_MS = 90 * 24 * 3600 * 1000;

export function resolveEnvironments(config: Config): EnvironmentProfile[] {
  return Object.entries(config.environments ?? {}).map(([name, e]) => {
    const rotation = e.rotation === undefined ? DEFAULT_ROTATION_MS : parseDuration(e.rotation);
    return {
      name,
      registry: e.registry ?? config.registry ?? DEFAULT_REGISTRY,
      ...(e.username !== undefined ? { username: e.username } : {}),
      ...(e.credential !== undefined ? { source: e.credential } : {}),
      rotationMs: rotation === 'forever' ? Number.POSITIVE_INFINITY : rotation,
      scopes: [...(e.scopes ?? [])],
    };
  });
}

export function findEnvironment(all: readonly EnvironmentProfile[], name: string): EnvironmentProfile {
  const found = all.find((e) => e.name === name);
  if (found) return found;
  throw new UsageError(`unknown environment "${name}"`, {
    hint:
      all.length > 0
        ? `configured: ${all.map((e) => e.name).join(', ')}`
        : 'add it under environments: in ghcr-optimize.yaml, e.g. prod: { credential: { env: GHCR_PROD_TOKEN } }',
  });
}

export function describeSource(source: CredentialSource | undefined): string {
  if (source === undefined) return 'default lookup';
  if ('env' in source) return `environment variable ${source.env}`;
  if ('file' in source) return `file ${source.file}`;
  if ('helper' in source) return `credential helper docker-credential-${source.helper}`;
  return 'docker config';
}

const NEEDS: Readonly<Record<string, PackageScope>> = {
  pull: 'read:packages',
  read: 'read:packages',
  push: 'write:packages',
  write: 'write:packages',
  delete: 'delete:packages',
};

/** `push,delete` → the GitHub package scopes they need; scope names are accepted as they are. */
export function parseNeeds(text: string): PackageScope[] {
  const out = new Set<PackageScope>();
  for (const raw of text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)) {
    const scope =
      NEEDS[raw] ?? (Object.values(NEEDS).includes(raw as PackageScope) ? (raw as PackageScope) : undefined);
    if (!scope) {
      throw new UsageError(`--needs: unknown permission "${raw}"`, {
        hint: 'use pull, push, delete (or read:packages, write:packages, delete:packages)',
      });
    }
    out.add(scope);
  }
  if (out.size === 0) throw new UsageError('--needs is empty', { hint: 'e.g. --needs push,delete' });
  return [...out];
}

export interface TokenAge {
  /** When the last rotation was recorded; undefined when none was. */
  rotatedAt?: Date;
  ageDays?: number;
  /** Older than the rotation period (false when the age is unknown). */
  stale: boolean;
}

export function tokenAge(rotatedAt: Date | undefined, now: Date, rotationMs: number): TokenAge {
  if (rotatedAt === undefined) return { stale: false };
  const age = now.getTime() - rotatedAt.getTime();
  return { rotatedAt, ageDays: Math.floor(age / 86_400_000), stale: age > rotationMs };
}
