/**
 * Synthetic repositories for the retention tests: images, indexes, signatures and tags described
 * by name, turned into the raw facts the inventory builder takes.
 */
import { computeDigest } from '../../../src/oci/digest.js';
import { MediaType } from '../../../src/oci/media-types.js';
import type { Descriptor } from '../../../src/oci/schema.js';
import {
  buildInventory,
  type ConfigFact,
  type Inventory,
  type InventoryFacts,
  type ManifestFact,
  type ReferrersFact,
  type UnreadableFact,
  type VersionFact,
} from '../../../src/retention/inventory.js';

export const NOW = new Date('2025-06-01T00:00:00.000Z');
const DAY = 86_400_000;

/** A stable fake digest for a name. */
export const dg = (name: string): string => computeDigest(`fixture:${name}`);

/** ISO timestamp `days` (fractional allowed) before NOW. */
export const daysAgo = (days: number): string => new Date(NOW.getTime() - days * DAY).toISOString();

export interface ImageOptions {
  /** Days before NOW, written to the config's `created`. */
  age?: number;
  /** Written as the `org.opencontainers.image.created` annotation instead. */
  annotatedAge?: number;
  /** Literal config `created`. */
  configCreated?: string | null;
  /** Layers by blob name and size; a shared name means a shared blob. */
  layers?: [string, number][];
  configSize?: number;
  subject?: string;
  artifactType?: string;
  /** Config media type (artifacts use their own). */
  configMediaType?: string;
  size?: number;
}

export interface IndexOptions {
  annotatedAge?: number;
  subject?: string;
  artifactType?: string;
  /** Per child digest: extra descriptor fields. */
  descriptor?: Record<string, Partial<Descriptor>>;
  size?: number;
}

export class RepoBuilder {
  readonly manifests: ManifestFact[] = [];
  readonly configs: ConfigFact[] = [];
  readonly versions: VersionFact[] = [];
  readonly unreadable: UnreadableFact[] = [];
  readonly referrers: ReferrersFact[] = [];
  readonly tags = new Map<string, string>();
  private nextVersion = 1000;

  constructor(readonly repository = 'ghcr.io/acme/app') {}

  image(name: string, opts: ImageOptions = {}): string {
    const digest = dg(name);
    const configDigest = dg(`${name}:config`);
    const layers: Descriptor[] = (opts.layers ?? [[`${name}:layer`, 1000]]).map(([blob, size]) => ({
      mediaType: MediaType.OciLayerGzip,
      digest: dg(`blob:${blob}`),
      size,
    }));
    const annotations =
      opts.annotatedAge !== undefined
        ? { 'org.opencontainers.image.created': daysAgo(opts.annotatedAge) }
        : undefined;
    this.manifests.push({
      digest,
      size: opts.size ?? 500,
      manifest: {
        kind: 'manifest',
        mediaType: MediaType.OciManifest,
        manifest: {
          schemaVersion: 2,
          mediaType: MediaType.OciManifest,
          ...(opts.artifactType !== undefined ? { artifactType: opts.artifactType } : {}),
          config: {
            mediaType: opts.configMediaType ?? MediaType.OciConfig,
            digest: configDigest,
            size: opts.configSize ?? 100,
          },
          layers,
          ...(opts.subject !== undefined
            ? { subject: { mediaType: MediaType.OciManifest, digest: opts.subject, size: 500 } }
            : {}),
          ...(annotations ? { annotations } : {}),
        },
      },
    });
    const created =
      opts.configCreated !== undefined
        ? opts.configCreated
        : opts.age !== undefined
          ? daysAgo(opts.age)
          : undefined;
    if (created !== undefined) this.configs.push({ digest: configDigest, created });
    return digest;
  }

  index(name: string, children: string[], opts: IndexOptions = {}): string {
    const digest = dg(name);
    this.manifests.push({
      digest,
      size: opts.size ?? 300,
      manifest: {
        kind: 'index',
        mediaType: MediaType.OciIndex,
        index: {
          schemaVersion: 2,
          mediaType: MediaType.OciIndex,
          ...(opts.artifactType !== undefined ? { artifactType: opts.artifactType } : {}),
          manifests: children.map((c) => ({
            mediaType: MediaType.OciManifest,
            digest: c,
            size: 500,
            ...(opts.descriptor?.[c] ?? {}),
          })),
          ...(opts.subject !== undefined
            ? { subject: { mediaType: MediaType.OciManifest, digest: opts.subject, size: 500 } }
            : {}),
          ...(opts.annotatedAge !== undefined
            ? { annotations: { 'org.opencontainers.image.created': daysAgo(opts.annotatedAge) } }
            : {}),
        },
      },
    });
    return digest;
  }

  /** A multi-platform index over fresh untagged per-platform images (plus a BuildKit attestation). */
  multiArch(
    name: string,
    age: number,
    platforms = ['amd64', 'arm64', 'arm'],
    opts: { attestation?: boolean; layers?: (platform: string) => [string, number][] } = {},
  ): { index: string; children: string[] } {
    const children = platforms.map((p) =>
      this.image(`${name}/${p}`, { age, ...(opts.layers ? { layers: opts.layers(p) } : {}) }),
    );
    const descriptor: Record<string, Partial<Descriptor>> = {};
    platforms.forEach((p, i) => (descriptor[children[i]!] = { platform: { os: 'linux', architecture: p } }));
    if (opts.attestation) {
      const att = this.image(`${name}/attestation`, {
        configCreated: null,
        layers: [[`${name}/provenance`, 200]],
      });
      descriptor[att] = {
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: {
          'vnd.docker.reference.type': 'attestation-manifest',
          'vnd.docker.reference.digest': children[0]!,
        },
      };
      children.push(att);
    }
    return { index: this.index(name, children, { descriptor }), children };
  }

  /** A cosign signature stored under `sha256-<hex>.sig` (or .att/.sbom). */
  cosign(subject: string, suffix: 'sig' | 'att' | 'sbom' = 'sig', name = `${subject}.${suffix}`): string {
    const digest = this.image(name, {
      configCreated: '0001-01-01T00:00:00Z',
      layers: [[`${name}:payload`, 300]],
      configMediaType: MediaType.OciConfig,
    });
    this.tag(`sha256-${subject.slice('sha256:'.length)}.${suffix}`, digest);
    return digest;
  }

  /** An OCI 1.1 referrer (manifest with `subject`). */
  referrer(subject: string, name: string, artifactType: string): string {
    return this.image(name, {
      subject,
      artifactType,
      configMediaType: MediaType.OciEmpty,
      configSize: 2,
      layers: [[`${name}:payload`, 400]],
    });
  }

  /** A referrers-fallback tag `sha256-<hex>` holding an index of the given referrers. */
  fallbackIndex(subject: string, entries: { digest: string; artifactType: string }[]): string {
    const descriptor: Record<string, Partial<Descriptor>> = {};
    for (const e of entries) descriptor[e.digest] = { artifactType: e.artifactType };
    const digest = this.index(
      `fallback:${subject}`,
      entries.map((e) => e.digest),
      { descriptor },
    );
    this.tag(`sha256-${subject.slice('sha256:'.length)}`, digest);
    return digest;
  }

  tag(tag: string, digest: string): this {
    this.tags.set(tag, digest);
    return this;
  }

  version(digest: string, createdAt?: string, tags?: string[]): number {
    const id = this.nextVersion++;
    this.versions.push({
      id,
      digest,
      ...(createdAt !== undefined ? { createdAt } : {}),
      ...(tags ? { tags } : {}),
    });
    return id;
  }

  /** GHCR versions for every manifest, with the registry's tags (as GitHub would list them). */
  versionsForAll(createdAt = daysAgo(1)): void {
    for (const m of [...this.manifests].sort((a, b) => (a.digest < b.digest ? -1 : 1))) {
      const tags = [...this.tags].filter(([, d]) => d === m.digest).map(([t]) => t);
      this.version(m.digest, createdAt, tags);
    }
  }

  unread(digest: string, error = 'HTTP 500'): void {
    this.unreadable.push({ digest, error });
  }

  facts(): InventoryFacts {
    return {
      repository: this.repository,
      tags: Object.fromEntries(this.tags),
      manifests: this.manifests,
      configs: this.configs,
      versions: this.versions,
      unreadable: this.unreadable,
      referrers: this.referrers,
    };
  }

  inventory(): Inventory {
    return buildInventory(this.facts());
  }
}

/** A deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The same facts in a different order (arrays shuffled, tag insertion order shuffled). */
export function shuffleFacts(facts: InventoryFacts, rand: () => number): InventoryFacts {
  const tagEntries = facts.tags instanceof Map ? [...facts.tags.entries()] : Object.entries(facts.tags);
  return {
    repository: facts.repository,
    tags: Object.fromEntries(shuffle(tagEntries as [string, string][], rand)),
    manifests: shuffle(facts.manifests ?? [], rand),
    configs: shuffle(facts.configs ?? [], rand),
    versions: shuffle(facts.versions ?? [], rand),
    unreadable: shuffle(facts.unreadable ?? [], rand),
    referrers: shuffle(facts.referrers ?? [], rand),
  };
}
