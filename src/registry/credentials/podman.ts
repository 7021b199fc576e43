import path from 'node:path';

import { nonEmpty } from './context.js';
import type { CredentialContext } from './types.js';

/**
 * containers' auth.json locations (podman, buildah, skopeo), most specific first:
 * `$REGISTRY_AUTH_FILE`, the per-session `$XDG_RUNTIME_DIR/containers/auth.json` that
 * `podman login` writes, then the persistent `$XDG_CONFIG_HOME/containers/auth.json`.
 */
export function podmanAuthPaths(ctx: CredentialContext): string[] {
  const paths: string[] = [];
  const explicit = nonEmpty(ctx.env['REGISTRY_AUTH_FILE']);
  if (explicit !== undefined) paths.push(path.resolve(explicit));
  // The XDG spec says relative values are invalid and must be ignored.
  const runtime = absolute(ctx.env['XDG_RUNTIME_DIR']);
  if (runtime !== undefined) paths.push(path.join(runtime, 'containers', 'auth.json'));
  const configHome = absolute(ctx.env['XDG_CONFIG_HOME']) ?? path.join(ctx.homeDir, '.config');
  paths.push(path.join(configHome, 'containers', 'auth.json'));
  return paths;
}

function absolute(dir: string | undefined): string | undefined {
  const value = nonEmpty(dir);
  return value !== undefined && path.isAbsolute(value) ? value : undefined;
}
