/**
 * PEP 440 versions as the action reads them (it uses @renovate/pep440): validation, the
 * normalised form `{{version}}` prints, and release numbers. Normalisation follows PEP 440:
 * `v` and leading zeros dropped, `alpha`/`beta`/`c`/`pre`/`preview` spelled `a`/`b`/`rc`,
 * `rev`/`r`/`-N` spelled `.postN`, `.devN`, implicit numbers made `0`, case folded.
 */

export interface Pep440Version {
  epoch: number;
  release: number[];
  pre: [string, number] | null;
  post: [string, number] | null;
  dev: [string, number] | null;
  local: (string | number)[] | null;
}

export interface Pep440Explained {
  epoch: number;
  release: number[];
  pre: [string, number] | null;
  post: number | null;
  dev: number | null;
  local: string | null;
  public: string;
  baseVersion: string;
  isPrerelease: boolean;
  isPostrelease: boolean;
  isDevrelease: boolean;
}

const SEP = '[-_\\.]?';
const BODY =
  'v?' +
  '(?:' +
  '(?:(?<epoch>[0-9]+)!)?' +
  '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
  `(?<pre>${SEP}(?<pre_l>(a|b|c|rc|alpha|beta|pre|preview))${SEP}(?<pre_n>[0-9]+)?)?` +
  `(?<post>(?:-(?<post_n1>[0-9]+))|(?:${SEP}(?<post_l>post|rev|r)${SEP}(?<post_n2>[0-9]+)?))?` +
  `(?<dev>${SEP}(?<dev_l>dev)${SEP}(?<dev_n>[0-9]+)?)?` +
  ')' +
  '(?:\\+(?<local>[a-z0-9]+(?:[-_\\.][a-z0-9]+)*))?';

const STRICT = new RegExp(`^${BODY}$`, 'i');
const LENIENT = new RegExp(`^\\s*${BODY}\\s*$`, 'i');

function letterVersion(letter: string | undefined, number: string | undefined): [string, number] | null {
  if (letter) {
    let l = letter.toLowerCase();
    if (l === 'alpha') l = 'a';
    else if (l === 'beta') l = 'b';
    else if (l === 'c' || l === 'pre' || l === 'preview') l = 'rc';
    else if (l === 'rev' || l === 'r') l = 'post';
    return [l, Number(number || 0)];
  }
  // "1.0-1": a bare number is a post release.
  if (number) return ['post', Number(number)];
  return null;
}

function parseWith(version: string, re: RegExp): Pep440Version | null {
  const g = re.exec(version)?.groups;
  if (!g) return null;
  return {
    epoch: Number(g.epoch ?? 0),
    release: g.release!.split('.').map(Number),
    pre: letterVersion(g.pre_l, g.pre_n),
    post: letterVersion(g.post_l, g.post_n1 || g.post_n2),
    dev: letterVersion(g.dev_l, g.dev_n),
    local: g.local
      ? g.local.split(/[._-]/).map((p) => (Number.isNaN(Number(p)) ? p.toLowerCase() : Number(p)))
      : null,
  };
}

/** Parses a version exactly as written (no surrounding whitespace). */
export function parsePep440(version: string): Pep440Version | null {
  return parseWith(version, STRICT);
}

export function isValidPep440(version: string): boolean {
  return STRICT.test(version);
}

export function stringifyPep440(v: Pep440Version): string {
  let out = v.epoch !== 0 ? `${v.epoch}!` : '';
  out += v.release.join('.');
  if (v.pre) out += v.pre.join('');
  if (v.post) out += `.${v.post.join('')}`;
  if (v.dev) out += `.${v.dev.join('')}`;
  // The library prints the local segment's parts joined by commas (a quirk kept for identical tags).
  if (v.local) out += `+${v.local.join(',')}`;
  return out;
}

/** The normalised form (`{{version}}`); null when not a PEP 440 version. Surrounding whitespace is ignored. */
export function cleanPep440(version: string): string | null {
  const v = parseWith(version, LENIENT);
  return v ? stringifyPep440(v) : null;
}

export function explainPep440(version: string): Pep440Explained | null {
  const v = parsePep440(version);
  if (!v) return null;
  const baseVersion = (v.epoch !== 0 ? `${v.epoch}!` : '') + v.release.join('.');
  return {
    epoch: v.epoch,
    release: v.release,
    pre: v.pre,
    post: v.post ? v.post[1] : null,
    dev: v.dev ? v.dev[1] : null,
    local: v.local ? v.local.join('.') : null,
    public: stringifyPep440(v).split('+', 1)[0]!,
    baseVersion,
    isPrerelease: Boolean(v.dev || v.pre),
    isPostrelease: Boolean(v.post),
    isDevrelease: Boolean(v.dev),
  };
}

function releasePart(version: string, index: number): number {
  const v = parsePep440(version);
  if (!v) throw new TypeError(`Invalid Version: ${version}`);
  return v.release[index] ?? 0;
}

export const pep440Major = (version: string): number => releasePart(version, 0);
export const pep440Minor = (version: string): number => releasePart(version, 1);
export const pep440Patch = (version: string): number => releasePart(version, 2);
