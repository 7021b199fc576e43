import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

import { UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../content/atomic-file.js';
import type { CredentialFields } from './types.js';
import { ensureDir } from '../../util/ensure-dir.js';

/**
 * Docker's config.json and containers' auth.json share one shape:
 * `{ auths: { key: entry }, credHelpers: { host: name }, credsStore: name, ...anything else }`.
 */
export interface AuthFile {
  path: string;
  /** The whole parsed document, so a rewrite keeps every key we do not understand. */
  document: Record<string, unknown>;
  auths: Map<string, unknown>;
  credHelpers: Map<string, string>;
  credsStore: string | undefined;
}

const FIX_HINT = 'fix the file or move it aside (nothing was changed)';

/** Undefined when the file does not exist; a `UsageError` when it exists but cannot be used. */
export async function readAuthFile(file: string): Promise<AuthFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UsageError(`cannot read ${file}: ${code ?? 'read failed'}`, {
      hint: 'check its permissions, or point DOCKER_CONFIG / REGISTRY_AUTH_FILE elsewhere',
    });
  }
  return parseAuthFile(file, text);
}

export function parseAuthFile(file: string, text: string): AuthFile {
  const body = text.replace(/^\uFEFF/, '');
  // Docker tolerates an empty config file, so a freshly touched one is not an error.
  let document: unknown = {};
  if (body.trim() !== '') {
    try {
      document = JSON.parse(body);
    } catch (err) {
      // V8's message quotes the text around the fault, which may be a password; keep only the position.
      throw new UsageError(`${file} is not valid JSON${describePosition(body, err)}`, { hint: FIX_HINT });
    }
  }
  if (!isRecord(document)) throw new UsageError(`${file} is not a JSON object`, { hint: FIX_HINT });
  return {
    path: file,
    document,
    auths: objectField(file, document, 'auths', (v): v is unknown => v !== undefined),
    credHelpers: objectField(file, document, 'credHelpers', (v): v is string => typeof v === 'string'),
    credsStore: stringField(file, document, 'credsStore'),
  };
}

/**
 * Decodes one `auths` entry. Undefined for entries holding no secret, such as the `{}` markers
 * Docker writes when the real credential lives in a helper.
 */
export function decodeAuthEntry(file: string, key: string, entry: unknown): CredentialFields | undefined {
  const where = `${file}: auths["${key}"]`;
  if (!isRecord(entry)) {
    throw new UsageError(`${where} is not an object`, { hint: FIX_HINT });
  }
  const field = (name: string): string | undefined => {
    const value = entry[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string')
      throw new UsageError(`${where}.${name} is not a string`, { hint: FIX_HINT });
    return value;
  };
  let username = field('username');
  let password = field('password');
  const auth = field('auth');
  if (auth !== undefined) {
    // Like Docker, `auth` wins over the plain fields when both are present.
    const pair = decodeBasic(auth);
    if (pair === undefined) {
      throw new UsageError(`${where}.auth is not base64 of "username:password"`, {
        hint: `log in again to replace it, or remove the entry from ${file}`,
      });
    }
    username = pair.username || undefined;
    password = pair.password || undefined;
  }
  const identityToken = field('identitytoken');
  const registryToken = field('registrytoken');
  if (password === undefined && identityToken === undefined && registryToken === undefined) return undefined;
  return compact({ username, password, identityToken, registryToken });
}

export function encodeBasic(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}

function decodeBasic(auth: string): { username: string; password: string } | undefined {
  const b64 = auth.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 === 1) return undefined;
  const decoded = Buffer.from(b64, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  // Docker trims NULs and containers trims newlines: both come from hand-made `echo | base64` entries.
  const clean = (s: string): string => s.replace(/^[\0\n\r]+|[\0\n\r]+$/g, '');
  return { username: clean(decoded.slice(0, colon)), password: clean(decoded.slice(colon + 1)) };
}

/**
 * Replaces the file atomically: a reader (or a crash) sees the old file or the new one, never
 * half of one. A symlinked config (dotfile managers) is followed so the link survives.
 */
export async function writeAuthFile(file: string, document: Record<string, unknown>): Promise<void> {
  const dir = path.dirname(file);
  try {
    await ensureDir(dir, 0o700);
  } catch (err) {
    throw writeError(file, err);
  }
  let target = file;
  try {
    target = await realpath(file);
  } catch {
    // Does not exist yet: write it where it was asked for.
  }
  try {
    await writeFileAtomic(target, `${JSON.stringify(document, null, '\t')}\n`, 0o600);
  } catch (err) {
    throw writeError(file, err);
  }
}

function writeError(file: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException).code ?? 'write failed';
  return new UsageError(`cannot write ${file}: ${code}`, {
    hint: 'check the permissions of the file and its directory, or set DOCKER_CONFIG to a writable directory',
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectField<T>(
  file: string,
  document: Record<string, unknown>,
  name: string,
  valid: (v: unknown) => v is T,
): Map<string, T> {
  const value = document[name];
  const out = new Map<string, T>();
  if (value === undefined || value === null) return out;
  if (!isRecord(value)) throw new UsageError(`${file}: "${name}" is not an object`, { hint: FIX_HINT });
  // Own keys only: a key such as "constructor" must not reach Object.prototype.
  for (const [key, v] of Object.entries(value)) {
    if (!valid(v))
      throw new UsageError(`${file}: "${name}"["${key}"] has the wrong type`, { hint: FIX_HINT });
    out.set(key, v);
  }
  return out;
}

function stringField(file: string, document: Record<string, unknown>, name: string): string | undefined {
  const value = document[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new UsageError(`${file}: "${name}" is not a string`, { hint: FIX_HINT });
  return value;
}

function describePosition(text: string, err: unknown): string {
  const match = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  if (!match) return '';
  const offset = Number(match[1]);
  const before = text.slice(0, offset).split('\n');
  return ` (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}

function compact(fields: CredentialFields): CredentialFields {
  const out: CredentialFields = {};
  if (fields.username !== undefined) out.username = fields.username;
  if (fields.password !== undefined) out.password = fields.password;
  if (fields.identityToken !== undefined) out.identityToken = fields.identityToken;
  if (fields.registryToken !== undefined) out.registryToken = fields.registryToken;
  return out;
}
