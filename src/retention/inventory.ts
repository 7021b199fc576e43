/**
 * What a repository holds, as the retention planner sees it: every manifest and index (tagged or
 * not), which tags point where, which manifests belong to which (an index's children, the
 * signatures, attestations and referrers of a subject), the blobs each manifest uses, and how old
 * each one is.
 *
 * {@link buildInventory} is pure: the back-end gathers raw facts (tag listing, fetched manifests,
 * config `created` values, GHCR package versions, referrers answers) and this module turns them
 * into one consistent graph. Nothing here talks to a registry.
 *
 * Links are the heart of it. A link says "`member` lives and dies with `owner`":
 * - `child`: an index (owner) lists a manifest (member) — per-platform images, BuildKit's
 *   `unknown/unknown` attestation manifests, the entries of a referrers index;
 * - `referrer`: a manifest (member) is about a subject (owner) — found through its `subject`
 *   field, the referrers API, a `sha256-<hex>` referrers-fallback tag, or a cosign
 *   `sha256-<hex>.sig|.att|.sbom` tag.
 */
import { ProtocolError } from '../errors.js';
import { isDigest } from '../oci/digest.js';
import { isConfigMediaType } from '../oci/media-types.js';
import type { Descriptor, ParsedManifest } from '../oci/schema.js';

/** How a member relates to its owner, for categories and reasons. */
export type LinkKind = 'child' | 'signature' | 'attestation' | 'sbom' | 'referrer';

export interface Link {
  /** The index, or the subject. */
  owner: string;
  /** The child, or the signature/attestation/referrer. */
  member: string;
  /** `child`: the owner lists the member. `referrer`: the member points at the owner. */
  relation: 'child' | 'referrer';
  kind: LinkKind;
  /** Where the link was learned. */
  via: 'index' | 'subject' | 'referrers-api' | 'fallback-tag' | 'cosign-tag';
  /** The tag that made the link, for the tag-based forms. */
  tag?: string;
}

/**
 * A referrer link whose owner (the subject) is not in the repository: an orphaned signature,
 * attestation or referrer. For a truncated sha512 tag the owner is the prefix, ending in `…`.
 */
export type DanglingLink = Link;

export interface BlobRef {
  digest: string;
  size: number;
}

export type CreatedSource = 'annotation' | 'config' | 'children' | 'registry';

export interface InventoryManifest {
  digest: string;
  /** `unknown`: the content could not be read (see `unreadable`). */
  kind: 'index' | 'manifest' | 'unknown';
  mediaType?: string;
  artifactType?: string;
  /** Size of the manifest document itself, when known. */
  size?: number;
  /** Every tag pointing here according to the registry (sorted), policy and attachment tags. */
  tags: string[];
  /** Config and layers of an image manifest (unique digests); empty for an index. */
  blobs: BlobRef[];
  /** For an index: its entries' digests in document order (unique). */
  children: string[];
  /** The `subject` field, when present. */
  subject?: string;
  /** When the image was made, ISO-8601 (see `createdSource`). */
  created?: string;
  createdSource?: CreatedSource;
  /** GHCR: when the package version was created (first pushed). */
  pushedAt?: string;
  /** GHCR: the package version id, which is what GitHub's API deletes. */
  versionId?: number;
  /**
   * GHCR: tags the package version lists that disagree with the registry (either side has a tag
   * the other lacks). The planner never deletes such a manifest: one of the two views is stale.
   */
  tagMismatch?: string[];
  /** Why the content is unknown (a fetch error, or "not fetched"). */
  unreadable?: string;
}

/** A `sha256-<hex>` or `sha256-<hex>.<suffix>` tag: it belongs to that digest, not to a rule. */
export interface AttachmentTag {
  tag: string;
  /** The manifest the tag points at. */
  digest: string;
  /** The digest the tag names (the subject). */
  subject: string;
  subjectPresent: boolean;
  form: 'fallback' | 'cosign';
  kind: LinkKind;
}

export interface Inventory {
  repository: string;
  /** tag → digest, as the registry answered (sorted by tag). */
  tags: ReadonlyMap<string, string>;
  /** Every known manifest and index, sorted by digest. */
  manifests: ReadonlyMap<string, InventoryManifest>;
  /** Links between manifests that are both present, sorted and de-duplicated. */
  links: readonly Link[];
  /** Referrer links whose subject is absent: orphaned signatures, attestations, referrers. */
  dangling: readonly DanglingLink[];
  /** Child links whose child the repository lacks (the index is already broken). */
  missing: readonly Link[];
  attachmentTags: ReadonlyMap<string, AttachmentTag>;
  warnings: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Raw facts
// ---------------------------------------------------------------------------------------------

export interface ManifestFact {
  digest: string;
  /** Size of the fetched manifest bytes. */
  size?: number;
  manifest: ParsedManifest;
}

export interface ConfigFact {
  digest: string;
  /** The config's `created` field. */
  created?: string | null;
}

/** A GHCR package version: one per manifest digest (`name` in GitHub's API). */
export interface VersionFact {
  id: number;
  digest: string;
  /** `created_at` of the version. */
  createdAt?: string;
  /** `metadata.container.tags`. */
  tags?: readonly string[];
}

export interface UnreadableFact {
  digest: string;
  error: string;
}

/** An answer of the referrers API (or the fallback tag) for one subject. */
export interface ReferrersFact {
  subject: string;
  descriptors: readonly Descriptor[];
}

export interface InventoryFacts {
  repository: string;
  /** Every tag and the digest it resolved to (a Map also accepts a tag named `__proto__`). */
  tags: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /** Every manifest and index fetched: tagged ones, their children, referrers, GHCR versions. */
  manifests?: readonly ManifestFact[];
  /** `created` of the configs the image manifests name. */
  configs?: readonly ConfigFact[];
  /** GHCR package versions, when the repository is on GHCR. */
  versions?: readonly VersionFact[];
  /** Manifests that were listed or referenced but could not be fetched. */
  unreadable?: readonly UnreadableFact[];
  referrers?: readonly ReferrersFact[];
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

export const CREATED_ANNOTATION = 'org.opencontainers.image.created';
const BUILDKIT_REFERENCE_TYPE = 'vnd.docker.reference.type';

/**
 * Reproducible builds stamp 1970-01-01 (ko, nix, jib, rules_oci) or 0001-01-01 (cosign); taking
 * those literally would make every such image decades old. Instants before this are ignored.
 */
const EARLIEST_CREDIBLE = Date.UTC(2000, 0, 1);

/** An ISO-8601 timestamp normalised to `toISOString()`, or undefined when absent or not credible. */
export function credibleTimestamp(value: string | null | undefined): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t) || t < EARLIEST_CREDIBLE) return undefined;
  return new Date(t).toISOString();
}

/** Labels an artifact by its type: cosign, notation, sigstore bundles, in-toto, SPDX, CycloneDX. */
export function classifyArtifactType(type: string | undefined): LinkKind {
  const t = (type ?? '').toLowerCase();
  if (t === '') return 'referrer';
  if (/spdx|cyclonedx|syft|sbom/.test(t)) return 'sbom';
  if (/in-toto|intoto|slsa|provenance|attestation|vuln|openvex|\.att\b/.test(t)) return 'attestation';
  if (/cosign|sigstore|notary|notation|signature|\.sig\b/.test(t)) return 'signature';
  return 'referrer';
}

/** The entries of a tag → digest map given as a Map or as a plain record. */
export function tagMapEntries(
  tags: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
): [string, string][] {
  const isMap = (t: typeof tags): t is ReadonlyMap<string, string> => t instanceof Map;
  return isMap(tags) ? [...tags.entries()] : Object.entries(tags);
}

const ATTACHMENT_TAG = /^(sha256|sha512)-([0-9a-f]{64})(?:\.([A-Za-z0-9_-]+))?$/;

/** Parses `sha256-<hex>` (referrers fallback) and `sha256-<hex>.sig|.att|.sbom` (cosign) tags. */
export function parseAttachmentTag(
  tag: string,
): { algorithm: 'sha256' | 'sha512'; hex: string; suffix?: string } | undefined {
  const m = ATTACHMENT_TAG.exec(tag);
  if (!m) return undefined;
  return m[3] === undefined
    ? { algorithm: m[1] as 'sha256' | 'sha512', hex: m[2]! }
    : { algorithm: m[1] as 'sha256' | 'sha512', hex: m[2]!, suffix: m[3] };
}

function suffixKind(suffix: string | undefined): LinkKind {
  switch (suffix) {
    case undefined:
      return 'referrer';
    case 'sig':
      return 'signature';
    case 'att':
      return 'attestation';
    case 'sbom':
      return 'sbom';
    default:
      return classifyArtifactType(suffix);
  }
}

function descriptorKind(d: Descriptor): LinkKind {
  if (d.annotations?.[BUILDKIT_REFERENCE_TYPE] === 'attestation-manifest') return 'attestation';
  if (d.artifactType !== undefined) return classifyArtifactType(d.artifactType);
  return 'child';
}

function requireDigest(value: string, what: string): string {
  if (!isDigest(value)) throw new ProtocolError(`${what}: "${value}" is not a digest`);
  return value;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const VIA_RANK: Record<Link['via'], number> = {
  index: 0,
  subject: 1,
  'referrers-api': 2,
  'fallback-tag': 3,
  'cosign-tag': 4,
};

function compareLinks(a: Link, b: Link): number {
  return (
    compare(a.owner, b.owner) ||
    compare(a.member, b.member) ||
    compare(a.relation, b.relation) ||
    VIA_RANK[a.via] - VIA_RANK[b.via] ||
    compare(a.tag ?? '', b.tag ?? '')
  );
}

// ---------------------------------------------------------------------------------------------
// Builder
// ---------------------------------------------------------------------------------------------

/**
 * Builds the inventory from raw facts. The result does not depend on the order of the facts.
 * Every digest named by a tag, a GHCR version or an unreadable fact becomes a manifest; one whose
 * content was neither fetched nor reported unreadable is `unknown` ("not fetched"), which the
 * planner treats as a reason to hold rather than guess.
 */
export function buildInventory(facts: InventoryFacts): Inventory {
  const warnings: string[] = [];

  // tag → digest, sorted.
  const tagEntries = tagMapEntries(facts.tags)
    .map(([tag, digest]) => [tag, requireDigest(digest, `tag ${tag}`)] as const)
    .sort((a, b) => compare(a[0], b[0]));
  const tags = new Map<string, string>(tagEntries);

  const fetched = new Map<string, ManifestFact>();
  for (const f of [...(facts.manifests ?? [])].sort((a, b) => compare(a.digest, b.digest))) {
    requireDigest(f.digest, 'manifest');
    if (!fetched.has(f.digest)) fetched.set(f.digest, f);
  }
  const unreadable = new Map<string, string>();
  for (const u of facts.unreadable ?? []) {
    requireDigest(u.digest, 'unreadable manifest');
    if (!fetched.has(u.digest)) {
      const prev = unreadable.get(u.digest);
      unreadable.set(u.digest, prev === undefined || u.error < prev ? u.error : prev);
    }
  }
  const versions = new Map<string, VersionFact>();
  for (const v of [...(facts.versions ?? [])].sort((a, b) => a.id - b.id)) {
    requireDigest(v.digest, `package version ${v.id}`);
    if (versions.has(v.digest)) {
      warnings.push(`GHCR lists ${v.digest} twice (versions ${versions.get(v.digest)!.id} and ${v.id})`);
      continue;
    }
    versions.set(v.digest, v);
  }
  const configCreated = new Map<string, string | undefined>();
  for (const c of facts.configs ?? []) {
    const ts = credibleTimestamp(c.created);
    if (!configCreated.has(c.digest) || (ts !== undefined && configCreated.get(c.digest) === undefined))
      configCreated.set(c.digest, ts);
  }

  // The node set.
  const digests = new Set<string>([
    ...fetched.keys(),
    ...unreadable.keys(),
    ...versions.keys(),
    ...tags.values(),
  ]);
  const tagsByDigest = new Map<string, string[]>();
  for (const [tag, digest] of tags) {
    const list = tagsByDigest.get(digest) ?? [];
    list.push(tag);
    tagsByDigest.set(digest, list);
  }

  const manifests = new Map<string, InventoryManifest>();
  for (const digest of [...digests].sort(compare)) {
    const fact = fetched.get(digest);
    const version = versions.get(digest);
    const node: InventoryManifest = {
      digest,
      kind: fact ? fact.manifest.kind : 'unknown',
      tags: tagsByDigest.get(digest) ?? [],
      blobs: [],
      children: [],
    };
    if (fact) {
      node.mediaType = fact.manifest.mediaType;
      if (fact.size !== undefined) node.size = fact.size;
      if (fact.manifest.kind === 'index') {
        const idx = fact.manifest.index;
        if (idx.artifactType !== undefined) node.artifactType = idx.artifactType;
        if (idx.subject) node.subject = idx.subject.digest;
        node.children = [...new Set(idx.manifests.map((d) => d.digest))];
      } else {
        const man = fact.manifest.manifest;
        const artifactType =
          man.artifactType ?? (isConfigMediaType(man.config.mediaType) ? undefined : man.config.mediaType);
        if (artifactType !== undefined) node.artifactType = artifactType;
        if (man.subject) node.subject = man.subject.digest;
        const seen = new Set<string>();
        for (const d of [man.config, ...man.layers]) {
          if (seen.has(d.digest)) continue;
          seen.add(d.digest);
          node.blobs.push({ digest: d.digest, size: d.size });
        }
      }
    } else {
      node.unreadable = unreadable.get(digest) ?? 'not fetched';
    }
    if (version) {
      node.versionId = version.id;
      const pushed = credibleTimestamp(version.createdAt);
      if (pushed !== undefined) node.pushedAt = pushed;
      if (version.tags) {
        const ghcr = new Set(version.tags);
        const registry = new Set(node.tags);
        const mismatch = [...new Set([...ghcr, ...registry])].filter((t) => ghcr.has(t) !== registry.has(t));
        if (mismatch.length > 0) {
          node.tagMismatch = mismatch.sort(compare);
          warnings.push(
            `GHCR version ${version.id} (${digest}) and the registry disagree about tags ${node.tagMismatch.join(', ')}`,
          );
        }
      }
    }
    manifests.set(digest, node);
  }

  // Links.
  const links: Link[] = [];
  const dangling: DanglingLink[] = [];
  const addLink = (link: Link): void => {
    if (!manifests.has(link.member)) return; // nothing of ours to keep or delete
    if (manifests.has(link.owner)) links.push(link);
    else dangling.push(link);
  };
  const missing: Link[] = [];

  for (const fact of fetched.values()) {
    const digest = fact.digest;
    if (fact.manifest.kind === 'index') {
      for (const d of fact.manifest.index.manifests) {
        const link: Link = {
          owner: digest,
          member: d.digest,
          relation: 'child',
          kind: descriptorKind(d),
          via: 'index',
        };
        if (manifests.has(d.digest)) links.push(link);
        else missing.push(link);
      }
    }
    const node = manifests.get(digest)!;
    if (node.subject !== undefined) {
      addLink({
        owner: node.subject,
        member: digest,
        relation: 'referrer',
        kind: classifyArtifactType(node.artifactType),
        via: 'subject',
      });
    }
  }
  for (const r of facts.referrers ?? []) {
    requireDigest(r.subject, 'referrers subject');
    for (const d of r.descriptors) {
      addLink({
        owner: r.subject,
        member: d.digest,
        relation: 'referrer',
        kind: classifyArtifactType(d.artifactType),
        via: 'referrers-api',
      });
    }
  }

  // Attachment tags.
  const attachmentTags = new Map<string, AttachmentTag>();
  for (const [tag, digest] of tags) {
    const parsed = parseAttachmentTag(tag);
    if (!parsed) continue;
    let subject = `${parsed.algorithm}:${parsed.hex}`;
    if (parsed.algorithm === 'sha512') {
      // The tag schema truncates to 64 hex digits: find the one digest with that prefix.
      const candidates = [...manifests.keys()].filter((d) => d.startsWith(subject));
      subject = candidates.length === 1 ? candidates[0]! : `${subject}…`;
    }
    const kind = suffixKind(parsed.suffix);
    const form = parsed.suffix === undefined ? 'fallback' : 'cosign';
    attachmentTags.set(tag, { tag, digest, subject, subjectPresent: manifests.has(subject), form, kind });
    addLink({
      owner: subject,
      member: digest,
      relation: 'referrer',
      kind,
      via: form === 'fallback' ? 'fallback-tag' : 'cosign-tag',
      tag,
    });
  }

  // Sort and de-duplicate (one link per owner, member and relation; the most direct source wins).
  const dedupe = (list: Link[]): Link[] => {
    list.sort(compareLinks);
    const out: Link[] = [];
    for (const l of list) {
      const last = out[out.length - 1];
      if (last && last.owner === l.owner && last.member === l.member && last.relation === l.relation) {
        // Prefer a specific kind over the generic ones learned from a bare index or subject.
        if (
          (last.kind === 'child' || last.kind === 'referrer') &&
          l.kind !== 'child' &&
          l.kind !== 'referrer'
        ) {
          out[out.length - 1] = { ...last, kind: l.kind };
        }
        continue;
      }
      out.push(l);
    }
    return out;
  };
  const sortedLinks = dedupe(links);
  const sortedDangling = dedupe(dangling);
  const sortedMissing = dedupe(missing);
  for (const l of sortedMissing) {
    warnings.push(`index ${l.owner} lists ${l.member}, which is not in the repository`);
  }

  // Ages: annotation, else config, else (index) the newest child, else the GHCR version.
  const imageCreated = new Map<string, { at: string; source: CreatedSource } | null>();
  const childrenOf = new Map<string, string[]>();
  for (const l of sortedLinks) {
    if (l.relation !== 'child') continue;
    const list = childrenOf.get(l.owner) ?? [];
    list.push(l.member);
    childrenOf.set(l.owner, list);
  }
  const visiting = new Set<string>();
  const ageOf = (digest: string): { at: string; source: CreatedSource } | null => {
    const memo = imageCreated.get(digest);
    if (memo !== undefined) return memo;
    if (visiting.has(digest)) return null;
    visiting.add(digest);
    let result: { at: string; source: CreatedSource } | null = null;
    const fact = fetched.get(digest);
    if (fact) {
      const doc = fact.manifest.kind === 'index' ? fact.manifest.index : fact.manifest.manifest;
      const annotated = credibleTimestamp(doc.annotations?.[CREATED_ANNOTATION]);
      if (annotated !== undefined) result = { at: annotated, source: 'annotation' };
      else if (fact.manifest.kind === 'manifest') {
        const c = configCreated.get(fact.manifest.manifest.config.digest);
        if (c !== undefined) result = { at: c, source: 'config' };
      } else {
        let newest: string | undefined;
        for (const child of childrenOf.get(digest) ?? []) {
          const a = ageOf(child);
          if (a && (newest === undefined || a.at > newest)) newest = a.at;
        }
        if (newest !== undefined) result = { at: newest, source: 'children' };
      }
    }
    visiting.delete(digest);
    imageCreated.set(digest, result);
    return result;
  };
  for (const node of manifests.values()) {
    const a = ageOf(node.digest);
    if (a) {
      node.created = a.at;
      node.createdSource = a.source;
    } else if (node.pushedAt !== undefined) {
      node.created = node.pushedAt;
      node.createdSource = 'registry';
    }
  }

  return {
    repository: facts.repository,
    tags,
    manifests,
    links: sortedLinks,
    dangling: sortedDangling,
    missing: sortedMissing,
    attachmentTags,
    warnings: warnings.sort(compare),
  };
}
