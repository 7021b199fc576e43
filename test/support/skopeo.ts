import { execFile } from 'node:child_process';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from './lifecycle.js';

/** How skopeo reaches one registry (a `docker://` reference). */
export interface SkopeoAccess {
  creds?: { username: string; password: string };
  /** PEM CA file to trust (copied into a cert dir); enables TLS verification. */
  caFile?: string;
  /** Verify TLS; default true when caFile is set, else false. */
  tlsVerify?: boolean;
  registryToken?: string;
}

export interface SkopeoResult {
  /** Raw bytes: `inspect --raw` output must be compared byte for byte. */
  stdout: Buffer;
  stderr: string;
}

let authFile: Promise<string> | undefined;

// An empty auth file per test process: skopeo must not pick up credentials from the machine.
function emptyAuthFile(): Promise<string> {
  authFile ??= (async () => {
    const file = join(makeTempDir('ghcr-opt-skopeo'), 'auth.json');
    await writeFile(file, '{"auths":{}}');
    return file;
  })();
  return authFile;
}

const certDirs = new Map<string, Promise<string>>();

// skopeo takes a directory of *.crt files, not a single CA file.
function certDirFor(caFile: string): Promise<string> {
  let dir = certDirs.get(caFile);
  if (!dir) {
    dir = (async () => {
      const d = makeTempDir('ghcr-opt-skopeo-certs');
      await copyFile(caFile, join(d, 'ca.crt'));
      return d;
    })();
    certDirs.set(caFile, dir);
  }
  return dir;
}

/** Flags for one side: `prefix` is '' for inspect/list-tags, 'src-' / 'dest-' for copy. */
async function accessFlags(prefix: '' | 'src-' | 'dest-', access: SkopeoAccess = {}): Promise<string[]> {
  const flags: string[] = [];
  const verify = access.tlsVerify ?? access.caFile !== undefined;
  flags.push(`--${prefix}tls-verify=${verify}`);
  if (access.caFile) flags.push(`--${prefix}cert-dir`, await certDirFor(access.caFile));
  if (access.creds) flags.push(`--${prefix}creds`, `${access.creds.username}:${access.creds.password}`);
  if (access.registryToken) flags.push(`--${prefix}registry-token`, access.registryToken);
  return flags;
}

function isDockerRef(ref: string): boolean {
  return ref.startsWith('docker://');
}

/** Run skopeo; rejects with stderr on a non-zero exit. Credentials in args are redacted from errors. */
export async function runSkopeo(args: string[], timeoutMs = 30_000): Promise<SkopeoResult> {
  const auth = await emptyAuthFile();
  return new Promise((resolve, reject) => {
    execFile(
      'skopeo',
      args,
      {
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'buffer',
        env: { ...process.env, REGISTRY_AUTH_FILE: auth },
      },
      (err, stdout, stderr) => {
        if (err) {
          const shown = args.map((a, i) => (/creds$|registry-token$/.test(args[i - 1] ?? '') ? '***' : a));
          const why = err.code ?? err.signal ?? 'error';
          reject(new Error(`skopeo ${shown.join(' ')} failed (${why}): ${stderr.toString().trim()}`));
          return;
        }
        resolve({ stdout, stderr: stderr.toString() });
      },
    );
  });
}

/** What `skopeo inspect` prints (the fields tests look at). */
export interface SkopeoInspect {
  Name?: string;
  Digest: string;
  Tag?: string;
  RepoTags: string[] | null;
  Created?: string;
  Architecture: string;
  Os: string;
  Variant?: string;
  Layers: string[] | null;
  LayersData?: { MIMEType: string; Digest: string; Size: number }[] | null;
  Labels: Record<string, string> | null;
}

export async function skopeoInspect(ref: string, access?: SkopeoAccess): Promise<SkopeoInspect> {
  const flags = isDockerRef(ref) ? await accessFlags('', access) : [];
  const { stdout } = await runSkopeo(['inspect', ...flags, ref]);
  return JSON.parse(stdout.toString()) as SkopeoInspect;
}

/** The manifest bytes exactly as the source stores them. */
export async function skopeoInspectRaw(ref: string, access?: SkopeoAccess): Promise<Buffer> {
  const flags = isDockerRef(ref) ? await accessFlags('', access) : [];
  return (await runSkopeo(['inspect', '--raw', ...flags, ref])).stdout;
}

export async function skopeoListTags(ref: string, access?: SkopeoAccess): Promise<string[]> {
  const flags = isDockerRef(ref) ? await accessFlags('', access) : [];
  const { stdout } = await runSkopeo(['list-tags', ...flags, ref]);
  return (JSON.parse(stdout.toString()) as { Tags: string[] | null }).Tags ?? [];
}

export interface SkopeoCopyOptions {
  src?: SkopeoAccess;
  dest?: SkopeoAccess;
  /** --all: copy every platform of an index. */
  all?: boolean;
  /** --format oci | v2s2 */
  format?: 'oci' | 'v2s2';
  extraArgs?: string[];
}

export async function skopeoCopy(src: string, dest: string, options: SkopeoCopyOptions = {}): Promise<void> {
  const args = ['copy', '--quiet'];
  if (isDockerRef(src)) args.push(...(await accessFlags('src-', options.src)));
  if (isDockerRef(dest)) args.push(...(await accessFlags('dest-', options.dest)));
  if (options.all) args.push('--all');
  if (options.format) args.push('--format', options.format);
  args.push(...(options.extraArgs ?? []), src, dest);
  await runSkopeo(args, 120_000);
}
