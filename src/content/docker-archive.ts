/**
 * Writes a `docker save`-style archive: Docker's `manifest.json` + `repositories` for `docker load`,
 * and an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) in the same tar, as
 * Docker ≥ 25 and regctl write it. Layers stay compressed (docker load and skopeo accept that).
 * The file appears under its name only once complete.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { parseDigest } from '../oci/digest.js';
import { MediaType } from '../oci/media-types.js';
import type { Descriptor, ImageManifest } from '../oci/schema.js';
import type { FetchedManifest } from './target.js';
import { REF_NAME_ANNOTATION } from './oci-layout.js';
import { ensureDir } from '../util/ensure-dir.js';

export interface ArchiveImage {
  manifest: FetchedManifest & { parsed: { kind: 'manifest'; manifest: ImageManifest } };
  /** `registry/repo:tag` names to record for `docker load` (may be empty). */
  repoTags: string[];
}

function blobName(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return `blobs/${algorithm}/${hex}`;
}

/** A fixed mtime keeps archives of the same image byte-identical. */
const MTIME = new Date(0);

async function addBuffer(pack: tar.Pack, name: string, data: Buffer | string): Promise<void> {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  await new Promise<void>((resolve, reject) => {
    pack.entry({ name, size: body.length, mtime: MTIME, mode: 0o644 }, body, (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

async function addStream(pack: tar.Pack, name: string, size: number, source: Readable): Promise<void> {
  const entry = pack.entry({ name, size, mtime: MTIME, mode: 0o644 });
  await pipeline(source, entry);
}

export async function writeDockerArchive(
  file: string,
  image: ArchiveImage,
  openBlob: (desc: Descriptor) => Readable,
): Promise<void> {
  const m = image.manifest.parsed.manifest;
  const manifestDesc = image.manifest.descriptor;
  await ensureDir(dirname(file));
  const tmp = join(dirname(file), `.tmp-${basename(file)}-${randomBytes(6).toString('hex')}`);
  const pack = tar.pack();
  const out = createWriteStream(tmp, { flags: 'wx' });
  const written = pipeline(pack, out);
  try {
    await addBuffer(pack, 'oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    const indexEntry: Descriptor = {
      mediaType: manifestDesc.mediaType,
      digest: manifestDesc.digest,
      size: manifestDesc.size,
      ...(image.repoTags[0]
        ? {
            annotations: {
              [REF_NAME_ANNOTATION]: image.repoTags[0].split(':').pop() ?? '',
              'io.containerd.image.name': image.repoTags[0],
            },
          }
        : {}),
    };
    await addBuffer(
      pack,
      'index.json',
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [indexEntry] }),
    );
    await addBuffer(pack, blobName(manifestDesc.digest), image.manifest.bytes);
    const seen = new Set<string>();
    for (const desc of [m.config, ...m.layers]) {
      if (seen.has(desc.digest)) continue; // a layer repeated in one image is stored once
      seen.add(desc.digest);
      await addStream(pack, blobName(desc.digest), desc.size, openBlob(desc));
    }
    const dockerManifest = [
      {
        Config: blobName(m.config.digest),
        RepoTags: image.repoTags,
        Layers: m.layers.map((l) => blobName(l.digest)),
      },
    ];
    await addBuffer(pack, 'manifest.json', JSON.stringify(dockerManifest));
    const repositories: Record<string, Record<string, string>> = {};
    const top = m.layers.at(-1);
    for (const repoTag of image.repoTags) {
      const colon = repoTag.lastIndexOf(':');
      if (colon <= 0 || !top) continue;
      (repositories[repoTag.slice(0, colon)] ??= {})[repoTag.slice(colon + 1)] = parseDigest(top.digest).hex;
    }
    await addBuffer(pack, 'repositories', JSON.stringify(repositories));
    pack.finalize();
    await written;
    await rename(tmp, file);
  } catch (err) {
    pack.destroy();
    await written.catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}
