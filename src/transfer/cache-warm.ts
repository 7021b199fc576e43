/** Prefetches the blobs of images into the shared cache (`cache-warm`), concurrently. */
import { isIndexMediaType, layerInfo } from '../oci/media-types.js';
import { platformMatches } from '../oci/platform.js';
import type { Descriptor, Platform } from '../oci/schema.js';
import type { ReadTarget } from '../content/target.js';
import { Semaphore } from '../util/concurrency.js';
import { CachingSource } from './blob-cache.js';
import type { TransferListener } from './events.js';

export interface WarmOptions {
  platforms?: Platform[];
  concurrency?: number;
  signal?: AbortSignal;
  onEvent?: TransferListener;
}

/** Walks `reference` and makes sure every blob below it is cached. */
export async function warmCache(
  source: CachingSource,
  reference: string,
  opts: WarmOptions = {},
): Promise<void> {
  const sem = new Semaphore(opts.concurrency ?? 6);
  const emit = opts.onEvent ?? (() => undefined);
  const seen = new Set<string>();
  const warmBlob = (desc: Descriptor): Promise<void> =>
    sem.use(async () => {
      if (seen.has(desc.digest)) return;
      seen.add(desc.digest);
      await source.warmReporting(desc, emit, opts.signal);
    });
  const walk = async (target: ReadTarget, ref: string | Descriptor): Promise<void> => {
    const m = await target.fetchManifest(ref, opts.signal);
    if (m.parsed.kind === 'index') {
      const children = m.parsed.index.manifests.filter(
        (d) =>
          !opts.platforms ||
          isIndexMediaType(d.mediaType) ||
          opts.platforms.some((p) => platformMatches(p, d.platform)),
      );
      await Promise.all(children.map((c) => walk(target, c)));
      return;
    }
    const { config, layers } = m.parsed.manifest;
    await Promise.all(
      [config, ...layers.filter((l) => layerInfo(l.mediaType)?.distributable !== false)].map(warmBlob),
    );
  };
  await walk(source, reference);
}
