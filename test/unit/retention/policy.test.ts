import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ExitCode, UsageError } from '../../../src/errors.js';
import {
  DEFAULT_RULES,
  defaultPolicy,
  formatDuration,
  matchTag,
  parseDuration,
  parseNow,
  policyHash,
  resolvePolicy,
} from '../../../src/retention/policy.js';

const H = 3_600_000;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['90d', 90 * D],
    ['24h', 24 * H],
    ['2w', 14 * D],
    ['1d12h', 36 * H],
    ['30m', 30 * 60_000],
    ['45s', 45_000],
    ['0d', 0],
    [' 7d ', 7 * D],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('forever', () => {
    expect(parseDuration('forever')).toBe('forever');
  });

  it.each(['', '90', 'd', '1x', '-1d', '1.5d', '12h1d', 'Forever', '7 d'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(UsageError);
  });
});

describe('formatDuration', () => {
  it.each([
    [12 * D + 5 * H, '12d'],
    [7 * D + 3 * H, '7d3h'],
    [7 * D, '7d'],
    [5 * H + 20 * 60_000, '5h20m'],
    [45 * 60_000, '45m'],
    [30_000, '30s'],
    [0, '0m'],
    [-5, '0m'],
    [Number.POSITIVE_INFINITY, 'forever'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('parseNow', () => {
  it.each([
    '2025-01-31T12:00:00Z',
    '2025-01-31T12:00Z',
    '2025-01-31T12:00:00.123+02:00',
    '2025-01-31T12:00:00-0500',
  ])('accepts %s', (text) => {
    expect(parseNow(text).getTime()).toBe(Date.parse(text.replace(/-0500$/, '-05:00')));
  });

  it.each(['2025-01-31', '2025-01-31T12:00:00', 'yesterday', '2025-13-01T00:00:00Z', ''])(
    'refuses %j',
    (text) => {
      expect(() => parseNow(text)).toThrow(UsageError);
    },
  );
});

describe('default policy', () => {
  const policy = defaultPolicy();

  it('is the seed policy', () => {
    expect(policy.source).toBe('default');
    expect(policy.untagged).toBe('delete');
    expect(policy.orphans).toBe('keep');
    expect(policy.untaggedMinAge).toBe('1h');
    expect(policy.rules.map((r) => [r.name, r.patterns, r.keep])).toEqual([
      ['release', ['v*.*.*', '*.*.*'], 'forever'],
      ['release', ['latest', 'stable'], 'forever'],
      ['main', ['main', 'main-*', 'sha-*'], '90d'],
      ['develop', ['develop', 'develop-*', 'dev-*'], '30d'],
      ['pr', ['pr-*'], '7d'],
      ['cache', ['buildcache*', 'cache-*'], '24h'],
    ]);
    expect(policy.rules[2]!.keepMs).toBe(90 * D);
    expect(policy.rules[0]!.keepMs).toBeUndefined();
  });

  it.each([
    ['v1.2.3', 'release', 'v*.*.*'],
    ['1.2.3', 'release', '*.*.*'],
    ['1.2.3-rc.1', 'release', '*.*.*'],
    ['v10.0.0+build.5', 'release', 'v*.*.*'],
    ['latest', 'release', 'latest'],
    ['stable', 'release', 'stable'],
    ['main', 'main', 'main'],
    ['main-abc123', 'main', 'main-*'],
    ['sha-0123456', 'main', 'sha-*'],
    ['develop', 'develop', 'develop'],
    ['develop-20250101', 'develop', 'develop-*'],
    ['dev-7', 'develop', 'dev-*'],
    ['pr-12', 'pr', 'pr-*'],
    ['buildcache', 'cache', 'buildcache*'],
    ['buildcache-arm64', 'cache', 'buildcache*'],
    ['cache-main', 'cache', 'cache-*'],
  ])('%s → %s (%s)', (tag, category, pattern) => {
    const m = matchTag(policy, tag);
    expect(m?.rule.name).toBe(category);
    expect(m?.pattern).toBe(pattern);
  });

  it.each(['v1.2', '1.2', 'foo.bar.baz', 'v1.2.x', 'feature-x', 'mainline', 'pr12', 'sha256-abc', 'Latest'])(
    '%s matches no rule',
    (tag) => {
      expect(matchTag(policy, tag)).toBeUndefined();
    },
  );
});

describe('resolvePolicy', () => {
  it('first match wins, in file order', () => {
    const policy = resolvePolicy({
      rules: [
        { name: 'hotfix', match: 'pr-9*', keep: 'forever' },
        { name: 'pr', match: ['pr-*'], keep: '7d' },
      ],
    });
    expect(matchTag(policy, 'pr-91')?.rule.name).toBe('hotfix');
    expect(matchTag(policy, 'pr-91')?.index).toBe(0);
    expect(matchTag(policy, 'pr-81')?.rule.name).toBe('pr');
    expect(matchTag(policy, 'latest')).toBeUndefined(); // configured rules replace the defaults
    expect(policy.source).toBe('config');
  });

  it('supports picomatch globs', () => {
    const policy = resolvePolicy({
      rules: [{ name: 'nightly', match: ['nightly-{amd64,arm64}', 'n-[0-9]*'], keep: '3d' }],
    });
    expect(matchTag(policy, 'nightly-arm64')?.rule.name).toBe('nightly');
    expect(matchTag(policy, 'n-2025')?.rule.name).toBe('nightly');
    expect(matchTag(policy, 'nightly-s390x')).toBeUndefined();
  });

  it('keepLast alone means age never protects', () => {
    const policy = resolvePolicy({ rules: [{ name: 'pr', match: 'pr-*', keepLast: 3 }] });
    expect(policy.rules[0]).toMatchObject({ keepLast: 3, keepMs: 0 });
  });

  it('reads the YAML shape', () => {
    const doc = parseYaml(`
retention:
  untagged: keep
  untaggedMinAge: 2h
  orphans: delete
  rules:
    - name: release
      match: ['v*.*.*']
      semver: true
      keep: forever
    - name: pr
      match: pr-*
      keep: 7d
      keepLast: 2
`) as { retention: unknown };
    const policy = resolvePolicy(doc.retention);
    expect(policy.untagged).toBe('keep');
    expect(policy.untaggedMinAgeMs).toBe(2 * H);
    expect(policy.orphans).toBe('delete');
    expect(policy.rules[1]).toMatchObject({ name: 'pr', patterns: ['pr-*'], keepMs: 7 * D, keepLast: 2 });
  });

  it.each([
    [{ rules: [{ name: 'pr', match: 'pr-*', keep: '9x' }] }, 'retention.rules.0.keep: invalid duration "9x"'],
    [
      { rules: [{ name: 'untagged', match: 'x', keep: '1d' }] },
      'retention.rules.0.name: reserved category name',
    ],
    [{ rules: [{ name: 'pr', match: 'pr-*' }] }, 'retention.rules.0: a rule needs "keep"'],
    [{ rules: [{ name: 'pr', match: [], keep: '1d' }] }, 'retention.rules.0.match'],
    [{ rules: [{ name: 'pr', match: 'pr-*', keep: '1d', extra: 1 }] }, 'retention.rules.0'],
    [{ untagged: 'purge' }, 'retention.untagged'],
    [{ rules: [{ name: 'pr', match: 'pr-*', keep: 7 }] }, 'retention.rules.0.keep'],
    [{ rules: [{ name: 'pr', match: 'pr-*', keepLast: -1 }] }, 'retention.rules.0.keepLast'],
    [{ typo: true }, 'retention'],
    ['not an object', 'retention'],
  ])('refuses %j', (section, message) => {
    let err: unknown;
    try {
      resolvePolicy(section);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(ExitCode.Usage);
    expect((err as UsageError).message).toContain(message);
  });

  it('null and undefined are the defaults', () => {
    expect(resolvePolicy(null)).toEqual(defaultPolicy());
    expect(resolvePolicy(undefined)).toEqual(defaultPolicy());
  });
});

describe('policyHash', () => {
  it('is stable and ignores where the rules came from', () => {
    const a = policyHash(defaultPolicy());
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(policyHash(defaultPolicy())).toBe(a);
    expect(policyHash(resolvePolicy({ rules: [...DEFAULT_RULES] }))).toBe(a);
  });

  it('changes with any decision-relevant setting', () => {
    const base = policyHash(defaultPolicy());
    expect(policyHash(resolvePolicy({ untagged: 'keep' }))).not.toBe(base);
    expect(policyHash(resolvePolicy({ orphans: 'delete' }))).not.toBe(base);
    expect(policyHash(resolvePolicy({ untaggedMinAge: '2h' }))).not.toBe(base);
    const rules = DEFAULT_RULES.map((r) => (r.name === 'pr' ? { ...r, keep: '8d' } : r));
    expect(policyHash(resolvePolicy({ rules }))).not.toBe(base);
    expect(policyHash(resolvePolicy({ rules: [...DEFAULT_RULES].reverse() }))).not.toBe(base);
  });
});
