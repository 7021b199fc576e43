/**
 * The services that are built: every configured service except those given as a plain image
 * reference (`tools: ghcr.io/acme/tools`), which are only pulled, scanned and cleaned. Pure.
 */
import { dirname, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { DEFAULT_CONFIG_FILE } from '../config/config.js';
import { resolveServices, type Service } from '../config/services.js';

function plainImageNames(config: Config): Set<string> {
  const names = new Set<string>();
  const services = config.services;
  if (!services) return names;
  const all = resolveServices(config);
  if (Array.isArray(services)) {
    services.forEach((s, i) => {
      if (typeof s === 'string' && all[i]) names.add(all[i].name);
    });
  } else {
    for (const [name, s] of Object.entries(services)) if (typeof s === 'string') names.add(name);
  }
  return names;
}

export function buildableServices(config: Config): Service[] {
  const plain = plainImageNames(config);
  return resolveServices(config).filter((s) => !plain.has(s.name));
}

/**
 * The config file a command reads (the same rule as the CLI context: --config-file, then
 * $GHCR_OPTIMIZE_CONFIG, then ./ghcr-optimize.yaml), as an absolute path. Service contexts are
 * relative to its directory.
 */
export function configFilePath(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd = process.cwd(),
): { file: string; dir: string } {
  const file = resolve(cwd, flag ?? (env.GHCR_OPTIMIZE_CONFIG || DEFAULT_CONFIG_FILE));
  return { file, dir: dirname(file) };
}
