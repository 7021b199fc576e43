/**
 * `mkdir -p` that always ends. Node's recursive mkdir spins forever on procfs (`mkdir /proc/x`
 * answers ENOENT, which it takes as "create the parent first"), so a mistyped `--out /proc/…`
 * would hang a command at full CPU. This walks up to the nearest existing directory and creates
 * each missing one in turn, so any refusal surfaces as the error of that directory.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export async function ensureDir(path: string, mode?: number): Promise<void> {
  const missing: string[] = [];
  let dir = resolve(path);
  for (;;) {
    try {
      const st = await stat(dir);
      if (!st.isDirectory()) {
        throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), {
          code: 'ENOTDIR',
          syscall: 'mkdir',
          path: dir,
        });
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(dir);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d, mode === undefined ? undefined : { mode });
    } catch (err) {
      // A concurrent writer may have created it meanwhile.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
