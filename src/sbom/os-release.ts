/** os-release(5): KEY=value lines, values optionally quoted with shell-style escapes. Pure. */
import type { OsInfo } from './types.js';

export const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'] as const;

function unquote(raw: string): string {
  const v = raw.trim();
  const q = v[0];
  if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) {
    const inner = v.slice(1, -1);
    return q === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
  }
  return v;
}

export function parseOsReleaseFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (m) fields.set(m[1]!, unquote(m[2]!));
  }
  return fields;
}

/** undefined when the file names no ID (then the OS is unknown, not "linux"). */
export function parseOsRelease(text: string): OsInfo | undefined {
  const f = parseOsReleaseFields(text);
  const id = f.get('ID')?.toLowerCase();
  if (!id) return undefined;
  const info: OsInfo = { id };
  const versionId = f.get('VERSION_ID');
  if (versionId) info.versionId = versionId;
  const name = f.get('NAME');
  if (name) info.name = name;
  const pretty = f.get('PRETTY_NAME');
  if (pretty) info.prettyName = pretty;
  return info;
}
