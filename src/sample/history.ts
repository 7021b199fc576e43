/**
 * A year of pushes to one repository, as the retention planner sees it: releases, main and sha
 * builds, pull-request builds, build caches of various ages, multi-platform indexes with untagged
 * children, cosign signatures, an untagged leftover — plus the index the demo just built, tagged
 * as the sample CI run tagged it. Manifests are real documents (parsed like fetched ones); the
 * blobs they name are only descriptors with realistic sizes, since a plan never reads them.
 * Pure: the facts go to buildInventory() and planRetention() unchanged.
 */
import { computeDigest } from '../oci/digest.js';
import { MediaType } from '../oci/media-types.js';
import { parseManifest, type Descriptor, type Platform } from '../oci/schema.js';
import type { ConfigFact, InventoryFacts, ManifestFact } from '../retention/inventory.js';

/** The instant the sample plan is made: one day after the sample build. */
export const HISTORY_NOW = '2025-06-02T12:00:00.000Z';
const DAY = 86_400_000;
const daysAgo = (days: number): string => new Date(Date.parse(HISTORY_NOW) - days * DAY).toISOString();

const COSIGN_SIGNATURE = 'application/vnd.dev.cosign.simplesigning.v1+json';

/** The image the demo built, as image-writer.ts wrote it. */
export interface BuiltIndex {
  digest: string;
  bytes: Buffer;
  images: { manifest: Buffer; config: Descriptor }[];
  created: string;
  tags: readonly string[];
}

class History {
  readonly manifests: ManifestFact[] = [];
  readonly configs: ConfigFact[] = [];
  readonly tags = new Map<string, string>();

  constructor(private readonly repository: string) {}

  private blob(name: string, size: number, mediaType: string = MediaType.OciLayerGzip): Descriptor {
    return { mediaType, digest: computeDigest(`${this.repository} ${name}`), size };
  }

  private add(bytes: Buffer): string {
    const digest = computeDigest(bytes);
    this.manifests.push({ digest, size: bytes.length, manifest: parseManifest(bytes) });
    return digest;
  }

  /** Shared base layers of one "generation" (Debian point release + Node.js version). */
  base(generation: string, arch: string): Descriptor[] {
    const [debian, node] =
      generation === 'old'
        ? [29_100_000, 41_300_000]
        : generation === 'mid'
          ? [29_400_000, 44_200_000]
          : [29_800_000, 45_600_000];
    return [this.blob(`debian-${generation}-${arch}`, debian), this.blob(`node-${generation}-${arch}`, node)];
  }

  image(name: string, ageDays: number, layers: Descriptor[]): string {
    const config = this.blob(`config ${name}`, 4_096, MediaType.OciConfig);
    this.configs.push({ digest: config.digest, created: daysAgo(ageDays) });
    const manifest = { schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers };
    return this.add(Buffer.from(JSON.stringify(manifest)));
  }

  /** A two-platform index; its children stay untagged, as buildx pushes them. */
  release(name: string, ageDays: number, generation: string, appBytes: [number, number]): string {
    const children = (['amd64', 'arm64'] as const).map((arch, i) => {
      const platform: Platform =
        arch === 'arm64'
          ? { os: 'linux', architecture: arch, variant: 'v8' }
          : { os: 'linux', architecture: arch };
      const digest = this.image(`${name} ${arch}`, ageDays, [
        ...this.base(generation, arch),
        this.blob(`app ${name} ${arch}`, appBytes[i]!),
      ]);
      const bytes = this.manifests.find((m) => m.digest === digest)!.size!;
      return { mediaType: MediaType.OciManifest, digest, size: bytes, platform };
    });
    const index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: children };
    return this.add(Buffer.from(JSON.stringify(index)));
  }

  single(name: string, ageDays: number, generation: string, appBytes: number): string {
    return this.image(name, ageDays, [...this.base(generation, 'amd64'), this.blob(`app ${name}`, appBytes)]);
  }

  /** A cosign signature, stored under the `sha256-<hex>.sig` tag of what it signs. */
  signature(subject: string): void {
    // cosign writes the same tiny config for every signature: one shared blob.
    const config = this.blob('cosign config', 233, MediaType.OciConfig);
    const payload = this.blob(`signature of ${subject}`, 256, COSIGN_SIGNATURE);
    const manifest = { schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers: [payload] };
    const digest = this.add(Buffer.from(JSON.stringify(manifest)));
    this.tags.set(`${subject.replace(':', '-')}.sig`, digest);
  }

  tag(tag: string, digest: string): this {
    this.tags.set(tag, digest);
    return this;
  }

  built(b: BuiltIndex): string {
    for (const img of b.images) {
      this.add(img.manifest);
      this.configs.push({ digest: img.config.digest, created: b.created });
    }
    const digest = this.add(b.bytes);
    for (const t of b.tags) this.tag(t, digest);
    return digest;
  }

  facts(): InventoryFacts {
    return { repository: this.repository, tags: this.tags, manifests: this.manifests, configs: this.configs };
  }
}

/** The sample history of `repository` (`ghcr.io/example/backend`), ending with `built`. */
export function sampleHistory(repository: string, built: BuiltIndex): InventoryFacts {
  const h = new History(repository);
  h.built(built);

  const r141 = h.release('1.4.1', 30, 'new', [18_200_000, 18_100_000]);
  h.tag('1.4.1', r141);
  h.signature(r141);
  const r130 = h.single('1.3.0', 120, 'mid', 16_900_000);
  h.tag('1.3.0', r130).tag('1.3', r130);
  h.tag('v1.2.0', h.single('v1.2.0', 300, 'old', 15_400_000));

  h.tag('main', h.single('main', 2, 'new', 18_300_000));
  h.tag('main-1a2b3c4', h.single('main-1a2b3c4', 10, 'new', 18_000_000));
  h.tag('main-9f8e7d6', h.single('main-9f8e7d6', 100, 'mid', 12_400_000));
  h.tag('sha-5e6f7a8', h.single('sha-5e6f7a8', 45, 'new', 17_700_000));
  h.tag('sha-3c4d5e6', h.single('sha-3c4d5e6', 95, 'mid', 12_300_000));

  h.tag('pr-41', h.single('pr-41', 3, 'new', 18_400_000));
  const pr38 = h.single('pr-38', 12, 'new', 13_100_000);
  h.tag('pr-38', pr38);
  h.signature(pr38);
  h.tag('pr-35', h.release('pr-35', 20, 'new', [13_500_000, 13_600_000]));

  h.tag('buildcache', h.single('buildcache', 3, 'new', 9_800_000));
  h.tag('cache-main', h.single('cache-main', 0.25, 'new', 9_700_000));
  // Pushed by hand 40 days ago, then its tag was moved: nothing references it any more.
  h.single('untagged leftover', 40, 'new', 12_900_000);
  return h.facts();
}
