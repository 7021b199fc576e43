/**
 * The CI run the demo pretends to be: GitHub Actions building the release tag v1.4.2 of the
 * default branch's head commit, with the tag rules most publish workflows use. The tags and
 * labels come from the metadata-action engine (src/meta/), fed this context instead of a real
 * workflow's environment. Pure.
 */
import {
  computeMeta,
  keyValuesToObject,
  readSwitches,
  type MetaContext,
  type MetaResult,
} from '../meta/index.js';

export const SAMPLE_OWNER = 'example';
export const SAMPLE_REPOSITORY = 'shop';
export const SAMPLE_SHA = '0c6f2f4e8d1b5a7c9e3f2a1b4c5d6e7f8a9b0c1d';
/** 2025-06-01T12:00:00Z: every "created" date of the build, so the bytes never change. */
export const SAMPLE_SOURCE_DATE_EPOCH = '1748779200';

/** The `tags:` input of the sample workflow's metadata-action step. */
export const SAMPLE_TAG_RULES: readonly string[] = [
  'type=semver,pattern={{version}}',
  'type=semver,pattern={{major}}.{{minor}}',
  'type=ref,event=branch',
  'type=sha',
];

/** What GitHub Actions would say for `git push origin v1.4.2`. */
export function sampleCiContext(): MetaContext {
  const htmlUrl = `https://github.com/${SAMPLE_OWNER}/${SAMPLE_REPOSITORY}`;
  return {
    eventName: 'push',
    ref: 'refs/tags/v1.4.2',
    sha: SAMPLE_SHA,
    payload: {
      ref: 'refs/tags/v1.4.2',
      base_ref: 'refs/heads/main',
      repository: {
        name: SAMPLE_REPOSITORY,
        full_name: `${SAMPLE_OWNER}/${SAMPLE_REPOSITORY}`,
        html_url: htmlUrl,
        description: 'sample shop: backend, frontend and auth',
        default_branch: 'main',
        license: { spdx_id: 'MIT' },
      },
    },
    repo: {
      name: SAMPLE_REPOSITORY,
      description: 'sample shop: backend, frontend and auth',
      htmlUrl,
      license: 'MIT',
      defaultBranch: 'main',
    },
    repository: `${SAMPLE_OWNER}/${SAMPLE_REPOSITORY}`,
    serverUrl: 'https://github.com',
    source: 'injected',
  };
}

/** The image name a service is published under (`ghcr.io/example/backend`). */
export const sampleImageName = (service: string): string => `ghcr.io/${SAMPLE_OWNER}/${service}`;

export interface SampleMeta {
  /** When the build happened (SOURCE_DATE_EPOCH). */
  created: Date;
  meta: MetaResult;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Tags, labels and annotations for one service, as the workflow's metadata-action step computes them. */
export function sampleMeta(service: string, description: string): SampleMeta {
  const switches = readSwitches({ SOURCE_DATE_EPOCH: SAMPLE_SOURCE_DATE_EPOCH });
  const created = switches.now!;
  const meta = computeMeta(
    {
      images: [sampleImageName(service)],
      tags: SAMPLE_TAG_RULES,
      labels: [
        `org.opencontainers.image.title=${service}`,
        `org.opencontainers.image.description=${description}`,
      ],
      annotations: [
        `org.opencontainers.image.title=${service}`,
        `org.opencontainers.image.description=${description}`,
      ],
    },
    sampleCiContext(),
    { now: created, shortShaLength: switches.shortShaLength },
  );
  return {
    created,
    meta,
    labels: keyValuesToObject(meta.labels),
    annotations: keyValuesToObject(meta.annotations),
  };
}
