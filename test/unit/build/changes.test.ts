import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { resolveServices } from '../../../src/config/services.js';
import { changedServices, matrixOf } from '../../../src/build/changes.js';
import { buildableServices } from '../../../src/build/services.js';

const config = configSchema.parse({
  owner: 'acme',
  services: {
    backend: { paths: ['libs/common', 'proto/*.proto'] },
    frontend: { context: './web', dockerfile: '../docker/web.Dockerfile' },
    auth: {},
  },
  build: { shared: ['package-lock.json', 'scripts/**'] },
});
const services = resolveServices(config);
const run = (files: string[], extra: { configFile?: string; all?: boolean } = {}) =>
  changedServices({ files, services, shared: ['package-lock.json', 'scripts/**'], ...extra });

describe('changedServices', () => {
  it('maps files inside a context to that service, in config order', () => {
    expect(run(['auth/src/a.ts', 'web/index.html', 'README.md'])).toEqual({
      services: ['frontend', 'auth'],
      reasons: { frontend: ['web/index.html'], auth: ['auth/src/a.ts'] },
    });
  });

  it('does not treat a sibling directory with the same prefix as inside the context', () => {
    expect(run(['backend-old/x', 'authz/y']).services).toEqual([]);
  });

  it('rebuilds a service whose Dockerfile outside the context changed', () => {
    expect(run(['docker/web.Dockerfile']).services).toEqual(['frontend']);
  });

  it('matches paths: globs, and a bare directory as everything under it', () => {
    expect(run(['libs/common/util/x.ts']).services).toEqual(['backend']);
    expect(run(['proto/api.proto']).services).toEqual(['backend']);
    expect(run(['proto/nested/api.proto', 'libs/commonx']).services).toEqual([]);
  });

  it('rebuilds everything for a shared path, the config file, or an unknown base', () => {
    expect(run(['package-lock.json'])).toMatchObject({
      services: ['backend', 'frontend', 'auth'],
      allBecause: 'package-lock.json',
    });
    expect(run(['scripts/ci/build.sh']).allBecause).toBe('scripts/ci/build.sh');
    expect(run(['ghcr-optimize.yaml']).services).toHaveLength(3);
    expect(run(['deploy.yaml'], { configFile: 'deploy.yaml' }).services).toHaveLength(3);
    expect(run([], { all: true }).allBecause).toBe('the base commit is unknown');
  });

  it('keeps at most five reasons per service', () => {
    const files = Array.from({ length: 8 }, (_, i) => `auth/f${i}`);
    expect(run(files).reasons.auth).toEqual(files.slice(0, 5));
  });
});

describe('matrixOf', () => {
  it('gives a GitHub Actions matrix of the chosen services', () => {
    expect(matrixOf(services, ['auth', 'frontend'])).toEqual({
      include: [
        {
          service: 'frontend',
          context: 'web',
          dockerfile: 'docker/web.Dockerfile',
          image: 'ghcr.io/acme/frontend',
          platforms: 'linux/amd64,linux/arm64',
        },
        {
          service: 'auth',
          context: 'auth',
          dockerfile: 'auth/Dockerfile',
          image: 'ghcr.io/acme/auth',
          platforms: 'linux/amd64,linux/arm64',
        },
      ],
    });
    expect(matrixOf(services, [])).toEqual({ include: [] });
  });
});

describe('buildableServices', () => {
  it('leaves out services given as a plain image', () => {
    const c = configSchema.parse({ owner: 'acme', services: { api: {}, tools: 'ghcr.io/acme/tools:1' } });
    expect(buildableServices(c).map((s) => s.name)).toEqual(['api']);
    const list = configSchema.parse({ owner: 'acme', services: ['ghcr.io/acme/tools', { name: 'api' }] });
    expect(buildableServices(list).map((s) => s.name)).toEqual(['api']);
  });
});
