import { configPathFor } from './docker-config.js';
import { resolveContext } from './context.js';
import { envSources, explicitSource } from './env.js';
import { authFileSources } from './file-sources.js';
import { podmanAuthPaths } from './podman.js';
import { normalizeRegistry } from './registry-host.js';
import type {
  Credential,
  CredentialContext,
  CredentialOptions,
  CredentialSourceInfo,
  FoundCredential,
} from './types.js';

export type {
  Credential,
  CredentialFields,
  CredentialKind,
  CredentialOptions,
  CredentialSourceInfo,
} from './types.js';
export { dockerConfigPath } from './docker-config.js';
export { eraseCredential, storeCredential } from './store.js';
export { normalizeRegistry, DOCKER_HUB, DOCKER_HUB_SERVER_URL } from './registry-host.js';
export { GHCR_PLACEHOLDER_USERNAME } from './env.js';

/**
 * The credential to use for `registry`: flags, then GHCR environment tokens, then Docker's
 * config.json (credHelpers, credsStore, auths), then containers' auth.json files. Undefined means
 * go anonymous. A broken source (corrupt file, failing helper) throws rather than being skipped,
 * so a mistake is never silently "fixed" by a different identity.
 */
export async function findCredential(
  registry: string,
  opts?: CredentialOptions,
): Promise<Credential | undefined> {
  for await (const found of allSources(normalizeRegistry(registry), resolveContext(opts))) {
    // Leaving the loop closes the generator: later sources (and their helpers) never run.
    return found.credential;
  }
  return undefined;
}

/** Every source that has something for `registry`, in lookup order, for `auth status`. No secrets. */
export async function listCredentialSources(
  registry: string,
  opts?: CredentialOptions,
): Promise<CredentialSourceInfo[]> {
  const out: CredentialSourceInfo[] = [];
  for await (const { credential, kind } of allSources(normalizeRegistry(registry), resolveContext(opts))) {
    const info: CredentialSourceInfo = { source: credential.source, kind, active: out.length === 0 };
    if (credential.username !== undefined) info.username = credential.username;
    out.push(info);
  }
  return out;
}

async function* allSources(host: string, ctx: CredentialContext): AsyncGenerator<FoundCredential> {
  const explicit = explicitSource(host, ctx);
  if (explicit) yield explicit;
  yield* envSources(host, ctx);
  const dockerPath = configPathFor(ctx);
  yield* authFileSources(dockerPath, host, ctx, 'docker');
  // REGISTRY_AUTH_FILE may well point at Docker's file; read each file once, as Docker's.
  const seen = new Set([dockerPath]);
  for (const file of podmanAuthPaths(ctx)) {
    if (seen.has(file)) continue;
    seen.add(file);
    yield* authFileSources(file, host, ctx, 'containers');
  }
}
