/**
 * The documented behaviour of the action beyond its own test tables: every event kind, default
 * vs other branches, semver pre-releases, flavor combinations, switches, sanitising, priorities,
 * label overrides, and the errors and warnings.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import type { MetaContext } from '../../../src/meta/context.js';
import { computeMeta, type MetaInputs, type MetaOptions } from '../../../src/meta/meta.js';
import { fixtureContext, NOW, SHA_DEV, type FixtureName } from './fixtures.js';

type Expect = { main: string | undefined; partial?: string[]; latest?: boolean; tags?: string[] };
type Case = [
  id: string,
  ctx: FixtureName | MetaContext,
  inputs: MetaInputs,
  expected: Expect,
  opts?: MetaOptions,
];

function ctxOf(c: FixtureName | MetaContext): MetaContext {
  return typeof c === 'string' ? fixtureContext(c) : c;
}

function check(cases: Case[]): void {
  it.each(cases)('%s', (_id, c, inputs, expected, opts) => {
    const r = computeMeta(inputs, ctxOf(c), { now: NOW, ...opts });
    expect(r.version).toEqual({
      main: expected.main,
      partial: expected.partial ?? [],
      latest: expected.latest ?? false,
    });
    if (expected.tags) expect(r.tags).toEqual(expected.tags);
  });
}

const custom = (over: Partial<MetaContext>): MetaContext => ({
  ...fixtureContext('event_push_dev.env'),
  ...over,
});
const img = { images: ['user/app'] };
const defaultBranchTags = ['type=ref,event=branch', 'type=raw,value=latest,enable={{is_default_branch}}'];

describe('events', () => {
  check([
    [
      'push to the default branch',
      'event_push_master.env',
      { ...img, tags: defaultBranchTags },
      { main: 'master', partial: ['latest'], tags: ['user/app:master', 'user/app:latest'] },
    ],
    [
      'push to another branch',
      'event_push_dev.env',
      { ...img, tags: defaultBranchTags },
      { main: 'dev', tags: ['user/app:dev'] },
    ],
    [
      'workflow_dispatch on the default branch',
      'event_workflow_dispatch.env',
      { ...img, tags: defaultBranchTags },
      { main: 'master', partial: ['latest'] },
    ],
    [
      'workflow_dispatch on another branch',
      'event_workflow_dispatch_dev.env',
      { ...img, tags: defaultBranchTags },
      { main: 'dev' },
    ],
    ['workflow_dispatch: default tags', 'event_workflow_dispatch_dev.env', img, { main: 'dev' }],
    [
      'create branch counts as default branch',
      'event_create_branch.env',
      { ...img, tags: defaultBranchTags },
      { main: 'dev', partial: ['latest'] },
    ],
    [
      'create tag: is_default_branch is true too',
      'event_create_tag.env',
      {
        ...img,
        tags: ['type=semver,pattern={{version}}', 'type=raw,value=def,enable={{is_default_branch}}'],
      },
      { main: '2.1.8-beta.67', partial: ['def'] },
    ],
    ['create tag: default tags', 'event_create_tag.env', img, { main: 'v2.1.8-beta.67', latest: true }],
    [
      'discussion',
      'event_discussion_created.env',
      { ...img, tags: defaultBranchTags },
      { main: 'master', partial: ['latest'] },
    ],
    [
      'issues',
      'event_issue_opened.env',
      { ...img, tags: ['type=raw,value=defbranch,enable={{is_default_branch}}'] },
      { main: 'defbranch' },
    ],
    [
      'schedule: not-default is false',
      'event_schedule.env',
      { ...img, tags: ['type=raw,value=x,enable={{is_not_default_branch}}', 'type=schedule'] },
      { main: 'nightly' },
    ],
    [
      'schedule: sha and date',
      'event_schedule.env',
      { ...img, tags: ["type=schedule,pattern=nightly-{{date 'YYYYMMDD'}}", 'type=sha'] },
      { main: 'nightly-20200110', partial: ['sha-860c190'] },
    ],
    [
      'schedule: pattern does not see {{branch}}',
      'event_schedule.env',
      { ...img, tags: ['type=schedule,pattern=n-{{branch}}'] },
      { main: 'n-' },
    ],
    [
      'schedule rule on a push does nothing',
      'event_push_dev.env',
      { ...img, tags: ['type=schedule'] },
      { main: undefined, tags: [] },
    ],
    [
      'release: semver',
      'event_release_created.env',
      { ...img, tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}'] },
      { main: '1.1.1', partial: ['1'], latest: true },
    ],
    [
      'release: not the default branch',
      'event_release_created.env',
      { ...img, tags: ['type=raw,value=x,enable={{is_not_default_branch}}'] },
      { main: 'x' },
    ],
    [
      'pull request: branch rule does nothing',
      'event_pull_request.env',
      { ...img, tags: ['type=ref,event=branch', 'type=edge'] },
      { main: undefined },
    ],
    [
      'pull request: pr with suffix',
      'event_pull_request.env',
      { ...img, tags: ['type=ref,event=pr,suffix=-test'] },
      { main: 'pr-15-test' },
    ],
    [
      'pull request: {{branch}} is empty',
      'event_pull_request.env',
      { ...img, tags: ['type=raw,value=b-{{branch}}'] },
      { main: 'b-' },
    ],
    [
      'pull request: {{tag}} is empty',
      'event_pull_request.env',
      { ...img, tags: ['type=raw,value=t-{{tag}}'] },
      { main: 't-' },
    ],
    [
      'pull request head ref',
      custom({ eventName: 'pull_request', ref: 'refs/pull/15/head' }),
      { ...img, tags: ['type=ref,event=pr'] },
      { main: 'pr-15-head' },
    ],
    [
      'tag push: {{branch}} is empty',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=raw,value=b-{{branch}}'] },
      { main: 'b-' },
    ],
    [
      'tag push: ref branch does nothing',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=ref,event=branch'] },
      { main: undefined },
    ],
    ['no event at all', 'event_empty.env', img, { main: undefined }],
    [
      'no event, raw still applies',
      'event_empty.env',
      { ...img, tags: ['type=raw,value=manual'] },
      { main: 'manual' },
    ],
  ]);
});

describe('semver and pep440', () => {
  check([
    [
      'rc pre-release keeps only the version',
      'event_tag_v1.2.3rc2.env',
      { ...img, tags: ['type=semver,pattern={{version}}'] },
      { main: undefined },
    ],
    [
      'semver 3 digits',
      'event_tag_v101.12.13.env',
      {
        ...img,
        tags: [
          'type=semver,pattern={{version}}',
          'type=semver,pattern={{major}}.{{minor}}',
          'type=semver,pattern={{major}}',
        ],
      },
      { main: '101.12.13', partial: ['101.12', '101'], latest: true },
    ],
    [
      'build metadata leaves {{version}}',
      'event_tag_v9.5.7-alpha.2+fork.3.1.8.env',
      { ...img, tags: ['type=semver,pattern={{version}}'] },
      { main: '9.5.7-alpha.2' },
    ],
    [
      'build metadata kept by {{raw}} and sanitised',
      'event_tag_v9.5.7-alpha.2+fork.3.1.8.env',
      { ...img, tags: ['type=semver,pattern={{raw}}'] },
      { main: 'v9.5.7-alpha.2-fork.3.1.8' },
    ],
    [
      'pre-release with a prefix',
      'event_tag_v2.0.8-beta.67.env',
      { ...img, tags: ['type=semver,pattern={{major}},prefix=v'] },
      { main: 'v2.0.8-beta.67' },
    ],
    [
      'latest=true forces latest on a pre-release',
      'event_tag_v2.0.8-beta.67.env',
      { ...img, tags: ['type=semver,pattern={{version}}'], flavor: ['latest=true'] },
      { main: '2.0.8-beta.67', latest: true },
    ],
    [
      'major version zero',
      'event_push_master.env',
      {
        ...img,
        tags: [
          'type=semver,pattern={{version}},value=v0.1.2',
          'type=semver,pattern={{major}}.{{minor}},value=v0.1.2',
          'type=semver,pattern={{major}},value=v0.1.2,enable=false',
        ],
      },
      { main: '0.1.2', partial: ['0.1'], latest: true },
    ],
    [
      'value from an expression',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=semver,pattern={{major}},value={{tag}}'] },
      { main: '1', latest: true },
    ],
    [
      'value on a branch push that is not semver',
      'event_push_dev.env',
      { ...img, tags: ['type=semver,pattern={{version}},value={{branch}}'] },
      { main: undefined },
    ],
    [
      'semver on a branch push without value',
      'event_push_master.env',
      { ...img, tags: ['type=semver,pattern={{version}}'] },
      { main: undefined },
    ],
    [
      'semver match that does not match keeps the value',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=semver,pattern={{version}},match=x(\\d)'] },
      { main: '1.1.1', latest: true },
    ],
    [
      'pep440 post release with {{raw}}',
      'event_tag_1.2post1.env',
      { ...img, tags: ['type=pep440,pattern={{raw}}'] },
      { main: '1.2post1' },
    ],
    [
      'pep440 on a semver pre-release',
      'event_tag_v2.0.8-beta.67.env',
      { ...img, tags: ['type=pep440,pattern={{version}}'] },
      { main: '2.0.8b67' },
    ],
    [
      'pep440 release patterns',
      'event_tag_1.2.env',
      {
        ...img,
        tags: ['type=pep440,pattern={{major}}.{{minor}}.{{patch}}', 'type=pep440,pattern=v{{major}}'],
      },
      { main: '1.2.0', partial: ['v1'], latest: true },
    ],
    [
      'pep440 on a non-version tag',
      'event_tag_release1.env',
      { ...img, tags: ['type=pep440,pattern={{version}}'] },
      { main: undefined },
    ],
  ]);
});

describe('match', () => {
  check([
    [
      'flags in /…/i',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=match,"pattern=/^V(\\d.\\d.\\d)$/i",group=1'] },
      { main: '1.1.1', latest: true },
    ],
    [
      'the g flag indexes matches, not groups',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=match,pattern=/\\d/g,group=2'] },
      { main: '1', latest: true },
    ],
    [
      'a missing group is skipped',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=match,pattern=/\\d/g,group=3'] },
      { main: undefined },
    ],
    [
      'group 0 is the whole match',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=match,pattern=v\\d'] },
      { main: 'v1', latest: true },
    ],
    [
      'a non-participating group is skipped',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=match,pattern=v(x)?1,group=1'] },
      { main: undefined },
    ],
    [
      'match on the unsanitised tag',
      'event_tag_p1-v1.0.0.env',
      { ...img, tags: ['type=match,pattern=p1/(v.*)$,group=1'] },
      { main: 'v1.0.0', latest: true },
    ],
    [
      'match with prefix and latest=false',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=match,pattern=\\d.\\d,prefix=r'], flavor: ['latest=false'] },
      { main: 'r1.1' },
    ],
  ]);
});

describe('flavor', () => {
  check([
    [
      'latest=true on a branch',
      'event_push_dev.env',
      { ...img, flavor: ['latest=true'] },
      { main: 'dev', latest: true, tags: ['user/app:dev', 'user/app:latest'] },
    ],
    [
      'latest=false on a tag',
      'event_tag_v1.1.1.env',
      { ...img, flavor: ['latest=false'] },
      { main: 'v1.1.1', tags: ['user/app:v1.1.1'] },
    ],
    ['latest=auto on a pr', 'event_pull_request.env', img, { main: 'pr-15' }],
    [
      'prefix on every tag but latest',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=semver,pattern={{version}}'], flavor: ['prefix=v'] },
      { main: 'v1.1.1', latest: true, tags: ['user/app:v1.1.1', 'user/app:latest'] },
    ],
    [
      'prefix on latest too',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=semver,pattern={{version}}'], flavor: ['prefix=v,onlatest=true'] },
      { main: 'v1.1.1', latest: true, tags: ['user/app:v1.1.1', 'user/app:vlatest'] },
    ],
    [
      'suffix on latest only with onlatest',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=semver,pattern={{version}}'], flavor: ['suffix=-alpine'] },
      { main: '1.1.1-alpine', latest: true, tags: ['user/app:1.1.1-alpine', 'user/app:latest'] },
    ],
    [
      'suffix with an expression',
      'event_push_dev.env',
      { ...img, tags: ['type=ref,event=branch'], flavor: ['suffix=-{{sha}}'] },
      { main: 'dev-860c190' },
    ],
    [
      'expressions are not evaluated on latest',
      'event_push_dev.env',
      { ...img, flavor: ['latest=true', 'suffix=-{{sha}},onlatest=true'] },
      { main: 'dev-860c190', latest: true, tags: ['user/app:dev-860c190', 'user/app:latest--sha-'] },
    ],
    [
      'a rule prefix replaces the flavor prefix',
      'event_push_dev.env',
      { ...img, tags: ['type=ref,event=branch,prefix=b-'], flavor: ['prefix=f-'] },
      { main: 'b-dev' },
    ],
    [
      'an empty rule suffix removes the flavor suffix',
      'event_push_dev.env',
      { ...img, tags: ['type=ref,event=branch,suffix='], flavor: ['suffix=-f'] },
      { main: 'dev' },
    ],
    [
      'sha keeps its own prefix',
      'event_push_dev.env',
      { ...img, tags: ['type=sha'], flavor: ['prefix=glo-'] },
      { main: 'sha-860c190' },
    ],
    ['sha without prefix', 'event_push_dev.env', { ...img, tags: ['type=sha,prefix='] }, { main: '860c190' }],
    [
      'sha with the flavor suffix',
      'event_push_dev.env',
      { ...img, tags: ['type=sha'], flavor: ['suffix=-x'] },
      { main: 'sha-860c190-x' },
    ],
    [
      'edge with a prefix',
      'event_push_dev.env',
      { ...img, tags: ['type=edge,branch=dev,prefix=pre-'] },
      { main: 'pre-edge' },
    ],
    [
      'edge follows the default branch',
      'event_push_master.env',
      { ...img, tags: ['type=edge'], flavor: ['suffix=-x'] },
      { main: 'edge-x' },
    ],
    [
      'tag prefix and suffix and latest',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=ref,event=tag,prefix=rel-,suffix=-x'] },
      { main: 'rel-v1.1.1-x', latest: true, tags: ['user/app:rel-v1.1.1-x', 'user/app:latest'] },
    ],
  ]);
});

describe('switches', () => {
  check([
    [
      'short SHA of 12',
      'event_push_dev.env',
      { ...img, tags: ['type=sha', 'type=raw,value=x-{{sha}}'] },
      { main: 'x-860c1904a1ce', partial: ['sha-860c1904a1ce'] },
      { shortShaLength: 12 },
    ],
    [
      'short SHA longer than the SHA',
      'event_push_dev.env',
      { ...img, tags: ['type=sha'] },
      { main: `sha-${SHA_DEV}` },
      { shortShaLength: 64 },
    ],
    [
      'short SHA of 0 leaves the prefix',
      'event_push_dev.env',
      { ...img, tags: ['type=sha'] },
      { main: 'sha-' },
      { shortShaLength: 0 },
    ],
  ]);
});

describe('images, sanitising and ordering', () => {
  check([
    [
      'image names are lowercased',
      'event_push_dev.env',
      { images: ['GHCR.io/Owner/App'] },
      { main: 'dev', tags: ['ghcr.io/owner/app:dev'] },
    ],
    [
      'no images: bare tags',
      'event_push_dev.env',
      { images: [], tags: ['type=ref,event=branch', 'type=sha'] },
      { main: 'dev', partial: ['sha-860c190'], tags: ['dev', 'sha-860c190'] },
    ],
    [
      'disabled images only: bare tags',
      'event_push_dev.env',
      { images: ['user/app,enable=false'] },
      { main: 'dev', tags: ['dev'] },
    ],
    [
      'legacy comma list',
      'event_push_dev.env',
      { images: ['a/b,c/d'] },
      { main: 'dev', tags: ['a/b:dev', 'c/d:dev'] },
    ],
    [
      'invalid characters become one dash',
      'event_push_dev.env',
      { ...img, tags: ['type=raw,value=feat/ABC#1 é'] },
      { main: 'feat-ABC-1-' },
    ],
    [
      'dots, dashes and underscores stay',
      'event_push_dev.env',
      { ...img, tags: ['type=raw,value=.a_b-c.'] },
      { main: '.a_b-c.' },
    ],
    [
      'an empty value is no tag',
      'event_push_dev.env',
      { ...img, tags: ['type=raw,value={{tag}}', 'type=raw,value=x'] },
      { main: 'x' },
    ],
    [
      'an empty value with a prefix is a tag',
      'event_push_dev.env',
      { ...img, tags: ['type=raw,value={{tag}},prefix=p'] },
      { main: 'p' },
    ],
    [
      'duplicates collapse',
      'event_push_dev.env',
      {
        ...img,
        tags: ['type=ref,event=branch', 'type=raw,value=dev', 'type=raw,value=x', 'type=raw,value=x'],
      },
      { main: 'dev', partial: ['x'], tags: ['user/app:dev', 'user/app:x'] },
    ],
    [
      'equal priorities keep input order',
      'event_push_dev.env',
      { ...img, tags: ['type=raw,b', 'type=raw,a'] },
      { main: 'b', partial: ['a'] },
    ],
    [
      'priority reorders',
      'event_push_dev.env',
      { ...img, tags: ['type=raw,b', 'type=raw,a,priority=201', 'type=sha,priority=1000'] },
      { main: 'sha-860c190', partial: ['a', 'b'] },
    ],
    [
      'the first applying rule decides latest',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=raw,value=first,priority=1000', 'type=ref,event=tag'] },
      { main: 'first', partial: ['v1.1.1'] },
    ],
    [
      'a skipped rule does not decide latest',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=ref,event=branch,priority=1000', 'type=ref,event=tag'] },
      { main: 'v1.1.1', latest: true },
    ],
    [
      'enable from an expression',
      'event_push_master.env',
      {
        ...img,
        tags: [
          'type=raw,value=x,enable={{is_not_default_branch}}',
          'type=raw,value=y,enable={{is_default_branch}}',
        ],
      },
      { main: 'y' },
    ],
    [
      'base_ref of a tag push',
      'event_tag_v1.1.1.env',
      { ...img, tags: ['type=raw,value={{base_ref}}'] },
      { main: 'master' },
    ],
    [
      'commit date in a timezone',
      'event_push_dev.env',
      { ...img, tags: ["type=raw,value={{commit_date 'YYYY-MM-DD HH:mm' tz='America/New_York'}}"] },
      { main: '2020-01-09-19-30' },
    ],
    [
      'date with escaped literal',
      'event_push_dev.env',
      { ...img, tags: ["type=raw,value={{date '[build]-YYYY.MM.DD'}}"] },
      { main: 'build-2020.01.10' },
    ],
    [
      'unknown expressions render empty',
      'event_push_dev.env',
      { ...img, tags: ['type=raw,value=a{{nope}}b'] },
      { main: 'ab' },
    ],
    [
      'handlebars escaping is sanitised',
      'event_push_dev.env',
      { ...img, tags: ["type=raw,value={{date '[a=b]'}}"] },
      { main: 'a-x3D-b' },
    ],
  ]);

  it('the commit date comes from the payload when it lists the commit', () => {
    const ctx = custom({ commitDate: new Date('2023-05-06T07:08:09Z') });
    const r = computeMeta({ tags: ["type=raw,value={{commit_date 'YYYYMMDD'}}-{{date 'YYYYMMDD'}}"] }, ctx, {
      now: NOW,
    });
    expect(r.version.main).toBe('20230506-20200110');
  });
});

describe('labels and annotations', () => {
  const base = (fixture: FixtureName, inputs: MetaInputs) =>
    computeMeta(inputs, fixtureContext(fixture), { now: NOW });

  it('custom labels override and sort with the defaults; entries without "=" are dropped', () => {
    const r = base('event_push_dev.env', {
      labels: ['zzz=last', 'aaa=first', 'novalue', 'org.opencontainers.image.title=T', 'a=b=c'],
    });
    expect(r.labels).toEqual([
      'a=b=c',
      'aaa=first',
      'org.opencontainers.image.created=2020-01-10T00:30:00.000Z',
      'org.opencontainers.image.description=This your first repo!',
      'org.opencontainers.image.licenses=MIT',
      `org.opencontainers.image.revision=${SHA_DEV}`,
      'org.opencontainers.image.source=https://github.com/octocat/Hello-World',
      'org.opencontainers.image.title=T',
      'org.opencontainers.image.url=https://github.com/octocat/Hello-World',
      'org.opencontainers.image.version=dev',
      'zzz=last',
    ]);
    expect(r.annotations).not.toContain('org.opencontainers.image.title=T');
  });

  it('labels evaluate expressions', () => {
    const r = base('event_push_dev.env', {
      labels: ['org.opencontainers.image.version={{branch}}-{{sha}}', "built={{date 'YYYY'}}"],
    });
    expect(r.labels).toContain('org.opencontainers.image.version=dev-860c190');
    expect(r.labels).toContain('built=2020');
  });

  it('the last of two equal keys wins', () => {
    expect(base('event_push_dev.env', { labels: ['k=1', 'k=2'] }).labels).toContain('k=2');
  });

  it('annotations are separate from labels', () => {
    const r = base('event_push_dev.env', {
      annotations: ['org.opencontainers.image.vendor=ACME'],
      labels: ['org.opencontainers.image.vendor=Other'],
    });
    expect(r.annotations).toContain('org.opencontainers.image.vendor=ACME');
    expect(r.labels).toContain('org.opencontainers.image.vendor=Other');
  });

  it('without a version the version label is empty', () => {
    expect(base('event_push_dev.env', { tags: ['type=ref,event=tag'] }).labels).toContain(
      'org.opencontainers.image.version=',
    );
  });

  it('the created label is "now" in ISO form with milliseconds', () => {
    const r = computeMeta({}, fixtureContext('event_push_dev.env'), { now: new Date(1700000000123) });
    expect(r.labels).toContain('org.opencontainers.image.created=2023-11-14T22:13:20.123Z');
  });
});

describe('warnings', () => {
  const warn = (fixture: FixtureName, tags: string[]) =>
    computeMeta({ tags }, fixtureContext(fixture), { now: NOW }).warnings;

  it.each([
    [
      'event_tag_sometag.env',
      ['type=semver,pattern={{version}}'],
      'sometag is not a valid semver. More info: https://semver.org/',
    ],
    [
      'event_tag_sometag.env',
      ['type=pep440,pattern={{version}}'],
      'sometag does not conform to PEP 440. More info: https://www.python.org/dev/peps/pep-0440',
    ],
    ['event_tag_sometag.env', ['type=match,pattern=\\d'], '\\d does not match sometag.'],
    [
      'event_tag_v1.1.1.env',
      ['type=match,pattern=v(\\d),group=2'],
      'Group 2 does not exist for v(\\d) pattern.',
    ],
    [
      'event_push_dev.env',
      ['type=ref,event=tag'],
      'No Docker image version has been generated. Check tags input.',
    ],
    [
      'event_push_dev.env',
      ['type=raw,value={{brnach}}x'],
      'tag rule "type=raw,value={{brnach}}x" value: unknown expression {{brnach}} renders as empty',
    ],
    [
      'event_push_dev.env',
      ['type=raw,value=x,event=branch'],
      'tag rule "type=raw,value=x,event=branch": ignoring event= (not used by type=raw)',
    ],
  ])('%s %j', (fixture, tags, message) => {
    expect(warn(fixture as FixtureName, tags)).toContain(message);
  });
});

describe('errors', () => {
  const fail = (inputs: MetaInputs, fixture: FixtureName = 'event_push_dev.env'): UsageError => {
    try {
      computeMeta(inputs, fixtureContext(fixture), { now: NOW });
    } catch (err) {
      return err as UsageError;
    }
    throw new Error('no error');
  };

  it.each([
    [
      { tags: ['type=raw,value=x,enable=yes'] },
      /tag rule "type=raw,value=x,enable=yes": enable must evaluate to true or false, got "yes"/,
    ],
    [{ tags: ['type=raw,value=x,enable=True'] }, /enable must evaluate to true or false, got "True"/],
    [{ tags: ['type=raw,value={{date}}'] }, /value: \{\{date\}\} needs a format/],
    [{ tags: ["type=raw,value={{date 'YYYY' foo='x'}}"] }, /value: Unknown foo attribute/],
    [{ tags: ["type=raw,value={{date 'YYYY' tz='Mars/Base'}}"] }, /unknown time zone "Mars\/Base"/],
    [{ tags: ["type=raw,value={{nope 'x'}}"] }, /missing helper "nope"/],
    [
      { tags: ['type=ref,event=branch'], flavor: ["prefix={{nope 'x'}}"] },
      /flavor prefix: missing helper "nope"/,
    ],
    [{ flavor: ["prefix={{date 'Y' tz='X/Y'}}"] }, /flavor "prefix=.*never closed/],
    [{ labels: ['a={{date}}'] }, /label "a=\{\{date\}\}": \{\{date\}\} needs a format/],
    [{ annotations: ['a={{b'] }, /annotation "a=\{\{b": .*never closed/],
    [{ images: ['name=,enable=true'] }, /the image name is empty/],
    [{ flavor: ['latest=maybe'] }, /latest must be auto, true or false/],
    [{ tags: ['type=nope'] }, /unknown type "nope"/],
  ])('%j', (inputs, message) => {
    const err = fail(inputs);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
  });
});
