/**
 * Docker's normalisation of familiar names (distribution/reference normalize.go): "alpine" means
 * "docker.io/library/alpine", and the first path component is only a registry when it looks like one.
 */

export const DEFAULT_REGISTRY = 'docker.io';
/** Older clients wrote Docker Hub as index.docker.io; both name the same registry. */
export const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
/** Namespace of Docker Hub's official images, implied when a Hub repository has a single component. */
export const OFFICIAL_NAMESPACE = 'library';
export const DEFAULT_TAG = 'latest';

/**
 * Whether the first "/"-separated component of a name is a registry host rather than a Docker Hub
 * namespace. Hub namespaces are lowercase and never contain "." or ":", so anything with those (or
 * uppercase letters, or the literal "localhost") can only be a host.
 */
export function looksLikeRegistry(component: string): boolean {
  return (
    component.includes('.') ||
    component.includes(':') ||
    component === 'localhost' ||
    component.toLowerCase() !== component
  );
}

export interface SplitName {
  readonly registry: string;
  readonly repository: string;
  /** False when the registry was implied (Docker Hub), so there is nothing the user typed to check. */
  readonly explicitRegistry: boolean;
}

/** Upstream's splitDockerDomain, applied to a name that has already lost its tag and digest. */
export function splitDockerDomain(name: string): SplitName {
  const slash = name.indexOf('/');
  const first = slash === -1 ? undefined : name.slice(0, slash);
  if (first === undefined || !looksLikeRegistry(first)) {
    return { registry: DEFAULT_REGISTRY, repository: addOfficialNamespace(name), explicitRegistry: false };
  }
  // Only the exact lowercase spelling is folded, as upstream does; other spellings stay as typed.
  const registry = first === LEGACY_DEFAULT_REGISTRY ? DEFAULT_REGISTRY : first;
  const rest = name.slice(slash + 1);
  const repository = registry === DEFAULT_REGISTRY ? addOfficialNamespace(rest) : rest;
  return { registry, repository, explicitRegistry: true };
}

function addOfficialNamespace(path: string): string {
  // An empty path stays empty so the caller reports "repository must not be empty", not a bad "library/".
  return path === '' || path.includes('/') ? path : `${OFFICIAL_NAMESPACE}/${path}`;
}

/**
 * The repository as Docker prints it: Docker Hub's registry and "library/" dropped. Upstream drops
 * "docker.io/" unconditionally, which turns "docker.io/foo.com/app" into "foo.com/app" - a different
 * image on registry foo.com. We keep the registry whenever dropping it would change the meaning.
 */
export function familiarName(registry: string, repository: string): string {
  if (registry !== DEFAULT_REGISTRY) return `${registry}/${repository}`;
  const officialPrefix = `${OFFICIAL_NAMESPACE}/`;
  const short =
    repository.startsWith(officialPrefix) && !repository.slice(officialPrefix.length).includes('/')
      ? repository.slice(officialPrefix.length)
      : repository;
  const slash = short.indexOf('/');
  if (slash !== -1 && looksLikeRegistry(short.slice(0, slash))) return `${registry}/${repository}`;
  return short;
}
