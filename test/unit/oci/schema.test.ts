import { describe, expect, it } from 'vitest';
import { ExitCode, ProtocolError } from '../../../src/errors.js';
import { MediaType } from '../../../src/oci/media-types.js';
import { parseImageConfig, parseIndex, parseManifest, type ParsedManifest } from '../../../src/oci/schema.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;
const EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

const enc = (doc: unknown): Uint8Array =>
  new TextEncoder().encode(typeof doc === 'string' ? doc : JSON.stringify(doc));

const ociManifest = {
  schemaVersion: 2,
  mediaType: MediaType.OciManifest,
  config: { mediaType: MediaType.OciConfig, digest: D1, size: 1234 },
  layers: [
    { mediaType: MediaType.OciLayerGzip, digest: D2, size: 5678 },
    { mediaType: MediaType.OciLayerZstd, digest: D3, size: 42 },
  ],
  annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
};

const ociIndex = {
  schemaVersion: 2,
  mediaType: MediaType.OciIndex,
  manifests: [
    {
      mediaType: MediaType.OciManifest,
      digest: D1,
      size: 500,
      platform: { architecture: 'amd64', os: 'linux' },
    },
    {
      mediaType: MediaType.OciManifest,
      digest: D2,
      size: 501,
      platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
    },
  ],
};

const dockerManifest = {
  schemaVersion: 2,
  mediaType: MediaType.DockerManifest,
  config: { mediaType: MediaType.DockerConfig, size: 1469, digest: D1 },
  layers: [{ mediaType: MediaType.DockerLayerGzip, size: 2811478, digest: D2 }],
};

const dockerList = {
  schemaVersion: 2,
  mediaType: MediaType.DockerManifestList,
  manifests: [
    {
      mediaType: MediaType.DockerManifest,
      size: 528,
      digest: D1,
      platform: { architecture: 'arm', os: 'linux', variant: 'v7' },
    },
  ],
};

const artifact = {
  schemaVersion: 2,
  mediaType: MediaType.OciManifest,
  artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  config: { mediaType: MediaType.OciEmpty, digest: EMPTY_DIGEST, size: 2, data: 'e30=' },
  layers: [{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', digest: D2, size: 3000 }],
  subject: { mediaType: MediaType.OciManifest, digest: D3, size: 1000 },
};

function errorOf(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return e as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('parseManifest: accepted documents', () => {
  const CASES: readonly [string, unknown, string | undefined, ParsedManifest['kind'], string][] = [
    ['OCI manifest', ociManifest, undefined, 'manifest', MediaType.OciManifest],
    ['OCI index', ociIndex, undefined, 'index', MediaType.OciIndex],
    ['Docker v2s2', dockerManifest, undefined, 'manifest', MediaType.DockerManifest],
    ['Docker manifest list', dockerList, undefined, 'index', MediaType.DockerManifestList],
    ['artifact manifest', artifact, undefined, 'manifest', MediaType.OciManifest],
    [
      'mediaType missing, Content-Type given (with params)',
      { ...dockerManifest, mediaType: undefined },
      `${MediaType.DockerManifest}; charset=utf-8`,
      'manifest',
      MediaType.DockerManifest,
    ],
    [
      'mediaType missing, Content-Type is an index',
      { ...ociIndex, mediaType: undefined },
      MediaType.OciIndex,
      'index',
      MediaType.OciIndex,
    ],
    [
      'declared mediaType wins over Content-Type',
      ociManifest,
      MediaType.DockerManifest,
      'manifest',
      MediaType.OciManifest,
    ],
    [
      'shape-only: manifests[] → OCI index',
      { ...ociIndex, mediaType: undefined },
      undefined,
      'index',
      MediaType.OciIndex,
    ],
    [
      'shape-only: config → OCI manifest',
      { ...ociManifest, mediaType: undefined },
      undefined,
      'manifest',
      MediaType.OciManifest,
    ],
    [
      'shape used when Content-Type is generic JSON',
      { ...ociManifest, mediaType: undefined },
      'application/json',
      'manifest',
      MediaType.OciManifest,
    ],
    [
      'shape used when Content-Type is octet-stream',
      { ...ociIndex, mediaType: undefined },
      'application/octet-stream',
      'index',
      MediaType.OciIndex,
    ],
  ];

  it.each(CASES)('%s', (_name, doc, contentType, kind, mediaType) => {
    const parsed = parseManifest(enc(doc), contentType);
    expect(parsed.kind).toBe(kind);
    expect(parsed.mediaType).toBe(mediaType);
  });

  it('OCI manifest fields are exposed', () => {
    const p = parseManifest(enc(ociManifest));
    if (p.kind !== 'manifest') throw new Error('kind');
    expect(p.manifest.config.digest).toBe(D1);
    expect(p.manifest.layers.map((l) => [l.digest, l.size])).toEqual([
      [D2, 5678],
      [D3, 42],
    ]);
    expect(p.manifest.annotations).toEqual({ 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' });
  });

  it('index platforms are exposed', () => {
    const p = parseManifest(enc(ociIndex));
    if (p.kind !== 'index') throw new Error('kind');
    expect(p.index.manifests.map((m) => m.platform)).toEqual([
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux', variant: 'v8' },
    ]);
  });

  it('artifact manifest keeps artifactType, subject and inline data', () => {
    const p = parseManifest(enc(artifact));
    if (p.kind !== 'manifest') throw new Error('kind');
    expect(p.manifest.artifactType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(p.manifest.subject).toEqual({ mediaType: MediaType.OciManifest, digest: D3, size: 1000 });
    expect(p.manifest.config.data).toBe('e30=');
  });

  it('preserves unknown fields at every level', () => {
    const doc = {
      ...ociManifest,
      vendorExtension: { nested: [1, 2] },
      config: { ...ociManifest.config, 'x-extra': true },
      layers: [{ ...ociManifest.layers[0], urls: ['https://example.com/l'], futureField: 'kept' }],
    };
    const p = parseManifest(enc(doc));
    if (p.kind !== 'manifest') throw new Error('kind');
    expect((p.manifest as Record<string, unknown>).vendorExtension).toEqual({ nested: [1, 2] });
    expect((p.manifest.config as Record<string, unknown>)['x-extra']).toBe(true);
    expect((p.manifest.layers[0] as Record<string, unknown>).futureField).toBe('kept');
    expect(p.manifest.layers[0]!.urls).toEqual(['https://example.com/l']);
  });

  it('accepts an index with zero manifests and a manifest with zero layers', () => {
    expect(parseManifest(enc({ ...ociIndex, manifests: [] })).kind).toBe('index');
    expect(parseManifest(enc({ ...ociManifest, layers: [] })).kind).toBe('manifest');
  });

  it('accepts JSON with surrounding whitespace', () => {
    expect(parseManifest(enc(`\n  ${JSON.stringify(ociManifest)}\n`)).kind).toBe('manifest');
  });
});

describe('parseManifest: rejected documents', () => {
  const CASES: readonly [string, unknown, string | undefined, string | RegExp][] = [
    ['invalid JSON', '{"schemaVersion": 2,', undefined, 'manifest is not valid JSON'],
    ['HTML error page', '<html>502</html>', undefined, 'manifest is not valid JSON'],
    ['empty body', '', undefined, 'manifest is not valid JSON'],
    ['JSON array', [], undefined, 'manifest is not a JSON object'],
    ['JSON null', 'null', undefined, 'manifest is not a JSON object'],
    ['JSON string', '"hello"', undefined, 'manifest is not a JSON object'],
    [
      'schema 1 by schemaVersion',
      { schemaVersion: 1, name: 'o/a', tag: '1', fsLayers: [] },
      undefined,
      'manifest is a Docker schema 1 manifest, which is not supported',
    ],
    [
      'schema 1 by declared mediaType',
      { ...dockerManifest, mediaType: MediaType.DockerSchema1Signed },
      undefined,
      /schema 1/,
    ],
    [
      'schema 1 by Content-Type',
      { schemaVersion: 2, config: ociManifest.config, layers: [] },
      `${MediaType.DockerSchema1Signed}; charset=utf-8`,
      /schema 1/,
    ],
    [
      'no type and no recognisable shape',
      { schemaVersion: 2, layers: [] },
      undefined,
      'manifest has unsupported media type (none)',
    ],
    [
      'unknown Content-Type and no shape',
      { schemaVersion: 2 },
      'text/html; charset=utf-8',
      'manifest has unsupported media type text/html',
    ],
    [
      'withdrawn OCI artifact manifest',
      { mediaType: MediaType.OciArtifactManifest, artifactType: 'x', blobs: [] },
      undefined,
      `manifest has unsupported media type ${MediaType.OciArtifactManifest}`,
    ],
    ['missing layers', { ...ociManifest, layers: undefined }, undefined, /^invalid manifest layers: /],
    [
      'missing config',
      { ...ociManifest, config: undefined },
      MediaType.OciManifest,
      /^invalid manifest config: /,
    ],
    ['schemaVersion 3', { ...ociManifest, schemaVersion: 3 }, undefined, /^invalid manifest schemaVersion: /],
    [
      'schemaVersion as string',
      { ...ociManifest, schemaVersion: '2' },
      undefined,
      /^invalid manifest schemaVersion: /,
    ],
    [
      'bad digest in a layer names the field path',
      {
        ...ociManifest,
        layers: [ociManifest.layers[0], { mediaType: MediaType.OciLayerGzip, digest: 'sha256:xyz', size: 1 }],
      },
      undefined,
      'invalid manifest layers.1.digest: not a sha256/sha512 digest',
    ],
    [
      'bad digest in config',
      { ...ociManifest, config: { ...ociManifest.config, digest: `md5:${'a'.repeat(32)}` } },
      undefined,
      'invalid manifest config.digest: not a sha256/sha512 digest',
    ],
    [
      'bad digest in an index child',
      { ...ociIndex, manifests: [ociIndex.manifests[0], { ...ociIndex.manifests[1], digest: 'latest' }] },
      undefined,
      'invalid manifest (index) manifests.1.digest: not a sha256/sha512 digest',
    ],
    [
      'bad subject digest',
      { ...artifact, subject: { ...artifact.subject, digest: `sha256:${'A'.repeat(64)}` } },
      undefined,
      'invalid manifest subject.digest: not a sha256/sha512 digest',
    ],
    [
      'negative size',
      { ...ociManifest, layers: [{ ...ociManifest.layers[0], size: -1 }] },
      undefined,
      /^invalid manifest layers\.0\.size: /,
    ],
    [
      'fractional size',
      { ...ociManifest, layers: [{ ...ociManifest.layers[0], size: 1.5 }] },
      undefined,
      /^invalid manifest layers\.0\.size: /,
    ],
    [
      'empty mediaType on a descriptor',
      { ...ociManifest, layers: [{ ...ociManifest.layers[0], mediaType: '' }] },
      undefined,
      /^invalid manifest layers\.0\.mediaType: /,
    ],
    [
      'platform without os',
      { ...ociIndex, manifests: [{ ...ociIndex.manifests[0], platform: { architecture: 'amd64' } }] },
      undefined,
      /^invalid manifest \(index\) manifests\.0\.platform\.os: /,
    ],
    [
      'non-string annotation value',
      { ...ociManifest, annotations: { a: 1 } },
      undefined,
      /^invalid manifest annotations\.a: /,
    ],
    [
      'several problems are counted',
      { ...ociManifest, config: { mediaType: '', digest: 'x', size: -1 } },
      undefined,
      /^invalid manifest config\.\w+: .* \(and 2 more problems\)$/,
    ],
    [
      'declared index whose body is a manifest',
      { ...ociManifest, mediaType: MediaType.OciIndex },
      undefined,
      /^invalid manifest \(index\) manifests: /,
    ],
  ];

  it.each(CASES)('%s', (_name, doc, contentType, message) => {
    const e = errorOf(() => parseManifest(enc(doc), contentType));
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
    expect(e.exitCode).toBe(ExitCode.Protocol);
  });

  it('uses the caller-supplied description in messages', () => {
    expect(errorOf(() => parseManifest(enc('nope'), undefined, 'manifest ghcr.io/o/a:1')).message).toBe(
      'manifest ghcr.io/o/a:1 is not valid JSON',
    );
  });

  it('schema 1 error has an actionable hint', () => {
    expect(errorOf(() => parseManifest(enc({ schemaVersion: 1 }))).hint).toMatch(/re-push/);
  });
});

describe('parseIndex', () => {
  it('parses an index regardless of mediaType', () => {
    expect(parseIndex(enc({ schemaVersion: 2, manifests: [] })).manifests).toEqual([]);
  });
  it('names the bad field', () => {
    expect(errorOf(() => parseIndex(enc({ schemaVersion: 2 }))).message).toMatch(
      /^invalid index manifests: /,
    );
  });
});

describe('parseImageConfig', () => {
  const dockerConfig = {
    architecture: 'amd64',
    os: 'linux',
    created: '2024-05-01T12:00:00.123456789Z',
    author: null,
    variant: null,
    'os.version': null,
    config: {
      User: '',
      ExposedPorts: null,
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Entrypoint: null,
      Cmd: ['sh'],
      Volumes: null,
      WorkingDir: '',
      Labels: null,
      StopSignal: null,
      Healthcheck: null,
      OnBuild: null,
      Image: 'sha256:abc',
    },
    container_config: { Cmd: ['/bin/sh', '-c', '#(nop) CMD ["sh"]'] },
    rootfs: { type: 'layers', diff_ids: [D1, D2] },
    history: [
      { created: '2024-05-01T12:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
      {
        created: '2024-05-01T12:00:01Z',
        created_by: '/bin/sh -c #(nop)  CMD ["sh"]',
        empty_layer: true,
        comment: null,
      },
    ],
  };

  it('accepts Docker-style nulls and keeps unknown fields', () => {
    const c = parseImageConfig(enc(dockerConfig));
    expect(c.architecture).toBe('amd64');
    expect(c.os).toBe('linux');
    expect(c.config?.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(c.config?.Entrypoint).toBeNull();
    expect(c.config?.Labels).toBeNull();
    expect(c.rootfs.diff_ids).toEqual([D1, D2]);
    expect(c.history?.[1]?.empty_layer).toBe(true);
    expect((c as Record<string, unknown>).container_config).toEqual({
      Cmd: ['/bin/sh', '-c', '#(nop) CMD ["sh"]'],
    });
  });

  it('accepts config: null and history: null', () => {
    const c = parseImageConfig(enc({ ...dockerConfig, config: null, history: null }));
    expect(c.config).toBeNull();
    expect(c.history).toBeNull();
  });

  it('accepts a minimal OCI config', () => {
    const c = parseImageConfig(
      enc({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
    );
    expect(c).toEqual({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
  });

  it('accepts labels and a healthcheck', () => {
    const c = parseImageConfig(
      enc({
        ...dockerConfig,
        config: {
          Labels: { 'org.opencontainers.image.source': 'https://github.com/o/a' },
          Healthcheck: { Test: ['CMD', 'true'], Interval: 30_000_000_000, Retries: 3 },
        },
      }),
    );
    expect(c.config?.Labels).toEqual({ 'org.opencontainers.image.source': 'https://github.com/o/a' });
    expect(c.config?.Healthcheck?.Retries).toBe(3);
  });

  const BAD: readonly [string, unknown, string | RegExp][] = [
    ['invalid JSON', '{', 'image config is not valid JSON'],
    ['missing rootfs', { architecture: 'amd64', os: 'linux' }, /^invalid image config rootfs: /],
    [
      'missing architecture',
      { os: 'linux', rootfs: { type: 'layers', diff_ids: [] } },
      /^invalid image config architecture: /,
    ],
    [
      'bad diff_id',
      { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [D1, 'sha256:zz'] } },
      'invalid image config rootfs.diff_ids.1: not a sha256/sha512 digest',
    ],
    [
      'Env not an array',
      { ...dockerConfig, config: { Env: 'PATH=/bin' } },
      /^invalid image config config\.Env: /,
    ],
    [
      'non-string label',
      { ...dockerConfig, config: { Labels: { a: 1 } } },
      /^invalid image config config\.Labels\.a: /,
    ],
  ];
  it.each(BAD)('rejects %s', (_name, doc, message) => {
    const e = errorOf(() => parseImageConfig(enc(doc)));
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
  });
});
