/**
 * The project config file, `ghcr-optimize.yaml`. Only the sections the implemented commands use are
 * defined here; later features add theirs. Unknown top-level keys are kept so a newer file still
 * loads in an older tool.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../errors.js';

export const registryConfigSchema = z.strictObject({
  /** Plain HTTP (or unverified TLS) for this host. Loopback hosts get this automatically. */
  insecure: z.boolean().optional(),
  /** PEM file with the CA that signed this registry's certificate. */
  caFile: z.string().optional(),
  /** Parallel connections to this registry. */
  concurrency: z.number().int().min(1).max(64).optional(),
});
export type RegistryConfig = z.infer<typeof registryConfigSchema>;

export const configSchema = z.looseObject({
  registries: z.record(z.string(), registryConfigSchema.nullish()).optional(),
  health: z
    .strictObject({
      samples: z.number().int().min(1).max(100).optional(),
      /** p95 latency above this marks a registry unhealthy. */
      maxLatencyMs: z.number().positive().optional(),
    })
    .optional(),
});
export type Config = z.infer<typeof configSchema>;

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
