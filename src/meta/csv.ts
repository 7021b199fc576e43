/**
 * The CSV dialect docker/metadata-action reads its inputs with (csv-parse): comma-separated
 * fields, `"` quoting with `""` for a literal quote, records ended by LF, CRLF or CR, empty lines
 * skipped, no trimming. Two strictness levels matter:
 *
 * - `relaxQuotes` (input lists): a quote inside an unquoted field is an ordinary character, and a
 *   closing quote followed by something other than a separator ends the quoted part but keeps
 *   reading the field (csv-parse then puts the quote back in front of the field);
 * - strict (one tag, flavor or image entry): both of those are errors.
 *
 * With `comment`, a record that starts with that character is skipped to the end of its line
 * (`commentNoInfix`: only at the start of a record; otherwise anywhere outside quotes).
 */

export interface CsvOptions {
  relaxQuotes?: boolean;
  comment?: string;
  commentNoInfix?: boolean;
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

const QUOTE = '"';
const DELIMITER = ',';

function isRecordEnd(text: string, i: number): boolean {
  const c = text[i];
  return c === '\n' || c === '\r';
}

/** Length of the record separator at `i` (CRLF is one separator). */
function recordEndLength(text: string, i: number): number {
  return text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
}

export function parseCsv(text: string, opts: CsvOptions = {}): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoting = false;
  let wasQuoted = false; // the current field opened with a quote
  let commenting = false;
  let line = 1;

  const endField = (): void => {
    record.push(field);
    field = '';
    wasQuoted = false;
  };
  const inRecord = (): boolean => record.length > 0 || field !== '' || wasQuoted;
  const endRecord = (): void => {
    // skipEmptyLines: nothing at all between two record separators is not a record.
    if (!inRecord()) return;
    endField();
    records.push(record);
    record = [];
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (commenting) {
      if (isRecordEnd(text, i)) {
        i += recordEndLength(text, i) - 1;
        line++;
        commenting = false;
        // A comment that started a record leaves nothing behind; an infix one ends its record.
        endRecord();
      }
      continue;
    }
    if (quoting) {
      if (c !== QUOTE) {
        if (c === '\n') line++;
        field += c;
        continue;
      }
      const next = text[i + 1];
      if (next === QUOTE) {
        field += QUOTE;
        i++;
        continue;
      }
      const closesField =
        next === undefined ||
        next === DELIMITER ||
        isRecordEnd(text, i + 1) ||
        (opts.comment !== undefined && next === opts.comment);
      if (closesField) {
        quoting = false;
        continue;
      }
      if (!opts.relaxQuotes) {
        throw new CsvError(`a closing quote is followed by "${next}" instead of a comma`, line);
      }
      quoting = false;
      field = QUOTE + field;
      continue;
    }
    if (c === QUOTE) {
      if (field.length === 0 && !wasQuoted) {
        quoting = true;
        wasQuoted = true;
        continue;
      }
      if (!opts.relaxQuotes) {
        throw new CsvError('a quote inside a field (quote the whole field: "key=a,b")', line);
      }
      field += c;
      continue;
    }
    if (
      opts.comment !== undefined &&
      c === opts.comment &&
      (!opts.commentNoInfix || (record.length === 0 && field.length === 0 && !wasQuoted))
    ) {
      commenting = true;
      continue;
    }
    if (c === DELIMITER) {
      endField();
      continue;
    }
    if (isRecordEnd(text, i)) {
      i += recordEndLength(text, i) - 1;
      line++;
      endRecord();
      continue;
    }
    field += c;
  }
  if (quoting) throw new CsvError('a quoted field is never closed', line);
  endRecord();
  return records;
}
