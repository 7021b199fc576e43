/**
 * A containers-auth.json for buildah holding the credentials ghcr-optimize itself would use, so
 * buildah pushes as the same identity and no secret ever appears on a command line. Written to a
 * private temporary directory (0700, file 0600) and removed when the build ends.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Credential } from '../registry/credentials/types.js';

export interface AuthFile {
  path: string;
  remove(): Promise<void>;
}

/** The auth.json document; registries without a usable credential are left out (anonymous). */
export function authDocument(credentials: ReadonlyMap<string, Credential | undefined>): {
  auths: Record<string, Record<string, string>>;
} {
  const auths: Record<string, Record<string, string>> = {};
  for (const [host, c] of credentials) {
    if (!c) continue;
    if (c.password !== undefined) {
      const auth = Buffer.from(`${c.username ?? ''}:${c.password}`).toString('base64');
      auths[host] = { auth };
    } else if (c.identityToken !== undefined) {
      auths[host] = {
        auth: Buffer.from(`${c.username ?? '<token>'}:`).toString('base64'),
        identitytoken: c.identityToken,
      };
    }
  }
  return { auths };
}

export async function writeAuthFile(
  credentials: ReadonlyMap<string, Credential | undefined>,
): Promise<AuthFile> {
  // mkdtemp creates the directory 0700.
  const dir = await mkdtemp(join(tmpdir(), 'ghcr-optimize-auth-'));
  const path = join(dir, 'auth.json');
  await writeFile(path, JSON.stringify(authDocument(credentials)), { mode: 0o600 });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
