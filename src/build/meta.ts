/**
 * Tags, labels and annotations for each service from the metadata engine: the config's `tags:`,
 * `flavor:`, `labels:` and `annotations:` (metadata-action input lines) applied to the service's
 * image, in the GitHub Actions context or the local checkout. All services are computed before
 * anything is built, so a malformed rule or a missing event payload stops the run up front.
 */
import type { Config } from '../config/schema.js';
import type { Service } from '../config/services.js';
import { loadContext, type ContextMode } from '../meta/load-context.js';
import { computeMeta, type MetaResult } from '../meta/meta.js';
import { readSwitches } from '../meta/switches.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface ServiceMeta {
  metas: Map<string, MetaResult>;
  warnings: string[];
  /** Annotation levels (DOCKER_METADATA_ANNOTATIONS_LEVELS). */
  levels: string[];
}

export async function serviceMeta(
  config: Config,
  services: readonly Service[],
  env: Env,
  opts: { dir: string; mode?: ContextMode },
): Promise<ServiceMeta> {
  const switches = readSwitches(env);
  const context = await loadContext(env, {
    mode: opts.mode ?? 'auto',
    cwd: opts.dir,
    prHeadSha: switches.prHeadSha,
  });
  const now = switches.now ?? new Date();
  const metas = new Map<string, MetaResult>();
  const warnings = new Set<string>();
  for (const s of services) {
    const result = computeMeta(
      {
        images: [s.image],
        tags: config.tags ?? [],
        flavor: config.flavor ?? [],
        labels: config.labels ?? [],
        annotations: config.annotations ?? [],
      },
      context,
      { now, shortShaLength: switches.shortShaLength },
    );
    // The same rule warns once, not once per service.
    for (const w of result.warnings) warnings.add(w);
    metas.set(s.name, result);
  }
  return { metas, warnings: [...warnings], levels: switches.annotationLevels };
}
