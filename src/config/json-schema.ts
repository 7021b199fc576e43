/**
 * The JSON Schema of `ghcr-optimize.yaml` for editors (YAML language servers read it from a
 * `# yaml-language-server: $schema=…` comment). Generated from the zod schema so it cannot drift;
 * `schema/ghcr-optimize.schema.json` is this output, checked by a test.
 */
import { z } from 'zod';
import { configSchema } from './schema.js';
import { VERSION } from '../version.js';

/**
 * Where editors fetch it: the copy inside the published npm package (package.json `files` ships
 * `schema/`), pinned to this version so a config never validates against a newer tool's schema.
 */
export const CONFIG_SCHEMA_ID = `https://unpkg.com/ghcr-optimize@${VERSION}/schema/ghcr-optimize.schema.json`;

export function configJsonSchema(): Record<string, unknown> {
  // Input shape: what a user may write (refinements such as size parsing are not expressible and
  // are only checked by `config validate`).
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  });
  return {
    ...schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'ghcr-optimize.yaml',
    description:
      'Project configuration of ghcr-optimize: services, build, tags, retention, scan, monitoring, store.',
  };
}
