/** Token scopes (`repository:owner/app:pull,push`), merged so one token covers a whole operation. */

export type Action = 'pull' | 'push' | 'delete' | '*';

export function repositoryScope(repository: string, ...actions: Action[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}

export const CATALOG_SCOPE = 'registry:catalog:*';

interface ParsedScope {
  resource: string; // "repository:owner/app"
  actions: string[];
}

function parseScope(scope: string): ParsedScope | undefined {
  const last = scope.lastIndexOf(':');
  if (last <= 0) return undefined;
  return {
    resource: scope.slice(0, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

/**
 * Union of scopes per resource, sorted, so `pull` + `push` on one repository becomes
 * `pull,push` and the token cache sees one key regardless of the order requests came in.
 */
export function mergeScopes(scopes: Iterable<string>): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const s of scopes) {
    const p = parseScope(s);
    if (!p) continue;
    const set = byResource.get(p.resource) ?? new Set<string>();
    p.actions.forEach((a) => set.add(a));
    byResource.set(p.resource, set);
  }
  return [...byResource.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`);
}

/** True when `granted` already includes every action of every scope in `wanted`. */
export function scopesCover(granted: string[], wanted: string[]): boolean {
  const g = new Map(
    mergeScopes(granted)
      .map((s) => parseScope(s))
      .filter((p) => p !== undefined)
      .map((p) => [p.resource, p.actions]),
  );
  return wanted.every((w) => {
    const p = parseScope(w);
    if (!p) return true;
    const have = g.get(p.resource);
    return have !== undefined && (have.includes('*') || p.actions.every((a) => have.includes(a)));
  });
}
