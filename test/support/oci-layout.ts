import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Blob, ImageOrIndex } from './images.js';
import { MediaType, allBlobs, allManifests, descriptorOf } from './images.js';

export interface OciLayoutEntry {
  /** Becomes `org.opencontainers.image.ref.name`, i.e. the TAG in `oci:DIR:TAG`. */
  tag: string;
  imageOrIndex: ImageOrIndex;
}

async function writeBlob(dir: string, blob: Pick<Blob, 'digest' | 'data'>): Promise<void> {
  const [algorithm, hex] = blob.digest.split(':');
  if (!algorithm || !hex) throw new Error(`bad digest ${blob.digest}`);
  await mkdir(join(dir, 'blobs', algorithm), { recursive: true });
  await writeFile(join(dir, 'blobs', algorithm, hex), blob.data);
}

/** Write an OCI image layout (image-spec v1.1 `image-layout.md`) that skopeo/umoci can read. */
export async function writeOciLayout(dir: string, entries: OciLayoutEntry[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const { imageOrIndex } of entries) {
    for (const blob of allBlobs(imageOrIndex)) await writeBlob(dir, blob);
    for (const m of allManifests(imageOrIndex)) await writeBlob(dir, { digest: m.digest, data: m.manifest });
  }
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: entries.map(({ tag, imageOrIndex }) => ({
      ...descriptorOf(imageOrIndex),
      ...(imageOrIndex.kind === 'image' && imageOrIndex.artifactType === undefined
        ? { platform: imageOrIndex.platform }
        : {}),
      annotations: { 'org.opencontainers.image.ref.name': tag },
    })),
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}
