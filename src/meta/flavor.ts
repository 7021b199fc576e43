/**
 * The `flavor` input: `latest=auto|true|false`, `prefix=…[,onlatest=true]`, `suffix=…[,onlatest=true]`.
 * Like the action, an `onlatest` applies to the prefix or suffix given before it in the same entry,
 * and each `key=value` keeps only the text up to a second `=`.
 */
import { UsageError } from '../errors.js';
import { CsvError, parseCsv } from './csv.js';
import { parseTemplate, TemplateError } from './template.js';

export type LatestMode = 'auto' | 'true' | 'false';

export interface Flavor {
  latest: LatestMode;
  prefix: string;
  prefixLatest: boolean;
  suffix: string;
  suffixLatest: boolean;
}

export const DEFAULT_FLAVOR: Readonly<Flavor> = {
  latest: 'auto',
  prefix: '',
  prefixLatest: false,
  suffix: '',
  suffixLatest: false,
};

function fail(entry: string, reason: string): never {
  throw new UsageError(`flavor "${entry}": ${reason}`, {
    hint: 'flavor entries: latest=auto|true|false, prefix=STR[,onlatest=true], suffix=STR[,onlatest=true]',
  });
}

export function parseFlavor(entries: readonly string[]): Flavor {
  const flavor: Flavor = { ...DEFAULT_FLAVOR };
  for (const entry of entries) {
    let fields: string[];
    try {
      fields = parseCsv(entry)[0] ?? [];
    } catch (err) {
      if (err instanceof CsvError) fail(entry, err.message);
      throw err;
    }
    let onLatestFor: 'prefix' | 'suffix' | '' = '';
    for (const field of fields) {
      const parts = field.split('=').map((p) => p.trim());
      if (parts.length === 1) fail(entry, `"${field}" is not key=value`);
      const key = parts[0]!.toLowerCase();
      const value = parts[1]!;
      switch (key) {
        case 'latest':
          if (value !== 'auto' && value !== 'true' && value !== 'false') {
            fail(entry, `latest must be auto, true or false, got "${value}"`);
          }
          flavor.latest = value;
          break;
        case 'prefix':
        case 'suffix':
          try {
            parseTemplate(value);
          } catch (err) {
            if (err instanceof TemplateError) fail(entry, `${key}: ${err.message}`);
            throw err;
          }
          flavor[key] = value;
          onLatestFor = key;
          break;
        case 'onlatest':
          if (value !== 'true' && value !== 'false')
            fail(entry, `onlatest must be true or false, got "${value}"`);
          if (onLatestFor === 'prefix') flavor.prefixLatest = value === 'true';
          else if (onLatestFor === 'suffix') flavor.suffixLatest = value === 'true';
          break;
        default:
          fail(entry, `unknown attribute "${parts[0]}"`);
      }
    }
  }
  return flavor;
}
