/** The bytes cosign signs and stores: Go JSON, the simple-signing payload, the signature image. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GoMap, goMarshal, goString } from '../../../src/sign/go-json.js';
import {
  buildPayload,
  dockerReference,
  parsePayload,
  sameDockerReference,
} from '../../../src/sign/payload.js';
import {
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  manifestMediaTypes,
  signatureConfig,
  signatureLayer,
  signatureManifest,
  signatureTag,
} from '../../../src/sign/signature-image.js';

const sha256 = (b: Uint8Array | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const DIGEST = 'sha256:7396780b5862cf8b37527854a2a2331e5c746b6a71aa1f424258c3bfaf3a1bd7';

describe('Go JSON', () => {
  it('escapes <, > and & and the line separators as Go does', () => {
    expect(goString('a<b>&c')).toBe('"a\\u003cb\\u003e\\u0026c"');
    expect(goString('\u2028\u2029')).toBe('"\\u2028\\u2029"');
    expect(goString('tab\t"q" \\ \u0001')).toBe('"tab\\t\\"q\\" \\\\ \\u0001"');
  });

  it('replaces lone surrogates with U+FFFD and leaves escaped backslashes alone', () => {
    expect(goString('x\ud800y')).toBe('"x\\ufffdy"');
    expect(goString('\\ud800')).toBe('"\\\\ud800"');
    expect(goString('😀')).toBe('"😀"');
  });

  it('sorts map keys by UTF-8 bytes and keeps struct field order', () => {
    expect(goMarshal({ z: 1, a: new GoMap({ b: '2', a: '1', Z: '0', é: 'e' }) })).toBe(
      '{"z":1,"a":{"Z":"0","a":"1","b":"2","é":"e"}}',
    );
    expect(goMarshal([null, true, 1.5, 'x'])).toBe('[null,true,1.5,"x"]');
  });
});

describe('simple-signing payload', () => {
  it('is byte for byte the payload of a real cosign signature (dangerzone, sha256:88b8a2ac…)', () => {
    const payload = buildPayload('ghcr.io/freedomofpress/dangerzone/v1', DIGEST);
    expect(payload.toString()).toBe(
      '{"critical":{"identity":{"docker-reference":"ghcr.io/freedomofpress/dangerzone/v1"},' +
        `"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`,
    );
    expect(payload).toHaveLength(252);
    expect(sha256(payload)).toBe('sha256:88b8a2ac5b829f47bd25a5a4d9c2ccb0fccff7f53a17477b6d9b5680436aa80f');
  });

  it('puts annotations in "optional" as a sorted Go map', () => {
    const payload = buildPayload('r.io/a', DIGEST, { z: '1', a: '<x>' }).toString();
    expect(payload).toMatch(/,"optional":\{"a":"\\u003cx\\u003e","z":"1"\}\}$/);
    expect(buildPayload('r.io/a', DIGEST, {}).toString()).toMatch(/"optional":null\}$/);
  });

  it('names Docker Hub index.docker.io, as go-containerregistry does', () => {
    expect(dockerReference('docker.io', 'library/alpine')).toBe('index.docker.io/library/alpine');
    expect(dockerReference('ghcr.io', 'o/a')).toBe('ghcr.io/o/a');
    expect(sameDockerReference('index.docker.io/library/alpine', 'docker.io', 'library/alpine')).toBe(true);
    expect(sameDockerReference('docker.io/library/alpine', 'docker.io', 'library/alpine')).toBe(true);
    expect(sameDockerReference('ghcr.io/o/b', 'ghcr.io', 'o/a')).toBe(false);
  });

  it('parses what it builds and names what is wrong with other payloads', () => {
    const parsed = parsePayload(buildPayload('r.io/a', DIGEST, { k: 'v' }));
    expect(parsed.critical.image['docker-manifest-digest']).toBe(DIGEST);
    expect(parsed.optional).toEqual({ k: 'v' });
    expect(() => parsePayload(Buffer.from('{'))).toThrow(/not JSON/);
    expect(() => parsePayload(Buffer.from('{"critical":{"type":"other"}}'))).toThrow(
      /payload type is "other"/,
    );
    expect(() =>
      parsePayload(Buffer.from('{"critical":{"type":"cosign container image signature","identity":{}}}')),
    ).toThrow(/docker-reference/);
  });
});

describe('signature image', () => {
  it('tags signatures sha256-<hex>.sig', () => {
    expect(signatureTag(DIGEST)).toBe(
      'sha256-7396780b5862cf8b37527854a2a2331e5c746b6a71aa1f424258c3bfaf3a1bd7.sig',
    );
  });

  it('writes the config digests of real cosign signature manifests', () => {
    // dangerzone's published .sig manifest (OCI, one signature): config 233 bytes, sha256:a3b01184…
    const one = signatureConfig([
      { digest: 'sha256:88b8a2ac5b829f47bd25a5a4d9c2ccb0fccff7f53a17477b6d9b5680436aa80f' },
    ]);
    expect(one).toHaveLength(233);
    expect(sha256(one)).toBe('sha256:a3b01184f5d756fc9601d3386b49fe1c3cd3eedea08b8a6e11137b2a7988ed5f');
    // A published `skopeo inspect --raw` of a one-signature .sig manifest (Artifact Registry).
    expect(
      sha256(
        signatureConfig([
          { digest: 'sha256:561222396fbe725acde46e728adc5aa8069942c201787a22ce6fc286ecc96f0a' },
        ]),
      ),
    ).toBe('sha256:05fbecb08f0d6d921b2808b0104ed825e3c0e67807efd5b95a38083779f6c285');
    // A cosign usage guide's `crane manifest $(cosign triangulate …)`: two signatures, Docker media types.
    const two = signatureConfig([
      { digest: 'sha256:1119abab63e605dcc281019bad0424744178b6f61ba57378701fe7391994c999' },
      { digest: 'sha256:583246418c2afd5bfe29694793d07da37ffd552aadf8879b1d98047178b80398' },
    ]);
    expect(two).toHaveLength(342);
    expect(sha256(two)).toBe('sha256:f5de0db6e714055d48b4bb3a374e9630c4923fa704d9311da6a2740cf625aaba');
  });

  it('writes the manifest cosign wrote for dangerzone (same fields, order and values as crane printed)', () => {
    const payload = buildPayload('ghcr.io/freedomofpress/dangerzone/v1', DIGEST);
    const config = signatureConfig([{ digest: sha256(payload) }]);
    const types = manifestMediaTypes('oci');
    const bytes = signatureManifest({
      mediaType: types.manifest,
      config: { mediaType: types.config, size: config.length, digest: sha256(config) },
      layers: [
        signatureLayer(
          { digest: sha256(payload), size: payload.length },
          'MEQCIAQScnT03MVfmxjYyW5qAmvQ6TSoukPuw0HmSVlMBwYEAiAzGb76cvDb4CHJ+H6tD00bW1Sh1CK6opaRmI2ist4p2A==',
        ),
      ],
    });
    expect(bytes.toString()).toBe(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",' +
        '"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":233,' +
        '"digest":"sha256:a3b01184f5d756fc9601d3386b49fe1c3cd3eedea08b8a6e11137b2a7988ed5f"},' +
        `"layers":[{"mediaType":"${SIMPLE_SIGNING_MEDIA_TYPE}","size":252,` +
        '"digest":"sha256:88b8a2ac5b829f47bd25a5a4d9c2ccb0fccff7f53a17477b6d9b5680436aa80f",' +
        `"annotations":{"${SIGNATURE_ANNOTATION}":"MEQCIAQScnT03MVfmxjYyW5qAmvQ6TSoukPuw0HmSVlMBwYEAiAzGb76cvDb4CHJ+H6tD00bW1Sh1CK6opaRmI2ist4p2A=="}}]}`,
    );
  });

  it('keeps the extra annotations of existing layers, sorted', () => {
    const bytes = signatureManifest({
      mediaType: manifestMediaTypes('docker').manifest,
      config: { mediaType: manifestMediaTypes('docker').config, size: 1, digest: DIGEST },
      layers: [
        {
          mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
          size: 2,
          digest: DIGEST,
          annotations: { [SIGNATURE_ANNOTATION]: 'sig', 'dev.sigstore.cosign/bundle': '{"a":1}' },
        },
      ],
    }).toString();
    expect(bytes).toContain('"mediaType":"application/vnd.docker.distribution.manifest.v2+json"');
    expect(bytes).toContain(
      '"annotations":{"dev.cosignproject.cosign/signature":"sig","dev.sigstore.cosign/bundle":"{\\"a\\":1}"}',
    );
  });
});
