/**
 * docker/metadata-action's own expectations (its __tests__/meta.test.ts tables), case by case:
 * same fixture event, same inputs, same version, tags, labels and annotations.
 */
import { describe, expect, it } from 'vitest';
import { computeMeta, type MetaInputs, type MetaVersion } from '../../../src/meta/meta.js';
import {
  fixtureContext,
  NOW,
  ociLabels,
  SHA_DEV,
  SHA_INVALID,
  SHA_MASTER,
  SHA_PR,
  SHA_PR_HEAD,
  type FixtureName,
} from './fixtures.js';

type Case = [
  id: string,
  fixture: FixtureName,
  inputs: MetaInputs,
  version: MetaVersion,
  tags: string[],
  labels?: string[],
  annotations?: string[],
];

const v = (main: string | undefined, partial: string[] = [], latest = false): MetaVersion => ({
  main,
  partial,
  latest,
});
const two = ['org/app', 'ghcr.io/user/app'];
const both = (...tags: string[]): string[] => two.flatMap((img) => tags.map((t) => `${img}:${t}`));
const one = (img: string, ...tags: string[]): string[] => tags.map((t) => `${img}:${t}`);

function run(cases: Case[], opts: { prHeadSha?: boolean } = {}): void {
  it.each(cases)('%s (%s)', (_id, fixture, inputs, version, tags, labels, annotations) => {
    const ctx = fixtureContext(fixture, opts);
    const r = computeMeta(inputs, ctx, { now: NOW });
    expect(r.version).toEqual(version);
    expect(r.tags).toEqual(tags);
    const expectedLabels = labels ?? ociLabels(ctx.sha, version.main ?? '');
    expect(r.labels).toEqual(expectedLabels);
    expect(r.annotations).toEqual(annotations ?? expectedLabels);
  });
}

describe('null', () => {
  run([
    ['null01', 'event_empty.env', { images: ['user/app'] }, v(undefined), []],
    [
      'null02',
      'event_empty.env',
      { images: ['user/app'], tags: ['type=sha', 'type=raw,{{branch}}'] },
      v(undefined),
      [],
    ],
  ]);
});

describe('push', () => {
  run([
    ['push01', 'event_push_dev.env', { images: ['user/app'] }, v('dev'), ['user/app:dev']],
    [
      'push02',
      'event_push_master.env',
      { images: ['user/app'], tags: ['type=edge'] },
      v('edge'),
      ['user/app:edge'],
    ],
    ['push03', 'event_push_master.env', { images: ['user/app'] }, v('master'), ['user/app:master']],
    [
      'push04',
      'event_workflow_dispatch.env',
      { images: ['user/app'], tags: ['type=edge'] },
      v('edge'),
      ['user/app:edge'],
    ],
    ['push05', 'event_push_dev.env', { images: two }, v('dev'), both('dev')],
    ['push06', 'event_push_master.env', { images: two, tags: ['type=edge'] }, v('edge'), both('edge')],
    [
      'push07',
      'event_push_dev.env',
      { images: two, tags: ['type=ref,event=branch', 'type=sha'] },
      v('dev', ['sha-860c190']),
      both('dev', 'sha-860c190'),
    ],
    [
      'push08',
      'event_push_master.env',
      { images: two, tags: ['type=edge', 'type=sha'] },
      v('edge', ['sha-2665741']),
      both('edge', 'sha-2665741'),
    ],
    [
      'push09',
      'event_push_dev.env',
      { images: two, tags: ['type=edge,branch=dev', 'type=sha'] },
      v('edge', ['sha-860c190']),
      both('edge', 'sha-860c190'),
    ],
    [
      'push10',
      'event_push_master.env',
      { images: two, tags: ['type=edge,branch=dev', 'type=sha'] },
      v('sha-2665741'),
      both('sha-2665741'),
    ],
    [
      'push11',
      'event_push_invalidchars.env',
      { images: two, tags: ['type=edge', 'type=sha'] },
      v('sha-983315b'),
      both('sha-983315b'),
    ],
    [
      'push12',
      'event_push_invalidchars.env',
      {
        images: two,
        tags: ['type=semver,pattern={{version}}', 'type=pep440,pattern={{version}}', 'type=edge'],
      },
      v(undefined),
      [],
    ],
    [
      'push13',
      'event_push_master.env',
      { images: ['user/app'], tags: ['type=ref,priority=2000,event=branch', 'type=edge'] },
      v('master', ['edge']),
      ['user/app:master', 'user/app:edge'],
    ],
    [
      'push14',
      'event_push_master.env',
      {
        images: ['user/app'],
        tags: [
          'type=semver,pattern={{version}},value=v1.2.3',
          'type=pep440,pattern={{version}},value=v1.2.3',
          'type=edge',
        ],
      },
      v('1.2.3', ['edge'], true),
      ['user/app:1.2.3', 'user/app:edge', 'user/app:latest'],
    ],
    [
      'push15',
      'event_push_master.env',
      { images: ['user/app'], tags: ['type=match,pattern=v(.*),group=1,value=v1.2.3', 'type=edge'] },
      v('1.2.3', ['edge'], true),
      ['user/app:1.2.3', 'user/app:edge', 'user/app:latest'],
    ],
    [
      'push16',
      'event_push_master.env',
      {
        images: ['user/app'],
        tags: ['type=match,enable=false,pattern=v(.*),group=1,value=v1.2.3', 'type=edge'],
      },
      v('edge'),
      ['user/app:edge'],
    ],
    [
      'push17',
      'event_push_master.env',
      {
        images: ['user/app'],
        tags: [
          'type=raw,value=mytag-{{branch}}',
          "type=raw,value=mytag-{{date 'YYYYMMDD'}}",
          "type=raw,value=mytag-cd-{{commit_date 'YYYYMMDD'}}",
          "type=raw,value=mytag-{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
          'type=raw,value=mytag-tag-{{tag}}',
          'type=raw,value=mytag-baseref-{{base_ref}}',
          'type=raw,value=mytag-defbranch,enable={{is_default_branch}}',
        ],
      },
      v('mytag-master', [
        'mytag-20200110',
        'mytag-cd-20200110',
        'mytag-20200110-093000',
        'mytag-tag-',
        'mytag-baseref-',
        'mytag-defbranch',
      ]),
      one(
        'user/app',
        'mytag-master',
        'mytag-20200110',
        'mytag-cd-20200110',
        'mytag-20200110-093000',
        'mytag-tag-',
        'mytag-baseref-',
        'mytag-defbranch',
      ),
    ],
    [
      'push18',
      'event_push_dev.env',
      { images: two, tags: ['type=ref,event=branch', 'type=sha,format=long'] },
      v('dev', [`sha-${SHA_DEV}`]),
      both('dev', `sha-${SHA_DEV}`),
    ],
    [
      'push19',
      'event_push_dev.env',
      {
        images: two,
        tags: [
          'type=edge,branch=master',
          'type=ref,event=branch,enable=false',
          'type=sha,format=long',
          'type=raw,value=defbranch,enable={{is_default_branch}}',
        ],
      },
      v(`sha-${SHA_DEV}`),
      both(`sha-${SHA_DEV}`),
    ],
    [
      'push20',
      'event_push_dev.env',
      {
        images: ['org/app', 'ghcr.io/user/app,enable=false'],
        tags: ['type=edge,branch=master', 'type=ref,event=branch,enable=false', 'type=sha,format=long'],
      },
      v(`sha-${SHA_DEV}`),
      [`org/app:sha-${SHA_DEV}`],
    ],
    [
      'push21',
      'event_push_master.env',
      {
        images: [],
        tags: [
          'type=raw,value=mytag-{{branch}}',
          "type=raw,value=mytag-{{date 'YYYYMMDD'}}",
          "type=raw,value=mytag-{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
          "type=raw,value=mytag-src-{{commit_date 'YYYYMMDD'}}",
          'type=raw,value=mytag-tag-{{tag}}',
          'type=raw,value=mytag-baseref-{{base_ref}}',
          'type=raw,value=mytag-defbranch,enable={{is_default_branch}}',
        ],
        labels: ["org.opencontainers.image.created={{commit_date 'YYYY-MM-DDTHH:mm:ss.SSS[Z]'}}"],
      },
      v('mytag-master', [
        'mytag-20200110',
        'mytag-20200110-093000',
        'mytag-src-20200110',
        'mytag-tag-',
        'mytag-baseref-',
        'mytag-defbranch',
      ]),
      [
        'mytag-master',
        'mytag-20200110',
        'mytag-20200110-093000',
        'mytag-src-20200110',
        'mytag-tag-',
        'mytag-baseref-',
        'mytag-defbranch',
      ],
    ],
    [
      'push22',
      'event_push_dev.env',
      {
        images: ['org/app'],
        tags: [
          'type=edge,branch=master',
          'type=sha,format=long',
          'type=raw,value=notdefbranch,enable={{is_not_default_branch}}',
        ],
      },
      v('notdefbranch', [`sha-${SHA_DEV}`]),
      ['org/app:notdefbranch', `org/app:sha-${SHA_DEV}`],
    ],
  ]);
});

describe('tag', () => {
  run([
    [
      'tag01',
      'event_tag_release1.env',
      { images: ['user/app'] },
      v('release1', [], true),
      ['user/app:release1', 'user/app:latest'],
    ],
    [
      'tag02',
      'event_tag_20200110-RC2.env',
      { images: ['user/app'] },
      v('20200110-RC2', [], true),
      ['user/app:20200110-RC2', 'user/app:latest'],
    ],
    [
      'tag03',
      'event_tag_20200110-RC2.env',
      { images: ['user/app'], tags: ['type=match,pattern=\\d{8}'], flavor: ['latest=false'] },
      v('20200110'),
      ['user/app:20200110'],
    ],
    [
      'tag04',
      'event_tag_20200110-RC2.env',
      { images: ['user/app'], tags: ['type=match,pattern=(.*)-RC,group=1'], flavor: ['latest=false'] },
      v('20200110'),
      ['user/app:20200110'],
    ],
    [
      'tag05',
      'event_tag_v1.1.1.env',
      { images: two, tags: ['type=match,"pattern=\\d.\\d.\\d"'] },
      v('1.1.1', [], true),
      both('1.1.1', 'latest'),
    ],
    [
      'tag06',
      'event_tag_v1.1.1.env',
      { images: two, tags: ['type=match,"pattern=^v(\\d.\\d.\\d)$",group=1'] },
      v('1.1.1', [], true),
      both('1.1.1', 'latest'),
    ],
    [
      'tag07',
      'event_tag_v2.0.8-beta.67.env',
      { images: two, tags: ['type=match,"pattern=\\d.\\d.\\d-(alpha|beta).\\d+"'] },
      v('2.0.8-beta.67', [], true),
      both('2.0.8-beta.67', 'latest'),
    ],
    [
      'tag08',
      'event_tag_v2.0.8-beta.67.env',
      { images: two, tags: ['type=match,"pattern=\\d.\\d"'] },
      v('2.0', [], true),
      both('2.0', 'latest'),
    ],
    [
      'tag09',
      'event_tag_v2.0.8-beta.67.env',
      {
        images: two,
        tags: [
          'type=match,"pattern=v(.*)-beta.(.*)",group=1',
          'type=match,"pattern=v(.*)-beta.(.*)",group=2',
        ],
      },
      v('2.0.8', ['67'], true),
      both('2.0.8', '67', 'latest'),
    ],
    [
      'tag10',
      'event_tag_sometag.env',
      { images: two, tags: ['type=match,"pattern=\\d.\\d"'] },
      v(undefined),
      [],
    ],
    [
      'tag11',
      'event_tag_v1.1.1.env',
      {
        images: two,
        tags: [
          'type=semver,pattern={{version}}',
          'type=semver,pattern={{major}}.{{minor}}',
          'type=semver,pattern={{major}}',
        ],
      },
      v('1.1.1', ['1.1', '1'], true),
      both('1.1.1', '1.1', '1', 'latest'),
    ],
    [
      'tag12',
      'event_tag_v1.1.1.env',
      {
        images: two,
        tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}.{{patch}}'],
      },
      v('1.1.1', [], true),
      both('1.1.1', 'latest'),
    ],
    [
      'tag13',
      'event_tag_v2.0.8-beta.67.env',
      { images: two, tags: ['type=semver,pattern={{major}}.{{minor}}', 'type=semver,pattern={{major}}'] },
      v('2.0.8-beta.67'),
      both('2.0.8-beta.67'),
    ],
    [
      'tag14',
      'event_tag_sometag.env',
      {
        images: ['ghcr.io/user/app'],
        tags: [
          'type=ref,event=tag',
          'type=semver,pattern={{version}}',
          'type=semver,pattern={{major}}.{{minor}}',
          'type=semver,pattern={{major}}',
        ],
        flavor: ['latest=false'],
      },
      v('sometag'),
      ['ghcr.io/user/app:sometag'],
    ],
    [
      'tag15',
      'event_tag_v2.0.8-beta.67.env',
      {
        images: two,
        tags: [
          'type=raw,priority=2000,foo',
          'type=semver,pattern={{version}}',
          'type=match,"pattern=\\d.\\d"',
        ],
      },
      v('foo', ['2.0.8-beta.67', '2.0']),
      both('foo', '2.0.8-beta.67', '2.0'),
    ],
    [
      'tag16',
      'event_tag_v1.1.1.env',
      { images: two, tags: ['type=raw,priority=2000,foo', 'type=ref,event=tag', 'type=edge'] },
      v('foo', ['v1.1.1']),
      both('foo', 'v1.1.1'),
    ],
    [
      'tag17',
      'event_tag_p1-v1.0.0.env',
      {
        images: two,
        tags: [
          'type=match,"pattern=/^v(\\d.\\d.\\d)$/ig",group=1',
          'type=match,pattern=\\d.\\d.\\d',
          'type=match,pattern=\\d.\\d',
          'type=ref,event=pr',
          'type=sha',
        ],
      },
      v('1.0.0', ['1.0', 'sha-860c190'], true),
      both('1.0.0', '1.0', 'sha-860c190', 'latest'),
    ],
    [
      'tag18',
      'event_tag_p1-v1.0.0.env',
      {
        images: two,
        tags: [
          'type=match,pattern=p1/v(\\d.\\d.\\d),group=1',
          'type=match,pattern=p1/v(\\d.\\d),group=1',
          'type=match,pattern=p1/v(\\d.\\d),group=3',
          'type=ref,event=pr',
          'type=sha',
        ],
      },
      v('1.0.0', ['1.0', 'sha-860c190'], true),
      both('1.0.0', '1.0', 'sha-860c190', 'latest'),
    ],
    [
      'tag19',
      'event_tag_p1-v1.0.0.env',
      {
        images: two,
        tags: [
          'type=match,pattern=p1/v(\\d.\\d.\\d),group=1',
          'type=match,pattern=p1/v(\\d.\\d),group=1,suffix=',
          'type=ref,event=pr',
          'type=sha',
        ],
        flavor: ['suffix=-dev'],
      },
      v('1.0.0-dev', ['1.0', 'sha-860c190-dev'], true),
      both('1.0.0-dev', '1.0', 'sha-860c190-dev', 'latest'),
    ],
    [
      'tag20',
      'event_tag_v1.1.1.env',
      {
        images: two,
        tags: [
          'type=raw,{{tag}}-{{sha}}-foo',
          'type=raw,{{base_ref}}-foo',
          'type=raw,defbranch-foo,enable={{is_default_branch}}',
        ],
      },
      v('v1.1.1-860c190-foo', ['master-foo']),
      both('v1.1.1-860c190-foo', 'master-foo'),
    ],
    [
      'tag21',
      'event_tag_v1.1.1.env',
      {
        images: two,
        tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}.{{patch}}'],
        flavor: ['suffix=-dev,onlatest=true'],
      },
      v('1.1.1-dev', [], true),
      both('1.1.1-dev', 'latest-dev'),
    ],
    [
      'tag22',
      'event_tag_v1.1.1.env',
      {
        images: two,
        tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}.{{patch}}'],
        flavor: ['prefix=foo-,onlatest=true', 'suffix=-dev,onlatest=true'],
      },
      v('foo-1.1.1-dev', [], true),
      both('foo-1.1.1-dev', 'foo-latest-dev'),
    ],
    [
      'tag23',
      'event_tag_v1.1.1.env',
      {
        images: ['org/app'],
        tags: ['type=pep440,pattern={{raw}}', 'type=pep440,pattern={{major}}.{{minor}}'],
      },
      v('v1.1.1', ['1.1'], true),
      one('org/app', 'v1.1.1', '1.1', 'latest'),
    ],
    [
      'tag24',
      'event_tag_1.2.env',
      {
        images: ['org/app'],
        tags: ['type=pep440,pattern={{version}}', 'type=pep440,pattern={{major}}.{{minor}}'],
      },
      v('1.2', [], true),
      one('org/app', '1.2', 'latest'),
    ],
    [
      'tag25',
      'event_tag_1.1beta2.env',
      { images: two, tags: ['type=pep440,pattern={{major}}.{{minor}}', 'type=pep440,pattern={{major}}'] },
      v('1.1b2'),
      both('1.1b2'),
    ],
    [
      'tag26',
      'event_tag_1.0dev4.env',
      { images: two, tags: ['type=pep440,pattern={{major}}.{{minor}}', 'type=pep440,pattern={{major}}'] },
      v('1.0.dev4'),
      both('1.0.dev4'),
    ],
    [
      'tag27',
      'event_tag_1.2.3rc2.env',
      {
        images: two,
        tags: [
          'type=pep440,pattern={{raw}}',
          'type=pep440,pattern={{version}}',
          'type=pep440,pattern={{major}}.{{minor}}',
          'type=pep440,pattern={{major}}',
        ],
      },
      v('1.2.3rc2'),
      both('1.2.3rc2'),
    ],
    [
      'tag28',
      'event_tag_v1.1.1.env',
      {
        images: ['org/app'],
        tags: [
          'type=pep440,pattern={{version}}',
          'type=pep440,pattern={{major}}.{{minor}}.{{patch}}',
          'type=pep440,pattern={{major}}.{{minor}}',
          'type=pep440,pattern={{major}}',
        ],
      },
      v('1.1.1', ['1.1', '1'], true),
      one('org/app', '1.1.1', '1.1', '1', 'latest'),
    ],
    [
      'tag29',
      'event_tag_1.2post1.env',
      {
        images: ['org/app'],
        tags: [
          'type=pep440,pattern={{version}}',
          'type=pep440,pattern={{major}}.{{minor}}',
          'type=pep440,pattern={{major}}',
        ],
      },
      v('1.2.post1'),
      ['org/app:1.2.post1'],
    ],
    [
      'tag30',
      'event_tag_sometag.env',
      {
        images: ['ghcr.io/user/app'],
        tags: [
          'type=ref,event=tag',
          'type=pep440,pattern={{version}}',
          'type=pep440,pattern={{major}}.{{minor}}',
          'type=pep440,pattern={{major}}',
        ],
        flavor: ['latest=false'],
      },
      v('sometag'),
      ['ghcr.io/user/app:sometag'],
    ],
    [
      'tag31',
      'event_tag_v2.0.8-beta.67.env',
      { images: two, tags: ['type=semver,pattern={{raw}}'] },
      v('v2.0.8-beta.67'),
      both('v2.0.8-beta.67'),
    ],
    [
      'tag32',
      'event_tag_v1.2.3rc2.env',
      { images: two, tags: ['type=pep440,pattern={{raw}}', 'type=pep440,pattern={{major}}.{{minor}}'] },
      v('v1.2.3rc2', ['1.2.3rc2']),
      both('v1.2.3rc2', '1.2.3rc2'),
    ],
    [
      'tag33',
      'event_tag_v1.1.1.env',
      {
        images: [],
        tags: [
          'type=pep440,pattern={{version}}',
          'type=pep440,pattern={{major}}.{{minor}}.{{patch}}',
          'type=pep440,pattern={{major}}.{{minor}}',
          'type=pep440,pattern={{major}}',
        ],
      },
      v('1.1.1', ['1.1', '1'], true),
      ['1.1.1', '1.1', '1', 'latest'],
    ],
    [
      'tag34',
      'event_tag_p1-v1.0.0.env',
      { images: ['org/app'], tags: ['type=semver,pattern={{version}},"match=v(\\d.\\d.\\d)$"'] },
      v('1.0.0', [], true),
      one('org/app', '1.0.0', 'latest'),
    ],
    [
      'push35',
      'event_push_master.env',
      {
        images: ['user/app'],
        tags: [
          'type=semver,pattern={{version}},value=p1/v1.2.3,"match=v(\\d.\\d.\\d)$"',
          'type=pep440,pattern={{version}},value=p1/v1.2.3,"match=v(\\d.\\d.\\d)$"',
          'type=edge',
        ],
      },
      v('1.2.3', ['edge'], true),
      ['user/app:1.2.3', 'user/app:edge', 'user/app:latest'],
    ],
  ]);
});

describe('latest', () => {
  run([
    [
      'latest01',
      'event_tag_release1.env',
      { images: ['user/app'], tags: ['type=match,"pattern=^release\\d{1,2}"'] },
      v('release1', [], true),
      ['user/app:release1', 'user/app:latest'],
    ],
    [
      'latest02',
      'event_tag_20200110-RC2.env',
      { images: ['user/app'], tags: ['type=match,"pattern=^\\d+-RC\\d{1,2}"'] },
      v('20200110-RC2', [], true),
      ['user/app:20200110-RC2', 'user/app:latest'],
    ],
    [
      'latest03',
      'event_tag_20200110-RC2.env',
      { images: ['user/app'], tags: ['type=match,pattern=\\d{8}'] },
      v('20200110', [], true),
      ['user/app:20200110', 'user/app:latest'],
    ],
    [
      'latest04',
      'event_tag_v1.1.1.env',
      { images: ['user/app'], tags: ['type=match,"pattern=\\d.\\d.\\d"'] },
      v('1.1.1', [], true),
      ['user/app:1.1.1', 'user/app:latest'],
    ],
    ['latest05', 'event_tag_v1.1.1.env', { images: two }, v('v1.1.1', [], true), both('v1.1.1', 'latest')],
    [
      'latest06',
      'event_tag_v2.0.8-beta.67.env',
      { images: two, tags: ['type=match,"pattern=\\d.\\d.\\d"'] },
      v('2.0.8', [], true),
      both('2.0.8', 'latest'),
    ],
    [
      'latest07',
      'event_tag_v1.1.1.env',
      { images: two, tags: ['type=ref,event=tag'], flavor: ['latest=false'] },
      v('v1.1.1'),
      both('v1.1.1'),
    ],
    [
      'latest08',
      'event_tag_v1.1.1.env',
      { images: ['org/app', 'ghcr.io/MyUSER/MyApp'], tags: ['type=ref,event=tag'], flavor: ['latest=false'] },
      v('v1.1.1'),
      ['org/app:v1.1.1', 'ghcr.io/myuser/myapp:v1.1.1'],
    ],
    [
      'latest09',
      'event_tag_v1.1.1.env',
      {
        images: ['org/app', 'ghcr.io/MyUSER/MyApp'],
        tags: ['type=ref,event=tag'],
        flavor: ['latest=false'],
        labels: [
          'maintainer=CrazyMax',
          'org.opencontainers.image.description=this is a "good" example',
          'org.opencontainers.image.title=MyCustomTitle',
          'org.opencontainers.image.vendor=MyCompany',
        ],
        annotations: [
          'maintainer=Foo',
          'org.opencontainers.image.description=this is a "bad" example',
          'org.opencontainers.image.title=MyNotTitle',
          'org.opencontainers.image.vendor=MyNotCompany',
        ],
      },
      v('v1.1.1'),
      ['org/app:v1.1.1', 'ghcr.io/myuser/myapp:v1.1.1'],
      [
        'maintainer=CrazyMax',
        'org.opencontainers.image.created=2020-01-10T00:30:00.000Z',
        'org.opencontainers.image.description=this is a "good" example',
        'org.opencontainers.image.licenses=MIT',
        `org.opencontainers.image.revision=${SHA_DEV}`,
        'org.opencontainers.image.source=https://github.com/octocat/Hello-World',
        'org.opencontainers.image.title=MyCustomTitle',
        'org.opencontainers.image.url=https://github.com/octocat/Hello-World',
        'org.opencontainers.image.vendor=MyCompany',
        'org.opencontainers.image.version=v1.1.1',
      ],
      [
        'maintainer=Foo',
        'org.opencontainers.image.created=2020-01-10T00:30:00.000Z',
        'org.opencontainers.image.description=this is a "bad" example',
        'org.opencontainers.image.licenses=MIT',
        `org.opencontainers.image.revision=${SHA_DEV}`,
        'org.opencontainers.image.source=https://github.com/octocat/Hello-World',
        'org.opencontainers.image.title=MyNotTitle',
        'org.opencontainers.image.url=https://github.com/octocat/Hello-World',
        'org.opencontainers.image.vendor=MyNotCompany',
        'org.opencontainers.image.version=v1.1.1',
      ],
    ],
    [
      'latest10',
      'event_tag_v2.0.8-beta.67.env',
      { images: [], tags: ['type=match,"pattern=\\d.\\d.\\d"'] },
      v('2.0.8', [], true),
      ['2.0.8', 'latest'],
    ],
  ]);
});

const prCases = (sha: string, short: string, targetSha: string, targetShort: string): Case[] => [
  ['pr01', 'event_pull_request.env', { images: ['user/app'] }, v('pr-15'), ['user/app:pr-15']],
  ['pr02', 'event_pull_request.env', { images: two }, v('pr-15'), both('pr-15')],
  [
    'pr03',
    'event_pull_request.env',
    { images: two, tags: ['type=ref,event=pr', 'type=sha'] },
    v('pr-15', [`sha-${short}`]),
    both('pr-15', `sha-${short}`),
  ],
  [
    'pr04',
    'event_pull_request.env',
    { images: two, tags: ['type=sha,priority=2000', 'type=ref,event=pr'] },
    v(`sha-${short}`, ['pr-15']),
    both(`sha-${short}`, 'pr-15'),
  ],
  [
    'pr05',
    'event_pull_request.env',
    { images: two, tags: ['type=ref,event=pr'], flavor: ['prefix=glo-', 'suffix=-bal'] },
    v('pr-15-bal'),
    both('pr-15-bal'),
  ],
  [
    'pr06',
    'event_pull_request.env',
    { images: two, tags: ['type=ref,event=pr,prefix='], flavor: ['prefix=glo-', 'suffix=-bal'] },
    v('15-bal'),
    both('15-bal'),
  ],
  [
    'pr07',
    'event_pull_request_target.env',
    { images: two, tags: ['type=sha,priority=2000', 'type=ref,event=pr'] },
    v(`sha-${targetShort}`, ['pr-15']),
    both(`sha-${targetShort}`, 'pr-15'),
  ],
  [
    'pr08',
    'event_pull_request_target.env',
    { images: two, tags: ['type=ref,event=pr,prefix='], flavor: ['prefix=glo-', 'suffix=-bal'] },
    v('15-bal'),
    both('15-bal'),
  ],
  [
    'pr09',
    'event_pull_request_target.env',
    {
      images: ['org/app'],
      tags: [
        'type=ref,event=tag',
        'type=ref,event=pr',
        'type=ref,event=branch',
        'type=sha',
        'type=sha,format=long',
      ],
    },
    v('pr-15', [`sha-${targetShort}`, `sha-${targetSha}`]),
    one('org/app', 'pr-15', `sha-${targetShort}`, `sha-${targetSha}`),
  ],
  [
    'pr10',
    'event_pull_request_target.env',
    {
      images: ['org/app'],
      tags: ['type=raw,value=mytag-{{base_ref}}', 'type=raw,mytag-defbranch,enable={{is_default_branch}}'],
    },
    v('mytag-master'),
    ['org/app:mytag-master'],
  ],
  [
    'pr11',
    'event_pull_request.env',
    {
      images: ['org/app'],
      tags: ['type=raw,value=mytag-{{base_ref}}', 'type=raw,mytag-defbranch,enable={{is_default_branch}}'],
    },
    v('mytag-master'),
    ['org/app:mytag-master'],
  ],
  [
    'pr12',
    'event_pull_request.env',
    { images: ['org/app'], tags: ['type=raw,value={{commit_date YYYY-MM-DD-HHmmSS}}'] },
    v('2020-01-10T00-30-00Z'),
    ['org/app:2020-01-10T00-30-00Z'],
  ],
  [
    'pr13',
    'event_pull_request.env',
    { images: ['org/app'], tags: ['type=raw,value=src-{{commit_date YYYY-MM-DD}}'] },
    v('src-2020-01-10T00-30-00Z'),
    ['org/app:src-2020-01-10T00-30-00Z'],
  ],
];

describe('pr', () => {
  run(prCases(SHA_PR, 'a9c8c58', SHA_MASTER, '2665741'));
});

describe('pr-head-sha (DOCKER_METADATA_PR_HEAD_SHA=true)', () => {
  run(prCases(SHA_PR_HEAD, '3370e22', SHA_PR_HEAD, '3370e22'), { prHeadSha: true });
});

describe('schedule', () => {
  run([
    [
      'schedule01',
      'event_schedule.env',
      { images: ['user/app'] },
      v('nightly', ['master']),
      ['user/app:nightly', 'user/app:master'],
    ],
    [
      'schedule02',
      'event_schedule.env',
      {
        images: ['user/app'],
        tags: [
          "type=schedule,pattern={{date 'YYYYMMDD'}}",
          "type=schedule,pattern=source-date-{{commit_date 'YYYY-MM-DD'}}",
        ],
      },
      v('20200110', ['source-date-2020-01-10']),
      ['user/app:20200110', 'user/app:source-date-2020-01-10'],
    ],
    [
      'schedule03',
      'event_schedule.env',
      { images: ['user/app'], tags: ["type=schedule,pattern={{date 'YYYYMMDD-HHmmss'}}"] },
      v('20200110-003000'),
      ['user/app:20200110-003000'],
    ],
    [
      'schedule04',
      'event_schedule.env',
      { images: two },
      v('nightly', ['master']),
      both('nightly', 'master'),
    ],
    [
      'schedule05',
      'event_schedule.env',
      { images: two, tags: ['type=schedule', 'type=sha'] },
      v('nightly', ['sha-860c190']),
      both('nightly', 'sha-860c190'),
    ],
    [
      'schedule06',
      'event_schedule.env',
      {
        images: two,
        tags: [
          'type=schedule',
          'type=sha,priority=2000',
          'type=raw,value=defbranch,enable={{is_default_branch}}',
        ],
      },
      v('sha-860c190', ['nightly', 'defbranch']),
      both('sha-860c190', 'nightly', 'defbranch'),
    ],
    [
      'schedule07',
      'event_schedule.env',
      { images: two, tags: ['type=schedule'], flavor: ['prefix=glo-', 'suffix=-bal'] },
      v('glo-nightly-bal'),
      both('glo-nightly-bal'),
    ],
    [
      'schedule08',
      'event_schedule.env',
      {
        images: ['user/app'],
        tags: [
          "type=schedule,pattern={{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
          "type=schedule,pattern=src-{{commit_date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
        ],
      },
      v('20200110-093000', ['src-20200110-093000']),
      ['user/app:20200110-093000', 'user/app:src-20200110-093000'],
    ],
  ]);
});

describe('release', () => {
  run([
    [
      'release01',
      'event_release_created.env',
      { images: ['user/app'] },
      v('v1.1.1', [], true),
      ['user/app:v1.1.1', 'user/app:latest'],
    ],
    [
      'release02',
      'event_release_created.env',
      {
        images: ['user/app'],
        tags: [
          'type=ref,event=tag',
          'type=raw,value=baseref-{{base_ref}}',
          'type=raw,value=defbranch,enable={{is_default_branch}}',
        ],
      },
      v('v1.1.1', ['baseref-'], true),
      ['user/app:v1.1.1', 'user/app:baseref-', 'user/app:latest'],
    ],
    [
      'release03',
      'event_release_created.env',
      {
        images: ['user/app'],
        tags: [
          "type=raw,value=src-{{commit_date 'YYYYMMDD-HHmmss'}}",
          "type=raw,value={{date 'YYYYMMDD-HHmmss'}}",
        ],
      },
      v('src-20200110-003000', ['20200110-003000']),
      ['user/app:src-20200110-003000', 'user/app:20200110-003000'],
    ],
  ]);
});

describe('raw', () => {
  const mct = ['type=raw,my', 'type=raw,custom', 'type=raw,tags'];
  run([
    [
      'raw01',
      'event_push_dev.env',
      { images: ['user/app'], tags: ['type=ref,event=branch', ...mct] },
      v('dev', ['my', 'custom', 'tags']),
      one('user/app', 'dev', 'my', 'custom', 'tags'),
    ],
    [
      'raw02',
      'event_push_dev.env',
      { images: ['user/app'], tags: ['type=ref,event=branch', 'type=raw,my'] },
      v('dev', ['my']),
      one('user/app', 'dev', 'my'),
    ],
    [
      'raw03',
      'event_tag_release1.env',
      { images: ['user/app'], tags: ['type=ref,event=tag', ...mct] },
      v('release1', ['my', 'custom', 'tags'], true),
      one('user/app', 'release1', 'my', 'custom', 'tags', 'latest'),
    ],
    [
      'raw04',
      'event_tag_20200110-RC2.env',
      { images: ['user/app'], tags: ['type=match,pattern=\\d{8}', ...mct], flavor: ['latest=false'] },
      v('20200110', ['my', 'custom', 'tags']),
      one('user/app', '20200110', 'my', 'custom', 'tags'),
    ],
    [
      'raw05',
      'event_tag_v1.1.1.env',
      {
        images: two,
        tags: [
          'type=semver,pattern={{version}}',
          'type=semver,pattern={{major}}.{{minor}}',
          'type=semver,pattern={{major}}',
          ...mct,
        ],
      },
      v('1.1.1', ['1.1', '1', 'my', 'custom', 'tags'], true),
      both('1.1.1', '1.1', '1', 'my', 'custom', 'tags', 'latest'),
    ],
    [
      'raw06',
      'event_tag_v1.1.1.env',
      { images: two, tags: mct },
      v('my', ['custom', 'tags']),
      both('my', 'custom', 'tags'),
    ],
    [
      'raw07',
      'event_push_dev.env',
      { images: ['user/app'], tags: ['type=ref,priority=90,event=branch', ...mct], flavor: ['latest=true'] },
      v('my', ['custom', 'tags', 'dev'], true),
      one('user/app', 'my', 'custom', 'tags', 'dev', 'latest'),
    ],
    [
      'raw08',
      'event_push_dev.env',
      { images: ['user/app'], tags: ['type=match,pattern=\\d{8}', ...mct], flavor: ['latest=false'] },
      v('my', ['custom', 'tags']),
      one('user/app', 'my', 'custom', 'tags'),
    ],
    [
      'raw09',
      'event_push_dev.env',
      {
        images: ['user/app'],
        tags: [
          'type=match,pattern=\\d{8}',
          'type=raw,my,prefix=foo-,suffix=-bar',
          'type=raw,custom',
          'type=raw,tags',
        ],
        flavor: ['latest=false', 'prefix=glo-', 'suffix=-bal'],
      },
      v('foo-my-bar', ['glo-custom-bal', 'glo-tags-bal']),
      one('user/app', 'foo-my-bar', 'glo-custom-bal', 'glo-tags-bal'),
    ],
    [
      'raw10',
      'event_push_dev.env',
      {
        images: ['user/app'],
        tags: ['type=raw,foo', 'type=raw,bar,enable=false', 'type=raw,baz,enable=true'],
        flavor: ['latest=false'],
      },
      v('foo', ['baz']),
      one('user/app', 'foo', 'baz'),
    ],
  ]);
});

describe('invalid characters', () => {
  run([
    [
      'invalid01',
      'event_push_invalidchars.env',
      { images: ['user/app'] },
      v('my-feature-1245'),
      ['user/app:my-feature-1245'],
    ],
    [
      'invalid02',
      'event_push_invalidchars.env',
      { images: ['user/app'], tags: ['type=raw,value={{branch}}-{{sha}}'] },
      v('my-feature-1245-983315b'),
      ['user/app:my-feature-1245-983315b'],
    ],
  ]);
  it('keeps the revision of the invalid-chars push', () => {
    expect(fixtureContext('event_push_invalidchars.env').sha).toBe(SHA_INVALID);
  });
});
