/**
 * SPDX 2.3 JSON (spdx.github.io/spdx-spec/v2.3): the document DESCRIBES the image (a CONTAINER
 * package), the image CONTAINS the operating system and the application packages, the operating
 * system CONTAINS its own packages. Every package carries its purl as a PACKAGE-MANAGER
 * external reference; licences go to licenseDeclared (non-SPDX names as LicenseRef-… with the
 * text in hasExtractedLicensingInfos). Pure and deterministic.
 */
import { createHash } from 'node:crypto';
import { classifyLicense, licenseRef } from './licenses.js';
import { imagePurl, uuidFromSeed } from './identity.js';
import type { RenderOptions, Sbom, SbomPackage } from './types.js';

export interface SpdxPackage {
  name: string;
  SPDXID: string;
  versionInfo?: string;
  supplier?: string;
  downloadLocation: string;
  filesAnalyzed: false;
  homepage?: string;
  sourceInfo?: string;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  summary?: string;
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  primaryPackagePurpose?: string;
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string; name: string }[];
}

const NOASSERTION = 'NOASSERTION';
const OS_ECOSYSTEMS = new Set(['deb', 'apk']);

/** SPDXRef ids allow letters, digits, "." and "-" only. */
function idPart(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

/** "Jane Doe <jane@example.org>" → "Person: Jane Doe (jane@example.org)", SPDX's agent syntax. */
export function spdxAgent(who: string | undefined): string {
  if (!who) return NOASSERTION;
  const m = /^\s*([^<]*?)\s*<([^>]*)>\s*$/.exec(who);
  const name = (m ? m[1]! : who).replace(/[()]/g, '').trim();
  if (name === '') return NOASSERTION;
  return m && m[2] ? `Person: ${name} (${m[2].trim()})` : `Person: ${name}`;
}

class LicenseRefs {
  readonly infos = new Map<string, { licenseId: string; extractedText: string; name: string }>();
  ref(name: string): string {
    let id = licenseRef(name);
    // Two different names that sanitise alike must not share one ref.
    for (let n = 2; this.infos.has(id) && this.infos.get(id)!.extractedText !== name; n++) {
      id = `${licenseRef(name)}-${n}`;
    }
    if (!this.infos.has(id)) this.infos.set(id, { licenseId: id, extractedText: name, name });
    return id;
  }
}

function declared(licenses: readonly string[], refs: LicenseRefs): string {
  const parts = licenses.map((raw) => {
    const c = classifyLicense(raw);
    if (c.kind === 'id') return c.id;
    if (c.kind === 'expression') return /\s/.test(c.expression) ? `(${c.expression})` : c.expression;
    return refs.ref(c.name);
  });
  if (parts.length === 0) return NOASSERTION;
  if (parts.length === 1) return parts[0]!.replace(/^\((.*)\)$/, '$1');
  return parts.join(' AND ');
}

function packageId(p: SbomPackage): string {
  return `SPDXRef-Package-${p.ecosystem}-${idPart(p.name)}-${shortHash(p.purl)}`;
}

export function toSpdx(sbom: Sbom, opts: RenderOptions): SpdxDocument {
  const refs = new LicenseRefs();
  const imageId = `SPDXRef-Image-${shortHash(sbom.image.digest)}`;
  const packages: SpdxPackage[] = [];
  const relationships: SpdxDocument['relationships'] = [];

  packages.push({
    name: sbom.image.name,
    SPDXID: imageId,
    versionInfo: sbom.image.digest,
    supplier: NOASSERTION,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    externalRefs: [
      {
        referenceCategory: 'PACKAGE-MANAGER',
        referenceType: 'purl',
        referenceLocator: imagePurl(sbom.image),
      },
    ],
    primaryPackagePurpose: 'CONTAINER',
  });
  relationships.push({
    spdxElementId: 'SPDXRef-DOCUMENT',
    relationshipType: 'DESCRIBES',
    relatedSpdxElement: imageId,
  });

  let osId: string | undefined;
  if (sbom.os) {
    osId = `SPDXRef-OperatingSystem-${idPart(sbom.os.id)}`;
    packages.push({
      name: sbom.os.id,
      SPDXID: osId,
      ...(sbom.os.versionId ? { versionInfo: sbom.os.versionId } : {}),
      supplier: NOASSERTION,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      ...(sbom.os.prettyName ? { summary: sbom.os.prettyName } : {}),
      primaryPackagePurpose: 'OPERATING_SYSTEM',
    });
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: osId });
  }

  for (const p of sbom.packages) {
    const id = packageId(p);
    packages.push({
      name: p.name,
      SPDXID: id,
      versionInfo: p.version,
      supplier: spdxAgent(p.maintainer),
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      ...(p.homepage && /^https?:\/\//.test(p.homepage) ? { homepage: p.homepage } : {}),
      sourceInfo: `package database: ${p.locations.join(', ')}`,
      licenseConcluded: NOASSERTION,
      licenseDeclared: declared(p.licenses, refs),
      copyrightText: NOASSERTION,
      ...(p.description ? { summary: p.description } : {}),
      externalRefs: [
        { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl },
      ],
      primaryPackagePurpose: 'LIBRARY',
    });
    const parent = OS_ECOSYSTEMS.has(p.ecosystem) && osId ? osId : imageId;
    relationships.push({ spdxElementId: parent, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  }

  const extracted = [...refs.infos.values()].sort((a, b) => (a.licenseId < b.licenseId ? -1 : 1));
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: sbom.image.name,
    documentNamespace: `urn:uuid:${uuidFromSeed(`spdx-json\n${sbom.image.digest}\n${sbom.image.name}\n${opts.toolVersion}`)}`,
    creationInfo: { created: opts.created, creators: [`Tool: ghcr-optimize-${opts.toolVersion}`] },
    packages,
    relationships,
    ...(extracted.length > 0 ? { hasExtractedLicensingInfos: extracted } : {}),
  };
}
