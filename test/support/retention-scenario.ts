/**
 * The retention scenario of the README ("Must show"), as data: what a repository holds at NOW and
 * what the default policy must delete and keep. Shared by the tests that run it against a plain
 * registry and against the GitHub Packages simulator.
 *
 * Semver releases, main/develop/PR/cache tags of various ages (config `created`), a 3-platform
 * index with untagged children (tagged `1.2.0` and `latest`), an expired 2-platform PR index
 * sharing one child with it, cosign-style `sha256-<hex>.sig` signatures of a kept and of a deleted
 * image, OCI referrers (with `subject`) behind `sha256-<hex>` fallback index tags on a kept and on
 * a deleted image, and one digest tagged `2.0.0` (release) and `pr-7` (pr).
 */
import {
  makeArtifact,
  makeImage,
  makeIndex,
  makeLayer,
  type Image,
  type ImageOrIndex,
  type Layer,
} from './fixtures.js';

export const NOW = '2025-06-01T00:00:00Z';
const DAY = 86_400_000;
export const daysAgo = (d: number): string => new Date(Date.parse(NOW) - d * DAY).toISOString();
const hexOf = (d: string): string => d.slice('sha256:'.length);

export interface ScenarioSeed {
  tag: string;
  image: ImageOrIndex;
  /** When it was pushed, days before NOW (the age of what it is attached to for artifacts). */
  ageDays: number;
}

export interface RetentionScenario {
  seeds: ScenarioSeed[];
  /** digest → what it is, for readable assertion messages. */
  expectedDeleted: Map<string, string>;
  expectedKept: Map<string, string>;
  deletedTags: Set<string>;
  keptTags: string[];
  /** Digests that must be deleted before others (deletion order): [first, then]. */
  orderPairs: [string, string][];
  /** The digest tagged both `2.0.0` and `pr-7`. */
  twoCategories: string;
}

/** A fresh scenario; `salt` makes its content unique so two runs never share digests. */
export function retentionScenario(salt = ''): RetentionScenario {
  const base: Layer = makeLayer({ '/etc/base-release': `shared base layer${salt}\n`.repeat(200) });
  const image = (name: string, ageDays: number, architecture = 'amd64', variant?: string): Image =>
    makeImage({
      architecture,
      ...(variant ? { variant } : {}),
      config: { created: daysAgo(ageDays) },
      layers: [base, makeLayer({ [`/app/${name}`]: `${name}${salt}\n`.repeat(50) })],
    });
  const cosignSignature = (subject: ImageOrIndex): Image =>
    makeArtifact({
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
      blobs: [
        {
          data: JSON.stringify({ critical: { image: { 'docker-manifest-digest': subject.digest } } }),
          mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
        },
      ],
    });
  const sbomReferrer = (subject: ImageOrIndex): Image =>
    makeArtifact({
      subject,
      artifactType: 'application/spdx+json',
      blobs: [
        {
          data: JSON.stringify({ spdxVersion: 'SPDX-2.3', name: subject.digest }),
          mediaType: 'application/spdx+json',
        },
      ],
    });

  const rel100 = image('1.0.0', 400);
  const rel110 = image('v1.1.0', 200);
  const amd64 = image('1.2.0-amd64', 10);
  const arm64 = image('1.2.0-arm64', 10, 'arm64');
  const armv7 = image('1.2.0-armv7', 10, 'arm', 'v7');
  const multi = makeIndex([amd64, arm64, armv7]);
  const main = image('main', 5);
  const mainOld = image('main-abc1234', 100);
  const shaOld = image('sha-deadbee', 120);
  const develop = image('develop', 10);
  const developOld = image('develop-old', 45);
  const pr1 = image('pr-1', 3);
  const pr2 = image('pr-2', 20);
  const pr3arm = image('pr-3-arm64', 30, 'arm64');
  const pr3 = makeIndex([amd64, pr3arm]); // shares the amd64 child with the kept 1.2.0 index
  const buildcache = image('buildcache', 2);
  const cacheFresh = image('cache-fresh', 2 / 24);
  const twoCategories = image('2.0.0', 30);
  const sigKept = cosignSignature(rel100);
  const sigDeleted = cosignSignature(pr2);
  const sbomKept = sbomReferrer(rel100);
  const fallbackKept = makeIndex([sbomKept]);
  const sbomDeleted = sbomReferrer(shaOld);
  const fallbackDeleted = makeIndex([sbomDeleted]);

  const seeds: ScenarioSeed[] = [
    { tag: '1.0.0', image: rel100, ageDays: 400 },
    { tag: 'v1.1.0', image: rel110, ageDays: 200 },
    { tag: '1.2.0', image: multi, ageDays: 10 },
    { tag: 'latest', image: multi, ageDays: 10 },
    { tag: 'main', image: main, ageDays: 5 },
    { tag: 'main-abc1234', image: mainOld, ageDays: 100 },
    { tag: 'sha-deadbee', image: shaOld, ageDays: 120 },
    { tag: 'develop', image: develop, ageDays: 10 },
    { tag: 'develop-old', image: developOld, ageDays: 45 },
    { tag: 'pr-1', image: pr1, ageDays: 3 },
    { tag: 'pr-2', image: pr2, ageDays: 20 },
    { tag: 'pr-3', image: pr3, ageDays: 30 },
    { tag: 'buildcache', image: buildcache, ageDays: 2 },
    { tag: 'cache-fresh', image: cacheFresh, ageDays: 2 / 24 },
    { tag: '2.0.0', image: twoCategories, ageDays: 30 },
    { tag: 'pr-7', image: twoCategories, ageDays: 30 },
    { tag: `sha256-${hexOf(rel100.digest)}.sig`, image: sigKept, ageDays: 400 },
    { tag: `sha256-${hexOf(pr2.digest)}.sig`, image: sigDeleted, ageDays: 20 },
    { tag: `sha256-${hexOf(rel100.digest)}`, image: fallbackKept, ageDays: 400 },
    { tag: `sha256-${hexOf(shaOld.digest)}`, image: fallbackDeleted, ageDays: 120 },
  ];
  const expectedDeleted = new Map<string, string>([
    [mainOld.digest, 'main-abc1234'],
    [shaOld.digest, 'sha-deadbee'],
    [developOld.digest, 'develop-old'],
    [pr2.digest, 'pr-2'],
    [pr3.digest, 'pr-3 index'],
    [pr3arm.digest, 'pr-3 arm64 child'],
    [buildcache.digest, 'buildcache'],
    [sigDeleted.digest, 'signature of pr-2'],
    [fallbackDeleted.digest, 'fallback index of sha-deadbee'],
    [sbomDeleted.digest, 'SBOM referrer of sha-deadbee'],
  ]);
  const expectedKept = new Map<string, string>([
    [rel100.digest, '1.0.0'],
    [rel110.digest, 'v1.1.0'],
    [multi.digest, '1.2.0/latest'],
    [amd64.digest, 'amd64 child'],
    [arm64.digest, 'arm64 child'],
    [armv7.digest, 'arm/v7 child'],
    [main.digest, 'main'],
    [develop.digest, 'develop'],
    [pr1.digest, 'pr-1'],
    [cacheFresh.digest, 'cache-fresh'],
    [twoCategories.digest, '2.0.0 + pr-7'],
    [sigKept.digest, 'signature of 1.0.0'],
    [fallbackKept.digest, 'fallback index of 1.0.0'],
    [sbomKept.digest, 'SBOM referrer of 1.0.0'],
  ]);
  const deletedTags = new Set([
    'main-abc1234',
    'sha-deadbee',
    'develop-old',
    'pr-2',
    'pr-3',
    'buildcache',
    `sha256-${hexOf(pr2.digest)}.sig`,
    `sha256-${hexOf(shaOld.digest)}`,
  ]);
  return {
    seeds,
    expectedDeleted,
    expectedKept,
    deletedTags,
    keptTags: seeds.map((s) => s.tag).filter((t) => !deletedTags.has(t)),
    // Owners first: a subject before its signature and referrers, an index before its children.
    orderPairs: [
      [pr2.digest, sigDeleted.digest],
      [fallbackDeleted.digest, sbomDeleted.digest],
      [shaOld.digest, fallbackDeleted.digest],
      [pr3.digest, pr3arm.digest],
    ],
    twoCategories: twoCategories.digest,
  };
}
