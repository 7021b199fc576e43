import { decodeAuthEntry, readAuthFile } from './auth-file.js';
import type { AuthFile } from './auth-file.js';
import { helperGet, helperSource } from './helpers.js';
import type { HelperContext } from './helpers.js';
import { matchingHostKeys, matchingKeys, parseKey, serverAddress } from './registry-host.js';
import type { KeyMode } from './registry-host.js';
import type { CredentialContext, CredentialFields, CredentialKind, FoundCredential } from './types.js';

export interface HelperChoice {
  name: string;
  /** Which setting chose it, for messages. */
  setting: 'credHelpers' | 'credsStore';
}

/**
 * The helpers configured for `host` in this file, owner first: a `credHelpers` entry for the host
 * beats the catch-all `credsStore`, as in Docker. containers' auth.json has no `credsStore`.
 */
export function helpersFor(file: AuthFile, host: string, mode: KeyMode): HelperChoice[] {
  const out: HelperChoice[] = [];
  const [key] = matchingHostKeys([...file.credHelpers.keys()], host);
  const named = key === undefined ? undefined : file.credHelpers.get(key);
  if (named) out.push({ name: named, setting: 'credHelpers' });
  // The same program under both settings would only be asked twice.
  if (mode === 'docker' && file.credsStore && file.credsStore !== named) {
    out.push({ name: file.credsStore, setting: 'credsStore' });
  }
  return out;
}

/**
 * Every credential one file yields for `host`, in lookup order: its `credHelpers` helper, its
 * `credsStore` helper, then its best `auths` entry. A helper answering "not found" passes on to
 * the next, so a credential stored in the file still works next to a global credsStore.
 */
export async function* authFileSources(
  filePath: string,
  host: string,
  ctx: CredentialContext,
  mode: KeyMode,
): AsyncGenerator<FoundCredential> {
  const file = await readAuthFile(filePath);
  if (!file) return;
  const helperCtx: HelperContext = { env: ctx.env, timeoutMs: ctx.helperTimeoutMs, configFile: file.path };
  for (const { name } of helpersFor(file, host, mode)) {
    const fields = await helperGet(name, serverAddress(host), helperCtx);
    if (fields) yield found(fields, helperSource(name));
  }
  for (const key of matchingKeys([...file.auths.keys()], host, mode, ctx.repository)) {
    const fields = decodeAuthEntry(file.path, key, file.auths.get(key));
    if (!fields) continue;
    const parsed = parseKey(key);
    const namespaced = parsed !== undefined && !parsed.hadScheme && parsed.path !== '';
    yield found(fields, `${file.path} (auths${namespaced ? ` ${key}` : ''})`);
    return;
  }
}

export function kindOf(fields: CredentialFields): CredentialKind {
  if (fields.registryToken !== undefined) return 'registry-token';
  if (fields.identityToken !== undefined) return 'identity-token';
  return 'password';
}

function found(fields: CredentialFields, source: string): FoundCredential {
  return { credential: { ...fields, source }, kind: kindOf(fields) };
}
