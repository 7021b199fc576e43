import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { parseNeeds, resolveEnvironments, tokenAge, describeSource } from '../../../src/tokens/profiles.js';
import { checkToken, type CheckDeps } from '../../../src/tokens/check.js';

const DAY = 86_400_000;

describe('environment profiles', () => {
  it('defaults: the top-level registry, 90-day rotation, default credential lookup', () => {
    const envs = resolveEnvironments(
      configSchema.parse({
        registry: 'registry.internal:5000',
        environments: {
          dev: {},
          prod: { registry: 'ghcr.io', rotation: '30d', credential: { helper: 'pass' } },
        },
      }),
    );
    expect(envs).toEqual([
      { name: 'dev', registry: 'registry.internal:5000', rotationMs: 90 * DAY, scopes: [] },
      { name: 'prod', registry: 'ghcr.io', source: { helper: 'pass' }, rotationMs: 30 * DAY, scopes: [] },
    ]);
    expect(describeSource({ helper: 'pass' })).toBe('credential helper docker-credential-pass');
  });

  it('maps permissions to GitHub package scopes', () => {
    expect(parseNeeds('push, delete')).toEqual(['write:packages', 'delete:packages']);
    expect(parseNeeds('pull,read:packages')).toEqual(['read:packages']);
    expect(() => parseNeeds('admin')).toThrow('--needs: unknown permission "admin"');
    expect(() => parseNeeds(' , ')).toThrow('--needs is empty');
  });

  it('age: unknown without a recorded rotation; stale only past the period', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    expect(tokenAge(undefined, now, 90 * DAY)).toEqual({ stale: false });
    expect(tokenAge(new Date(now.getTime() - 90 * DAY), now, 90 * DAY)).toMatchObject({
      ageDays: 90,
      stale: false,
    });
    expect(tokenAge(new Date(now.getTime() - 90 * DAY - 1), now, 90 * DAY)).toMatchObject({ stale: true });
  });
});

describe('checkToken verdicts', () => {
  const profile = { name: 'prod', registry: 'ghcr.io', rotationMs: 30 * DAY, scopes: ['write:packages'] };
  const deps = (over: Partial<CheckDeps>): CheckDeps => ({
    readToken: () => Promise.resolve({ token: 't', from: 'file x' }),
    scopesOf: () => Promise.resolve({ kind: 'classic', scopes: ['write:packages'] }),
    verifyLogin: () => Promise.resolve(),
    lastRotation: () => Promise.resolve(undefined),
    now: new Date('2026-06-01T00:00:00Z'),
    ...over,
  });

  it('combines the profile scopes with --needs; a hidden-scope token is not a failure', async () => {
    expect((await checkToken(profile, ['delete:packages'], deps({}))).problems).toEqual([
      'lacks delete:packages',
    ]);
    const hidden = await checkToken(
      profile,
      ['delete:packages'],
      deps({ scopesOf: () => Promise.resolve({ kind: 'not-visible' }) }),
    );
    expect(hidden).toMatchObject({ ok: true, tokenKind: 'not-visible', missingScopes: [] });
  });

  it('reports a stale token and a refused login on other registries', async () => {
    const r = await checkToken(
      { ...profile, registry: 'localhost:5000', scopes: [] },
      [],
      deps({
        lastRotation: () => Promise.resolve(new Date('2026-01-01T00:00:00Z')),
        verifyLogin: () => Promise.reject(new Error('401 unauthorized')),
      }),
    );
    expect(r.problems).toEqual([
      'rotated 151 days ago, over the 30-day rotation period',
      'login refused: 401 unauthorized',
    ]);
    expect(r).toMatchObject({ verified: false, stale: true, ok: false });
  });
});
