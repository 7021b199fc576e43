import { UsageError } from '../../errors.js';
import { encodeBasic, isRecord, readAuthFile, writeAuthFile } from './auth-file.js';
import type { AuthFile } from './auth-file.js';
import { configPathFor } from './docker-config.js';
import { resolveContext } from './context.js';
import { helpersFor } from './file-sources.js';
import { helperErase, helperSource, helperStore } from './helpers.js';
import type { HelperContext } from './helpers.js';
import { matchingHostKeys, normalizeRegistry, serverAddress } from './registry-host.js';
import type { CredentialContext, CredentialOptions } from './types.js';

const SECRET_FIELDS = ['auth', 'username', 'password', 'identitytoken', 'registrytoken'] as const;

/**
 * `docker login`: into the helper that owns the registry (`credHelpers[host]`, else `credsStore`)
 * or else as `auths[host].auth` in config.json. Docker Hub is filed under its v1 index URL, as
 * Docker does, so `docker` and we keep seeing the same login.
 */
export async function storeCredential(
  registry: string,
  cred: { username: string; password: string },
  opts?: CredentialOptions,
): Promise<{ location: string }> {
  const host = normalizeRegistry(registry);
  validate(cred);
  const ctx = resolveContext(opts);
  const filePath = configPathFor(ctx);
  // Read first even when a helper will store: a corrupt file must stop us before anything changes.
  const file = await readAuthFile(filePath);
  const server = serverAddress(host);
  const [helper] = file ? helpersFor(file, host, 'docker') : [];
  if (file && helper) {
    await helperStore(helper.name, server, cred.username, cred.password, helperContext(file, ctx));
    // A plaintext copy left beside the helper would be found again after the helper's copy is erased.
    await stripEntries(file, host, 'secrets');
    return { location: helperSource(helper.name) };
  }
  const document = file?.document ?? {};
  const auths = isRecord(document['auths']) ? document['auths'] : {};
  const previous = Object.hasOwn(auths, server) ? auths[server] : undefined;
  // Keep fields we do not know (Docker once wrote `email`); drop old secrets the new login replaces.
  const entry: Record<string, unknown> = isRecord(previous) ? { ...previous } : {};
  for (const field of SECRET_FIELDS) delete entry[field];
  entry['auth'] = encodeBasic(cred.username, cred.password);
  auths[server] = entry;
  document['auths'] = auths;
  await writeAuthFile(filePath, document);
  return { location: filePath };
}

/**
 * `docker logout`: erase from the owning helper, and drop the registry's `auths` entries from
 * config.json either way so no plaintext copy outlives the logout. Namespaced keys
 * (`ghcr.io/owner`) are left alone: they belong to a narrower login.
 */
export async function eraseCredential(
  registry: string,
  opts?: CredentialOptions,
): Promise<{ location: string; removed: boolean }> {
  const host = normalizeRegistry(registry);
  const ctx = resolveContext(opts);
  const filePath = configPathFor(ctx);
  const file = await readAuthFile(filePath);
  if (!file) return { location: filePath, removed: false };
  const [helper] = helpersFor(file, host, 'docker');
  let removed = false;
  if (helper) removed = await helperErase(helper.name, serverAddress(host), helperContext(file, ctx));
  if (await stripEntries(file, host, 'entries')) removed = true;
  return { location: helper ? helperSource(helper.name) : filePath, removed };
}

/** Rewrites the file only when something changed. True when an entry held a credential or was removed. */
async function stripEntries(file: AuthFile, host: string, what: 'secrets' | 'entries'): Promise<boolean> {
  const auths = file.document['auths'];
  if (!isRecord(auths)) return false;
  let changed = false;
  for (const key of matchingHostKeys([...file.auths.keys()], host)) {
    const entry = auths[key];
    if (what === 'entries') {
      delete auths[key];
      changed = true;
    } else if (isRecord(entry) && SECRET_FIELDS.some((f) => Object.hasOwn(entry, f))) {
      for (const field of SECRET_FIELDS) delete entry[field];
      changed = true;
    }
  }
  if (changed) await writeAuthFile(file.path, file.document);
  return changed;
}

function helperContext(file: AuthFile, ctx: CredentialContext): HelperContext {
  return { env: ctx.env, timeoutMs: ctx.helperTimeoutMs, configFile: file.path };
}

function validate(cred: { username: string; password: string }): void {
  // The username is not secret but is still not echoed: it may be a token pasted into the wrong flag.
  if (cred.username === '')
    throw new UsageError('a username is required to log in', { hint: 'pass --username' });
  const control = [...cred.username].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (cred.username.includes(':') || control) {
    throw new UsageError(
      'the username contains ":" or a control character, which HTTP Basic auth cannot carry',
      {
        hint: 'check the --username value',
      },
    );
  }
  if (cred.password === '') {
    throw new UsageError('an empty password cannot be stored', {
      hint: 'pass --password-stdin and pipe the token in',
    });
  }
}
