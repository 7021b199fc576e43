/**
 * The project config file, `ghcr-optimize.yaml`. Only the sections the implemented commands use are
 * defined here; later features add theirs. Unknown top-level keys are kept so a newer file still
 * loads in an older tool.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { Config } from './schema.js';

export type { Config, RegistryConfig } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'ghcr-optimize.yaml';

/**
 * Loads `path`, or `./ghcr-optimize.yaml` when present, or an empty config. An explicit path that
 * does not exist is an error; an implicit one is not.
 */
export async function loadConfig(
  path: string | undefined,
  cwd = process.cwd(),
): Promise<{ config: Config; file?: string }> {
  const file = path ?? `${cwd}/${DEFAULT_CONFIG_FILE}`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && path === undefined) return { config: {} };
    throw new UsageError(
      `cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      {
        hint: 'check the --config-file path (or GHCR_OPTIMIZE_CONFIG)',
      },
    );
  }
  let doc: unknown;
  // Most runs have no config file; only those that do load the YAML parser.
  const { parse: parseYaml } = await import('yaml');
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new UsageError(`${file}${line ? `:${line}` : ''} is not valid YAML`, {
      hint: 'fix the syntax and retry',
    });
  }
  // Like the YAML parser, the schema (zod) loads only when there is a file to check.
  const { configSchema } = await import('./schema.js');
  const r = configSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw new UsageError(`${file}: ${where}: ${issue?.message ?? 'invalid'}`, {
      hint: 'see "Configuration" in the README for the accepted keys',
    });
  }
  return { config: r.data, file };
}
