import { describe, expect, it } from 'vitest';
import { mergeLayers } from '../../../src/analyze/file-tree.js';
import { isSbomSource } from '../../../src/sbom/capture.js';
import { collectPackages } from '../../../src/sbom/collect.js';
import { cdxLicenses, toCycloneDx } from '../../../src/sbom/cyclonedx.js';
import { renderSbom } from '../../../src/sbom/sbom.js';
import { spdxAgent, toSpdx } from '../../../src/sbom/spdx.js';
import type { Sbom, SbomPackage } from '../../../src/sbom/types.js';
import { scanFixtureLayers, type FixtureEntry } from '../../support/layer-fixtures.js';
import { ALPINE_LAYERS, DEBIAN_APP_LAYERS, DISTROLESS_LAYERS } from './fixtures.js';
import { cycloneDxValidator, schemaErrors, spdxValidator } from './schemas.js';

const OPTS = { created: '2024-05-06T07:08:09Z', toolVersion: '9.9.9' };
const DIGEST = `sha256:${'ab'.repeat(32)}`;

async function sbomOf(layers: FixtureEntry[][], name = '127.0.0.1:5000/team/app:1.0'): Promise<Sbom> {
  const scans = await scanFixtureLayers(layers, { capture: isSbomSource, hashFiles: false });
  const { os, packages, warnings } = collectPackages(mergeLayers(scans), scans);
  return {
    image: {
      name,
      shortName: 'app',
      repository: '127.0.0.1:5000/team/app',
      digest: DIGEST,
      configDigest: `sha256:${'cd'.repeat(32)}`,
      platform: 'linux/amd64',
      architecture: 'amd64',
    },
    ...(os ? { os } : {}),
    packages,
    warnings,
  };
}

const pkg = (over: Partial<SbomPackage>): SbomPackage => ({
  ecosystem: 'npm',
  name: 'x',
  version: '1.0.0',
  purl: 'pkg:npm/x@1.0.0',
  licenses: [],
  locations: ['/app/node_modules/x/package.json'],
  ...over,
});

describe.each([
  ['Debian app', DEBIAN_APP_LAYERS],
  ['distroless', DISTROLESS_LAYERS],
  ['Alpine', ALPINE_LAYERS],
] as const)('%s image', (_label, layers) => {
  it('SPDX 2.3 JSON is valid against the official schema', async () => {
    const doc = JSON.parse(renderSbom(await sbomOf(layers), 'spdx-json', OPTS)) as unknown;
    expect(schemaErrors(spdxValidator(), doc)).toEqual([]);
  });

  it('CycloneDX 1.5 JSON is valid against the official schema', async () => {
    const doc = JSON.parse(renderSbom(await sbomOf(layers), 'cyclonedx-json', OPTS)) as unknown;
    expect(schemaErrors(cycloneDxValidator(), doc)).toEqual([]);
  });
});

describe('SPDX document', () => {
  it('DESCRIBES the image, which CONTAINS the OS (which CONTAINS the OS packages) and the app packages', async () => {
    const doc = toSpdx(await sbomOf(DEBIAN_APP_LAYERS), OPTS);
    expect(doc).toMatchObject({
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: '127.0.0.1:5000/team/app:1.0',
      creationInfo: { created: '2024-05-06T07:08:09Z', creators: ['Tool: ghcr-optimize-9.9.9'] },
    });
    expect(doc.documentNamespace).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    const byId = new Map(doc.packages.map((p) => [p.SPDXID, p]));
    const image = doc.packages[0]!;
    expect(image).toMatchObject({
      name: '127.0.0.1:5000/team/app:1.0',
      versionInfo: DIGEST,
      primaryPackagePurpose: 'CONTAINER',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: `pkg:oci/app@sha256%3A${'ab'.repeat(32)}?arch=amd64&repository_url=127.0.0.1:5000/team/app`,
        },
      ],
    });
    const os = doc.packages[1]!;
    expect(os).toMatchObject({
      name: 'debian',
      versionInfo: '12',
      primaryPackagePurpose: 'OPERATING_SYSTEM',
    });
    const rel = doc.relationships.map((r) => [
      r.spdxElementId === 'SPDXRef-DOCUMENT' ? 'DOCUMENT' : byId.get(r.spdxElementId)!.name,
      r.relationshipType,
      byId.get(r.relatedSpdxElement)!.name,
    ]);
    expect(rel).toEqual([
      ['DOCUMENT', 'DESCRIBES', '127.0.0.1:5000/team/app:1.0'],
      ['127.0.0.1:5000/team/app:1.0', 'CONTAINS', 'debian'],
      ['debian', 'CONTAINS', 'base-files'],
      ['debian', 'CONTAINS', 'bsdutils'],
      ['debian', 'CONTAINS', 'curl'],
      ['debian', 'CONTAINS', 'libc6'],
      ['debian', 'CONTAINS', 'tzdata'],
      ['127.0.0.1:5000/team/app:1.0', 'CONTAINS', '@fastify/busboy'],
      ['127.0.0.1:5000/team/app:1.0', 'CONTAINS', 'express'],
      ['127.0.0.1:5000/team/app:1.0', 'CONTAINS', 'safe-buffer'],
      ['127.0.0.1:5000/team/app:1.0', 'CONTAINS', 'safe-buffer'],
      ['127.0.0.1:5000/team/app:1.0', 'CONTAINS', 'requests'],
      ['127.0.0.1:5000/team/app:1.0', 'CONTAINS', 'typing_extensions'],
    ]);
    expect(new Set(doc.packages.map((p) => p.SPDXID)).size).toBe(doc.packages.length);
    const libc = doc.packages.find((p) => p.name === 'libc6')!;
    expect(libc).toMatchObject({
      versionInfo: '2.36-9+deb12u7',
      supplier: 'Person: GNU Libc Maintainers (debian-glibc@lists.debian.org)',
      licenseDeclared: 'NOASSERTION',
      homepage: 'https://www.gnu.org/software/libc/libc.html',
      sourceInfo: 'package database: /var/lib/dpkg/status',
      summary: 'GNU C Library: Shared libraries',
    });
    expect(doc.packages.find((p) => p.name === 'requests')?.licenseDeclared).toBe('Apache-2.0');
    expect(doc.hasExtractedLicensingInfos).toBeUndefined();
  });

  it('licences: SPDX ids and expressions as they are, other names as LicenseRef with the text', () => {
    const sbom: Sbom = {
      image: { name: 'oci:layout:x', shortName: 'layout', digest: DIGEST, configDigest: DIGEST },
      packages: [
        pkg({ name: 'a', purl: 'pkg:npm/a@1', licenses: ['mit'] }),
        pkg({ name: 'b', purl: 'pkg:npm/b@1', licenses: ['MIT OR Apache-2.0', 'GPL2+'] }),
        pkg({ name: 'c', purl: 'pkg:npm/c@1', licenses: ['GPL2 plus'] }),
        pkg({ name: 'd', purl: 'pkg:npm/d@1', licenses: ['GPL2+'] }),
      ],
      warnings: [],
    };
    const doc = toSpdx(sbom, OPTS);
    expect(doc.packages.slice(1).map((p) => p.licenseDeclared)).toEqual([
      'MIT',
      '(MIT OR Apache-2.0) AND LicenseRef-GPL2-plus',
      'LicenseRef-GPL2-plus-2',
      'LicenseRef-GPL2-plus',
    ]);
    expect(doc.hasExtractedLicensingInfos).toEqual([
      { licenseId: 'LicenseRef-GPL2-plus', extractedText: 'GPL2+', name: 'GPL2+' },
      { licenseId: 'LicenseRef-GPL2-plus-2', extractedText: 'GPL2 plus', name: 'GPL2 plus' },
    ]);
    // Without an OS, every package hangs off the image.
    expect(doc.relationships.filter((r) => r.relationshipType === 'CONTAINS')).toHaveLength(4);
    expect(schemaErrors(spdxValidator(), doc)).toEqual([]);
    expect(spdxAgent('Jane (JD) Doe <jd@example.org>')).toBe('Person: Jane JD Doe (jd@example.org)');
    expect(spdxAgent(undefined)).toBe('NOASSERTION');
  });
});

describe('CycloneDX document', () => {
  it('the image is metadata.component; OS and packages are components; dependencies as Trivy writes them', async () => {
    const doc = toCycloneDx(await sbomOf(DEBIAN_APP_LAYERS), OPTS);
    const imageRef = `pkg:oci/app@sha256%3A${'ab'.repeat(32)}?arch=amd64&repository_url=127.0.0.1:5000/team/app`;
    expect(doc.metadata).toMatchObject({
      timestamp: '2024-05-06T07:08:09Z',
      tools: { components: [{ type: 'application', name: 'ghcr-optimize', version: '9.9.9' }] },
      component: { 'bom-ref': imageRef, type: 'container', version: DIGEST, purl: imageRef },
    });
    expect(doc.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(doc.components[0]).toEqual({
      'bom-ref': 'os:debian@12',
      type: 'operating-system',
      name: 'debian',
      version: '12',
      description: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(doc.components.find((c) => c.name === 'busboy')).toEqual({
      'bom-ref': 'pkg:npm/%40fastify/busboy@2.1.1',
      type: 'library',
      group: '@fastify',
      name: 'busboy',
      version: '2.1.1',
      description: 'A streaming parser for HTML form data for node.js',
      licenses: [{ license: { id: 'MIT' } }],
      purl: 'pkg:npm/%40fastify/busboy@2.1.1',
      properties: [
        { name: 'ghcr-optimize:package:location', value: '/app/node_modules/@fastify/busboy/package.json' },
        { name: 'ghcr-optimize:package:location', value: '/app/package-lock.json' },
        { name: 'ghcr-optimize:package:type', value: 'npm' },
      ],
    });
    expect(doc.dependencies[0]).toEqual({
      ref: imageRef,
      dependsOn: [
        'os:debian@12',
        'pkg:npm/%40fastify/busboy@2.1.1',
        'pkg:npm/express@4.19.2',
        'pkg:npm/safe-buffer@5.1.2',
        'pkg:npm/safe-buffer@5.2.1',
        'pkg:pypi/requests@2.32.3',
        'pkg:pypi/typing-extensions@4.12.2',
      ],
    });
    expect(doc.dependencies[1]?.ref).toBe('os:debian@12');
    expect(doc.dependencies[1]?.dependsOn).toHaveLength(5);
  });

  it('licences: one expression alone, otherwise licence objects', () => {
    expect(cdxLicenses(['MPL-2.0 AND MIT'])).toEqual([{ expression: 'MPL-2.0 AND MIT' }]);
    expect(cdxLicenses(['BSD-3-Clause', 'GPL-2.0-only'])).toEqual([
      { license: { id: 'BSD-3-Clause' } },
      { license: { id: 'GPL-2.0-only' } },
    ]);
    expect(cdxLicenses(['MIT OR Apache-2.0', 'GPL2+'])).toEqual([
      { license: { name: 'MIT OR Apache-2.0' } },
      { license: { name: 'GPL2+' } },
    ]);
    expect(cdxLicenses([])).toBeUndefined();
    const sbom: Sbom = {
      image: { name: 'oci:layout:x', shortName: 'layout', digest: DIGEST, configDigest: DIGEST },
      packages: [
        pkg({ name: 'b', purl: 'pkg:npm/b@1', licenses: ['MIT OR Apache-2.0', 'GPL2+'] }),
        pkg({ name: 'e', purl: 'pkg:npm/e@1', licenses: ['MPL-2.0 AND MIT'] }),
      ],
      warnings: [],
    };
    expect(schemaErrors(cycloneDxValidator(), toCycloneDx(sbom, OPTS))).toEqual([]);
  });

  it('the schema check is real: a broken document fails it', async () => {
    const doc = toCycloneDx(await sbomOf(ALPINE_LAYERS), OPTS) as unknown as Record<string, unknown>;
    const bad = {
      ...doc,
      components: [{ type: 'library', name: 'x', licenses: [{ license: { id: 'NOT-A-LICENSE' } }] }],
    };
    expect(schemaErrors(cycloneDxValidator(), bad).length).toBeGreaterThan(0);
    const spdx = toSpdx(await sbomOf(ALPINE_LAYERS), OPTS) as unknown as Record<string, unknown>;
    expect(schemaErrors(spdxValidator(), { ...spdx, creationInfo: { created: 'x' } }).length).toBeGreaterThan(
      0,
    );
  });
});

describe('determinism', () => {
  it('the same image gives byte-identical documents; another digest another id', async () => {
    for (const format of ['spdx-json', 'cyclonedx-json'] as const) {
      const a = renderSbom(await sbomOf(DEBIAN_APP_LAYERS), format, OPTS);
      const b = renderSbom(await sbomOf(DEBIAN_APP_LAYERS), format, OPTS);
      expect(b).toBe(a);
      expect(a.endsWith('}\n')).toBe(true);
      const other = await sbomOf(DEBIAN_APP_LAYERS);
      other.image.digest = `sha256:${'ef'.repeat(32)}`;
      const c = JSON.parse(renderSbom(other, format, OPTS)) as Record<string, unknown>;
      const key = format === 'spdx-json' ? 'documentNamespace' : 'serialNumber';
      expect(c[key]).not.toBe((JSON.parse(a) as Record<string, unknown>)[key]);
    }
  });
});
