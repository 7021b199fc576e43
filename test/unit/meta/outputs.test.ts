import { describe, expect, it } from 'vitest';
import { computeMeta, type MetaInputs } from '../../../src/meta/meta.js';
import {
  actionOutputs,
  bakeDefinition,
  bakeFileContent,
  cliJson,
  fileCommandRecord,
  leveledAnnotations,
  metaJson,
  outputEnvName,
} from '../../../src/meta/outputs.js';
import { fixtureContext, NOW, ociLabels, SHA_DEV, type FixtureName } from './fixtures.js';

const meta = (fixture: FixtureName, inputs: MetaInputs) =>
  computeMeta(inputs, fixtureContext(fixture), { now: NOW });
const labelsObject = (version: string): Record<string, string> =>
  Object.fromEntries(
    ociLabels(SHA_DEV, version).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
const leveled = (level: string, version: string): string[] =>
  ociLabels(SHA_DEV, version).map((l) => `${level}:${l}`);
const mct = ['type=raw,my', 'type=raw,custom', 'type=raw,tags'];

describe('json output (action json01-json07)', () => {
  const cases: [string, FixtureName, MetaInputs, string[], string[], Record<string, string>, string][] = [
    [
      'json01',
      'event_push_dev.env',
      { images: ['user/app'], tags: ['type=ref,event=branch', ...mct], labels: ['invalid', 'foo='] },
      ['user/app:dev', 'user/app:my', 'user/app:custom', 'user/app:tags'],
      ['dev', 'my', 'custom', 'tags'],
      { foo: '', ...labelsObject('dev') },
      'dev',
    ],
    [
      'json02',
      'event_push_dev.env',
      { images: ['user/app'], tags: ['type=ref,event=branch', 'type=raw,my'] },
      ['user/app:dev', 'user/app:my'],
      ['dev', 'my'],
      labelsObject('dev'),
      'dev',
    ],
    [
      'json03',
      'event_tag_release1.env',
      { images: ['user/app'], tags: ['type=ref,event=tag', ...mct] },
      ['user/app:release1', 'user/app:my', 'user/app:custom', 'user/app:tags', 'user/app:latest'],
      ['release1', 'my', 'custom', 'tags', 'latest'],
      labelsObject('release1'),
      'release1',
    ],
    [
      'json04',
      'event_tag_20200110-RC2.env',
      { images: ['user/app'], tags: ['type=match,pattern=\\d{8}', ...mct], flavor: ['latest=false'] },
      ['user/app:20200110', 'user/app:my', 'user/app:custom', 'user/app:tags'],
      ['20200110', 'my', 'custom', 'tags'],
      labelsObject('20200110'),
      '20200110',
    ],
    [
      'json05',
      'event_tag_v1.1.1.env',
      {
        images: ['org/app', 'ghcr.io/user/app'],
        tags: [
          'type=semver,pattern={{version}}',
          'type=semver,pattern={{major}}.{{minor}}',
          'type=semver,pattern={{major}}',
          ...mct,
        ],
      },
      ['org/app', 'ghcr.io/user/app'].flatMap((i) =>
        ['1.1.1', '1.1', '1', 'my', 'custom', 'tags', 'latest'].map((t) => `${i}:${t}`),
      ),
      ['1.1.1', '1.1', '1', 'my', 'custom', 'tags', 'latest'],
      labelsObject('1.1.1'),
      '1.1.1',
    ],
    [
      'json06',
      'event_tag_v1.1.1.env',
      { images: ['org/app', 'ghcr.io/user/app'], tags: mct },
      [
        'org/app:my',
        'org/app:custom',
        'org/app:tags',
        'ghcr.io/user/app:my',
        'ghcr.io/user/app:custom',
        'ghcr.io/user/app:tags',
      ],
      ['my', 'custom', 'tags'],
      labelsObject('my'),
      'my',
    ],
  ];
  it.each(cases)('%s', (_id, fixture, inputs, tags, tagNames, labels, version) => {
    const r = meta(fixture, inputs);
    expect(metaJson(r, ['manifest'])).toEqual({
      tags,
      'tag-names': tagNames,
      labels,
      annotations: leveled('manifest', version),
    });
  });

  it('json07: custom labels override and extend, annotations keep the defaults', () => {
    const r = meta('event_tag_v1.1.1.env', {
      images: ['org/app'],
      labels: [
        'foo',
        'maintainer=CrazyMax',
        'org.opencontainers.image.title=MyCustom=Title',
        'org.opencontainers.image.description=Another description',
        'org.opencontainers.image.vendor=MyCompany',
      ],
    });
    expect(metaJson(r, ['manifest'])).toEqual({
      tags: ['org/app:v1.1.1', 'org/app:latest'],
      'tag-names': ['v1.1.1', 'latest'],
      labels: {
        maintainer: 'CrazyMax',
        'org.opencontainers.image.created': '2020-01-10T00:30:00.000Z',
        'org.opencontainers.image.description': 'Another description',
        'org.opencontainers.image.licenses': 'MIT',
        'org.opencontainers.image.revision': SHA_DEV,
        'org.opencontainers.image.source': 'https://github.com/octocat/Hello-World',
        'org.opencontainers.image.title': 'MyCustom=Title',
        'org.opencontainers.image.url': 'https://github.com/octocat/Hello-World',
        'org.opencontainers.image.vendor': 'MyCompany',
        'org.opencontainers.image.version': 'v1.1.1',
      },
      annotations: leveled('manifest', 'v1.1.1'),
    });
  });

  it('--json adds the version first', () => {
    const r = meta('event_push_dev.env', { images: ['user/app'] });
    const j = cliJson(r, ['manifest']);
    expect(Object.keys(j)).toEqual(['version', 'tags', 'tag-names', 'labels', 'annotations']);
    expect(j.version).toBe('dev');
  });

  it('--json version is empty when no tag applies', () => {
    expect(
      cliJson(meta('event_push_dev.env', { images: ['user/app'], tags: ['type=ref,event=tag'] }), [
        'manifest',
      ]).version,
    ).toBe('');
  });
});

describe('annotation levels', () => {
  it('prefixes every annotation per level, level by level', () => {
    const r = meta('event_push_dev.env', { images: ['user/app'] });
    expect(leveledAnnotations(r, ['manifest', 'index'])).toEqual([
      ...leveled('manifest', 'dev'),
      ...leveled('index', 'dev'),
    ]);
  });
  it('index only', () => {
    const r = meta('event_push_dev.env', { images: ['user/app'] });
    expect(metaJson(r, ['index']).annotations).toEqual(leveled('index', 'dev'));
  });
});

describe('bake files (action bakeFile01-07)', () => {
  const cases: [string, FixtureName, MetaInputs, string, string[], string, string?][] = [
    [
      'bakeFile01',
      'event_push_dev.env',
      { images: ['user/app'], tags: ['type=ref,event=branch', ...mct], labels: ['invalid'] },
      'dev',
      ['user/app:dev', 'user/app:my', 'user/app:custom', 'user/app:tags'],
      'user/app',
    ],
    [
      'bakeFile02',
      'event_push_dev.env',
      { images: ['user/app'], tags: ['type=ref,event=branch', 'type=raw,my'] },
      'dev',
      ['user/app:dev', 'user/app:my'],
      'user/app',
    ],
    [
      'bakeFile03',
      'event_tag_release1.env',
      { images: ['user/app'], tags: ['type=ref,event=tag', ...mct] },
      'release1',
      ['user/app:release1', 'user/app:my', 'user/app:custom', 'user/app:tags', 'user/app:latest'],
      'user/app',
      'meta',
    ],
    [
      'bakeFile04',
      'event_tag_20200110-RC2.env',
      { images: ['user/app'], tags: ['type=match,pattern=\\d{8}', ...mct], flavor: ['latest=false'] },
      '20200110',
      ['user/app:20200110', 'user/app:my', 'user/app:custom', 'user/app:tags'],
      'user/app',
    ],
    [
      'bakeFile06',
      'event_tag_v1.1.1.env',
      { images: ['org/app', 'ghcr.io/user/app'], tags: mct },
      'my',
      [
        'org/app:my',
        'org/app:custom',
        'org/app:tags',
        'ghcr.io/user/app:my',
        'ghcr.io/user/app:custom',
        'ghcr.io/user/app:tags',
      ],
      'org/app,ghcr.io/user/app',
    ],
  ];
  it.each(cases)('%s', (_id, fixture, inputs, version, tags, images, target) => {
    const r = meta(fixture, inputs);
    const name = target ?? 'docker-metadata-action';
    const opts = { target: name, levels: ['index', 'manifest-descriptor'] };
    expect(JSON.parse(bakeFileContent(bakeDefinition(r, 'tags', opts)))).toEqual({
      target: { [name]: { tags, args: { DOCKER_META_IMAGES: images, DOCKER_META_VERSION: version } } },
    });
    expect(bakeDefinition(r, 'labels', opts)).toEqual({
      target: { [name]: { labels: labelsObject(version) } },
    });
    expect(bakeDefinition(r, 'annotations', opts)).toEqual({
      target: {
        [name]: { annotations: [...leveled('index', version), ...leveled('manifest-descriptor', version)] },
      },
    });
  });

  it('bakeFile05: semver tags and both images in args', () => {
    const r = meta('event_tag_v1.1.1.env', {
      images: ['org/app', 'ghcr.io/user/app'],
      tags: [
        'type=semver,pattern={{version}}',
        'type=semver,pattern={{major}}.{{minor}}',
        'type=semver,pattern={{major}}',
        ...mct,
      ],
    });
    const def = bakeDefinition(r, 'tags');
    expect(def.target['docker-metadata-action']).toEqual({
      tags: ['org/app', 'ghcr.io/user/app'].flatMap((i) =>
        ['1.1.1', '1.1', '1', 'my', 'custom', 'tags', 'latest'].map((t) => `${i}:${t}`),
      ),
      args: { DOCKER_META_IMAGES: 'org/app,ghcr.io/user/app', DOCKER_META_VERSION: '1.1.1' },
    });
  });

  it('bakeFile07: custom labels in the labels definition', () => {
    const r = meta('event_tag_v1.1.1.env', {
      images: ['org/app'],
      labels: [
        'maintainer=CrazyMax',
        'org.opencontainers.image.title=MyCustom=Title',
        'org.opencontainers.image.description=Another description',
        'org.opencontainers.image.vendor=MyCompany',
      ],
    });
    expect(bakeDefinition(r, 'labels').target['docker-metadata-action']!.labels).toEqual({
      ...labelsObject('v1.1.1'),
      maintainer: 'CrazyMax',
      'org.opencontainers.image.title': 'MyCustom=Title',
      'org.opencontainers.image.description': 'Another description',
      'org.opencontainers.image.vendor': 'MyCompany',
    });
    expect(bakeDefinition(r, 'tags').target['docker-metadata-action']!.tags).toEqual([
      'org/app:v1.1.1',
      'org/app:latest',
    ]);
  });

  it('bakeFileTagsLabels01: tags, labels and args together', () => {
    const r = meta('event_push_dev.env', {
      images: ['user/app'],
      tags: ['type=ref,event=branch', ...mct],
      labels: ['invalid'],
    });
    expect(bakeDefinition(r, 'tags-labels')).toEqual({
      target: {
        'docker-metadata-action': {
          tags: ['user/app:dev', 'user/app:my', 'user/app:custom', 'user/app:tags'],
          labels: labelsObject('dev'),
          args: { DOCKER_META_IMAGES: 'user/app', DOCKER_META_VERSION: 'dev' },
        },
      },
    });
  });

  it('--bake-file: tags, labels, annotations and args in one target', () => {
    const r = meta('event_push_dev.env', { images: ['user/app'] });
    const def = bakeDefinition(r, 'all', { levels: ['manifest', 'index'] });
    expect(Object.keys(def.target['docker-metadata-action']!)).toEqual([
      'tags',
      'labels',
      'annotations',
      'args',
    ]);
    expect(def.target['docker-metadata-action']!.annotations).toEqual([
      ...leveled('manifest', 'dev'),
      ...leveled('index', 'dev'),
    ]);
  });

  it('an undefined version is left out of the args', () => {
    const r = meta('event_push_dev.env', { images: ['user/app'], tags: ['type=ref,event=tag'] });
    expect(JSON.parse(bakeFileContent(bakeDefinition(r, 'tags')))).toEqual({
      target: { 'docker-metadata-action': { tags: [], args: { DOCKER_META_IMAGES: 'user/app' } } },
    });
  });
});

describe('action outputs', () => {
  const files = {
    tags: '/t/tags.json',
    labels: '/t/labels.json',
    annotations: '/t/ann.json',
    tagsLabels: '/t/bake.json',
  };
  const r = meta('event_push_dev.env', { images: ['user/app'], tags: ['type=ref,event=branch', ...mct] });

  it.each([
    ['sepTags01', ' ', 'user/app:dev user/app:my user/app:custom user/app:tags'],
    ['sepTags02', ',', 'user/app:dev,user/app:my,user/app:custom,user/app:tags'],
    ['default separator', undefined, 'user/app:dev\nuser/app:my\nuser/app:custom\nuser/app:tags'],
  ])('%s', (_id, sepTags, expected) => {
    const out = new Map(actionOutputs(r, { sepTags, levels: ['manifest'], bakeFiles: files }));
    expect(out.get('tags')).toBe(expected);
  });

  it('sets every output of the action, in its order', () => {
    const out = actionOutputs(r, { levels: ['manifest'], bakeFiles: files, sepLabels: ';' });
    expect(out.map(([n]) => n)).toEqual([
      'version',
      'tags',
      'tag-names',
      'labels',
      'annotations',
      'json',
      'bake-file-tags',
      'bake-file-labels',
      'bake-file-annotations',
      'bake-file',
    ]);
    const m = new Map(out);
    expect(m.get('version')).toBe('dev');
    expect(m.get('tag-names')).toBe('dev\nmy\ncustom\ntags');
    expect(m.get('labels')).toBe(ociLabels(SHA_DEV, 'dev').join(';'));
    expect(JSON.parse(m.get('json')!)).toEqual(metaJson(r, ['manifest']));
    expect(m.get('bake-file')).toBe('/t/bake.json');
  });

  it.each([
    ['version', 'DOCKER_METADATA_OUTPUT_VERSION'],
    ['tag-names', 'DOCKER_METADATA_OUTPUT_TAG_NAMES'],
    ['bake-file-annotations', 'DOCKER_METADATA_OUTPUT_BAKE_FILE_ANNOTATIONS'],
    ['json', 'DOCKER_METADATA_OUTPUT_JSON'],
  ])('env name of %s is %s', (name, env) => {
    expect(outputEnvName(name)).toBe(env);
  });

  it('writes heredoc records', () => {
    expect(fileCommandRecord('tags', 'a\nb', 'ghadelimiter_X')).toBe(
      'tags<<ghadelimiter_X\na\nb\nghadelimiter_X\n',
    );
  });

  it('refuses a value holding the delimiter', () => {
    expect(() => fileCommandRecord('tags', 'x ghadelimiter_X', 'ghadelimiter_X')).toThrow(/delimiter/);
  });
});
