/**
 * Debian control-file syntax (deb822), as dpkg writes /var/lib/dpkg/status: paragraphs separated
 * by blank lines, `Field: value` lines, continuation lines starting with a space or tab. Field
 * names are case-insensitive, so they are kept lower-cased. Pure.
 */

export type Paragraph = Map<string, string>;

export function parseParagraphs(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  let current: Paragraph = new Map();
  let last: string | undefined;
  const flush = (): void => {
    if (current.size > 0) out.push(current);
    current = new Map();
    last = undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line.startsWith('#')) continue;
    if (line[0] === ' ' || line[0] === '\t') {
      // A continuation of the previous field (multi-line Description, Conffiles, …).
      if (last !== undefined) current.set(last, `${current.get(last) ?? ''}\n${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    current.set(last, line.slice(colon + 1).trim());
  }
  flush();
  return out;
}
