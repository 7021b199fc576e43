/**
 * apk-tools' installed database, /lib/apk/db/installed: one paragraph per package, one `X:value`
 * line per field (P name, V version, A arch, L license, o origin, m maintainer, T description,
 * U url; F/R/Z/a/M lines list files and are skipped). Pure.
 */

export const APK_INSTALLED = 'lib/apk/db/installed';

export interface ApkPackage {
  name: string;
  version: string;
  architecture?: string;
  license?: string;
  origin?: string;
  maintainer?: string;
  description?: string;
  url?: string;
}

export function parseApkInstalled(text: string): ApkPackage[] {
  const out: ApkPackage[] = [];
  let fields = new Map<string, string>();
  const flush = (): void => {
    const name = fields.get('P');
    const version = fields.get('V');
    if (name && version) {
      const pkg: ApkPackage = { name, version };
      const set = (key: string, field: keyof ApkPackage): void => {
        const v = fields.get(key);
        if (v) pkg[field] = v;
      };
      set('A', 'architecture');
      set('L', 'license');
      set('o', 'origin');
      set('m', 'maintainer');
      set('T', 'description');
      set('U', 'url');
      out.push(pkg);
    }
    fields = new Map();
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line[1] !== ':') continue;
    const key = line[0]!;
    // The first value wins: package fields come before the per-file ones.
    if (!fields.has(key)) fields.set(key, line.slice(2).trim());
  }
  flush();
  return out;
}
