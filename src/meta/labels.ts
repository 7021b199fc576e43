/**
 * OCI labels and annotations: the eight `org.opencontainers.image.*` keys the action always sets,
 * then the custom entries (expressions evaluated), later keys overriding earlier ones, entries
 * without `=` dropped, sorted by key. Labels and annotations are built the same way.
 */
import type { MetaContext } from './context.js';

export const OCI = 'org.opencontainers.image.';

export function ociDefaults(ctx: MetaContext, version: string | undefined, now: Date): string[] {
  return [
    `${OCI}title=${ctx.repo.name || ''}`,
    `${OCI}description=${ctx.repo.description || ''}`,
    `${OCI}url=${ctx.repo.htmlUrl || ''}`,
    `${OCI}source=${ctx.repo.htmlUrl || ''}`,
    `${OCI}version=${version || ''}`,
    `${OCI}created=${now.toISOString()}`,
    `${OCI}revision=${ctx.sha || ''}`,
    `${OCI}licenses=${ctx.repo.license || ''}`,
  ];
}

/** `key=value` entries merged (last wins, first position kept) and sorted by key. */
export function mergeKeyValues(entries: readonly string[]): string[] {
  const map = new Map<string, string>();
  for (const entry of entries) {
    const i = entry.indexOf('=');
    if (i < 0) continue;
    map.set(entry.slice(0, i), entry.slice(i + 1));
  }
  return [...map].sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => `${k}=${v}`);
}

/**
 * `["a=1", "b=2"]` → `{a: "1", b: "2"}`, as the action's JSON and bake outputs read them (the
 * value stops at a line break).
 */
export function keyValuesToObject(entries: readonly string[]): Record<string, string> {
  const pairs: [string, string][] = [];
  for (const entry of entries) {
    const m = /([^=]*)=(.*)/.exec(entry);
    if (m) pairs.push([m[1]!, m[2]!]);
  }
  return Object.fromEntries(pairs);
}
