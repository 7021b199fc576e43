/** Writes that are all-or-nothing: a temp file beside the destination, fsync, then rename. */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ensureDir } from '../util/ensure-dir.js';

/**
 * Runs `write` against a fresh temp file in the destination's directory, syncs it and renames it
 * into place. On any failure the temp file is removed and `path` is untouched.
 */
async function commitAtomically(
  path: string,
  write: (tmp: string) => Promise<void>,
  opts: { sync: boolean },
): Promise<void> {
  await ensureDir(dirname(path));
  // The ".tmp-" prefix marks files a reader must ignore and a cleanup may remove.
  const tmp = join(dirname(path), `.tmp-${basename(path)}-${randomBytes(6).toString('hex')}`);
  try {
    await write(tmp);
    if (opts.sync) {
      const fh = await open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Small documents (index.json, config.json) are synced before the rename: they are the commit points. */
export async function writeFileAtomic(path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  await commitAtomically(
    path,
    async (tmp) => {
      const fh = await open(tmp, 'wx', mode);
      try {
        await fh.writeFile(data);
      } finally {
        await fh.close();
      }
    },
    { sync: true },
  );
}

/**
 * Streams into `path` through optional transforms (a digest verifier); the file appears under its
 * final name only if every byte arrived and every transform accepted it. Blobs are not fsynced:
 * they are content-addressed and verified whenever read, so a blob torn by a power cut is
 * detected, while syncing hundreds of megabytes would double the time of every pull.
 */
export async function writeStreamAtomic(
  path: string,
  source: Readable,
  ...transforms: Transform[]
): Promise<void> {
  await commitAtomically(
    path,
    (tmp) => pipeline([source, ...transforms, createWriteStream(tmp, { flags: 'wx' })]),
    { sync: false },
  );
}
