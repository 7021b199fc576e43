/**
 * File contents kept on disk between reading the source layers and writing the new one: the
 * layer reader streams each regular file into its layer's spool file (layers are read in
 * parallel, each into its own file), and the writer later reads any entry back by position. The
 * tar header details the analysis does not keep (mtime, owner names, device numbers, pax
 * records) are kept here too, per entry.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentSink, EntryVisit } from '../analyze/layer-reader.js';
import { fileSystemError } from '../errors.js';

export interface EntryExtras {
  /** Seconds since the epoch. */
  mtime: number;
  uname?: string;
  gname?: string;
  devMajor?: number;
  devMinor?: number;
  /** Pax records worth carrying over (extended attributes). */
  pax?: Record<string, string>;
}

/** Extended attributes and ACLs as GNU tar, bsdtar and Docker write them. */
const KEPT_PAX = /^(SCHILY\.xattr\.|LIBARCHIVE\.xattr\.|SCHILY\.acl\.)/;

interface LayerSpool {
  file: Promise<FileHandle> | undefined;
  written: number;
  /** ordinal → offset of the content in the spool file. */
  offsets: Map<number, number>;
  extras: EntryExtras[];
}

const READ_CHUNK = 1024 * 1024;

export class ContentSpool {
  readonly #layers = new Map<number, LayerSpool>();

  constructor(readonly dir: string) {}

  #layer(index: number): LayerSpool {
    let l = this.#layers.get(index);
    if (!l) {
      l = { file: undefined, written: 0, offsets: new Map(), extras: [] };
      this.#layers.set(index, l);
    }
    return l;
  }

  /** The layer reader's `visit` hook. */
  readonly visit = (v: EntryVisit): ContentSink | undefined => {
    const layer = this.#layer(v.layer);
    layer.extras[v.ordinal] = extrasOf(v.header);
    if (v.entry.type !== 'file' || v.entry.size === 0) return undefined;
    layer.offsets.set(v.ordinal, layer.written);
    return async (chunk) => {
      try {
        layer.file ??= open(join(this.dir, `layer-${v.layer}.spool`), 'w+');
        const fh = await layer.file;
        const at = layer.written;
        layer.written += chunk.length;
        let done = 0;
        while (done < chunk.length) {
          const { bytesWritten } = await fh.write(chunk, done, chunk.length - done, at + done);
          done += bytesWritten;
        }
      } catch (err) {
        // A full temp disk is the likely cause: say so, rather than blame the layer.
        throw fileSystemError(err);
      }
    };
  };

  extras(layer: number, ordinal: number): EntryExtras {
    return this.#layers.get(layer)?.extras[ordinal] ?? { mtime: 0 };
  }

  /** The content of a regular file entry, `size` bytes, as spooled. */
  async *read(layer: number, ordinal: number, size: number): AsyncGenerator<Buffer> {
    if (size === 0) return;
    const l = this.#layers.get(layer);
    const offset = l?.offsets.get(ordinal);
    if (!l?.file || offset === undefined)
      throw new Error(`content of layer ${layer} entry ${ordinal} was not spooled`);
    const fh = await l.file;
    let done = 0;
    while (done < size) {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - done));
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset + done);
      if (bytesRead === 0) throw new Error(`spool of layer ${layer} is truncated`);
      done += bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  }

  async close(): Promise<void> {
    const files = [...this.#layers.values()].map((l) => l.file).filter((f) => f !== undefined);
    this.#layers.clear();
    await Promise.all(files.map(async (f) => (await f.catch(() => undefined))?.close()));
  }
}

function extrasOf(h: EntryVisit['header']): EntryExtras {
  const pax = (h.pax ?? {}) as Record<string, string>;
  const paxMtime = Number(pax.mtime);
  const extras: EntryExtras = {
    mtime: Number.isFinite(paxMtime) && pax.mtime !== undefined ? Math.floor(paxMtime) : seconds(h.mtime),
  };
  if (h.uname) extras.uname = pax.uname ?? h.uname;
  if (h.gname) extras.gname = pax.gname ?? h.gname;
  if (h.devmajor) extras.devMajor = h.devmajor;
  if (h.devminor) extras.devMinor = h.devminor;
  const kept = Object.entries(pax).filter(([k]) => KEPT_PAX.test(k));
  if (kept.length > 0) extras.pax = Object.fromEntries(kept);
  return extras;
}

function seconds(d: Date | undefined): number {
  const t = d?.getTime();
  return t === undefined || !Number.isFinite(t) ? 0 : Math.floor(t / 1000);
}
