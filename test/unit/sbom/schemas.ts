/**
 * Ajv validators for the committed official schemas (test/fixtures/sbom): SPDX 2.3 (draft
 * 2019-09) and CycloneDX 1.5 (draft-07, with its spdx licence-id and JSF sub-schemas). Formats are
 * checked with ajv-formats; the two IRI/IDN formats it lacks are checked loosely.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';

export const SBOM_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'sbom');

// ajv-formats is CommonJS; its default export arrives wrapped under ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

const read = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(SBOM_FIXTURES, name), 'utf8')) as Record<string, unknown>;

function looseFormats(ajv: Ajv): void {
  ajv.addFormat('iri-reference', /^\S*$/);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/);
}

let spdx: ValidateFunction | undefined;
let cdx: ValidateFunction | undefined;

export function spdxValidator(): ValidateFunction {
  if (spdx) return spdx;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  spdx = ajv.compile(read('spdx-schema-2.3.json'));
  return spdx;
}

export function cycloneDxValidator(): ValidateFunction {
  if (cdx) return cdx;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  looseFormats(ajv);
  ajv.addSchema(read('spdx.schema.json'));
  ajv.addSchema(read('jsf-0.82.schema.json'));
  cdx = ajv.compile(read('bom-1.5.schema.json'));
  return cdx;
}

/** Ajv's errors as readable lines ([] when valid), for assertion messages. */
export function schemaErrors(validate: ValidateFunction, doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** The SPDX licence identifiers CycloneDX 1.5 accepts in `license.id`. */
export function cycloneDxLicenseIds(): string[] {
  return read('spdx.schema.json').enum as string[];
}
