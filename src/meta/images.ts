/**
 * The `images` input: one image per line (`name/app`, `name=ghcr.io/o/app,enable=false`), or the
 * old single-line form `name/app,ghcr.io/o/app`. Names are lowercased when tags are generated.
 */
import { UsageError } from '../errors.js';
import { CsvError, parseCsv } from './csv.js';

export interface ImageEntry {
  name: string;
  enable: boolean;
}

function fail(entry: string, reason: string): never {
  throw new UsageError(`image "${entry}": ${reason}`, {
    hint: 'image entries: NAME, or name=NAME[,enable=true|false]',
  });
}

function fieldsOf(entry: string): string[] {
  try {
    return parseCsv(entry)[0] ?? [];
  } catch (err) {
    if (err instanceof CsvError) fail(entry, err.message);
    throw err;
  }
}

export function parseImages(entries: readonly string[]): ImageEntry[] {
  // Backward compatibility: a single line of plain names separated by commas.
  if (entries.length === 1) {
    const fields = fieldsOf(entries[0]!);
    if (fields.every((f) => !f.includes('='))) {
      return fields.map((f) => ({ name: f.trim(), enable: true }));
    }
  }
  return entries.map((entry) => {
    const image: ImageEntry = { name: '', enable: true };
    for (const field of fieldsOf(entry)) {
      const parts = field.split('=').map((p) => p.trim());
      if (parts.length === 1) {
        image.name = parts[0]!;
        continue;
      }
      const key = parts[0]!.toLowerCase();
      const value = parts[1]!;
      if (key === 'name') image.name = value;
      else if (key === 'enable') {
        if (value !== 'true' && value !== 'false')
          fail(entry, `enable must be true or false, got "${value}"`);
        image.enable = value === 'true';
      } else fail(entry, `unknown attribute "${parts[0]}"`);
    }
    if (image.name.length === 0) fail(entry, 'the image name is empty');
    return image;
  });
}
