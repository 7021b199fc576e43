/**
 * The plan and the bake file generated from a config, checked whole (docker buildx does not run
 * on these machines, so its input is what can be tested; the buildah path runs for real in
 * test/integration/build-buildah.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../../src/config/schema.js';
import { resolveBuildSettings, resolveServices } from '../../../src/config/services.js';
import { contextFromWorkflow } from '../../../src/meta/context.js';
import { computeMeta, type MetaResult } from '../../../src/meta/meta.js';
import { cacheRefs, planBuild, type PlanOptions } from '../../../src/build/plan.js';
import { bakeArgv, bakeFile, bakeFileText } from '../../../src/build/bake.js';
import { budArgs, manifestPushArgs } from '../../../src/build/buildah-args.js';

const SHA = '860c1904a1ce19322e91ac35af1ab07466440c37';
const NOW = new Date('2026-01-02T03:04:05Z');
const REPO = {
  name: 'shop',
  full_name: 'acme/shop',
  html_url: 'https://github.com/acme/shop',
  description: 'The shop',
  license: { spdx_id: 'MIT' },
  default_branch: 'main',
};
const tagPush = contextFromWorkflow(
  {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/tags/v1.2.3',
    GITHUB_SHA: SHA,
    GITHUB_REPOSITORY: 'acme/shop',
  },
  { repository: REPO },
);

function plan(input: unknown, opts: Partial<PlanOptions> = {}) {
  const config: Config = configSchema.parse(input);
  const services = resolveServices(config);
  const metas = new Map<string, MetaResult>(
    services.map((s) => [
      s.name,
      computeMeta({ images: [s.image], tags: config.tags ?? [], labels: config.labels ?? [] }, tagPush, {
        now: NOW,
      }),
    ]),
  );
  return planBuild(services, metas, {
    builder: 'buildx',
    push: true,
    settings: resolveBuildSettings(config),
    ...opts,
  });
}

const LABELS = {
  'org.opencontainers.image.created': '2026-01-02T03:04:05.000Z',
  'org.opencontainers.image.description': 'The shop',
  'org.opencontainers.image.licenses': 'MIT',
  'org.opencontainers.image.revision': SHA,
  'org.opencontainers.image.source': 'https://github.com/acme/shop',
  'org.opencontainers.image.title': 'shop',
  'org.opencontainers.image.url': 'https://github.com/acme/shop',
  'org.opencontainers.image.version': '1.2.3',
};
const ANNOTATIONS = Object.entries(LABELS).map(([k, v]) => `manifest:${k}=${v}`);

const SHOP = {
  owner: 'acme',
  services: {
    backend: { buildArgs: { NODE_ENV: 'production' }, target: 'runtime' },
    'web.ui': { platforms: ['linux/amd64'] },
  },
  build: { cache: ['gha', 'registry', 'local'], sbom: true },
  tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}'],
  labels: ['org.opencontainers.image.vendor=ACME'],
};

describe('bakeFile', () => {
  it('is exactly this for a two-service config on a v1.2.3 tag push', () => {
    expect(bakeFile(plan(SHOP))).toEqual({
      group: { default: { targets: ['backend', 'web_ui'] } },
      target: {
        backend: {
          context: 'backend',
          dockerfile: 'Dockerfile',
          target: 'runtime',
          platforms: ['linux/amd64', 'linux/arm64'],
          args: {
            NODE_ENV: 'production',
            DOCKER_META_IMAGES: 'ghcr.io/acme/backend',
            DOCKER_META_VERSION: '1.2.3',
          },
          tags: ['ghcr.io/acme/backend:1.2.3', 'ghcr.io/acme/backend:1.2', 'ghcr.io/acme/backend:latest'],
          labels: { ...LABELS, 'org.opencontainers.image.vendor': 'ACME' },
          annotations: ANNOTATIONS,
          'cache-from': [
            'type=gha,scope=backend',
            'type=registry,ref=ghcr.io/acme/backend:buildcache',
            'type=local,src=.buildx-cache/backend',
          ],
          'cache-to': [
            'type=gha,scope=backend,mode=max',
            'type=registry,ref=ghcr.io/acme/backend:buildcache,mode=max',
            'type=local,dest=.buildx-cache/backend,mode=max',
          ],
          attest: ['type=provenance,mode=max', 'type=sbom'],
        },
        web_ui: {
          context: 'web.ui',
          dockerfile: 'Dockerfile',
          platforms: ['linux/amd64'],
          args: { DOCKER_META_IMAGES: 'ghcr.io/acme/web.ui', DOCKER_META_VERSION: '1.2.3' },
          tags: ['ghcr.io/acme/web.ui:1.2.3', 'ghcr.io/acme/web.ui:1.2', 'ghcr.io/acme/web.ui:latest'],
          labels: { ...LABELS, 'org.opencontainers.image.vendor': 'ACME' },
          annotations: ANNOTATIONS,
          'cache-from': [
            'type=gha,scope=web_ui',
            'type=registry,ref=ghcr.io/acme/web.ui:buildcache',
            'type=local,src=.buildx-cache/web_ui',
          ],
          'cache-to': [
            'type=gha,scope=web_ui,mode=max',
            'type=registry,ref=ghcr.io/acme/web.ui:buildcache,mode=max',
            'type=local,dest=.buildx-cache/web_ui,mode=max',
          ],
          attest: ['type=provenance,mode=max', 'type=sbom'],
        },
      },
    });
  });

  it('is written as two-space JSON with a final newline', () => {
    const p = plan(SHOP);
    expect(bakeFileText(p)).toBe(`${JSON.stringify(bakeFile(p), null, 2)}\n`);
  });

  it('uses the default tiers (gha, registry), turns provenance off explicitly, keeps a Dockerfile outside the context', () => {
    const p = plan({
      owner: 'acme',
      services: { api: { context: 'services/api', dockerfile: '../../docker/api.Dockerfile' } },
      build: { provenance: false },
    });
    const t = bakeFile(p).target.api!;
    expect(t.dockerfile).toBe('../../docker/api.Dockerfile');
    expect(t['cache-from']).toEqual(['type=gha,scope=api', 'type=registry,ref=ghcr.io/acme/api:buildcache']);
    expect(t.attest).toEqual(['type=provenance,disabled=true']);
    // Without tag rules the action's defaults apply: type=ref,event=tag gives the git tag.
    expect(t.tags).toEqual(['ghcr.io/acme/api:v1.2.3', 'ghcr.io/acme/api:latest']);
  });

  it('takes --tag values instead of the engine tags, and the version from the first', () => {
    const p = plan(SHOP, { tags: ['9.9.9', 'stable'] });
    expect(p.services[0]!.tags).toEqual(['ghcr.io/acme/backend:9.9.9', 'ghcr.io/acme/backend:stable']);
    expect(p.services[0]!.args.DOCKER_META_VERSION).toBe('9.9.9');
  });
});

describe('cacheRefs', () => {
  it('reads but does not write the registry cache when not pushing', () => {
    expect(
      cacheRefs(['registry', 'gha'], { name: 'api', image: 'ghcr.io/acme/api' }, { push: false }),
    ).toEqual({
      from: ['type=registry,ref=ghcr.io/acme/api:buildcache', 'type=gha,scope=api'],
      to: ['type=gha,scope=api,mode=max'],
    });
  });

  it('puts the local tier where it is told', () => {
    expect(
      cacheRefs(['local'], { name: 'api', image: 'x/api' }, { push: true, localCacheDir: '/tmp/c' }),
    ).toEqual({ from: ['type=local,src=/tmp/c/api'], to: ['type=local,dest=/tmp/c/api,mode=max'] });
  });
});

describe('command lines', () => {
  it('bakes every target, pushing only with --push', () => {
    const p = plan(SHOP);
    expect(bakeArgv(p, '/tmp/bake.json')).toEqual([
      'buildx',
      'bake',
      '--file',
      '/tmp/bake.json',
      '--push',
      'backend',
      'web_ui',
    ]);
    expect(bakeArgv({ ...p, push: false }, 'f.json')).toEqual([
      'buildx',
      'bake',
      '--file',
      'f.json',
      'backend',
      'web_ui',
    ]);
  });

  it('builds one platform into the manifest list with args, labels and manifest annotations', () => {
    const s = plan(SHOP).services[0]!;
    const args = budArgs(s, 'linux/arm64', 'list-1', '/repo/backend');
    expect(args.slice(0, 9)).toEqual([
      'bud',
      '--platform',
      'linux/arm64',
      '--manifest',
      'list-1',
      '--file',
      '/repo/backend/Dockerfile',
      '--target',
      'runtime',
    ]);
    expect(args).toContain('NODE_ENV=production');
    expect(args).toContain('org.opencontainers.image.vendor=ACME');
    expect(args).toContain(`org.opencontainers.image.revision=${SHA}`);
    expect(args.filter((a) => a === '--annotation')).toHaveLength(ANNOTATIONS.length);
    expect(args.at(-1)).toBe('/repo/backend');
  });

  it('pushes the whole list, with an auth file and never a password', () => {
    expect(
      manifestPushArgs('list-1', '127.0.0.1:5000/acme/api:1', '/tmp/d', {
        insecure: true,
        authFile: '/tmp/a.json',
      }),
    ).toEqual([
      'manifest',
      'push',
      '--all',
      '--tls-verify=false',
      '--authfile',
      '/tmp/a.json',
      '--digestfile',
      '/tmp/d',
      'list-1',
      'docker://127.0.0.1:5000/acme/api:1',
    ]);
  });
});
