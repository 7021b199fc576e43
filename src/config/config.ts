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
  // Most runs have no config file; only those that do load the YAML parser and the schema (zod).
  const { checkConfigText, formatProblem } = await import('./validate.js');
  const check = checkConfigText(text);
  const first = check.errors[0];
  if (first || !check.config) {
    const more = check.errors.length > 1 ? ` (and ${check.errors.length - 1} more)` : '';
    throw new UsageError(`${first ? formatProblem(file, first) : `${file}: invalid`}${more}`, {
      hint: `run "ghcr-optimize config validate ${file}" for every problem; see "Configuration" in the README`,
    });
  }
  return { config: check.config, file };
}
