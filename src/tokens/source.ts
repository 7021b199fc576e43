/**
 * Reading and replacing an environment's token where its profile says it lives. Replacing writes
 * the new token only after it has been checked, so a bad paste never overwrites a working token.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../content/atomic-file.js';
import { findCredential, storeCredential, GHCR_PLACEHOLDER_USERNAME } from '../registry/credentials/index.js';
import { DEFAULT_HELPER_TIMEOUT_MS, helperGet, helperStore } from '../registry/credentials/helpers.js';
import { normalizeRegistry, serverAddress } from '../registry/credentials/registry-host.js';
import { describeSource, type EnvironmentProfile } from './profiles.js';

export interface SourceOptions {
  env?: NodeJS.ProcessEnv;
}

export interface FoundToken {
  username?: string;
  token: string;
  /** Where it came from, for messages (never the token). */
  from: string;
}

function helperCtx(env: NodeJS.ProcessEnv) {
  return { env, timeoutMs: DEFAULT_HELPER_TIMEOUT_MS, configFile: 'ghcr-optimize.yaml (environments)' };
}

export async function readToken(
  profile: EnvironmentProfile,
  opts: SourceOptions = {},
): Promise<FoundToken | undefined> {
  const env = opts.env ?? process.env;
  const src = profile.source;
  const from = describeSource(src);
  const user = profile.username !== undefined ? { username: profile.username } : {};
  if (src !== undefined && 'env' in src) {
    const token = env[src.env];
    return token ? { ...user, token, from } : undefined;
  }
  if (src !== undefined && 'file' in src) {
    let text: string;
    try {
      text = await readFile(src.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const token = text.trim();
    return token ? { ...user, token, from } : undefined;
  }
  if (src !== undefined && 'helper' in src) {
    const fields = await helperGet(
      src.helper,
      serverAddress(normalizeRegistry(profile.registry)),
      helperCtx(env),
    );
    const token = fields?.password ?? fields?.identityToken;
    if (!token) return undefined;
    const username = fields?.username ?? profile.username;
    return { ...(username !== undefined ? { username } : {}), token, from };
  }
  const cred = await findCredential(profile.registry, { env });
  const token = cred?.password ?? cred?.registryToken ?? cred?.identityToken;
  if (!cred || !token) return undefined;
  const username = cred.username ?? profile.username;
  return { ...(username !== undefined ? { username } : {}), token, from: cred.source };
}

/** Stores `token` where the profile reads it from; returns the location (never the token). */
export async function writeToken(
  profile: EnvironmentProfile,
  token: string,
  username: string | undefined,
  opts: SourceOptions = {},
): Promise<string> {
  const env = opts.env ?? process.env;
  const src = profile.source;
  const user = username ?? profile.username ?? GHCR_PLACEHOLDER_USERNAME;
  if (src !== undefined && 'env' in src) {
    throw new UsageError(
      `environment ${profile.name} reads its token from the environment variable ${src.env}, which ghcr-optimize cannot change`,
      {
        hint: `update ${src.env} where it is set (e.g. the CI secret), or point the profile at a file or credential helper`,
      },
    );
  }
  if (src !== undefined && 'file' in src) {
    // Owner-only, like docker's config.json: the file holds nothing but the secret.
    await writeFileAtomic(src.file, `${token}\n`, 0o600);
    return `file ${src.file}`;
  }
  if (src !== undefined && 'helper' in src) {
    await helperStore(
      src.helper,
      serverAddress(normalizeRegistry(profile.registry)),
      user,
      token,
      helperCtx(env),
    );
    return describeSource(src);
  }
  const { location } = await storeCredential(profile.registry, { username: user, password: token }, { env });
  return location;
}
