import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { MediaType } from '../../../src/oci/media-types.js';
import {
  buildInventory,
  classifyArtifactType,
  credibleTimestamp,
  parseAttachmentTag,
  type Inventory,
  type Link,
} from '../../../src/retention/inventory.js';
import { RepoBuilder, daysAgo, dg, prng, shuffleFacts } from './fixtures.js';

const linkOf = (links: readonly Link[], owner: string, member: string): Link | undefined =>
  links.find((l) => l.owner === owner && l.member === member);

describe('helpers', () => {
  it.each([
    ['application/vnd.dev.cosign.simplesigning.v1+json', 'signature'],
    ['application/vnd.dev.sigstore.bundle.v0.3+json', 'signature'],
    ['application/vnd.cncf.notary.signature', 'signature'],
    ['application/vnd.in-toto+json', 'attestation'],
    ['https://slsa.dev/provenance/v1', 'attestation'],
    ['application/spdx+json', 'sbom'],
    ['application/vnd.cyclonedx+json', 'sbom'],
    ['application/vnd.example.thing', 'referrer'],
    [undefined, 'referrer'],
  ])('classifyArtifactType(%s) = %s', (type, kind) => {
    expect(classifyArtifactType(type)).toBe(kind);
  });

  it('parseAttachmentTag', () => {
    const hex = 'a'.repeat(64);
    expect(parseAttachmentTag(`sha256-${hex}`)).toEqual({ algorithm: 'sha256', hex });
    expect(parseAttachmentTag(`sha256-${hex}.sig`)).toEqual({ algorithm: 'sha256', hex, suffix: 'sig' });
    expect(parseAttachmentTag(`sha512-${hex}.att`)).toEqual({ algorithm: 'sha512', hex, suffix: 'att' });
    expect(parseAttachmentTag(`sha256-${hex.slice(1)}`)).toBeUndefined();
    expect(parseAttachmentTag(`sha256-${'A'.repeat(64)}`)).toBeUndefined();
    expect(parseAttachmentTag('sha-0123456')).toBeUndefined();
    expect(parseAttachmentTag(`x-sha256-${hex}`)).toBeUndefined();
  });

  it('credibleTimestamp ignores reproducible-build epochs and junk', () => {
    expect(credibleTimestamp('2024-05-01T10:00:00+02:00')).toBe('2024-05-01T08:00:00.000Z');
    expect(credibleTimestamp('1970-01-01T00:00:00Z')).toBeUndefined();
    expect(credibleTimestamp('1980-01-01T00:00:01Z')).toBeUndefined();
    expect(credibleTimestamp('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(credibleTimestamp('not a date')).toBeUndefined();
    expect(credibleTimestamp('')).toBeUndefined();
    expect(credibleTimestamp(null)).toBeUndefined();
  });
});

describe('buildInventory', () => {
  it('maps tags to digests and digests to their tags', () => {
    const r = new RepoBuilder();
    const a = r.image('a', { age: 1 });
    r.tag('v1.0.0', a).tag('latest', a);
    const inv = r.inventory();
    expect([...inv.tags.keys()]).toEqual(['latest', 'v1.0.0']);
    expect(inv.manifests.get(a)!.tags).toEqual(['latest', 'v1.0.0']);
    expect(inv.manifests.get(a)!.kind).toBe('manifest');
    expect(inv.repository).toBe('ghcr.io/acme/app');
  });

  it('records blobs (config + layers, unique) and sizes', () => {
    const r = new RepoBuilder();
    const a = r.image('a', {
      layers: [
        ['base', 10],
        ['app', 20],
        ['base', 10],
      ],
      configSize: 7,
      size: 900,
    });
    const node = r.inventory().manifests.get(a)!;
    expect(node.size).toBe(900);
    expect(node.blobs).toEqual([
      { digest: dg('a:config'), size: 7 },
      { digest: dg('blob:base'), size: 10 },
      { digest: dg('blob:app'), size: 20 },
    ]);
  });

  it('links an index to its children, labelling BuildKit attestations', () => {
    const r = new RepoBuilder();
    const { index, children } = r.multiArch('app', 3, ['amd64', 'arm64', 'arm'], { attestation: true });
    const inv = r.inventory();
    expect(inv.manifests.get(index)!.children).toEqual(children);
    for (const c of children.slice(0, 3)) {
      expect(linkOf(inv.links, index, c)).toMatchObject({ relation: 'child', kind: 'child', via: 'index' });
    }
    expect(linkOf(inv.links, index, children[3]!)).toMatchObject({ relation: 'child', kind: 'attestation' });
  });

  it('links OCI referrers through their subject field', () => {
    const r = new RepoBuilder();
    const img = r.image('img', { age: 1 });
    const sig = r.referrer(img, 'sig', 'application/vnd.dev.sigstore.bundle.v0.3+json');
    const sbom = r.referrer(img, 'sbom', 'application/spdx+json');
    const inv = r.inventory();
    expect(linkOf(inv.links, img, sig)).toMatchObject({
      relation: 'referrer',
      kind: 'signature',
      via: 'subject',
    });
    expect(linkOf(inv.links, img, sbom)).toMatchObject({ relation: 'referrer', kind: 'sbom' });
    expect(inv.manifests.get(sig)!.subject).toBe(img);
    expect(inv.manifests.get(sig)!.artifactType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
  });

  it('takes an artifact type from a non-image config media type', () => {
    const r = new RepoBuilder();
    const img = r.image('img');
    const art = r.image('art', { subject: img, configMediaType: 'application/vnd.cyclonedx+json' });
    const inv = r.inventory();
    expect(inv.manifests.get(art)!.artifactType).toBe('application/vnd.cyclonedx+json');
    expect(linkOf(inv.links, img, art)!.kind).toBe('sbom');
  });

  it('recognises cosign tags and the referrers fallback tag', () => {
    const r = new RepoBuilder();
    const img = r.image('img', { age: 1 });
    r.tag('v1.0.0', img);
    const sig = r.cosign(img, 'sig');
    const att = r.cosign(img, 'att');
    const sbom = r.cosign(img, 'sbom');
    const entry = r.referrer(img, 'prov', 'application/vnd.in-toto+json');
    const fb = r.fallbackIndex(img, [{ digest: entry, artifactType: 'application/vnd.in-toto+json' }]);
    const inv = r.inventory();
    const hex = img.slice(7);
    expect(inv.attachmentTags.get(`sha256-${hex}.sig`)).toEqual({
      tag: `sha256-${hex}.sig`,
      digest: sig,
      subject: img,
      subjectPresent: true,
      form: 'cosign',
      kind: 'signature',
    });
    expect(linkOf(inv.links, img, sig)).toMatchObject({
      kind: 'signature',
      via: 'cosign-tag',
      tag: `sha256-${hex}.sig`,
    });
    expect(linkOf(inv.links, img, att)!.kind).toBe('attestation');
    expect(linkOf(inv.links, img, sbom)!.kind).toBe('sbom');
    expect(linkOf(inv.links, img, fb)).toMatchObject({
      kind: 'referrer',
      via: 'fallback-tag',
      relation: 'referrer',
    });
    // The fallback index lists the entry (child link, kind from its artifactType) and the entry
    // names the image as subject.
    expect(linkOf(inv.links, fb, entry)).toMatchObject({ relation: 'child', kind: 'attestation' });
    expect(linkOf(inv.links, img, entry)).toMatchObject({ relation: 'referrer', via: 'subject' });
    expect(inv.attachmentTags.get(`sha256-${hex}`)!.form).toBe('fallback');
  });

  it('records signatures whose subject is absent as dangling', () => {
    const r = new RepoBuilder();
    const gone = dg('gone');
    const sig = r.cosign(gone, 'sig');
    const ref = r.referrer(gone, 'ref', 'application/vnd.in-toto+json');
    const inv = r.inventory();
    expect(inv.links).toEqual([]);
    expect(inv.dangling.map((l) => [l.owner, l.member, l.via])).toEqual(
      [
        [gone, sig, 'cosign-tag'],
        [gone, ref, 'subject'],
      ].sort((a, b) => (a[1]! < b[1]! ? -1 : 1)),
    );
    expect(inv.attachmentTags.get(`sha256-${gone.slice(7)}.sig`)!.subjectPresent).toBe(false);
  });

  it('adds referrers API answers as links and de-duplicates them', () => {
    const r = new RepoBuilder();
    const img = r.image('img');
    const sig = r.referrer(img, 'sig', 'application/vnd.example');
    r.referrers.push({
      subject: img,
      descriptors: [
        {
          mediaType: MediaType.OciManifest,
          digest: sig,
          size: 1,
          artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
        },
        { mediaType: MediaType.OciManifest, digest: dg('never-fetched'), size: 1 },
      ],
    });
    const inv = r.inventory();
    const found = inv.links.filter((l) => l.owner === img && l.member === sig);
    expect(found).toHaveLength(1);
    // The subject link is the more direct source; the API's more specific kind is kept.
    expect(found[0]).toMatchObject({ via: 'subject', kind: 'signature' });
    expect(inv.manifests.has(dg('never-fetched'))).toBe(false);
  });

  it('reports children an index lists but the repository lacks', () => {
    const r = new RepoBuilder();
    const a = r.image('a');
    const idx = r.index('idx', [a, dg('lost')]);
    const inv = r.inventory();
    expect(inv.missing).toEqual([
      { owner: idx, member: dg('lost'), relation: 'child', kind: 'child', via: 'index' },
    ]);
    expect(inv.warnings.some((w) => w.includes(dg('lost')))).toBe(true);
  });

  describe('ages', () => {
    it('annotation, else config, else the newest child, else the GHCR version', () => {
      const r = new RepoBuilder();
      const annotated = r.image('annotated', { age: 50, annotatedAge: 5 });
      const configured = r.image('configured', { age: 7 });
      const c1 = r.image('c1', { age: 9 });
      const c2 = r.image('c2', { age: 4 });
      const idx = r.index('idx', [c1, c2]);
      const idxAnnotated = r.index('idx2', [c1], { annotatedAge: 2 });
      const nested = r.index('nested', [idx, c1]);
      const epoch = r.image('epoch', { configCreated: '1970-01-01T00:00:00Z' });
      r.version(epoch, daysAgo(3));
      const nothing = r.image('nothing', { configCreated: null });
      const inv = r.inventory();
      const m = (d: string) => inv.manifests.get(d)!;
      expect(m(annotated)).toMatchObject({ created: daysAgo(5), createdSource: 'annotation' });
      expect(m(configured)).toMatchObject({ created: daysAgo(7), createdSource: 'config' });
      expect(m(idx)).toMatchObject({ created: daysAgo(4), createdSource: 'children' });
      expect(m(idxAnnotated)).toMatchObject({ created: daysAgo(2), createdSource: 'annotation' });
      expect(m(nested)).toMatchObject({ created: daysAgo(4), createdSource: 'children' });
      expect(m(epoch)).toMatchObject({
        created: daysAgo(3),
        createdSource: 'registry',
        pushedAt: daysAgo(3),
      });
      expect(m(nothing).created).toBeUndefined();
    });
  });

  describe('GHCR versions', () => {
    it('attach version ids and push times; unfetched versions are unknown', () => {
      const r = new RepoBuilder();
      const a = r.image('a', { age: 2 });
      r.tag('main', a);
      const id = r.version(a, daysAgo(1), ['main']);
      const ghost = dg('ghost');
      r.version(ghost, daysAgo(9), []);
      const broken = dg('broken');
      r.unread(broken, 'HTTP 500 Internal Server Error');
      const inv = r.inventory();
      expect(inv.manifests.get(a)).toMatchObject({
        versionId: id,
        pushedAt: daysAgo(1),
        created: daysAgo(2),
      });
      expect(inv.manifests.get(a)!.tagMismatch).toBeUndefined();
      expect(inv.manifests.get(ghost)).toMatchObject({
        kind: 'unknown',
        unreadable: 'not fetched',
        created: daysAgo(9),
        createdSource: 'registry',
      });
      expect(inv.manifests.get(broken)).toMatchObject({
        kind: 'unknown',
        unreadable: 'HTTP 500 Internal Server Error',
      });
    });

    it('record disagreements between GHCR and the registry about tags', () => {
      const r = new RepoBuilder();
      const a = r.image('a');
      const b = r.image('b');
      r.tag('main', a).tag('v1.0.0', b);
      r.version(a, daysAgo(1), ['main', 'old']);
      r.version(b, daysAgo(1), []);
      const inv = r.inventory();
      expect(inv.manifests.get(a)!.tagMismatch).toEqual(['old']);
      expect(inv.manifests.get(b)!.tagMismatch).toEqual(['v1.0.0']);
      expect(inv.warnings).toHaveLength(2);
    });
  });

  it('refuses a fact that is not a digest', () => {
    expect(() => buildInventory({ repository: 'r', tags: { latest: 'sha256:nope' } })).toThrow(ProtocolError);
    expect(() =>
      buildInventory({ repository: 'r', tags: {}, versions: [{ id: 1, digest: 'md5:abc' }] }),
    ).toThrow(ProtocolError);
  });

  it('accepts a Map of tags, including one named __proto__', () => {
    const a = dg('a');
    const inv = buildInventory({ repository: 'r', tags: new Map([['__proto__', a]]) });
    expect(inv.tags.get('__proto__')).toBe(a);
    expect(inv.manifests.get(a)!.tags).toEqual(['__proto__']);
  });

  it('does not depend on the order of the facts', () => {
    const r = new RepoBuilder();
    const { index } = r.multiArch('app', 3, ['amd64', 'arm64'], { attestation: true });
    r.tag('v1.0.0', index).tag('latest', index);
    r.cosign(index);
    r.referrer(index, 'ref', 'application/spdx+json');
    r.versionsForAll();
    const facts = r.facts();
    // Serialised with Map entries in iteration order, so the order itself is compared.
    const ser = (inv: Inventory): string =>
      JSON.stringify({
        ...inv,
        tags: [...inv.tags],
        manifests: [...inv.manifests],
        attachmentTags: [...inv.attachmentTags],
      });
    const base = ser(buildInventory(facts));
    const rand = prng(42);
    for (let i = 0; i < 10; i++) {
      expect(ser(buildInventory(shuffleFacts(facts, rand)))).toBe(base);
    }
  });
});
