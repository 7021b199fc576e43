import { UsageError } from '../../errors.js';

export const DOCKER_HUB = 'docker.io';

/**
 * Docker has always filed Docker Hub credentials under the v1 index URL, both in config.json and
 * when asking credential helpers, so that is the spelling we must read, write and ask with.
 */
export const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';

// Every name Docker Hub answers to; a login for one is a login for all.
const DOCKER_HUB_ALIASES = new Set([
  DOCKER_HUB,
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

const HOST_RE = /^(?:[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

export interface ParsedKey {
  /** Canonical host: lower-case, Docker Hub aliases folded to `docker.io`. */
  host: string;
  /** What followed the host, without surrounding slashes (`v1`, `owner/app`, or ''). */
  path: string;
  hadScheme: boolean;
}

/**
 * Splits an address as Docker writes them into config keys: a bare host, `host/namespace`, or a
 * URL such as `https://index.docker.io/v1/`. Undefined when the host part is not a host.
 */
export function parseKey(raw: string): ParsedKey | undefined {
  let rest = raw.trim();
  const scheme = /^https?:\/\//i.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  const slash = rest.indexOf('/');
  const hostPart = (slash === -1 ? rest : rest.slice(0, slash)).toLowerCase();
  if (!HOST_RE.test(hostPart)) return undefined;
  const host = DOCKER_HUB_ALIASES.has(hostPart) ? DOCKER_HUB : hostPart;
  const path = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  return { host, path, hadScheme: scheme !== null };
}

/**
 * A key that applies to the whole registry rather than one namespace. A URL's path (`/v1/`,
 * `/v2/`) never narrows it; containers/image reads keys the same way.
 */
export function isHostLevel(key: ParsedKey): boolean {
  return key.path === '' || key.hadScheme;
}

/** The canonical host for a registry given as a host or URL, as users type it after `login`. */
export function normalizeRegistry(input: string): string {
  // A URL with user-info would put a password into the error message below.
  if (input.includes('@')) {
    throw new UsageError('invalid registry: an address must not contain "@" (user-info)', {
      hint: 'pass only the host, e.g. ghcr.io, and the username with --username',
    });
  }
  const parsed = parseKey(input);
  if (!parsed) {
    throw new UsageError(`invalid registry "${input.slice(0, 200)}"`, {
      hint: 'give a registry host such as ghcr.io, docker.io or 127.0.0.1:5000',
    });
  }
  return parsed.host;
}

/** The address Docker stores a login under and hands to credential helpers. */
export function serverAddress(host: string): string {
  return host === DOCKER_HUB ? DOCKER_HUB_SERVER_URL : host;
}

/** Docker Hub's official images live under `library/`; containers' namespaced keys use that form. */
function canonicalRepository(host: string, repository: string): string {
  const repo = repository.replace(/^\/+|\/+$/g, '');
  return host === DOCKER_HUB && repo !== '' && !repo.includes('/') ? `library/${repo}` : repo;
}

export type KeyMode = 'docker' | 'containers';

/**
 * The keys of an `auths` object that can serve `host` (and `repository`), best first.
 *
 * 'docker' follows Docker: the exact address wins, otherwise any key whose host matches, path
 * ignored. 'containers' follows containers/image: a scheme-less key with a path names a namespace
 * and only serves repositories under it, the longest such prefix winning over host-level keys.
 * Ties keep file order so the answer never depends on anything but the file.
 */
export function matchingKeys(
  keys: readonly string[],
  host: string,
  mode: KeyMode,
  repository?: string,
): string[] {
  const exact = serverAddress(host);
  const repo = repository === undefined ? undefined : canonicalRepository(host, repository);
  const ranked: Array<{ key: string; rank: number[] }> = [];
  keys.forEach((key, index) => {
    const parsed = parseKey(key);
    if (parsed?.host !== host) return;
    let depth = 0;
    if (mode === 'containers' && !isHostLevel(parsed)) {
      if (repo === undefined || !(repo === parsed.path || repo.startsWith(`${parsed.path}/`))) return;
      depth = parsed.path.split('/').length;
    }
    const spelling = key === exact ? 0 : key === host ? 1 : !parsed.hadScheme && parsed.path === '' ? 2 : 3;
    ranked.push({ key, rank: [-depth, spelling, index] });
  });
  ranked.sort((a, b) => compareRanks(a.rank, b.rank));
  return ranked.map((r) => r.key);
}

/** Host-level keys only (credential helpers are per registry, never per namespace), best first. */
export function matchingHostKeys(keys: readonly string[], host: string): string[] {
  return matchingKeys(keys, host, 'docker').filter((key) => {
    const parsed = parseKey(key);
    return parsed !== undefined && isHostLevel(parsed);
  });
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
