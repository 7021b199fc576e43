/**
 * The action's list inputs (`images`, `tags`, `flavor`, `labels`, `annotations`): one entry per
 * line, read as CSV so that quoted fields may hold commas and newlines, `#` starting a line is a
 * comment (a `#` later in a line is kept: `foo=a#b`), and the fields of a line are joined back
 * with commas, then trimmed.
 *
 * Rule-style inputs (`tags`, `flavor`, `images`) are split again into fields by their own
 * parser. The action joins the fields of a line without their quotes, so a quoted field holding a
 * comma (`"pattern=\d{1,3}"`) is cut in two there; its own tests hand the entries to the rule
 * parser directly and expect the comma kept. With `keepQuotes`, such fields are re-quoted so the
 * rule parser sees them whole, as in those tests.
 */
import { CsvError, parseCsv } from './csv.js';

export class InputListError extends Error {
  constructor(
    readonly input: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${input} input, line ${line}: ${reason}`);
    this.name = 'InputListError';
  }
}

/**
 * Split one list input into its entries. Lines holding only whitespace are dropped, as are
 * lines whose first non-blank character is `#` (the action reads indented `#` lines as entries;
 * nobody means that).
 */
export function parseInputList(
  value: string | undefined,
  input = 'list',
  opts: { keepQuotes?: boolean } = {},
): string[] {
  if (value === undefined || value === '') return [];
  const text = value
    .split(/\r\n|\n|\r/)
    .map((l) => (/^[ \t]+#/.test(l) ? l.trimStart() : l))
    .join('\n');
  let records: string[][];
  try {
    records = parseCsv(text, { relaxQuotes: true, comment: '#', commentNoInfix: true });
  } catch (err) {
    if (err instanceof CsvError) throw new InputListError(input, err.line, err.message);
    throw err;
  }
  const field = (f: string, all: string[]): string =>
    opts.keepQuotes && all.length > 1 && /[,\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f;
  return records
    .map((r) =>
      r
        .map((f) => field(f, r))
        .join(',')
        .trim(),
    )
    .filter((e) => e !== '');
}
