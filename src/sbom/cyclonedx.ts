/**
 * CycloneDX 1.5 JSON (cyclonedx.org/docs/1.5/json): metadata.component is the image (type
 * container), components are the operating system (type operating-system) and every package
 * (type library, bom-ref = purl), dependencies say image → OS + application packages and
 * OS → its packages, as Trivy writes them. Pure and deterministic.
 */
import { classifyLicense } from './licenses.js';
import { imagePurl, uuidFromSeed } from './identity.js';
import type { RenderOptions, Sbom, SbomPackage } from './types.js';

type CdxLicenses = ({ license: { id: string } | { name: string } } | { expression: string })[];

export interface CdxComponent {
  'bom-ref': string;
  type: 'container' | 'operating-system' | 'library';
  group?: string;
  name: string;
  version?: string;
  description?: string;
  licenses?: CdxLicenses;
  purl?: string;
  externalReferences?: { type: 'website'; url: string }[];
  properties?: { name: string; value: string }[];
}

export interface CdxDocument {
  $schema: 'http://cyclonedx.org/schema/bom-1.5.schema.json';
  bomFormat: 'CycloneDX';
  specVersion: '1.5';
  serialNumber: string;
  version: 1;
  metadata: {
    timestamp: string;
    tools: { components: { type: 'application'; name: string; version: string }[] };
    component: CdxComponent;
  };
  components: CdxComponent[];
  dependencies: { ref: string; dependsOn: string[] }[];
}

const OS_ECOSYSTEMS = new Set(['deb', 'apk']);

/**
 * The schema takes either licence objects or one expression, never a mix: a lone expression
 * stays one, otherwise expressions are listed by name.
 */
export function cdxLicenses(raw: readonly string[]): CdxLicenses | undefined {
  if (raw.length === 0) return undefined;
  const classified = raw.map(classifyLicense);
  if (classified.length === 1 && classified[0]!.kind === 'expression') {
    return [{ expression: classified[0]!.expression }];
  }
  return classified.map((c) =>
    c.kind === 'id'
      ? { license: { id: c.id } }
      : { license: { name: c.kind === 'expression' ? c.expression : c.name } },
  );
}

function component(p: SbomPackage): CdxComponent {
  const licenses = cdxLicenses(p.licenses);
  const name = p.namespace ? p.name.slice(p.namespace.length + 1) : p.name;
  const properties = [
    ...p.locations.map((l) => ({ name: 'ghcr-optimize:package:location', value: l })),
    { name: 'ghcr-optimize:package:type', value: p.ecosystem },
    ...(p.sourceName ? [{ name: 'ghcr-optimize:package:source-name', value: p.sourceName }] : []),
    ...(p.sourceVersion ? [{ name: 'ghcr-optimize:package:source-version', value: p.sourceVersion }] : []),
  ];
  return {
    'bom-ref': p.purl,
    type: 'library',
    ...(p.namespace ? { group: p.namespace } : {}),
    name,
    version: p.version,
    ...(p.description ? { description: p.description } : {}),
    ...(licenses ? { licenses } : {}),
    purl: p.purl,
    ...(p.homepage && /^https?:\/\//.test(p.homepage)
      ? { externalReferences: [{ type: 'website' as const, url: p.homepage }] }
      : {}),
    properties,
  };
}

export function toCycloneDx(sbom: Sbom, opts: RenderOptions): CdxDocument {
  const purl = imagePurl(sbom.image);
  const image: CdxComponent = {
    'bom-ref': purl,
    type: 'container',
    name: sbom.image.name,
    version: sbom.image.digest,
    purl,
    properties: [
      { name: 'ghcr-optimize:image:config-digest', value: sbom.image.configDigest },
      ...(sbom.image.platform ? [{ name: 'ghcr-optimize:image:platform', value: sbom.image.platform }] : []),
    ],
  };
  const components: CdxComponent[] = [];
  const imageDeps: string[] = [];
  const osDeps: string[] = [];
  let osRef: string | undefined;
  if (sbom.os) {
    osRef = `os:${sbom.os.id}${sbom.os.versionId ? `@${sbom.os.versionId}` : ''}`;
    components.push({
      'bom-ref': osRef,
      type: 'operating-system',
      name: sbom.os.id,
      ...(sbom.os.versionId ? { version: sbom.os.versionId } : {}),
      ...(sbom.os.prettyName ? { description: sbom.os.prettyName } : {}),
    });
    imageDeps.push(osRef);
  }
  for (const p of sbom.packages) {
    components.push(component(p));
    (OS_ECOSYSTEMS.has(p.ecosystem) && osRef ? osDeps : imageDeps).push(p.purl);
  }
  const dependencies = [{ ref: purl, dependsOn: imageDeps }];
  if (osRef) dependencies.push({ ref: osRef, dependsOn: osDeps });
  for (const p of sbom.packages) dependencies.push({ ref: p.purl, dependsOn: [] });
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.5.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${uuidFromSeed(`cyclonedx-json\n${sbom.image.digest}\n${sbom.image.name}\n${opts.toolVersion}`)}`,
    version: 1,
    metadata: {
      timestamp: opts.created,
      tools: { components: [{ type: 'application', name: 'ghcr-optimize', version: opts.toolVersion }] },
      component: image,
    },
    components,
    dependencies,
  };
}
