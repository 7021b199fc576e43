/**
 * Live registry probes for the overview: which registries (flags, else the config file), and a
 * short-lived cache so that reloading the page, or several open tabs, do not hammer a registry.
 */
import { parseReference, registryKey } from '../../ref/index.js';
import type { HealthResult } from '../health.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;

function registryOfImage(image: string): string | undefined {
  try {
    return parseReference(image, { defaultTag: false }).registry;
  } catch {
    return undefined;
  }
}

/**
 * The registries to probe: `--registry` flags when given; else the config's `registries:` keys,
 * `monitoring.probes`, the registries of `services:` images (a service without `image` lives on
 * the top-level `registry:`). The config is read loosely, so older and newer files both work.
 * No default host: the dashboard must work offline, so nothing is probed unless named.
 */
export function probeTargets(flags: readonly string[] | undefined, config: unknown): string[] {
  const found: string[] = [];
  const add = (host: string | undefined): void => {
    if (host !== undefined && !found.some((h) => registryKey(h) === registryKey(host))) found.push(host);
  };
  if (flags && flags.length > 0) {
    flags.forEach((f) => add(str(f)));
    return found;
  }
  const c = obj(config);
  Object.keys(obj(c.registries)).forEach(add);
  const probes = obj(c.monitoring).probes;
  if (Array.isArray(probes)) probes.forEach((p) => add(str(p)));
  const services = c.services;
  const entries = Array.isArray(services) ? services : Object.values(obj(services));
  for (const entry of entries) {
    const image =
      typeof entry === 'string' ? str(entry) : (str(obj(entry).image) ?? str(obj(entry).repository));
    add(image !== undefined ? registryOfImage(image) : str(c.registry));
  }
  return found;
}

export interface ProbeSnapshot {
  /** When the probes ran (ISO 8601). */
  at: string;
  registries: HealthResult[];
}

/**
 * `probe()` at most once per `ttlMs`; concurrent callers share the run in flight. A failed run is
 * not cached.
 */
export function cachedProbes(
  probe: () => Promise<HealthResult[]>,
  ttlMs: number,
  now: () => Date = () => new Date(),
): () => Promise<ProbeSnapshot> {
  let last: { snapshot: ProbeSnapshot; until: number } | undefined;
  let running: Promise<ProbeSnapshot> | undefined;
  return () => {
    if (last && now().getTime() < last.until) return Promise.resolve(last.snapshot);
    running ??= probe()
      .then((registries) => {
        const at = now();
        const snapshot = { at: at.toISOString(), registries };
        last = { snapshot, until: at.getTime() + ttlMs };
        return snapshot;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}
