/**
 * A lock file shared by processes (`O_EXCL` create), for read-modify-write of small shared
 * documents such as a layout's index.json. A lock older than `staleMs` belongs to a process that
 * died holding it and is broken.
 */
import { open, rm, stat } from 'node:fs/promises';
import { FileSystemError } from '../errors.js';

export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  opts: { timeoutMs?: number; staleMs?: number } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const staleMs = opts.staleMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lockPath).then(
        (st) => Date.now() - st.mtimeMs,
        () => 0,
      );
      if (age > staleMs) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new FileSystemError(`${lockPath} is held by another process`, {
          hint: `another ghcr-optimize is writing there; if none is running, remove ${lockPath}`,
        });
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}
