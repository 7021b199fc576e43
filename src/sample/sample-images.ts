/**
 * Deterministic sample images for tests of the OCI layout code: a two-platform OCI index and a
 * single-platform image, written with our own Target code (the demo's richer images are in
 * services.ts). Same bytes every run, so digests are stable across machines.
 */
import { gzipSync } from 'node:zlib';
import { computeDigest } from '../oci/digest.js';
import { MediaType } from '../oci/media-types.js';
import type { Descriptor, Platform } from '../oci/schema.js';
import type { Target } from '../content/target.js';
import { entriesFromFiles, makeTar, FIXED_MTIME } from '../content/tar-writer.js';

const CREATED = new Date(FIXED_MTIME * 1000 + 26 * 365 * 86_400_000).toISOString();

interface Blob {
  desc: Descriptor;
  data: Buffer;
}

function blob(data: Buffer, mediaType: string): Blob {
  return { desc: { mediaType, digest: computeDigest(data), size: data.length }, data };
}

function layer(files: Record<string, string>, family: 'oci' | 'docker'): Blob & { diffId: string } {
  const tar = makeTar(entriesFromFiles(files));
  // mtime 0 in the gzip header keeps the compressed bytes deterministic.
  const gz = gzipSync(tar, { level: 9 });
  return {
    ...blob(gz, family === 'oci' ? MediaType.OciLayerGzip : MediaType.DockerLayerGzip),
    diffId: computeDigest(tar),
  };
}

async function pushBlob(target: Target, b: Blob): Promise<void> {
  await target.pushBlob(b.desc, { size: b.data.length, open: () => b.data });
}

interface ImageSpec {
  platform: Platform;
  family: 'oci' | 'docker';
  layers: (Blob & { diffId: string })[];
  labels: Record<string, string>;
  user?: string;
  entrypoint: string[];
}

async function pushImage(target: Target, spec: ImageSpec, tag?: string): Promise<Descriptor> {
  const config = {
    created: CREATED,
    architecture: spec.platform.architecture,
    os: spec.platform.os,
    ...(spec.platform.variant ? { variant: spec.platform.variant } : {}),
    config: {
      ...(spec.user ? { User: spec.user } : {}),
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin'],
      Entrypoint: spec.entrypoint,
      WorkingDir: '/app',
      ExposedPorts: { '8080/tcp': {} },
      Labels: spec.labels,
    },
    rootfs: { type: 'layers', diff_ids: spec.layers.map((l) => l.diffId) },
    history: spec.layers.map((_, i) => ({
      created: CREATED,
      created_by: i === 0 ? 'ADD rootfs /' : 'COPY app /app',
    })),
  };
  const cfg = blob(
    Buffer.from(JSON.stringify(config)),
    spec.family === 'oci' ? MediaType.OciConfig : MediaType.DockerConfig,
  );
  await pushBlob(target, cfg);
  for (const l of spec.layers) await pushBlob(target, l);
  const manifest = {
    schemaVersion: 2,
    mediaType: spec.family === 'oci' ? MediaType.OciManifest : MediaType.DockerManifest,
    config: cfg.desc,
    layers: spec.layers.map((l) => l.desc),
  };
  const desc = await target.pushManifest(Buffer.from(JSON.stringify(manifest)), manifest.mediaType, tag);
  return { ...desc, platform: spec.platform };
}

export interface SampleSummary {
  tags: string[];
  index: string;
}

/** Writes the sample set into `target` (an OCI layout or a registry repository). */
export async function writeSampleImages(target: Target): Promise<SampleSummary> {
  const labels = {
    'org.opencontainers.image.title': 'demo-app',
    'org.opencontainers.image.source': 'https://github.com/example/demo-app',
    'org.opencontainers.image.version': '1.0.0',
  };
  const base = layer({ 'etc/': '', 'etc/os-release': 'NAME="demo"\nVERSION_ID=1\n', 'bin/': '' }, 'oci');
  const platforms: Platform[] = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
  ];
  const children: Descriptor[] = [];
  for (const platform of platforms) {
    const app = layer(
      { 'app/': '', 'app/server': `#!/bin/sh\necho demo-app on ${platform.architecture}\n` },
      'oci',
    );
    children.push(
      await pushImage(target, {
        platform,
        family: 'oci',
        layers: [base, app],
        labels,
        user: '65532',
        entrypoint: ['/app/server'],
      }),
    );
  }
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: children,
    annotations: { 'org.opencontainers.image.created': CREATED },
  };
  const indexBytes = Buffer.from(JSON.stringify(index));
  const indexDesc = await target.pushManifest(indexBytes, MediaType.OciIndex, '1.0.0');
  await target.pushManifest(indexBytes, MediaType.OciIndex, 'latest');

  const toolsLayer = layer(
    {
      'usr/': '',
      'usr/bin/': '',
      'usr/bin/tool': '#!/bin/sh\necho tool\n',
      'var/cache/apt/archives/big.deb': 'x'.repeat(4096),
    },
    'oci',
  );
  await pushImage(
    target,
    {
      platform: { os: 'linux', architecture: 'amd64' },
      family: 'oci',
      layers: [toolsLayer],
      labels: { maintainer: 'demo' },
      entrypoint: ['/usr/bin/tool'],
    },
    'tools-1.0',
  );
  return { tags: ['1.0.0', 'latest', 'tools-1.0'], index: indexDesc.digest };
}
