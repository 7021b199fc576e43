/**
 * dpkg's database: /var/lib/dpkg/status (every package, one paragraph each) and, in distroless
 * images, /var/lib/dpkg/status.d/<name> (one file per package, same syntax; the `<name>.md5sums`
 * files beside them are not paragraphs). Pure.
 */
import { parseParagraphs } from './control.js';

export const DPKG_STATUS = 'var/lib/dpkg/status';
export const DPKG_STATUS_DIR = 'var/lib/dpkg/status.d/';

export function isDpkgDatabase(path: string): boolean {
  if (path === DPKG_STATUS) return true;
  if (!path.startsWith(DPKG_STATUS_DIR)) return false;
  const name = path.slice(DPKG_STATUS_DIR.length);
  return name !== '' && !name.includes('/') && !name.endsWith('.md5sums');
}

export interface DpkgPackage {
  name: string;
  version: string;
  architecture?: string;
  sourceName?: string;
  sourceVersion?: string;
  maintainer?: string;
  homepage?: string;
  /** The synopsis: the first line of Description. */
  description?: string;
}

/**
 * Only packages whose files are on disk count: `Status: install ok installed`. A package being
 * removed (`deinstall`/`purge` wanted) or only half there (`config-files`, `half-installed`, …)
 * is left out, as Trivy and Syft do.
 */
export function isInstalled(status: string | undefined): boolean {
  // A status.d paragraph (distroless) has no Status field: it lists what the image ships.
  if (status === undefined) return true;
  const [want, , state] = status.split(/\s+/);
  return state === 'installed' && want !== 'deinstall' && want !== 'purge';
}

export function parseDpkgStatus(text: string): DpkgPackage[] {
  const out: DpkgPackage[] = [];
  for (const p of parseParagraphs(text)) {
    const name = p.get('package');
    const version = p.get('version');
    if (!name || !version || !isInstalled(p.get('status'))) continue;
    const pkg: DpkgPackage = { name, version };
    const arch = p.get('architecture');
    if (arch) pkg.architecture = arch;
    // "Source: glibc (2.36-9+deb12u4)": the source's name, and its version when it differs.
    const source = /^(\S+)(?:\s+\(([^)]+)\))?/.exec(p.get('source') ?? '');
    if (source) {
      pkg.sourceName = source[1]!;
      if (source[2]) pkg.sourceVersion = source[2].trim();
    }
    const maintainer = p.get('maintainer');
    if (maintainer) pkg.maintainer = maintainer;
    const homepage = p.get('homepage');
    if (homepage) pkg.homepage = homepage;
    const synopsis = p.get('description')?.split('\n')[0]?.trim();
    if (synopsis) pkg.description = synopsis;
    out.push(pkg);
  }
  return out;
}
