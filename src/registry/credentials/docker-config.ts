import path from 'node:path';

import { nonEmpty, resolveContext } from './context.js';
import type { CredentialContext, CredentialOptions } from './types.js';

/** Where Docker reads and `docker login` writes: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. */
export function dockerConfigPath(opts?: CredentialOptions): string {
  return configPathFor(resolveContext(opts));
}

export function configPathFor(ctx: CredentialContext): string {
  const dir = nonEmpty(ctx.env['DOCKER_CONFIG']);
  return dir !== undefined
    ? path.resolve(dir, 'config.json')
    : path.join(ctx.homeDir, '.docker', 'config.json');
}
