import { describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../../src/config/schema.js';
import {
  resolveBuildSettings,
  resolveCacheSettings,
  resolveServices,
  selectServices,
} from '../../../src/config/services.js';

const cfg = (input: unknown): Config => configSchema.parse(input);

describe('resolveServices', () => {
  it("fills in the seed's defaults for its three services", () => {
    const s = resolveServices(cfg({ owner: 'Acme', services: { backend: {}, frontend: {}, auth: {} } }));
    expect(s.map((x) => [x.name, x.image, x.context, x.dockerfile, x.port, x.health])).toEqual([
      ['backend', 'ghcr.io/acme/backend', 'backend', 'backend/Dockerfile', 3001, '/health'],
      ['frontend', 'ghcr.io/acme/frontend', 'frontend', 'frontend/Dockerfile', 3000, '/'],
      ['auth', 'ghcr.io/acme/auth', 'auth', 'auth/Dockerfile', 8005, '/auth/health'],
    ]);
    expect(s[0]!.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(s[0]!.cacheMaxBytes).toBe(2_000_000_000);
    expect(s[0]!.sizeBudgetBytes).toBe(1_000_000_000);
    expect(s[0]!.startupTimeoutMs).toBe(30_000);
  });

  it('takes explicit settings over defaults and normalises paths', () => {
    const [s] = resolveServices(
      cfg({
        registry: 'localhost:5000',
        owner: 'team',
        build: { platforms: ['linux/amd64'] },
        cache: { maxSizePerService: '1GB' },
        services: {
          api: {
            context: './services/api/',
            dockerfile: 'docker/Dockerfile.prod',
            port: 8080,
            buildArgs: { VERSION: 2, DEBUG: false },
            paths: ['./libs/**'],
            resources: { cpus: 0.5, memory: '256MB' },
            sizeBudget: '300MB',
            startupTimeout: '45s',
            smoke: [{ path: '/ready' }],
          },
        },
      }),
    );
    expect(s).toMatchObject({
      image: 'localhost:5000/team/api',
      context: 'services/api',
      dockerfile: 'services/api/docker/Dockerfile.prod',
      port: 8080,
      platforms: ['linux/amd64'],
      buildArgs: { VERSION: '2', DEBUG: 'false' },
      paths: ['libs/**'],
      cacheMaxBytes: 1_000_000_000,
      resources: { cpus: '0.5', memoryBytes: 256_000_000 },
      sizeBudgetBytes: 300_000_000,
      startupTimeoutMs: 45_000,
      smoke: [{ path: '/ready', status: 200 }],
    });
    expect(s!.health).toBeUndefined();
  });

  it('accepts plain references and the older list form', () => {
    const s = resolveServices(
      cfg({ services: ['ghcr.io/o/one:1.0', { name: 'two', image: 'ghcr.io/o/two' }] }),
    );
    expect(s.map((x) => [x.name, x.image])).toEqual([
      ['one', 'ghcr.io/o/one'],
      ['two', 'ghcr.io/o/two'],
    ]);
  });

  it('names the entry when an image cannot be derived, or a name repeats', () => {
    expect(() => resolveServices(cfg({ services: { api: {} } }))).toThrow(
      /config services\.api: expected an image/,
    );
    expect(() => resolveServices(cfg({ services: ['ghcr.io/a/x', 'ghcr.io/b/x'] }))).toThrow(
      /a second service named "x"/,
    );
  });

  it('selects services by name and lists the known ones on a typo', () => {
    const all = resolveServices(cfg({ owner: 'o', services: { a: {}, b: {} } }));
    expect(selectServices(all, []).map((s) => s.name)).toEqual(['a', 'b']);
    expect(selectServices(all, ['b']).map((s) => s.name)).toEqual(['b']);
    expect(() => selectServices(all, ['c'])).toThrow('unknown service "c"');
  });
});

describe('build and cache settings', () => {
  it('defaults: 3 parallel builds, gha then registry cache, provenance on; 2 GB and 24 h cache', () => {
    expect(resolveBuildSettings(cfg({}))).toEqual({
      maxParallel: 3,
      cache: ['gha', 'registry'],
      provenance: true,
      sbom: false,
      shared: [],
    });
    expect(resolveCacheSettings(cfg({}))).toEqual({
      maxSizePerServiceBytes: 2_000_000_000,
      maxAgeMs: 86_400_000,
    });
  });
});
