/** Writes that are all-or-nothing: a temp file beside the destination, fsync, then rename. */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

function tempPathFor(path: string): string {
  // The ".tmp-" prefix marks files a reader must ignore and a cleanup may remove.
  return join(dirname(path), `.tmp-${basename(path)}-${randomBytes(6).toString('hex')}`);
}

export async function writeFileAtomic(path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Streams into `path` through optional transforms (a digest verifier); the file appears under its
 * final name only if every byte arrived and every transform accepted it.
 */
export async function writeStreamAtomic(
  path: string,
  source: Readable,
  ...transforms: Transform[]
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    await pipeline([source, ...transforms, createWriteStream(tmp, { flags: 'wx' })]);
    const fh = await open(tmp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
