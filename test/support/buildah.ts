/**
 * Running the real buildah (vfs storage, chroot isolation) in tests without leaving anything on the
 * machine.
 *
 * buildah writes outside its storage even with its own storage.conf (/var/lib/containers/cache,
 * /run/containers): every run goes through BUILDAH_WRAP, a private mount namespace with tmpfs over
 * those places, so they vanish with the process. Storage lives in a per-suite temp dir.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trackChild } from './lifecycle.js';

const HERMETIC = [
  'set -e',
  'mount -t tmpfs tmpfs /run',
  'if [ -d /var/lib/containers ]; then mount -t tmpfs tmpfs /var/lib/containers; else mount -t tmpfs tmpfs /var/lib; fi',
  'exec "$@"',
].join('\n');

/** Command prefix that runs its arguments in the private mount namespace described above. */
export const BUILDAH_WRAP: readonly string[] = [
  'unshare',
  '--mount',
  '--propagation',
  'private',
  'sh',
  '-c',
  HERMETIC,
  'sh',
];

/** Writes `dir/storage.conf` (vfs, graphroot and runroot under `dir`) and returns its path. */
export function writeStorageConf(dir: string): string {
  const file = join(dir, 'storage.conf');
  writeFileSync(file, `[storage]\ndriver = "vfs"\ngraphroot = "${dir}/root"\nrunroot = "${dir}/run"\n`);
  return file;
}

export interface BuildahEnv {
  /** From writeStorageConf. */
  storageConf: string;
  /** TMPDIR for buildah's own temporary files (default /var/tmp otherwise). */
  tmpDir: string;
  /** HOME for the run. */
  home: string;
}

/**
 * `buildah ...args` wrapped hermetically; resolves with stdout, rejects with the exit code and
 * stderr so a failed step names itself in the test output.
 */
export function buildah(
  args: string[],
  env: BuildahEnv,
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const argv = [...BUILDAH_WRAP, 'buildah', ...args];
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: opts.cwd ?? env.home,
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        HOME: env.home,
        TMPDIR: env.tmpDir,
        CONTAINERS_STORAGE_CONF: env.storageConf,
        BUILDAH_ISOLATION: 'chroot',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`buildah ${args.join(' ')} → ${code ?? signal}\n${err.trim()}`));
    });
  });
}

/**
 * A 143-byte static x86-64 Linux program that unlinks argv[1] and exits with the errno (0 on
 * success). It lets a `FROM scratch` Containerfile delete a file in a RUN step (exec form) without
 * a shell or busybox in the image, so a real builder produces a real whiteout. The code:
 *   mov rdi, [rsp+16]; mov eax, 87 (unlink); syscall; mov edi, eax; neg edi; mov eax, 60 (exit); syscall
 */
export function unlinkElf(): Buffer {
  const code = Buffer.from([
    0x48, 0x8b, 0x7c, 0x24, 0x10, 0xb8, 0x57, 0, 0, 0, 0x0f, 0x05, 0x89, 0xc7, 0xf7, 0xdf, 0xb8, 0x3c, 0, 0,
    0, 0x0f, 0x05,
  ]);
  const EHDR = 64;
  const PHDR = 56;
  const base = 0x400000n;
  const size = EHDR + PHDR + code.length;
  const b = Buffer.alloc(size);
  // ELF header: 64-bit, little-endian, version 1, executable for x86-64.
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2;
  b[5] = 1;
  b[6] = 1;
  b.writeUInt16LE(2, 16);
  b.writeUInt16LE(0x3e, 18);
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(base + BigInt(EHDR + PHDR), 24); // entry: the code right after the headers
  b.writeBigUInt64LE(BigInt(EHDR), 32); // program headers follow the ELF header
  b.writeUInt16LE(EHDR, 52);
  b.writeUInt16LE(PHDR, 54);
  b.writeUInt16LE(1, 56);
  // One PT_LOAD segment (read + execute) mapping the whole file at `base`.
  b.writeUInt32LE(1, EHDR);
  b.writeUInt32LE(5, EHDR + 4);
  b.writeBigUInt64LE(base, EHDR + 16);
  b.writeBigUInt64LE(base, EHDR + 24);
  b.writeBigUInt64LE(BigInt(size), EHDR + 32);
  b.writeBigUInt64LE(BigInt(size), EHDR + 40);
  b.writeBigUInt64LE(0x1000n, EHDR + 48);
  code.copy(b, EHDR + PHDR);
  return b;
}
