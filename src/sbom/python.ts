/**
 * Installed Python distributions: `*.dist-info/METADATA` (wheels, pip) and `*.egg-info/PKG-INFO`
 * (setuptools), both in the core-metadata format (RFC 822 headers up to the first blank line,
 * then the long description). Pure.
 */

export interface PythonPackage {
  name: string;
  version: string;
  licenses: string[];
  summary?: string;
  homepage?: string;
  author?: string;
}

export function isPythonMetadata(path: string): boolean {
  const parts = path.split('/');
  const file = parts[parts.length - 1];
  const dir = parts[parts.length - 2] ?? '';
  return (
    (file === 'METADATA' && dir.endsWith('.dist-info')) || (file === 'PKG-INFO' && dir.endsWith('.egg-info'))
  );
}

/** Headers may repeat (Classifier); continuation lines start with whitespace. */
export function parseCoreMetadataHeaders(text: string): [string, string][] {
  const headers: [string, string][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && headers.length > 0) {
      const last = headers[headers.length - 1]!;
      last[1] = `${last[1]}\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return headers;
}

/** Trove classifiers whose licence is unambiguous, to their SPDX identifier. */
const CLASSIFIER_LICENSES: Record<string, string> = {
  'MIT License': 'MIT',
  'MIT No Attribution License (MIT-0)': 'MIT-0',
  'ISC License (ISCL)': 'ISC',
  'Apache Software License': 'Apache-2.0',
  'Mozilla Public License 2.0 (MPL 2.0)': 'MPL-2.0',
  'GNU General Public License v2 (GPLv2)': 'GPL-2.0-only',
  'GNU General Public License v3 (GPLv3)': 'GPL-3.0-only',
  'GNU Lesser General Public License v3 (LGPLv3)': 'LGPL-3.0-only',
  'Python Software Foundation License': 'PSF-2.0',
  'The Unlicense (Unlicense)': 'Unlicense',
  'Zope Public License': 'ZPL-2.1',
  'Boost Software License 1.0 (BSL-1.0)': 'BSL-1.0',
};

/**
 * The licence, in order of authority: `License-Expression` (core metadata 2.4, SPDX), then a
 * one-line `License` field, then `License ::` classifiers. A multi-line `License` field is the
 * licence text itself, not its name, so it is skipped.
 */
function licensesOf(headers: [string, string][]): string[] {
  const get = (k: string): string | undefined => headers.find(([h]) => h === k)?.[1];
  const expression = get('license-expression');
  if (expression) return [expression];
  const license = get('license');
  if (license && !license.includes('\n') && license.length <= 100 && license.toUpperCase() !== 'UNKNOWN') {
    return [license];
  }
  const out: string[] = [];
  for (const [h, v] of headers) {
    if (h !== 'classifier' || !v.startsWith('License ::')) continue;
    const last =
      v
        .split('::')
        .map((s) => s.trim())
        .at(-1) ?? '';
    if (last === '' || last === 'OSI Approved') continue;
    out.push(CLASSIFIER_LICENSES[last] ?? last);
  }
  return [...new Set(out)];
}

export function parseCoreMetadata(text: string): PythonPackage | undefined {
  const headers = parseCoreMetadataHeaders(text);
  const get = (k: string): string | undefined => headers.find(([h]) => h === k)?.[1];
  const name = get('name');
  const version = get('version');
  if (!name || !version) return undefined;
  const pkg: PythonPackage = { name, version, licenses: licensesOf(headers) };
  const summary = get('summary');
  if (summary && summary !== 'UNKNOWN') pkg.summary = summary.split('\n')[0]!;
  const homepage = get('home-page');
  if (homepage && homepage !== 'UNKNOWN') pkg.homepage = homepage;
  const author = get('author') ?? get('author-email');
  if (author && author !== 'UNKNOWN') pkg.author = author;
  return pkg;
}
