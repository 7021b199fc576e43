import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { planRetention } from '../../../src/retention/planner.js';
import { defaultPolicy } from '../../../src/retention/policy.js';
import {
  configuredRepositories,
  parsePlanFile,
  planFileText,
  resolveRepositories,
} from '../../../src/retention/targets.js';
import { NOW, RepoBuilder } from './fixtures.js';

const names = (rs: { registry: string; repository: string }[]): string[] =>
  rs.map((r) => `${r.registry}/${r.repository}`);

describe('repositories', () => {
  it('reads services: as a list of references, of { image }, or a map; tags dropped, duplicates merged', () => {
    expect(
      names(configuredRepositories({ services: ['ghcr.io/acme/api:1.2', 'localhost:5000/web'] })),
    ).toEqual(['ghcr.io/acme/api', 'localhost:5000/web']);
    expect(
      names(
        configuredRepositories({
          services: [{ name: 'api', image: 'ghcr.io/acme/api' }, { repository: 'ghcr.io/acme/api' }],
        }),
      ),
    ).toEqual(['ghcr.io/acme/api']);
    expect(
      names(
        configuredRepositories({
          services: { api: { image: 'ghcr.io/acme/api@sha256:' + 'a'.repeat(64) }, web: 'alpine' },
        }),
      ),
    ).toEqual(['ghcr.io/acme/api', 'docker.io/library/alpine']);
    expect(configuredRepositories({})).toEqual([]);
    expect(() => configuredRepositories({ services: [{ name: 'x' }] })).toThrow(
      'config services.0: expected an image reference or { image: REF }',
    );
  });

  it('command-line repositories win; a tag is refused; none at all is a usage error', () => {
    expect(
      names(
        resolveRepositories(['localhost:5000/a', 'localhost:5000/a'], { services: ['ghcr.io/x/y'] }, 'clean'),
      ),
    ).toEqual(['localhost:5000/a']);
    expect(names(resolveRepositories([], { services: ['ghcr.io/x/y'] }, 'clean'))).toEqual(['ghcr.io/x/y']);
    expect(() => resolveRepositories(['ghcr.io/x/y:1'], {}, 'clean')).toThrow(
      '"ghcr.io/x/y:1" names a tag or digest; clean takes repositories',
    );
    expect(() => resolveRepositories([], {}, 'stats')).toThrow(UsageError);
    expect(() => resolveRepositories([], {}, 'stats')).toThrow('stats: name at least one repository');
  });
});

describe('plan files', () => {
  const r = new RepoBuilder('registry.test/app');
  r.tag('main-old', r.image('old', { age: 100 })).tag('1.0.0', r.image('rel', { age: 100 }));
  const plan = planRetention(r.inventory(), defaultPolicy(), NOW);

  it('round-trips one plan as itself and several as { plans }', () => {
    expect(JSON.parse(planFileText([plan]))).toEqual(JSON.parse(JSON.stringify(plan)));
    expect(parsePlanFile(planFileText([plan]), 'plan.json')).toEqual([JSON.parse(JSON.stringify(plan))]);
    const other = { ...plan, repository: 'registry.test/web' };
    const two = planFileText([plan, other]);
    expect(JSON.parse(two)).toMatchObject({
      schemaVersion: 1,
      plans: [{ repository: 'registry.test/app' }, { repository: 'registry.test/web' }],
    });
    expect(parsePlanFile(two, 'plan.json').map((p) => p.repository)).toEqual([
      'registry.test/app',
      'registry.test/web',
    ]);
  });

  it('refuses what is not a plan, with the offending field', () => {
    expect(() => parsePlanFile('{', 'p.json')).toThrow('p.json is not valid JSON');
    expect(() => parsePlanFile('{"schemaVersion":2}', 'p.json')).toThrow(/p\.json is not a retention plan/);
    const bad = JSON.parse(planFileText([plan])) as { delete: { digest: string }[] };
    bad.delete[0]!.digest = 'latest';
    expect(() => parsePlanFile(JSON.stringify(bad), 'p.json')).toThrow(/delete\.0\.digest: not a digest/);
    expect(() => parsePlanFile(planFileText([plan, plan]), 'p.json')).toThrow(
      'p.json has two plans for registry.test/app',
    );
  });
});
