/**
 * Package URLs (github.com/package-url/purl-spec): `pkg:type/namespace/name@version?qualifiers`.
 * Components are percent-encoded (":" too, as purl-spec's oci example `@sha256%3A…` shows);
 * qualifier values keep "/" and ":" literal (`repository_url=docker.io/library/debian`). Qualifiers
 * are sorted by key and empty ones dropped, so equal packages always give equal strings. Pure.
 */

const encode = (s: string): string => encodeURIComponent(s);
const encodeValue = (s: string): string => encodeURIComponent(s).replace(/%2F/gi, '/').replace(/%3A/gi, ':');

export interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers?: Record<string, string | undefined>;
}

export function formatPurl(p: PurlParts): string {
  let out = `pkg:${p.type.toLowerCase()}/`;
  if (p.namespace) {
    out += `${p.namespace
      .split('/')
      .filter((s) => s !== '')
      .map(encode)
      .join('/')}/`;
  }
  out += encode(p.name);
  if (p.version) out += `@${encode(p.version)}`;
  const q = Object.entries(p.qualifiers ?? {})
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (q.length > 0) out += `?${q.map(([k, v]) => `${k.toLowerCase()}=${encodeValue(v)}`).join('&')}`;
  return out;
}

/** purl-spec's pypi rule: the name is lower-cased and "_" becomes "-". */
export function pypiName(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}
