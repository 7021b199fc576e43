/**
 * Transfers against skopeo: registry→registry cold and warm copies, registry→OCI layout, and the
 * bytes a second pull sharing a base fetches. Every cold run gets a freshly started, empty
 * destination registry (or directory), as in shared/TESTING.md §5.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startRegistry, type RunningRegistry } from '../test/support/registry.js';
import { makeImage, makeIndex, pushImage, sha256, type Layer } from '../test/support/fixtures.js';
import { makeTar } from '../test/support/tar.js';
import { makeTempDir, removeTempDir } from '../test/support/lifecycle.js';
import { MediaType } from '../src/oci/media-types.js';
import { CLI, RUNS, median, row, run, type Row } from './lib.js';

/** gzip level 1: random bytes do not compress anyway, and the bench should not wait on zlib. */
function layerOf(files: Record<string, Buffer>): Layer {
  const tar = makeTar(Object.entries(files).map(([path, data]) => ({ type: 'file' as const, path, data })));
  const data = gzipSync(tar, { level: 1 });
  return {
    data,
    digest: sha256(data),
    size: data.length,
    mediaType: MediaType.OciLayerGzip,
    diffId: sha256(tar),
  };
}

function smallFiles(count: number, seed: number): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++) out[`files/${seed}/f${i}.bin`] = randomBytes(512 + ((i * 7919) % 7680));
  return out;
}

const MiB = 1024 * 1024;

export async function transferSuite(): Promise<{ rows: Row[]; notes: string[] }> {
  const cleanup: (() => Promise<void> | void)[] = [];
  try {
    const src = await startRegistry();
    cleanup.push(() => src.stop());
    const tmp = makeTempDir('bench-transfer');
    cleanup.push(() => removeTempDir(tmp));

    console.error('building and pushing the benchmark images (≈600 MB)…');
    const big = makeImage({
      layers: Array.from({ length: 5 }, (_, i) => layerOf({ [`big${i}.bin`]: randomBytes(100 * MiB) })),
    });
    const many = makeImage({ layers: [0, 1, 2, 3].map((s) => layerOf(smallFiles(500, s))) });
    const tiny = makeImage({
      layers: Array.from({ length: 200 }, (_, i) => layerOf({ [`l${i}.bin`]: randomBytes(4096) })),
    });
    const base = layerOf({ 'base.bin': randomBytes(50 * MiB) });
    const v1 = makeImage({ layers: [base, layerOf({ 'app.bin': randomBytes(2 * MiB) })] });
    const v2 = makeImage({ layers: [base, layerOf({ 'app.bin': randomBytes(2 * MiB) })] });
    const multi = makeIndex(
      ['amd64', 'arm64', 's390x'].map((architecture) =>
        makeImage({ architecture, layers: [layerOf({ [`${architecture}.bin`]: randomBytes(8 * MiB) })] }),
      ),
    );
    await pushImage(src.url, 'bench/big', '1', big);
    await pushImage(src.url, 'bench/many', '1', many);
    await pushImage(src.url, 'bench/tiny', '1', tiny);
    await pushImage(src.url, 'bench/multi', '1', multi);
    await pushImage(src.url, 'bench/app', 'v1', v1);
    await pushImage(src.url, 'bench/app', 'v2', v2);

    const skopeoCopy = (from: string, to: string): string[] => [
      'skopeo',
      'copy',
      '--quiet',
      '--all',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      from,
      to,
    ];
    const oursCopy = (from: string, to: string): string[] => [...CLI, 'copy', '--quiet', from, to];

    /** Median of cold runs, each against a fresh destination registry. */
    const coldReg = async (repo: string): Promise<{ ours: number; skopeo: number }> => {
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        for (const tool of i % 2 ? (['skopeo', 'ours'] as const) : (['ours', 'skopeo'] as const)) {
          const dst: RunningRegistry = await startRegistry();
          try {
            const from = `${src.host}/${repo}:1`;
            if (tool === 'ours') ours.push((await run(oursCopy(from, `${dst.host}/${repo}:1`))).ms);
            else
              theirs.push((await run(skopeoCopy(`docker://${from}`, `docker://${dst.host}/${repo}:1`))).ms);
          } finally {
            await dst.stop();
          }
        }
      }
      return { ours: median(ours), skopeo: median(theirs) };
    };

    const rows: Row[] = [];
    console.error('registry → registry, cold…');
    const bigCold = await coldReg('bench/big');
    rows.push(row('500 MB (5 × 100 MiB layers) reg→reg cold', bigCold.ours, bigCold.skopeo, '<= 0.85'));
    const tinyCold = await coldReg('bench/tiny');
    rows.push(row('200 layers × 4 KiB reg→reg cold', tinyCold.ours, tinyCold.skopeo, '<= 0.6'));
    const manyCold = await coldReg('bench/many');
    rows.push(row('2000 small files in 4 layers reg→reg cold', manyCold.ours, manyCold.skopeo));
    const multiCold = await coldReg('bench/multi');
    rows.push(row('3-platform index reg→reg cold', multiCold.ours, multiCold.skopeo));

    console.error('registry → registry, warm…');
    const warm = await startRegistry();
    cleanup.push(() => warm.stop());
    await run(oursCopy(`${src.host}/bench/big:1`, `${warm.host}/bench/big:1`));
    const warmOurs: number[] = [];
    const warmTheirs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      warmOurs.push((await run(oursCopy(`${src.host}/bench/big:1`, `${warm.host}/bench/big:1`))).ms);
      warmTheirs.push(
        (await run(skopeoCopy(`docker://${src.host}/bench/big:1`, `docker://${warm.host}/bench/big:1`))).ms,
      );
    }
    rows.push(row('500 MB warm copy (everything present)', median(warmOurs), median(warmTheirs), '<= 1.0'));

    console.error('registry → OCI layout…');
    const layoutOurs: number[] = [];
    const layoutTheirs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const a = join(tmp, `ours-${i}`);
      const b = join(tmp, `skopeo-${i}`);
      layoutOurs.push((await run(oursCopy(`${src.host}/bench/big:1`, `oci:${a}:1`))).ms);
      layoutTheirs.push(
        (
          await run([
            'skopeo',
            'copy',
            '--quiet',
            '--all',
            '--src-tls-verify=false',
            `docker://${src.host}/bench/big:1`,
            `oci:${b}:1`,
          ])
        ).ms,
      );
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
    rows.push(row('500 MB reg→OCI layout cold', median(layoutOurs), median(layoutTheirs)));

    console.error('second pull sharing a base…');
    const cache = join(tmp, 'cache');
    const pull = async (tag: string): Promise<number> => {
      const out = await run([
        ...CLI,
        'pull',
        '--json',
        `${src.host}/bench/app:${tag}`,
        '--output',
        `oci:${join(tmp, `pull-${tag}`)}:${tag}`,
        '--cache',
        cache,
      ]);
      return (JSON.parse(out.stdout) as { cache: { bytesFetched: number } }).cache.bytesFetched;
    };
    const first = await pull('v1');
    const second = await pull('v2');
    const notes = [
      `second pull sharing a 50 MiB base: fetched ${(second / 1e6).toFixed(2)} MB of the first pull's ${(first / 1e6).toFixed(2)} MB = ${((second / first) * 100).toFixed(1)}% (target <= 15%; skopeo has no shared pull cache and fetches 100% again)`,
    ];
    return { rows, notes };
  } finally {
    for (const c of cleanup.reverse()) await c();
  }
}
