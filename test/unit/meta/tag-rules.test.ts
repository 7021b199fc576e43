import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { DEFAULT_PRIORITIES as P, parseTagRule, parseTagRules } from '../../../src/meta/tag-rules.js';

describe('parseTagRule (the action tag.test "parse" table)', () => {
  it.each([
    [
      "type=schedule,enable=true,pattern={{date 'YYYYMMDD'}}",
      'schedule',
      { priority: `${P.schedule}`, enable: 'true', pattern: "{{date 'YYYYMMDD'}}" },
    ],
    [
      "type=schedule,enable=true,pattern={{date 'YYYYMMDD' tz='Asia/Tokyo'}}",
      'schedule',
      { priority: `${P.schedule}`, enable: 'true', pattern: "{{date 'YYYYMMDD' tz='Asia/Tokyo'}}" },
    ],
    ['type=schedule', 'schedule', { priority: '1000', enable: 'true', pattern: 'nightly' }],
    [
      'type=semver,enable=true,pattern={{version}}',
      'semver',
      { priority: '900', enable: 'true', pattern: '{{version}}', value: '', match: '' },
    ],
    [
      'type=semver,priority=1,enable=true,pattern={{version}}',
      'semver',
      { priority: '1', enable: 'true', pattern: '{{version}}', value: '', match: '' },
    ],
    [
      'type=semver,priority=1,enable=true,pattern={{version}},value=v1.0.0',
      'semver',
      { priority: '1', enable: 'true', pattern: '{{version}}', value: 'v1.0.0', match: '' },
    ],
    [
      'type=semver,priority=1,enable=true,pattern={{version}},value=p1/v1.0.0,"match=v(\\d.\\d.\\d)$"',
      'semver',
      { priority: '1', enable: 'true', pattern: '{{version}}', value: 'p1/v1.0.0', match: 'v(\\d.\\d.\\d)$' },
    ],
    [
      'type=pep440,pattern={{version}}',
      'pep440',
      { priority: '900', enable: 'true', pattern: '{{version}}', value: '', match: '' },
    ],
    [
      'type=match,enable=true,pattern=v(.*),group=1',
      'match',
      { priority: '800', enable: 'true', pattern: 'v(.*)', group: '1', value: '' },
    ],
    [
      'type=match,enable=true,"pattern=^v(\\d.\\d.\\d)$",group=1',
      'match',
      { priority: '800', enable: 'true', pattern: '^v(\\d.\\d.\\d)$', group: '1', value: '' },
    ],
    [
      'type=match,priority=700,enable=true,pattern=v(.*),group=1',
      'match',
      { priority: '700', enable: 'true', pattern: 'v(.*)', group: '1', value: '' },
    ],
    [
      'type=match,enable=true,pattern=v(.*),group=1,value=v1.2.3',
      'match',
      { priority: '800', enable: 'true', pattern: 'v(.*)', group: '1', value: 'v1.2.3' },
    ],
    [
      'type=match,"pattern=\\d{1,3}"',
      'match',
      { priority: '800', enable: 'true', pattern: '\\d{1,3}', group: '0', value: '' },
    ],
    ['type=edge', 'edge', { priority: '700', enable: 'true', branch: '' }],
    ['type=edge,enable=true,branch=master', 'edge', { priority: '700', enable: 'true', branch: 'master' }],
    ['type=ref,event=tag', 'ref', { priority: '600', enable: 'true', event: 'tag' }],
    ['type=ref,event=branch', 'ref', { priority: '600', enable: 'true', event: 'branch' }],
    ['type=ref,event=pr', 'ref', { priority: '600', enable: 'true', prefix: 'pr-', event: 'pr' }],
    ['type=ref,event=pr,prefix=', 'ref', { priority: '600', enable: 'true', prefix: '', event: 'pr' }],
    ['acustomtag', 'raw', { priority: '200', enable: 'true', value: 'acustomtag' }],
    ['type=raw,value=acustomtag2', 'raw', { priority: '200', enable: 'true', value: 'acustomtag2' }],
    [
      'type=raw,enable=true,value=acustomtag4',
      'raw',
      { priority: '200', enable: 'true', value: 'acustomtag4' },
    ],
    [
      'type=raw,enable=false,value=acustomtag5',
      'raw',
      { priority: '200', enable: 'false', value: 'acustomtag5' },
    ],
    ['type=raw,value=a=b', 'raw', { priority: '200', enable: 'true', value: 'a=b' }],
    ['type=raw, value = spaced ', 'raw', { priority: '200', enable: 'true', value: 'spaced' }],
    ['TYPE=raw,VALUE=upper', 'raw', { priority: '200', enable: 'true', value: 'upper' }],
    ['type=sha', 'sha', { priority: '100', enable: 'true', prefix: 'sha-', format: 'short' }],
    ['type=sha,format=long', 'sha', { priority: '100', enable: 'true', prefix: 'sha-', format: 'long' }],
    ['type=sha,prefix=', 'sha', { priority: '100', enable: 'true', prefix: '', format: 'short' }],
    ['type=sha,enable=false', 'sha', { priority: '100', enable: 'false', prefix: 'sha-', format: 'short' }],
    ['type=raw,value=foo,priority=-5', 'raw', { priority: '-5', enable: 'true', value: 'foo' }],
  ])('%s', (source, type, attrs) => {
    const rule = parseTagRule(source);
    expect(rule.type).toBe(type);
    expect(rule.attrs).toEqual(attrs);
    expect(rule.priority).toBe(Number(attrs.priority));
  });
});

describe('parseTagRule errors (one line, naming the rule and the attribute)', () => {
  it.each([
    ['type=raw', /tag rule "type=raw": missing value attribute/],
    ['type=semver', /"type=semver": missing pattern attribute/],
    ['type=pep440', /"type=pep440": missing pattern attribute/],
    ['type=match', /"type=match": missing pattern attribute/],
    ['type=match,enable=true,pattern=v(.*),group=foo', /group must be a number, got "foo"/],
    ['type=ref', /missing event attribute/],
    ['type=ref,event=foo', /event must be branch, tag or pr, got "foo"/],
    ['type=foo', /unknown type "foo"/],
    ['type=Semver,pattern={{version}}', /unknown type "Semver"/],
    ['type=sha,format=foo', /format must be short or long, got "foo"/],
    ['type=raw,value=x,priority=high', /priority must be a number, got "high"/],
    ['type=semver,pattern={{version', /invalid pattern "\{\{version": .*never closed/],
    ['type=semver,pattern={{versio}}', /invalid pattern "\{\{versio\}\}": unknown expression \{\{versio\}\}/],
    ["type=semver,pattern={{date 'YYYY'}}", /unknown expression \{\{date\}\}/],
    ['type=pep440,pattern={{prerelease}}', /unknown expression \{\{prerelease\}\}/],
    ['type=match,pattern=(', /pattern: invalid regular expression/],
    ['type=match,pattern=/a/zz', /pattern: invalid regular expression/],
    ['type=semver,pattern={{version}},match=(', /match: invalid regular expression/],
    ['type=raw,value=a"b', /a quote inside a field/],
    ['type=raw,value={{branch', /value: .*never closed/],
    ['type=raw,value=x,enable={{#if a}}x{{/if}}', /enable: .*not supported/],
    ['type=sha,prefix={{sha', /prefix: .*never closed/],
    ['type=schedule,pattern={{date', /pattern: .*never closed/],
  ])('%s', (source, message) => {
    let caught: unknown;
    try {
      parseTagRule(source);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).message).toMatch(message);
    expect((caught as UsageError).message).not.toContain('\n');
    expect((caught as UsageError).hint).toBeTruthy();
  });
});

describe('parseTagRules', () => {
  it('the action tag.test "transform" table: sorted by priority, ties in input order', () => {
    const rules = parseTagRules([
      'type=ref,event=branch',
      'type=ref,event=tag',
      'type=ref,event=pr',
      'type=schedule',
      'type=sha',
      'type=raw,foo',
      'type=edge',
      'type=semver,pattern={{version}}',
      'type=match,"pattern=\\d.\\d.\\d",group=0',
    ]);
    expect(rules.map((r) => [r.type, r.attrs])).toEqual([
      ['schedule', { priority: '1000', enable: 'true', pattern: 'nightly' }],
      ['semver', { priority: '900', enable: 'true', pattern: '{{version}}', value: '', match: '' }],
      ['match', { priority: '800', enable: 'true', pattern: '\\d.\\d.\\d', group: '0', value: '' }],
      ['edge', { priority: '700', enable: 'true', branch: '' }],
      ['ref', { priority: '600', enable: 'true', event: 'branch' }],
      ['ref', { priority: '600', enable: 'true', event: 'tag' }],
      ['ref', { priority: '600', enable: 'true', prefix: 'pr-', event: 'pr' }],
      ['raw', { priority: '200', enable: 'true', value: 'foo' }],
      ['sha', { priority: '100', enable: 'true', prefix: 'sha-', format: 'short' }],
    ]);
  });

  it('no rules: the default schedule, branch, tag and pr rules', () => {
    expect(parseTagRules([]).map((r) => r.source)).toEqual([
      'type=schedule',
      'type=ref,event=branch',
      'type=ref,event=tag',
      'type=ref,event=pr',
    ]);
  });

  it('a custom priority moves a rule', () => {
    expect(
      parseTagRules(['type=sha', 'type=raw,a', 'type=sha,format=long,priority=250']).map((r) => r.source),
    ).toEqual(['type=sha,format=long,priority=250', 'type=raw,a', 'type=sha']);
  });

  it('equal custom priorities keep input order', () => {
    expect(
      parseTagRules(['type=raw,b,priority=5', 'type=raw,a,priority=5', 'type=raw,c,priority=6']).map(
        (r) => r.attrs.value,
      ),
    ).toEqual(['c', 'b', 'a']);
  });

  it('notes attributes a type does not use', () => {
    expect(parseTagRule('type=raw,value=x,event=branch').unknownAttrs).toEqual(['event']);
    expect(parseTagRule('type=semver,pattern={{version}},value=1.0.0').unknownAttrs).toEqual([]);
  });
});
