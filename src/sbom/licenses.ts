/**
 * Licence strings from package databases → SPDX. A string that is an SPDX identifier, or an
 * expression (AND / OR / WITH, parentheses) over identifiers, is used as SPDX; anything else
 * ("GPL2+", "BSD License", a URL) is kept verbatim as a named licence (CycloneDX `license.name`,
 * SPDX `LicenseRef-…` with the text as extracted licensing info). Pure.
 *
 * The identifier list is the commonly met part of the SPDX License List; an identifier missing
 * from it is still reported, only as a name. Matching is case-insensitive (SPDX says so) and
 * gives the canonical spelling.
 */

const IDS = [
  '0BSD',
  'AFL-2.1',
  'AFL-3.0',
  'AGPL-3.0',
  'AGPL-3.0-only',
  'AGPL-3.0-or-later',
  'Apache-1.1',
  'Apache-2.0',
  'Artistic-1.0',
  'Artistic-1.0-Perl',
  'Artistic-2.0',
  'Beerware',
  'BlueOak-1.0.0',
  'BSD-1-Clause',
  'BSD-2-Clause',
  'BSD-2-Clause-Patent',
  'BSD-3-Clause',
  'BSD-3-Clause-Clear',
  'BSD-4-Clause',
  'BSD-4-Clause-UC',
  'BSL-1.0',
  'bzip2-1.0.6',
  'CC-BY-3.0',
  'CC-BY-4.0',
  'CC-BY-SA-3.0',
  'CC-BY-SA-4.0',
  'CC0-1.0',
  'CDDL-1.0',
  'CDDL-1.1',
  'curl',
  'EPL-1.0',
  'EPL-2.0',
  'EUPL-1.2',
  'FSFAP',
  'FTL',
  'GFDL-1.2-only',
  'GFDL-1.2-or-later',
  'GFDL-1.3-only',
  'GFDL-1.3-or-later',
  'GPL-1.0-only',
  'GPL-1.0-or-later',
  'GPL-2.0',
  'GPL-2.0-only',
  'GPL-2.0-or-later',
  'GPL-3.0',
  'GPL-3.0-only',
  'GPL-3.0-or-later',
  'HPND',
  'ICU',
  'IJG',
  'Imlib2',
  'ISC',
  'LGPL-2.0-only',
  'LGPL-2.0-or-later',
  'LGPL-2.1',
  'LGPL-2.1-only',
  'LGPL-2.1-or-later',
  'LGPL-3.0',
  'LGPL-3.0-only',
  'LGPL-3.0-or-later',
  'Libpng',
  'libtiff',
  'MirOS',
  'MIT',
  'MIT-0',
  'MPL-1.1',
  'MPL-2.0',
  'MPL-2.0-no-copyleft-exception',
  'NCSA',
  'OFL-1.1',
  'OLDAP-2.8',
  'OpenSSL',
  'PHP-3.01',
  'PostgreSQL',
  'PSF-2.0',
  'Python-2.0',
  'Ruby',
  'Sleepycat',
  'TCL',
  'Unicode-DFS-2016',
  'Unicode-3.0',
  'Unlicense',
  'UPL-1.0',
  'Vim',
  'W3C',
  'WTFPL',
  'X11',
  'XFree86-1.1',
  'Zlib',
  'zlib-acknowledgement',
  'ZPL-2.1',
] as const;

/** Exceptions that may follow WITH. */
const EXCEPTIONS = [
  'Autoconf-exception-2.0',
  'Autoconf-exception-3.0',
  'Bison-exception-2.2',
  'Classpath-exception-2.0',
  'GCC-exception-2.0',
  'GCC-exception-3.1',
  'LLVM-exception',
  'OpenSSL-exception',
  'Font-exception-2.0',
] as const;

const CANONICAL = new Map<string, string>(IDS.map((id) => [id.toLowerCase(), id]));
const CANONICAL_EXCEPTIONS = new Map<string, string>(EXCEPTIONS.map((id) => [id.toLowerCase(), id]));

export const KNOWN_SPDX_IDS: readonly string[] = IDS;
export const KNOWN_SPDX_EXCEPTIONS: readonly string[] = EXCEPTIONS;

/** The canonical identifier, or undefined when `id` is not one we know. */
export function spdxId(id: string): string | undefined {
  return CANONICAL.get(id.trim().toLowerCase());
}

/**
 * The canonical form of an SPDX expression, or undefined when `text` is not one: identifiers
 * (with an optional "+"), LicenseRef-… excluded, AND / OR / WITH (any case), parentheses.
 */
export function spdxExpression(text: string): string | undefined {
  const tokens = text
    .replace(/([()])/g, ' $1 ')
    .trim()
    .split(/\s+/);
  if (tokens.length === 0 || tokens[0] === '') return undefined;
  const out: string[] = [];
  let depth = 0;
  let expectOperand = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const upper = t.toUpperCase();
    if (t === '(') {
      if (!expectOperand) return undefined;
      depth++;
      out.push(t);
    } else if (t === ')') {
      if (expectOperand || depth === 0) return undefined;
      depth--;
      out.push(t);
    } else if (upper === 'AND' || upper === 'OR') {
      if (expectOperand) return undefined;
      out.push(upper);
      expectOperand = true;
    } else if (upper === 'WITH') {
      const exception = CANONICAL_EXCEPTIONS.get((tokens[i + 1] ?? '').toLowerCase());
      if (expectOperand || exception === undefined) return undefined;
      out.push('WITH', exception);
      i++;
    } else {
      if (!expectOperand) return undefined;
      const plus = t.endsWith('+') ? '+' : '';
      const id = spdxId(plus ? t.slice(0, -1) : t);
      if (id === undefined) return undefined;
      out.push(id + plus);
      expectOperand = false;
    }
  }
  if (expectOperand || depth !== 0) return undefined;
  return out.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')');
}

export type LicenseChoice =
  { kind: 'id'; id: string } | { kind: 'expression'; expression: string } | { kind: 'name'; name: string };

export function classifyLicense(raw: string): LicenseChoice {
  const text = raw.trim();
  const id = spdxId(text);
  if (id) return { kind: 'id', id };
  const expression = spdxExpression(text);
  if (expression) return { kind: 'expression', expression };
  return { kind: 'name', name: text };
}

/** "GPL2+ with exceptions" → "LicenseRef-GPL2-with-exceptions" (idstring: letters, digits, "." "-"). */
export function licenseRef(name: string): string {
  const id = name
    .replace(/\+/g, '-plus')
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
  return `LicenseRef-${id === '' ? 'unnamed' : id}`;
}
