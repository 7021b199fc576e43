/** SBOMs from an image's package databases, as SPDX 2.3 or CycloneDX 1.5 JSON. */
export { buildSbom, renderSbom, SBOM_FORMATS } from './sbom.js';
export type { SbomFormat, SbomOptions, ImageNaming } from './sbom.js';
export { collectPackages } from './collect.js';
export { toSpdx } from './spdx.js';
export type { SpdxDocument } from './spdx.js';
export { toCycloneDx } from './cyclonedx.js';
export type { CdxDocument } from './cyclonedx.js';
export { creationTime, imagePurl } from './identity.js';
export { parseDpkgStatus } from './dpkg.js';
export { parseApkInstalled } from './apk.js';
export { parsePackageLock, parsePackageJson } from './npm.js';
export { parseCoreMetadata } from './python.js';
export { parseOsRelease } from './os-release.js';
export { formatPurl } from './purl.js';
export type { Sbom, SbomPackage, OsInfo, ImageIdentity, Ecosystem } from './types.js';
