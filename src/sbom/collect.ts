/**
 * Packages of the image's final filesystem: every package database visible in the merged tree
 * (a database deleted or replaced by a later layer counts in its later state) is parsed, each
 * package gets its purl, and packages found more than once (a lockfile and node_modules, status
 * and status.d) become one entry with every location. Pure.
 */
import type { MergedTree } from '../analyze/file-tree.js';
import type { LayerScan } from '../analyze/layer-reader.js';
import { parseApkInstalled } from './apk.js';
import { databaseKind, type DatabaseKind } from './capture.js';
import { parseDpkgStatus } from './dpkg.js';
import { readFinalFile } from './final-files.js';
import { parsePackageJson, parsePackageLock, splitNpmName, type NpmPackage } from './npm.js';
import { OS_RELEASE_PATHS, parseOsRelease } from './os-release.js';
import { formatPurl, pypiName } from './purl.js';
import { parseCoreMetadata } from './python.js';
import type { OsInfo, SbomPackage } from './types.js';

export interface Collected {
  os?: OsInfo;
  packages: SbomPackage[];
  warnings: string[];
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function distro(os: OsInfo | undefined): string | undefined {
  return os?.versionId ? `${os.id}-${os.versionId}` : undefined;
}

function debPackages(text: string, os: OsInfo | undefined, location: string): SbomPackage[] {
  return parseDpkgStatus(text).map((p) => {
    const upstream =
      p.sourceName && (p.sourceName !== p.name || p.sourceVersion)
        ? p.sourceVersion
          ? `${p.sourceName}@${p.sourceVersion}`
          : p.sourceName
        : undefined;
    const pkg: SbomPackage = {
      ecosystem: 'deb',
      name: p.name,
      version: p.version,
      purl: formatPurl({
        type: 'deb',
        namespace: os?.id ?? 'debian',
        name: p.name,
        version: p.version,
        qualifiers: { arch: p.architecture, distro: distro(os), upstream },
      }),
      // dpkg's database states no licence (that is in /usr/share/doc/*/copyright, free text).
      licenses: [],
      locations: [location],
    };
    if (p.architecture) pkg.arch = p.architecture;
    if (p.sourceName) pkg.sourceName = p.sourceName;
    if (p.sourceVersion) pkg.sourceVersion = p.sourceVersion;
    if (p.description) pkg.description = p.description;
    if (p.homepage) pkg.homepage = p.homepage;
    if (p.maintainer) pkg.maintainer = p.maintainer;
    return pkg;
  });
}

function apkPackages(text: string, os: OsInfo | undefined, location: string): SbomPackage[] {
  return parseApkInstalled(text).map((p) => {
    const pkg: SbomPackage = {
      ecosystem: 'apk',
      name: p.name,
      version: p.version,
      purl: formatPurl({
        type: 'apk',
        namespace: os?.id ?? 'alpine',
        name: p.name,
        version: p.version,
        qualifiers: {
          arch: p.architecture,
          distro: distro(os),
          upstream: p.origin && p.origin !== p.name ? p.origin : undefined,
        },
      }),
      licenses: p.license ? [p.license] : [],
      locations: [location],
    };
    if (p.architecture) pkg.arch = p.architecture;
    if (p.origin && p.origin !== p.name) pkg.sourceName = p.origin;
    if (p.description) pkg.description = p.description;
    if (p.url) pkg.homepage = p.url;
    if (p.maintainer) pkg.maintainer = p.maintainer;
    return pkg;
  });
}

function npmPackage(p: NpmPackage, location: string): SbomPackage {
  const { namespace, name } = splitNpmName(p.name);
  const pkg: SbomPackage = {
    ecosystem: 'npm',
    name: p.name,
    version: p.version,
    purl: formatPurl({ type: 'npm', ...(namespace ? { namespace } : {}), name, version: p.version }),
    licenses: p.licenses,
    locations: [location],
  };
  if (namespace) pkg.namespace = namespace;
  if (p.description) pkg.description = p.description;
  if (p.homepage) pkg.homepage = p.homepage;
  if (p.author) pkg.maintainer = p.author;
  return pkg;
}

function pythonPackage(text: string, location: string): SbomPackage | undefined {
  const p = parseCoreMetadata(text);
  if (!p) return undefined;
  const pkg: SbomPackage = {
    ecosystem: 'pypi',
    name: p.name,
    version: p.version,
    purl: formatPurl({ type: 'pypi', name: pypiName(p.name), version: p.version }),
    licenses: p.licenses,
    locations: [location],
  };
  if (p.summary) pkg.description = p.summary;
  if (p.homepage) pkg.homepage = p.homepage;
  if (p.author) pkg.maintainer = p.author;
  return pkg;
}

function merge(into: SbomPackage, other: SbomPackage): void {
  into.locations = [...new Set([...into.locations, ...other.locations])].sort(cmp);
  for (const l of other.licenses) if (!into.licenses.includes(l)) into.licenses.push(l);
  into.description ??= other.description;
  into.homepage ??= other.homepage;
  into.maintainer ??= other.maintainer;
}

function describeFailure(reason: string, size: number | undefined): string {
  return reason === 'too-large' ? `larger than the ${size ?? '?'}-byte limit` : reason.replace(/-/g, ' ');
}

export function collectPackages(tree: MergedTree, scans: readonly LayerScan[]): Collected {
  const warnings: string[] = [];
  let os: OsInfo | undefined;
  for (const path of OS_RELEASE_PATHS) {
    const f = readFinalFile(tree, scans, path);
    if (f.ok) {
      os = parseOsRelease(f.content.toString('utf8'));
      if (os) break;
    }
  }

  const byPurl = new Map<string, SbomPackage>();
  const add = (pkg: SbomPackage): void => {
    const seen = byPurl.get(pkg.purl);
    if (seen) merge(seen, pkg);
    else byPurl.set(pkg.purl, pkg);
  };

  for (const file of tree.files) {
    const kind: DatabaseKind | undefined = databaseKind(file.path);
    if (kind === undefined || kind === 'os-release') continue;
    if (file.entry.type === 'dir') continue;
    const location = `/${file.path}`;
    const f = readFinalFile(tree, scans, file.path);
    if (!f.ok) {
      if (f.reason !== 'missing' && f.reason !== 'not-a-file') {
        warnings.push(`${location}: not read (${describeFailure(f.reason, f.size)})`);
      }
      continue;
    }
    const text = f.content.toString('utf8');
    switch (kind) {
      case 'dpkg':
        debPackages(text, os, location).forEach(add);
        break;
      case 'apk':
        apkPackages(text, os, location).forEach(add);
        break;
      case 'npm-lock':
        try {
          for (const p of parsePackageLock(text)) add(npmPackage(p, location));
        } catch (err) {
          warnings.push(`${location}: not a valid package-lock.json (${(err as Error).message})`);
        }
        break;
      case 'npm-package': {
        const p = parsePackageJson(text);
        if (p) add(npmPackage(p, location));
        break;
      }
      case 'python': {
        const p = pythonPackage(text, location);
        if (p) add(p);
        else warnings.push(`${location}: no Name or Version header`);
        break;
      }
    }
  }

  const packages = [...byPurl.values()].sort(
    (a, b) =>
      cmp(a.ecosystem, b.ecosystem) ||
      cmp(a.name, b.name) ||
      cmp(a.version, b.version) ||
      cmp(a.purl, b.purl),
  );
  for (const p of packages) p.locations.sort(cmp);
  return { ...(os ? { os } : {}), packages, warnings };
}
