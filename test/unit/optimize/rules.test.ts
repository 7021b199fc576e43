import { describe, expect, it } from 'vitest';
import { parseCompression } from '../../../src/optimize/compress.js';
import { familyOf, indexDocument, layerMediaType, rewriteConfig } from '../../../src/optimize/documents.js';
import { recommend } from '../../../src/optimize/recommend.js';
import { stripRuleFor, stripRules } from '../../../src/optimize/strip.js';
import { compareTrees, describeDifference, type NormalEntry } from '../../../src/optimize/tree-compare.js';
import type { ReclaimableReport } from '../../../src/analyze/waste.js';

describe('strip rules', () => {
  it('caches by default, docs on request, nothing with --no-strip', () => {
    expect(stripRules(undefined)).toEqual(['caches']);
    expect(stripRules(['docs'])).toEqual(['caches', 'docs']);
    expect(stripRules(['docs,caches'])).toEqual(['caches', 'docs']);
    expect(stripRules(false)).toEqual([]);
    expect(() => stripRules(['logs'])).toThrow(/unknown --strip rule "logs"/);
  });

  it('matches the analysis categories', () => {
    expect(stripRuleFor('var/lib/apt/lists/x_Packages', ['caches'])).toBe('caches');
    expect(stripRuleFor('root/.npm/_cacache/x', ['caches'])).toBe('caches');
    expect(stripRuleFor('home/app/.cache/pip/x', ['caches'])).toBe('caches');
    expect(stripRuleFor('var/lib/apt/lists', ['caches'])).toBeUndefined();
    expect(stripRuleFor('usr/share/man/man1/ls.1.gz', ['caches'])).toBeUndefined();
    expect(stripRuleFor('usr/share/man/man1/ls.1.gz', ['caches', 'docs'])).toBe('docs');
    expect(stripRuleFor('usr/share/doc/pkg/copyright', ['docs'])).toBeUndefined();
  });
});

describe('parseCompression', () => {
  it('reads algorithm and level with defaults', () => {
    expect(parseCompression('gzip')).toEqual({ algorithm: 'gzip', level: 9 });
    expect(parseCompression('gzip:1')).toEqual({ algorithm: 'gzip', level: 1 });
    expect(parseCompression('zstd')).toEqual({ algorithm: 'zstd', level: 19 });
    expect(parseCompression('ZSTD:3')).toEqual({ algorithm: 'zstd', level: 3 });
  });
  it('refuses other algorithms and levels out of range', () => {
    expect(() => parseCompression('xz')).toThrow(/gzip\[:LEVEL\] or zstd\[:LEVEL\]/);
    expect(() => parseCompression('gzip:10')).toThrow(/from 1 to 9/);
    expect(() => parseCompression('zstd:0')).toThrow(/from 1 to 19/);
  });
});

describe('documents', () => {
  const zstd = { algorithm: 'zstd', level: 3 } as const;
  const gzip = { algorithm: 'gzip', level: 9 } as const;
  const docker = 'application/vnd.docker.distribution.manifest.v2+json';

  it('Docker images stay Docker with gzip and become OCI with zstd', () => {
    expect(familyOf(docker, gzip)).toBe('docker');
    expect(familyOf(docker, zstd)).toBe('oci');
    expect(layerMediaType('docker', gzip)).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
    expect(layerMediaType('oci', zstd)).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
  });

  it('a squashed config keeps every field, marks old history empty and adds one entry', () => {
    const src = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created: '2024-01-01T00:00:00Z',
        config: { Env: ['A=1'], Labels: { x: 'y' } },
        rootfs: { type: 'layers', diff_ids: ['sha256:a', 'sha256:b'] },
        history: [
          { created_by: 'ADD' },
          { created_by: 'ENV A=1', empty_layer: true },
          { created_by: 'RUN x' },
        ],
      }),
    );
    const out = JSON.parse(rewriteConfig(src, ['sha256:c'], { createdBy: 'squashed' }).toString()) as Record<
      string,
      unknown
    >;
    expect(out).toEqual({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Env: ['A=1'], Labels: { x: 'y' } },
      rootfs: { type: 'layers', diff_ids: ['sha256:c'] },
      history: [
        { created_by: 'ADD', empty_layer: true },
        { created_by: 'ENV A=1', empty_layer: true },
        { created_by: 'RUN x', empty_layer: true },
        { created: '2024-01-01T00:00:00Z', created_by: 'squashed', comment: 'ghcr-optimize' },
      ],
    });
  });

  it('an index is a Docker list only when every child is a Docker manifest', () => {
    const child = {
      mediaType: docker,
      digest: `sha256:${'a'.repeat(64)}`,
      size: 1,
      platform: { os: 'linux', architecture: 'amd64' },
    };
    expect(indexDocument([child], { a: 'b' }).mediaType).toBe(
      'application/vnd.docker.distribution.manifest.list.v2+json',
    );
    const oci = indexDocument([{ ...child, mediaType: 'application/vnd.oci.image.manifest.v1+json' }], {
      a: 'b',
    });
    expect(oci.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(JSON.parse(oci.bytes.toString())).toMatchObject({ annotations: { a: 'b' } });
  });
});

describe('recommend', () => {
  const report = (categories: [string, number][], compressionSavingBytes = 0): ReclaimableReport =>
    ({
      totalBytes: 0,
      categories: categories.map(([category, bytes]) => ({
        category,
        bytes,
        title: `t-${category}`,
        hint: `h-${category}`,
        files: 1,
        items: [],
      })),
      compression: [],
      compressionSavingBytes,
    }) as unknown as ReclaimableReport;

  it('ranks fixes by bytes saved and says which --apply does', () => {
    const recs = recommend({
      reclaimable: report(
        [
          ['deleted-later', 500],
          ['overwritten-later', 600],
          ['package-cache', 2000],
          ['docs', 10],
          ['source-maps', 300],
        ],
        700,
      ),
    });
    expect(recs.map((r) => [r.rank, r.id, r.savingBytes, r.apply !== undefined])).toEqual([
      [1, 'strip-caches', 2000, true],
      [2, 'squash', 1100, true],
      [3, 'recompress', 700, true],
      [4, 'source-maps', 300, false],
      [5, 'strip-docs', 10, true],
    ]);
    expect(recs[3]!.hint).toBe('h-source-maps');
  });

  it('a lean image gets none', () => {
    expect(recommend({ reclaimable: report([]) })).toEqual([]);
  });
});

describe('compareTrees', () => {
  const f = (path: string, over: Partial<NormalEntry> = {}): NormalEntry => ({
    path,
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 1,
    sha256: 'aa',
    ...over,
  });
  it('reports missing, unexpected and changed paths', () => {
    const expected = new Map([
      ['a', f('a')],
      ['b', f('b')],
      ['c', f('c')],
    ]);
    const actual = new Map([
      ['a', f('a')],
      ['b', f('b', { mode: 0o600, sha256: 'bb' })],
      ['d', f('d')],
    ]);
    const diffs = compareTrees(expected, actual);
    expect(diffs.map((d) => [d.path, d.problem])).toEqual([
      ['b', 'differs'],
      ['c', 'missing'],
      ['d', 'unexpected'],
    ]);
    expect(describeDifference(diffs[0]!)).toBe('/b: mode 0644 → 0600, sha256 aa → bb');
  });
});
