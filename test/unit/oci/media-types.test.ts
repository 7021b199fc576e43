import { describe, expect, it } from 'vitest';
import {
  MANIFEST_ACCEPT,
  MediaType,
  describeMediaType,
  isConfigMediaType,
  isIndexMediaType,
  isManifestMediaType,
  isSchema1,
  layerInfo,
  manifestKind,
  stripParams,
  type LayerInfo,
  type ManifestKind,
} from '../../../src/oci/media-types.js';

describe('media type constants', () => {
  it.each([
    ['OciIndex', 'application/vnd.oci.image.index.v1+json'],
    ['OciManifest', 'application/vnd.oci.image.manifest.v1+json'],
    ['OciConfig', 'application/vnd.oci.image.config.v1+json'],
    ['OciLayerGzip', 'application/vnd.oci.image.layer.v1.tar+gzip'],
    ['OciEmpty', 'application/vnd.oci.empty.v1+json'],
    ['DockerManifest', 'application/vnd.docker.distribution.manifest.v2+json'],
    ['DockerManifestList', 'application/vnd.docker.distribution.manifest.list.v2+json'],
    ['DockerConfig', 'application/vnd.docker.container.image.v1+json'],
    ['DockerLayerGzip', 'application/vnd.docker.image.rootfs.diff.tar.gzip'],
    ['DockerSchema1Signed', 'application/vnd.docker.distribution.manifest.v1+prettyjws'],
  ] as const)('%s is %s', (key, value) => {
    expect(MediaType[key]).toBe(value);
  });
});

describe('MANIFEST_ACCEPT', () => {
  it('lists all four readable manifest types, index first', () => {
    expect([...MANIFEST_ACCEPT]).toEqual([
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
    ]);
  });

  it('never asks for schema 1', () => {
    expect(MANIFEST_ACCEPT).not.toContain(MediaType.DockerSchema1);
    expect(MANIFEST_ACCEPT).not.toContain(MediaType.DockerSchema1Signed);
    expect(MANIFEST_ACCEPT.some((t) => t.includes('distribution.manifest.v1'))).toBe(false);
  });

  it('every accepted type is a manifest kind', () => {
    expect(MANIFEST_ACCEPT.every((t) => manifestKind(t) !== undefined)).toBe(true);
  });
});

describe('stripParams', () => {
  const CASES: readonly [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['', ''],
    ['application/json', 'application/json'],
    ['application/json; charset=utf-8', 'application/json'],
    [
      'application/vnd.oci.image.manifest.v1+json;charset=utf-8',
      'application/vnd.oci.image.manifest.v1+json',
    ],
    ['  application/json  ; q=0.9', 'application/json'],
    ['Application/VND.OCI.Image.Index.v1+JSON', 'application/vnd.oci.image.index.v1+json'],
    ['text/html;charset=UTF-8;foo=bar', 'text/html'],
  ];
  it.each(CASES)('%j → %j', (input, expected) => {
    expect(stripParams(input)).toBe(expected);
  });
});

describe('manifestKind', () => {
  const CASES: readonly [string | undefined, ManifestKind | undefined][] = [
    [MediaType.OciIndex, 'index'],
    [MediaType.DockerManifestList, 'index'],
    [MediaType.OciManifest, 'manifest'],
    [MediaType.DockerManifest, 'manifest'],
    [`${MediaType.OciManifest}; charset=utf-8`, 'manifest'],
    [`${MediaType.DockerManifestList}; charset=utf-8`, 'index'],
    [MediaType.OciIndex.toUpperCase(), 'index'],
    [MediaType.DockerSchema1, undefined],
    [MediaType.DockerSchema1Signed, undefined],
    [MediaType.OciArtifactManifest, undefined],
    [MediaType.OciConfig, undefined],
    [MediaType.OciLayerGzip, undefined],
    ['application/json', undefined],
    ['text/html', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  it.each(CASES)('%j → %j', (mediaType, expected) => {
    expect(manifestKind(mediaType)).toBe(expected);
    expect(isIndexMediaType(mediaType)).toBe(expected === 'index');
    expect(isManifestMediaType(mediaType)).toBe(expected !== undefined);
  });
});

describe('isSchema1', () => {
  it.each([
    [MediaType.DockerSchema1, true],
    [MediaType.DockerSchema1Signed, true],
    [`${MediaType.DockerSchema1Signed}; charset=utf-8`, true],
    [MediaType.DockerManifest, false],
    [MediaType.OciManifest, false],
    [undefined, false],
  ] as const)('%j → %s', (mediaType, expected) => {
    expect(isSchema1(mediaType)).toBe(expected);
  });
});

describe('layerInfo', () => {
  const CASES: readonly [string, LayerInfo][] = [
    [MediaType.OciLayer, { compression: 'none', distributable: true, family: 'oci' }],
    [MediaType.OciLayerGzip, { compression: 'gzip', distributable: true, family: 'oci' }],
    [MediaType.OciLayerZstd, { compression: 'zstd', distributable: true, family: 'oci' }],
    [MediaType.OciLayerNonDistributable, { compression: 'none', distributable: false, family: 'oci' }],
    [MediaType.OciLayerNonDistributableGzip, { compression: 'gzip', distributable: false, family: 'oci' }],
    [MediaType.OciLayerNonDistributableZstd, { compression: 'zstd', distributable: false, family: 'oci' }],
    [MediaType.DockerLayerGzip, { compression: 'gzip', distributable: true, family: 'docker' }],
    [MediaType.DockerLayerZstd, { compression: 'zstd', distributable: true, family: 'docker' }],
    [MediaType.DockerForeignLayerGzip, { compression: 'gzip', distributable: false, family: 'docker' }],
    [
      `${MediaType.OciLayerGzip}; charset=binary`,
      { compression: 'gzip', distributable: true, family: 'oci' },
    ],
    [
      'APPLICATION/VND.DOCKER.IMAGE.ROOTFS.FOREIGN.DIFF.TAR.GZIP',
      { compression: 'gzip', distributable: false, family: 'docker' },
    ],
  ];
  it.each(CASES)('%s', (mediaType, expected) => {
    expect(layerInfo(mediaType)).toEqual(expected);
  });

  it.each([
    MediaType.OciConfig,
    MediaType.DockerConfig,
    MediaType.OciEmpty,
    MediaType.OciManifest,
    MediaType.OciIndex,
    'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
    'application/vnd.in-toto+json',
    '',
    undefined,
  ])('%j is not a layer', (mediaType) => {
    expect(layerInfo(mediaType)).toBeUndefined();
  });
});

describe('isConfigMediaType', () => {
  it.each([
    [MediaType.OciConfig, true],
    [MediaType.DockerConfig, true],
    [`${MediaType.DockerConfig}; charset=utf-8`, true],
    [MediaType.OciEmpty, false],
    [MediaType.DockerPluginConfig, false],
    [MediaType.OciLayerGzip, false],
    [undefined, false],
  ] as const)('%j → %s', (mediaType, expected) => {
    expect(isConfigMediaType(mediaType)).toBe(expected);
  });
});

describe('describeMediaType', () => {
  it.each([
    [MediaType.OciIndex, 'OCI index'],
    [MediaType.OciManifest, 'OCI manifest'],
    [MediaType.DockerManifestList, 'Docker manifest list'],
    [MediaType.DockerManifest, 'Docker manifest v2s2'],
    [MediaType.DockerSchema1, 'Docker schema 1 (unsupported)'],
    [MediaType.DockerSchema1Signed, 'Docker schema 1 (unsupported)'],
    [`${MediaType.OciIndex}; charset=utf-8`, 'OCI index'],
    ['application/x-custom', 'application/x-custom'],
    [undefined, 'unknown'],
  ] as const)('%j → %s', (mediaType, expected) => {
    expect(describeMediaType(mediaType)).toBe(expected);
  });
});
