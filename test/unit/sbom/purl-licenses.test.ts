import { describe, expect, it } from 'vitest';
import {
  classifyLicense,
  KNOWN_SPDX_IDS,
  licenseRef,
  spdxExpression,
  spdxId,
} from '../../../src/sbom/licenses.js';
import { formatPurl, pypiName } from '../../../src/sbom/purl.js';
import { creationTime, formatTimestamp, imagePurl, uuidFromSeed } from '../../../src/sbom/identity.js';
import { cycloneDxLicenseIds } from './schemas.js';

describe('purl', () => {
  it('writes the purl-spec forms of deb, apk, npm, pypi and oci', () => {
    expect(
      formatPurl({
        type: 'deb',
        namespace: 'debian',
        name: 'bsdutils',
        version: '1:2.38.1-5+deb12u1',
        qualifiers: { distro: 'debian-12', arch: 'amd64', upstream: 'util-linux@2.38.1-5' },
      }),
    ).toBe(
      'pkg:deb/debian/bsdutils@1%3A2.38.1-5%2Bdeb12u1?arch=amd64&distro=debian-12&upstream=util-linux%402.38.1-5',
    );
    expect(
      formatPurl({
        type: 'apk',
        namespace: 'alpine',
        name: 'musl',
        version: '1.2.5-r0',
        qualifiers: { arch: 'x86_64', distro: 'alpine-3.20.3', upstream: undefined },
      }),
    ).toBe('pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3');
    expect(formatPurl({ type: 'npm', namespace: '@fastify', name: 'busboy', version: '2.1.1' })).toBe(
      'pkg:npm/%40fastify/busboy@2.1.1',
    );
    expect(formatPurl({ type: 'pypi', name: pypiName('Typing_Extensions'), version: '4.12.2' })).toBe(
      'pkg:pypi/typing-extensions@4.12.2',
    );
    expect(
      imagePurl({
        name: '127.0.0.1:5000/team/app:1.0',
        shortName: 'app',
        repository: '127.0.0.1:5000/team/app',
        digest: 'sha256:abc',
        configDigest: 'sha256:def',
        architecture: 'amd64',
      }),
    ).toBe('pkg:oci/app@sha256%3Aabc?arch=amd64&repository_url=127.0.0.1:5000/team/app');
  });
});

describe('licences', () => {
  it('every identifier we call SPDX is one CycloneDX 1.5 accepts', () => {
    const accepted = new Set(cycloneDxLicenseIds());
    expect(KNOWN_SPDX_IDS.filter((id) => !accepted.has(id))).toEqual([]);
  });

  it('classifies identifiers (any case), expressions and free-form names', () => {
    expect(spdxId('mit')).toBe('MIT');
    expect(classifyLicense('apache-2.0')).toEqual({ kind: 'id', id: 'Apache-2.0' });
    expect(classifyLicense('MPL-2.0 AND MIT')).toEqual({ kind: 'expression', expression: 'MPL-2.0 AND MIT' });
    expect(spdxExpression('(mit or apache-2.0) and GPL-2.0-or-later WITH classpath-exception-2.0')).toBe(
      '(MIT OR Apache-2.0) AND GPL-2.0-or-later WITH Classpath-exception-2.0',
    );
    expect(spdxExpression('GPL-2.0+')).toBe('GPL-2.0+');
    expect(spdxExpression('MIT AND')).toBeUndefined();
    expect(spdxExpression('(MIT')).toBeUndefined();
    expect(spdxExpression('MIT BSD')).toBeUndefined();
    expect(classifyLicense('GPL2+')).toEqual({ kind: 'name', name: 'GPL2+' });
    expect(licenseRef('GPL2+ with exceptions')).toBe('LicenseRef-GPL2-plus-with-exceptions');
    expect(licenseRef('***')).toBe('LicenseRef-unnamed');
  });
});

describe('document identity and time', () => {
  it('a v8 UUID from a seed, stable across runs', () => {
    const u = uuidFromSeed('x');
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidFromSeed('x')).toBe(u);
    expect(uuidFromSeed('y')).not.toBe(u);
  });

  it('SOURCE_DATE_EPOCH wins, then the image config, then now', () => {
    const now = new Date('2030-01-01T00:00:00.123Z');
    expect(creationTime('1700000000', '2024-05-06T07:08:09.5Z', now)).toBe('2023-11-14T22:13:20Z');
    expect(creationTime(undefined, '2024-05-06T07:08:09.5Z', now)).toBe('2024-05-06T07:08:09Z');
    expect(creationTime('', null, now)).toBe('2030-01-01T00:00:00Z');
    expect(formatTimestamp(new Date(0))).toBe('1970-01-01T00:00:00Z');
    expect(() => creationTime('yesterday', undefined, now)).toThrow(
      /SOURCE_DATE_EPOCH must be a whole number/,
    );
  });
});
