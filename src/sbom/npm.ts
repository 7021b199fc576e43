/**
 * npm packages: lockfiles (`package-lock.json` v1–v3, and npm 7+'s hidden
 * `node_modules/.package-lock.json`) and the `package.json` at the root of every installed
 * package under a `node_modules` directory. Pure.
 */
import { basename } from '../analyze/paths.js';

export interface NpmPackage {
  name: string;
  version: string;
  /** License strings as written (`license`, or the legacy `licenses` array / object). */
  licenses: string[];
  description?: string;
  homepage?: string;
  author?: string;
}

/** `…/node_modules/name/package.json` or `…/node_modules/@scope/name/package.json`. */
export function isInstalledPackageJson(path: string): boolean {
  const parts = path.split('/');
  if (parts[parts.length - 1] !== 'package.json') return false;
  const n = parts.length;
  if (n >= 3 && parts[n - 3] === 'node_modules' && !parts[n - 2]!.startsWith('.')) {
    return !parts[n - 2]!.startsWith('@');
  }
  return n >= 4 && parts[n - 4] === 'node_modules' && parts[n - 3]!.startsWith('@');
}

export function isPackageLock(path: string): boolean {
  const name = basename(path);
  if (name === '.package-lock.json') return path.split('/').at(-2) === 'node_modules';
  return name === 'package-lock.json' && !path.split('/').includes('node_modules');
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;

/** npm's license forms: "MIT", { type: "MIT" }, [{ type: "MIT" }, …] (the last two are legacy). */
export function npmLicenses(license: unknown, licenses?: unknown): string[] {
  const one = (v: unknown): string | undefined =>
    str(v) ?? (typeof v === 'object' && v !== null ? str((v as Record<string, unknown>).type) : undefined);
  const out: string[] = [];
  const first = one(license);
  if (first) out.push(first);
  else if (Array.isArray(licenses))
    for (const l of licenses) {
      const s = one(l);
      if (s) out.push(s);
    }
  else {
    const s = one(licenses);
    if (s) out.push(s);
  }
  return out;
}

function personName(v: unknown): string | undefined {
  if (typeof v === 'string') return str(v);
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const name = str(o.name);
    const email = str(o.email);
    return name && email ? `${name} <${email}>` : name;
  }
  return undefined;
}

/** undefined for a package.json that is not an installable package (no name or version). */
export function parsePackageJson(text: string): NpmPackage | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const o = doc as Record<string, unknown>;
  const name = str(o.name);
  const version = str(o.version);
  if (!name || !version) return undefined;
  const pkg: NpmPackage = { name, version, licenses: npmLicenses(o.license, o.licenses) };
  const description = str(o.description);
  if (description) pkg.description = description.split('\n')[0]!;
  const homepage = str(o.homepage);
  if (homepage) pkg.homepage = homepage;
  const author = personName(o.author);
  if (author) pkg.author = author;
  return pkg;
}

/** The package name a lockfile key names: the part after its last `node_modules/`. */
function nameFromKey(key: string): string | undefined {
  const i = key.lastIndexOf('node_modules/');
  return i === -1 ? undefined : key.slice(i + 'node_modules/'.length) || undefined;
}

/**
 * Installed packages a lockfile lists. Development-only (`dev: true`), linked (workspace) and
 * extraneous entries are left out: a production image installs neither. Throws SyntaxError on
 * a file that is not JSON.
 */
export function parsePackageLock(text: string): NpmPackage[] {
  const doc = JSON.parse(text) as Record<string, unknown>;
  const out: NpmPackage[] = [];
  const packages = doc.packages;
  if (typeof packages === 'object' && packages !== null) {
    // v2 and v3: a flat map from install path to entry; "" is the project itself.
    for (const [key, value] of Object.entries(packages as Record<string, unknown>)) {
      if (key === '' || typeof value !== 'object' || value === null) continue;
      const e = value as Record<string, unknown>;
      if (e.link === true || e.dev === true || e.extraneous === true) continue;
      const name = str(e.name) ?? nameFromKey(key);
      const version = str(e.version);
      if (!name || !version) continue;
      out.push({ name, version, licenses: npmLicenses(e.license) });
    }
    return out;
  }
  // v1: nested "dependencies" objects, keyed by name.
  const walk = (deps: unknown): void => {
    if (typeof deps !== 'object' || deps === null) return;
    for (const [name, value] of Object.entries(deps as Record<string, unknown>)) {
      if (typeof value !== 'object' || value === null) continue;
      const e = value as Record<string, unknown>;
      const version = str(e.version);
      if (version && e.dev !== true && !version.startsWith('file:'))
        out.push({ name, version, licenses: [] });
      walk(e.dependencies);
    }
  };
  walk(doc.dependencies);
  return out;
}

/** "@scope/name" → { namespace: "@scope", name: "name" }. */
export function splitNpmName(full: string): { namespace?: string; name: string } {
  if (full.startsWith('@')) {
    const slash = full.indexOf('/');
    if (slash > 1) return { namespace: full.slice(0, slash), name: full.slice(slash + 1) };
  }
  return { name: full };
}
