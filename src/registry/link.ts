/** `Link` header parsing (RFC 8288), just enough for `rel="next"` pagination of tags, catalog and referrers. */

export interface LinkValue {
  uri: string;
  rel: string[];
}

export function parseLinks(header: string | string[] | undefined): LinkValue[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(', ') : header;
  const out: LinkValue[] = [];
  const re = /<([^>]*)>((?:\s*;\s*[^;,=]+(?:=\s*(?:"[^"]*"|[^;,]*))?)*)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const params = m[2] ?? '';
    const rel: string[] = [];
    const paramRe = /;\s*([^=;,\s]+)\s*(?:=\s*(?:"([^"]*)"|([^;,]*)))?/g;
    for (let p = paramRe.exec(params); p !== null; p = paramRe.exec(params)) {
      if (p[1]?.toLowerCase() === 'rel') {
        rel.push(...(p[2] ?? p[3] ?? '').trim().toLowerCase().split(/\s+/));
      }
    }
    out.push({ uri: m[1] ?? '', rel });
  }
  return out;
}

/** Absolute URL of the `rel="next"` link, resolved against the request URL (registries send relative links). */
export function nextLink(header: string | string[] | undefined, base: URL): URL | undefined {
  const next = parseLinks(header).find((l) => l.rel.includes('next'));
  return next ? new URL(next.uri, base) : undefined;
}
