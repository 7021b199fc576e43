/**
 * The squashed layer's tar bytes, streamed: each planned entry's header (from the source entry
 * and the header details the spool kept) followed by its content read back from the spool.
 */
import { UsageError } from '../errors.js';
import type { PlannedEntry } from './plan.js';
import type { ContentSpool } from './spool.js';
import { END_OF_ARCHIVE, encodeHeader, padding, type TarHeader } from './tar-format.js';

export function headerOf(p: PlannedEntry, spool: Pick<ContentSpool, 'extras'>): TarHeader {
  const x = spool.extras(p.source.layer, p.source.ordinal);
  const type = p.hardlinkTo !== undefined ? 'hardlink' : p.entry.type;
  if (type === 'other') throw new Error(`/${p.path}: unsupported entry type`);
  for (const [key, value] of Object.entries(x.pax ?? {})) {
    // tar-stream decodes pax values as UTF-8: a binary value (security.capability) is already lost.
    if (value.includes('\uFFFD')) {
      throw new UsageError(
        `/${p.path} has a binary extended attribute (${key}) that a rewrite would damage`,
        {
          hint: 'use --keep-layers: it recompresses the layers without rewriting their entries',
        },
      );
    }
  }
  const h: TarHeader = {
    path: p.path,
    type,
    mode: p.entry.mode,
    uid: p.entry.uid,
    gid: p.entry.gid,
    size: type === 'file' ? p.entry.size : 0,
    mtime: x.mtime,
  };
  const link = p.hardlinkTo ?? (type === 'symlink' ? p.entry.linkTarget : undefined);
  if (link !== undefined) h.linkTarget = link;
  if (x.uname !== undefined) h.uname = x.uname;
  if (x.gname !== undefined) h.gname = x.gname;
  if (type === 'char' || type === 'block') {
    if (x.devMajor !== undefined) h.devMajor = x.devMajor;
    if (x.devMinor !== undefined) h.devMinor = x.devMinor;
  }
  if (x.pax) h.pax = x.pax;
  return h;
}

export async function* squashTar(
  entries: readonly PlannedEntry[],
  spool: Pick<ContentSpool, 'extras' | 'read'>,
): AsyncGenerator<Buffer> {
  for (const p of entries) {
    const h = headerOf(p, spool);
    yield encodeHeader(h);
    if (h.type !== 'file' || h.size === 0) continue;
    let written = 0;
    for await (const chunk of spool.read(p.source.layer, p.source.ordinal, h.size)) {
      written += chunk.length;
      yield chunk;
    }
    if (written !== h.size) throw new Error(`/${p.path}: spooled ${written} bytes, expected ${h.size}`);
    const pad = padding(h.size);
    if (pad.length > 0) yield pad;
  }
  yield END_OF_ARCHIVE;
}
