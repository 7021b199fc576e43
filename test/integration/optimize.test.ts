/**
 * `optimize-images` end to end: the report, and `--apply` rewriting the fixture image (files
 * written, overwritten and deleted across layers, an opaque directory, hard links, symlinks, a
 * setuid file, apt and npm caches) from an OCI layout or a real docker-registry into a layout or
 * the registry, gzip and zstd, a multi-platform index, Docker v2s2, --keep-layers, the --replace
 * guard, and a corrupted layer caught by verification with nothing tagged. Results are proven
 * valid by skopeo and by unpacking the layer with GNU tar.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeImage } from '../../src/analyze/analyze.js';
import { mergeLayers } from '../../src/analyze/file-tree.js';
import { openStore } from '../../src/store/open.js';
import { OciLayoutTarget } from '../../src/content/oci-layout.js';
import { RemoteTarget } from '../../src/content/remote.js';
import type { ReadTarget } from '../../src/content/target.js';
import { IntegrityError, NotFoundError } from '../../src/errors.js';
import { optimizeImage } from '../../src/optimize/optimize.js';
import { planSquash } from '../../src/optimize/plan.js';
import { compareTrees, normalTree } from '../../src/optimize/tree-compare.js';
import type { RegistryClient } from '../../src/registry/client.js';
import { describeRun, runCli, type CliResult } from '../support/cli.js';
import { testClient } from '../support/client.js';
import {
  MediaType,
  makeImage,
  makeIndex,
  makeLayer,
  pushImage,
  writeOciLayout,
} from '../support/fixtures.js';
import { fixtureLayer } from '../support/layer-fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { runSkopeo, skopeoInspect, skopeoInspectRaw } from '../support/skopeo.js';
import { requireTool } from '../support/tools.js';
import { RICH_IMAGE, SQUASHED_ENTRIES, STRIPPED_CACHES } from '../unit/optimize/rich-image.js';

const haveTools =
  requireTool('docker-registry') && requireTool('skopeo') && requireTool('zstd') && requireTool('tar');

function expectExit(r: CliResult, code: number): void {
  expect(r.timedOut, describeRun(r)).toBe(false);
  expect(r.code, describeRun(r)).toBe(code);
}

const json = <T = Record<string, unknown>>(r: CliResult): T => JSON.parse(r.stdout) as T;

interface ApplyDoc {
  source: string;
  destination: string;
  digest: string;
  mediaType: string;
  tag: string;
  mode: string;
  compression: string;
  verified: boolean;
  platforms: {
    platform: string;
    digest: string;
    before: { layers: number; compressedBytes: number; uncompressedBytes: number };
    after: { layers: number; compressedBytes: number; uncompressedBytes: number };
    stripped: { rule: string; paths: number; bytes: number }[];
    copiedHardLinks: number;
  }[];
  dropped: { digest: string; reason: string }[];
  before: { layers: number; compressedBytes: number };
  after: { layers: number; compressedBytes: number };
  savedBytes: number;
  savedPercent: number;
}

async function richImage(arch = 'amd64') {
  return makeImage({
    architecture: arch,
    layers: [
      await fixtureLayer(RICH_IMAGE[0]!, 'gzip'),
      await fixtureLayer(RICH_IMAGE[1]!, 'zstd'),
      await fixtureLayer(RICH_IMAGE[2]!, 'none'),
    ],
    config: {
      config: { Env: ['PATH=/usr/bin'], Labels: { app: 'rich' } },
      history: [{ created_by: 'ADD rootfs' }, { created_by: 'RUN update' }, { created_by: 'RUN cleanup' }],
    },
  });
}

/** The final tree of an image, through our own reader (independently of the rewrite's result). */
async function finalTree(target: ReadTarget, ref: string) {
  const a = await analyzeImage(target, ref, { compressionSample: 0 });
  return { analysis: a, tree: normalTree(a.scans, a.tree) };
}

/** The tree the rewrite must produce from `src` (the source's final tree minus caches). */
async function expectedTree(target: ReadTarget, ref: string, rules: ('caches' | 'docs')[] = ['caches']) {
  const a = await analyzeImage(target, ref, { compressionSample: 0 });
  return planSquash(a.scans, mergeLayers(a.scans), rules).expected;
}

function layerBlobPath(layoutDir: string, digest: string): string {
  return join(layoutDir, 'blobs', 'sha256', digest.replace('sha256:', ''));
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

describe.skipIf(!haveTools)('optimize-images', () => {
  let home: string;
  let reg: RunningRegistry;
  let client: RegistryClient;
  let src: OciLayoutTarget;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli(args, { home, timeoutMs: 60_000, env });

  beforeAll(async () => {
    home = makeTempDir('ghcr-opt-optimize');
    reg = await startRegistry();
    client = testClient();
    const rich = await richImage();
    const arm = makeImage({
      architecture: 'arm64',
      layers: [
        makeLayer({ 'bin/': '', 'bin/app': 'arm binary', 'var/cache/apk/APKINDEX.tar.gz': 'index' }),
        makeLayer({ 'bin/app': 'arm binary v2' }),
      ],
    });
    const attestation = makeImage({
      os: 'unknown',
      architecture: 'unknown',
      layers: [makeLayer({ 'sbom.json': '{}' })],
    });
    const multi = makeIndex([rich, arm, attestation], { annotations: { 'org.example': 'kept' } });
    const docker = makeImage({
      mediaTypes: 'docker',
      layers: [
        makeLayer({ 'etc/': '', 'etc/motd': 'hi', 'var/cache/apt/x.deb': 'deb' }, { mediaTypes: 'docker' }),
      ],
    });
    await writeOciLayout(join(home, 'src'), [
      { tag: 'rich', imageOrIndex: rich },
      { tag: 'multi', imageOrIndex: multi },
      { tag: 'docker', imageOrIndex: docker },
    ]);
    src = await OciLayoutTarget.open(join(home, 'src'));
    await pushImage(reg.url, 'app/rich', 'v1', rich);
    await pushImage(reg.url, 'app/rich', 'latest', rich);
    await pushImage(reg.url, 'app/multi', 'v1', multi);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await reg?.stop();
    removeTempDir(home);
  });

  it('--apply into a layout: one layer, exact final tree, caches stripped, sizes reported', async () => {
    const r = await cli([
      'optimize-images',
      'oci:src:rich',
      '--apply',
      '--output',
      'oci:out-gzip:slim',
      '--json',
    ]);
    expectExit(r, 0);
    const doc = json<ApplyDoc>(r);
    expect(doc).toMatchObject({
      source: 'oci:src:rich',
      destination: 'oci:out-gzip:slim',
      tag: 'slim',
      mode: 'squash',
      compression: 'gzip:9',
      verified: true,
      mediaType: MediaType.ociManifest,
      dropped: [],
    });
    const p = doc.platforms[0]!;
    expect(p.platform).toBe('linux/amd64');
    expect(p.before.layers).toBe(3);
    expect(p.after.layers).toBe(1);
    expect(p.stripped).toEqual([
      { rule: 'caches', paths: STRIPPED_CACHES.length, bytes: 1000 + 6 + 900 + 600 },
    ]);
    expect(p.copiedHardLinks).toBe(2);
    expect(doc.after.compressedBytes).toBeLessThan(doc.before.compressedBytes);
    expect(doc.savedBytes).toBe(doc.before.compressedBytes - doc.after.compressedBytes);
    expect(doc.savedPercent).toBeCloseTo((doc.savedBytes / doc.before.compressedBytes) * 100, 6);

    // Read back independently: exact paths, and the same tree as the source minus caches.
    const out = await OciLayoutTarget.open(join(home, 'out-gzip'));
    const { analysis, tree } = await finalTree(out, 'slim');
    expect([...tree.keys()].sort()).toEqual(SQUASHED_ENTRIES.map(([path]) => path).sort());
    expect(compareTrees(await expectedTree(src, 'rich'), tree)).toEqual([]);
    expect(analysis.digest).toBe(doc.digest);
    expect(analysis.layers.map((l) => [l.mediaType, l.compression])).toEqual([
      [MediaType.ociLayerGzip, 'gzip'],
    ]);
    expect(analysis.config.config?.Labels).toEqual({ app: 'rich' });

    // The rewrite is recorded (the size trend sees the slim image under its own name).
    const store = await openStore({}, { env: { HOME: home } });
    try {
      const events = await store.events({ kinds: ['analysis'] });
      const applied = events.filter((e) => e.command === 'optimize-images --apply');
      expect(applied.map((e) => [e.subject, (e.data as { storedBytes: number }).storedBytes])).toEqual([
        [expect.stringContaining('out-gzip'), doc.after.compressedBytes],
      ]);
    } finally {
      await store.close();
    }
    expect(analysis.config.history?.map((h) => h.empty_layer ?? false)).toEqual([true, true, true, false]);

    // skopeo reads and copies it: a valid image.
    const inspected = await skopeoInspect('oci:' + join(home, 'out-gzip') + ':slim');
    expect(inspected.Layers).toHaveLength(1);
    expect(inspected.Digest).toBe(doc.digest);
    await runSkopeo([
      'copy',
      '--quiet',
      `oci:${join(home, 'out-gzip')}:slim`,
      `oci:${join(home, 'skopeo-copy')}:slim`,
    ]);
    expect((await skopeoInspect(`oci:${join(home, 'skopeo-copy')}:slim`)).Digest).toBe(doc.digest);

    // GNU tar unpacks it with modes, owners, hard links and symlinks intact.
    const root = join(home, 'unpacked');
    mkdirSync(root);
    const untar = spawnSync('tar', [
      '-xzf',
      layerBlobPath(join(home, 'out-gzip'), analysis.layers[0]!.digest),
      '-C',
      root,
      '--numeric-owner',
      '--same-owner',
      '-p',
    ]);
    expect(untar.status, untar.stderr.toString()).toBe(0);
    expect(lstatSync(join(root, 'usr/bin/su')).mode & 0o7777).toBe(0o4755);
    expect(lstatSync(join(root, 'app/owned'))).toMatchObject({ uid: 1000, gid: 1000 });
    expect(lstatSync(join(root, 'app/shared')).ino).toBe(lstatSync(join(root, 'app/shared-link')).ino);
    expect(lstatSync(join(root, 'app/new.txt')).ino).toBe(lstatSync(join(root, 'app/later-link')).ino);
    expect(readFileSync(join(root, 'app/old-link'), 'utf8')).toBe('old version');
    expect(readFileSync(join(root, 'app/old'), 'utf8')).toBe('new version');
    expect(readFileSync(join(root, 'app/cache-link'), 'utf8')).toBe('cached');
    expect(readlinkSync(join(root, 'usr/bin/tool-link'))).toBe('tool');
    expect(readlinkSync(join(root, 'usr/bin/abs-link'))).toBe('/etc/os-release');
    for (const gone of [...STRIPPED_CACHES, 'tmp/scratch.bin', 'app/config.json', 'app/data/a.txt']) {
      expect(() => lstatSync(join(root, gone)), gone).toThrow(/ENOENT/);
    }
  });

  it('--compression zstd writes OCI zstd layers that read back identically; --strip docs strips docs', async () => {
    const r = await cli([
      'optimize-images',
      'oci:src:rich',
      '--apply',
      '--output',
      'oci:out-zstd:slim',
      '--compression',
      'zstd:10',
      '--strip',
      'docs',
      '--json',
    ]);
    expectExit(r, 0);
    const doc = json<ApplyDoc>(r);
    expect(doc.compression).toBe('zstd:10');
    expect(doc.platforms[0]!.stripped.map((s) => [s.rule, s.paths, s.bytes])).toEqual([
      ['caches', STRIPPED_CACHES.length, 2506],
      ['docs', 1, 700],
    ]);
    const out = await OciLayoutTarget.open(join(home, 'out-zstd'));
    const { analysis, tree } = await finalTree(out, 'slim');
    expect(analysis.layers.map((l) => [l.mediaType, l.compression])).toEqual([
      [MediaType.ociLayer + '+zstd', 'zstd'],
    ]);
    expect(compareTrees(await expectedTree(src, 'rich', ['caches', 'docs']), tree)).toEqual([]);
    expect(tree.has('usr/share/doc/pkg/copyright')).toBe(true);
    expect(tree.has('usr/share/doc/pkg/README')).toBe(false);
    await runSkopeo([
      'copy',
      '--quiet',
      `oci:${join(home, 'out-zstd')}:slim`,
      `oci:${join(home, 'skopeo-zstd')}:slim`,
    ]);
  });

  it('a Docker v2s2 image stays Docker with gzip and becomes OCI with zstd', async () => {
    const gz = await cli([
      'optimize-images',
      'oci:src:docker',
      '--apply',
      '--output',
      'oci:out-docker:gz',
      '--json',
    ]);
    expectExit(gz, 0);
    expect(json<ApplyDoc>(gz).mediaType).toBe(MediaType.dockerManifest);
    const out = await OciLayoutTarget.open(join(home, 'out-docker'));
    const m = await out.fetchManifest('gz');
    expect(m.parsed.kind === 'manifest' && m.parsed.manifest.layers[0]!.mediaType).toBe(
      MediaType.dockerLayerGzip,
    );
    expect(m.parsed.kind === 'manifest' && m.parsed.manifest.config.mediaType).toBe(MediaType.dockerConfig);

    const zs = await cli([
      'optimize-images',
      'oci:src:docker',
      '--apply',
      '--output',
      'oci:out-docker:zs',
      '--compression',
      'zstd',
      '--json',
    ]);
    expectExit(zs, 0);
    const z = await out.fetchManifest('zs');
    expect(z.descriptor.mediaType).toBe(MediaType.ociManifest);
    expect(z.parsed.kind === 'manifest' && z.parsed.manifest.config.mediaType).toBe(MediaType.ociConfig);
    expect((await finalTree(out, 'zs')).tree.has('var/cache/apt/x.deb')).toBe(false);
  });

  it('a multi-platform index on the registry becomes a new index with the same platforms', async () => {
    const dst = `${reg.host}/app/multi:slim`;
    const r = await cli([
      'optimize-images',
      `${reg.host}/app/multi:v1`,
      '--apply',
      '--output',
      dst,
      '--json',
    ]);
    expectExit(r, 0);
    const doc = json<ApplyDoc>(r);
    expect(doc.mediaType).toBe(MediaType.ociIndex);
    expect(doc.platforms.map((p) => [p.platform, p.before.layers, p.after.layers])).toEqual([
      ['linux/amd64', 3, 1],
      ['linux/arm64', 2, 1],
    ]);
    expect(doc.dropped).toEqual([
      { digest: expect.stringMatching(/^sha256:/) as string, reason: 'attestation of the source image' },
    ]);
    expect(doc.platforms[1]!.stripped).toEqual([{ rule: 'caches', paths: 1, bytes: 5 }]);

    const raw = JSON.parse((await skopeoInspectRaw(`docker://${dst}`)).toString()) as {
      mediaType: string;
      manifests: { digest: string; platform: { architecture: string } }[];
      annotations: Record<string, string>;
    };
    expect(raw.mediaType).toBe(MediaType.ociIndex);
    expect(raw.annotations).toEqual({ 'org.example': 'kept' });
    expect(raw.manifests.map((m) => [m.platform.architecture, m.digest])).toEqual(
      doc.platforms.map((p) => [p.platform.split('/')[1], p.digest]),
    );
    await runSkopeo([
      'copy',
      '--quiet',
      '--all',
      '--src-tls-verify=false',
      `docker://${dst}`,
      `oci:${join(home, 'multi-copy')}:slim`,
    ]);
    expect((await skopeoInspect(`docker://${dst}`)).Layers).toHaveLength(1);

    const remote = new RemoteTarget(client.repository(reg.host, 'app/multi'));
    const armTree = (await finalTree(remote, doc.platforms[1]!.digest)).tree;
    expect([...armTree.keys()].sort()).toEqual(['bin', 'bin/app']);
    expect(armTree.get('bin/app')!.size).toBe('arm binary v2'.length);
  });

  it('--keep-layers only recompresses: same layers, same diff_ids, same config', async () => {
    const r = await cli([
      'optimize-images',
      'oci:src:rich',
      '--apply',
      '--keep-layers',
      '--compression',
      'gzip:1',
      '--output',
      'oci:out-keep:k',
      '--json',
    ]);
    expectExit(r, 0);
    const doc = json<ApplyDoc>(r);
    expect(doc.mode).toBe('keep-layers');
    expect(doc.platforms[0]!.stripped).toEqual([]);
    const before = await finalTree(src, 'rich');
    const after = await finalTree(await OciLayoutTarget.open(join(home, 'out-keep')), 'k');
    expect(after.analysis.layers.map((l) => l.diffId)).toEqual(before.analysis.layers.map((l) => l.diffId));
    expect(after.analysis.layers.map((l) => l.compression)).toEqual(['gzip', 'gzip', 'gzip']);
    expect(after.analysis.configDigest).toBe(before.analysis.configDigest);
    expect(compareTrees(before.tree, after.tree)).toEqual([]);
  });

  it('refuses to overwrite the source tag unless --replace', async () => {
    const indexBefore = readFileSync(join(home, 'src', 'index.json'));
    const r = await cli(['optimize-images', 'oci:src:rich', '--apply', '--output', 'oci:src:rich']);
    expectExit(r, 2);
    expect(r.stderrLines[0]).toMatch(
      /^error: --output oci:src:rich is the source tag; refusing to overwrite it/,
    );
    expect(readFileSync(join(home, 'src', 'index.json')).equals(indexBefore)).toBe(true);

    const ref = `${reg.host}/app/rich:v1`;
    const refused = await cli(['optimize-images', ref, '--apply', '--output', `docker://${ref}`]);
    expectExit(refused, 2);
    const original = (await skopeoInspect(`docker://${ref}`)).Digest;
    const replaced = await cli(['optimize-images', ref, '--apply', '--output', ref, '--replace', '--json']);
    expectExit(replaced, 0);
    const digest = json<ApplyDoc>(replaced).digest;
    expect(digest).not.toBe(original);
    expect((await skopeoInspect(`docker://${ref}`)).Digest).toBe(digest);
  });

  it('a corrupted layer is caught by verification and nothing is tagged (registry and layout)', async () => {
    // Flip one content byte of a file after the tar is built: a valid tar with other content.
    const tamper = async function* (tar: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of tar) {
        const at = chunk.indexOf('new version');
        if (at === -1) yield chunk;
        else {
          const copy = Buffer.from(chunk);
          copy.write('N', at);
          yield copy;
        }
      }
    };
    const remote = new RemoteTarget(client.repository(reg.host, 'app/corrupt'));
    const err = (await optimizeImage(src, 'rich', remote, 'slim', {
      testHooks: { tamperLayerTar: tamper },
    }).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toMatch(
      /^verification failed: .* in 1 path: \/app\/old: sha256 [0-9a-f]{12} → [0-9a-f]{12}$/,
    );
    const tags = await remote.tags().catch((err: unknown) => {
      if (err instanceof NotFoundError) return [];
      throw err;
    });
    expect(tags).toEqual([]);

    const layout = await OciLayoutTarget.open(join(home, 'out-corrupt'), { create: true });
    await expect(
      optimizeImage(src, 'rich', layout, 'slim', { testHooks: { tamperLayerTar: tamper } }),
    ).rejects.toThrow(/verification failed/);
    expect(await layout.tags()).toEqual([]);
    expect(readJson<{ manifests: unknown[] }>(join(home, 'out-corrupt', 'index.json')).manifests).toEqual([]);

    // Without the fault the same call tags.
    const ok = await optimizeImage(src, 'rich', remote, 'slim');
    expect(await remote.tags()).toEqual(['slim']);
    expect((await remote.resolve('slim')).digest).toBe(ok.digest);
  });

  it('without --apply: the analysis and ranked recommendations, per image or per configured service', async () => {
    const r = await cli(['optimize-images', 'oci:src:rich', '--json']);
    expectExit(r, 0);
    const doc = json<{
      images: {
        reference: string;
        platform: string;
        recommendations: { rank: number; id: string; savingBytes: number }[];
        analysis: { layers: unknown[] };
      }[];
    }>(r);
    expect(doc.images).toHaveLength(1);
    const recs = doc.images[0]!.recommendations;
    expect(recs.map((x) => x.rank)).toEqual(recs.map((_, i) => i + 1));
    expect([...recs].sort((a, b) => b.savingBytes - a.savingBytes)).toEqual(recs);
    expect(recs.find((x) => x.id === 'squash')?.savingBytes).toBe(
      5000 + 400 + 450 + 300 + 200 + 'old version'.length,
    );
    expect(recs.find((x) => x.id === 'strip-caches')?.savingBytes).toBe(2506);
    // Each with its evidence and a concrete change (exact contents: test/unit/optimize/recommend.test.ts).
    const caches = (
      recs as unknown as {
        id: string;
        evidence: { path: string; bytes: number; layer: { index: number } }[];
        changes: { file: string; snippet: string }[];
      }[]
    ).find((x) => x.id === 'strip-caches')!;
    expect(caches.evidence.slice(0, 2).map((e) => [e.path, e.bytes, e.layer.index])).toEqual([
      ['/var/cache/apt/pkgcache.bin', 1000, 1],
      ['/var/lib/apt/lists/deb_Packages', 900, 1],
    ]);
    expect(caches.changes[0]!.snippet).toMatch(
      /apt-get install -y --no-install-recommends .*\n.*\n {4}&& rm -rf \/var\/lib\/apt\/lists\/\*$/s,
    );
    const richText = await cli(['optimize-images', 'oci:src:rich']);
    expectExit(richText, 0);
    expect(richText.stdout).toMatch(
      /^ {5}\/var\/cache\/apt\/pkgcache\.bin {2}1\.00 KB {2}layer 1 sha256:[0-9a-f]{12}$/m,
    );
    expect(richText.stdout).toMatch(/^ {5}Dockerfile:$/m);
    expect(richText.stdout).toMatch(/^ {7}RUN apt-get update \\$/m);
    expect(doc.images[0]!.analysis.layers).toHaveLength(3);

    const text = await cli(['optimize-images', 'oci:src:multi']);
    expectExit(text, 0);
    expect(text.stdout).toMatch(/Recommendations:/);
    expect(text.stdout).toMatch(/\(linux\/amd64\)/);
    expect(text.stdout).toMatch(/\(linux\/arm64\)/);

    const config = join(home, 'ghcr-optimize.yaml');
    writeFileSync(config, `services:\n  web:\n    image: ${reg.host}/app/rich\n`);
    const all = await cli(['--config-file', config, 'optimize-images', '--json']);
    expectExit(all, 0);
    expect(json<{ images: { reference: string }[] }>(all).images.map((i) => i.reference)).toEqual([
      `docker://${reg.host}/app/rich:latest`,
    ]);
    const named = await cli(['--config-file', config, 'optimize-images', 'web', '--json']);
    expectExit(named, 0);
  });

  it('bad input is one line and a usage exit; zstd without the program is a missing-tool exit', async () => {
    const noOutput = await cli(['optimize-images', 'oci:src:rich', '--apply']);
    expectExit(noOutput, 2);
    expect(noOutput.stderrLines[0]).toMatch(/^error: --apply needs --output/);
    const noApply = await cli(['optimize-images', 'oci:src:rich', '--output', 'oci:x:y']);
    expectExit(noApply, 2);
    const two = await cli([
      'optimize-images',
      'oci:src:rich',
      'oci:src:multi',
      '--apply',
      '--output',
      'oci:x:y',
    ]);
    expectExit(two, 2);
    const keepStrip = await cli([
      'optimize-images',
      'oci:src:rich',
      '--apply',
      '--keep-layers',
      '--strip',
      'docs',
      '--output',
      'oci:x:y',
    ]);
    expectExit(keepStrip, 2);
    const noZstd = await cli(
      ['optimize-images', 'oci:src:rich', '--apply', '--compression', 'zstd', '--output', 'oci:x:y'],
      {
        PATH: '/nonexistent',
      },
    );
    expectExit(noZstd, 10);
    expect(noZstd.stderrLines[0]).toMatch(/^error: zstd compression needs the zstd program/);
    for (const r of [noOutput, noApply, two, keepStrip, noZstd]) expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(() => lstatSync(join(home, 'x'))).toThrow(/ENOENT/);
  });
});
