/** The SBOM model: what was found in the image, independent of the output format. */

export type Ecosystem = 'deb' | 'apk' | 'npm' | 'pypi';

export interface SbomPackage {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  /** Package URL (purl-spec), the package's identity across tools. */
  purl: string;
  /** License strings exactly as the package database states them (may be empty). */
  licenses: string[];
  /** npm scope (`@scope`), for CycloneDX's `group`. */
  namespace?: string;
  arch?: string;
  /** The source package (deb `Source:`, apk `o:`), when it differs from the name. */
  sourceName?: string;
  sourceVersion?: string;
  /** One line. */
  description?: string;
  homepage?: string;
  /** Maintainer / author as the database gives it ("Name <mail>"). */
  maintainer?: string;
  /** The database files this package was read from, absolute paths in the image, sorted. */
  locations: string[];
}

export interface OsInfo {
  /** os-release ID, e.g. debian, alpine. */
  id: string;
  versionId?: string;
  name?: string;
  prettyName?: string;
}

export interface ImageIdentity {
  /** The reference as the user gave it (printed form). */
  name: string;
  /** Manifest digest of the image that was read (the platform child of an index). */
  digest: string;
  configDigest: string;
  platform?: string;
  /** The last repository path component (or the layout directory's name): the purl name. */
  shortName: string;
  /** Registry host and repository, for the image's pkg:oci purl; absent for layouts. */
  repository?: string;
  architecture?: string;
}

export interface Sbom {
  image: ImageIdentity;
  os?: OsInfo;
  /** Sorted by ecosystem, name, version, purl; one entry per purl. */
  packages: SbomPackage[];
  /** Databases that could not be read in full (too large, unparsable), with why. */
  warnings: string[];
}

/** What every renderer needs besides the model. */
export interface RenderOptions {
  /** RFC 3339 UTC, whole seconds: `2024-01-02T03:04:05Z`. */
  created: string;
  toolVersion: string;
}
