/** Which files the layer walk keeps the bytes of for the SBOM: package databases and os-release. */
import { APK_INSTALLED } from './apk.js';
import { isDpkgDatabase } from './dpkg.js';
import { isInstalledPackageJson, isPackageLock } from './npm.js';
import { OS_RELEASE_PATHS } from './os-release.js';
import { isPythonMetadata } from './python.js';

export type DatabaseKind = 'dpkg' | 'apk' | 'npm-lock' | 'npm-package' | 'python' | 'os-release';

export function databaseKind(path: string): DatabaseKind | undefined {
  if ((OS_RELEASE_PATHS as readonly string[]).includes(path)) return 'os-release';
  if (isDpkgDatabase(path)) return 'dpkg';
  if (path === APK_INSTALLED) return 'apk';
  if (isPackageLock(path)) return 'npm-lock';
  if (isInstalledPackageJson(path)) return 'npm-package';
  if (isPythonMetadata(path)) return 'python';
  return undefined;
}

export function isSbomSource(path: string): boolean {
  return databaseKind(path) !== undefined;
}

/**
 * Databases are read whole; dpkg's status on a large Debian image is a few MiB, so the
 * per-file cap is far above the lint default (1 MiB).
 */
export const MAX_DATABASE_BYTES = 64 * 1024 * 1024;
