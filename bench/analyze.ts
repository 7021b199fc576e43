/**
 * `npm run bench analyze`: `ghcr-optimize analyze` against the floor any layer analysis has to
 * pay, `gzip -dc LAYER | tar -t` over every layer, measured in the same run; and the peak RSS of
 * analysing a 1 GiB single-layer image (the reader streams: no layer is ever held in memory).
 *
 * The images are generated deterministically (AES-CTR keystream for incompressible bytes, slices
 * of a generated word text for compressible ones) and written as OCI layouts under a cache
 * directory, so later runs skip the ~1 minute of gzip work. BENCH_CACHE moves the cache;
 * GHCR_OPTIMIZE_BIN (see lib.ts) points at another build of the CLI.
 */
import { spawn } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { END_OF_ARCHIVE, rawHeader } from '../test/support/layer-fixtures.js';
import { whichTool } from '../test/support/tools.js';
import { CLI, RUNS, meets, median, run } from './lib.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface AnalyzeRow {
  workload: string;
  oursMs: number;
  peerMs: number;
  /** ours ÷ peer: below 1 means ghcr-optimize is faster. */
  ratio: number;
  /** CPU time (user + sys, children included), when GNU time is there to measure it. */
  oursCpuMs?: number;
  peerCpuMs?: number;
  cpuRatio?: number;
  peer: string;
  target?: string;
}

export interface AnalyzeResults {
  rows: AnalyzeRow[];
  /** Peak resident set size of `analyze` on the 1 GiB layer, in MB (10^6 bytes). */
  peakRss: { mb: number; layerBytes: number; storedBytes: number; method: string };
  image: { layers: number; storedBytes: number; uncompressedBytes: number; files: number };
  notes: string[];
}

// ---- deterministic content ----

/** Incompressible bytes: the AES-256-CTR keystream of a key derived from `seed`. */
function randomStream(seed: string): (n: number) => Buffer {
  const key = createHash('sha256').update(`bench-key:${seed}`).digest();
  const iv = createHash('md5').update(`bench-iv:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return (n) => cipher.update(Buffer.alloc(n));
}

const WORDS = (
  'the of and to in is that for it as with was on be by this are or from at which an but not have ' +
  'config server request response module export function return const import value error string ' +
  'number object array index layer image registry manifest digest buffer stream handler option ' +
  'version package install build cache file path directory user group mode size length offset'
).split(' ');

/** 4 MiB of word text, once; compressible files are slices of it at pseudo-random offsets. */
const TEXT_POOL = (() => {
  const next = randomStream('text-pool');
  const picks = next(2 * MiB);
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < 4 * MiB; i++) {
    const b = picks[i % picks.length]!;
    const word = WORDS[b % WORDS.length]!;
    const sep = b % 13 === 0 ? '\n' : b % 7 === 0 ? ', ' : ' ';
    parts.push(word, sep);
    length += word.length + sep.length;
  }
  return Buffer.from(parts.join('')).subarray(0, 4 * MiB);
})();

function textBytes(rnd: (n: number) => Buffer, n: number): Buffer {
  const out: Buffer[] = [];
  let left = n;
  while (left > 0) {
    const take = Math.min(left, 64 * KiB);
    const at = rnd(4).readUInt32BE(0) % (TEXT_POOL.length - take);
    out.push(TEXT_POOL.subarray(at, at + take));
    left -= take;
  }
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

interface FileSpec {
  path: string;
  size: number;
  kind: 'text' | 'random';
  /** Content seed; two files with the same seed and size are identical (duplicates). */
  seed: string;
}

/** A tar stream of `files` (ustar, parent directories first), generated chunk by chunk. */
function tarOf(files: FileSpec[]): Readable {
  return Readable.from(
    (function* () {
      const dirs = new Set<string>();
      for (const f of files) {
        const parts = f.path.split('/');
        for (let i = 1; i < parts.length; i++) {
          const dir = `${parts.slice(0, i).join('/')}/`;
          if (dirs.has(dir)) continue;
          dirs.add(dir);
          yield rawHeader({ name: dir, typeflag: '5', mode: 0o755 });
        }
        yield rawHeader({ name: f.path, size: f.size, mode: 0o644 });
        const rnd = randomStream(f.seed);
        let left = f.size;
        while (left > 0) {
          const n = Math.min(left, MiB);
          yield f.kind === 'random' ? rnd(n) : textBytes(rnd, n);
          left -= n;
        }
        const rest = f.size % 512;
        if (rest) yield Buffer.alloc(512 - rest);
      }
      yield END_OF_ARCHIVE;
    })(),
    { objectMode: false },
  );
}

function tap(onChunk: (b: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      onChunk(chunk);
      done(null, chunk);
    },
  });
}

interface BuiltLayer {
  digest: string;
  diffId: string;
  size: number;
  uncompressed: number;
  file: string;
}

/** Streams the tar through gzip into blobs/sha256/, hashing both sides on the way. */
async function writeLayer(layout: string, files: FileSpec[], level: number): Promise<BuiltLayer> {
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const tmp = join(blobs, `.tmp-${process.pid}-${Date.now()}`);
  const diff = createHash('sha256');
  const dig = createHash('sha256');
  let uncompressed = 0;
  let size = 0;
  await pipeline(
    tarOf(files),
    tap((c) => {
      diff.update(c);
      uncompressed += c.length;
    }),
    createGzip({ level }),
    tap((c) => {
      dig.update(c);
      size += c.length;
    }),
    createWriteStream(tmp),
  );
  const hex = dig.digest('hex');
  const file = join(blobs, hex);
  renameSync(tmp, file);
  return { digest: `sha256:${hex}`, diffId: `sha256:${diff.digest('hex')}`, size, uncompressed, file };
}

function writeJsonBlob(layout: string, doc: unknown): { digest: string; size: number } {
  const data = Buffer.from(JSON.stringify(doc));
  const hex = createHash('sha256').update(data).digest('hex');
  writeFileSync(join(layout, 'blobs', 'sha256', hex), data);
  return { digest: `sha256:${hex}`, size: data.length };
}

/** An OCI layout holding one image tagged `tag`, its layers built from `layers`. */
async function buildLayout(
  layout: string,
  tag: string,
  layers: { files: FileSpec[]; command: string }[],
  level: number,
): Promise<BuiltLayer[]> {
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(layout, { recursive: true });
  const built: BuiltLayer[] = [];
  for (const [i, l] of layers.entries()) {
    console.error(`  layer ${i + 1}/${layers.length}: ${l.files.length} files…`);
    built.push(await writeLayer(layout, l.files, level));
  }
  const config = writeJsonBlob(layout, {
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/app/server'] },
    rootfs: { type: 'layers', diff_ids: built.map((b) => b.diffId) },
    history: layers.map((l) => ({ created_by: `/bin/sh -c ${l.command}` })),
  });
  const manifest = writeJsonBlob(layout, {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: built.map((b) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: b.digest,
      size: b.size,
    })),
  });
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          platform: { architecture: 'amd64', os: 'linux' },
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return built;
}

/** Sizes spread deterministically between `min` and `max` (skewed towards small, like real trees). */
function many(prefix: string, count: number, min: number, max: number, randomShare: number): FileSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const x = ((i * 2654435761) % 1000) / 1000;
    return {
      path: `${prefix}/d${i % 97}/f${i}.${i % 5 === 0 ? 'bin' : 'txt'}`,
      size: Math.round(min + (max - min) * x * x),
      kind: (i * 7919) % 100 < randomShare * 100 ? 'random' : 'text',
      seed: `${prefix}:${i}`,
    };
  });
}

/**
 * The ~500 MB image: a base with many small files, a runtime with a few large binaries, a
 * node_modules-like layer of tiny files, media assets, and an app layer that rewrites some base
 * files and copies one again (so the analysis finds overwritten and duplicate content).
 */
function fiveHundredMegabytes(): { files: FileSpec[]; command: string }[] {
  return [
    { command: '#(nop) ADD file:base in /', files: many('usr/lib/base', 8000, 512, 24 * KiB, 0.3) },
    {
      command: 'apt-get install -y runtime',
      files: [
        ...['runtime', 'libjvm.so', 'libicudata.so'].map((n) => ({
          path: `opt/runtime/${n}`,
          size: 40 * MiB,
          kind: 'random' as const,
          seed: `rt:${n}`,
        })),
        ...many('opt/runtime/lib', 2000, 1 * KiB, 20 * KiB, 0.2),
      ],
    },
    { command: 'npm ci', files: many('app/node_modules', 20000, 200, 9 * KiB, 0.05) },
    {
      command: 'COPY assets /app/assets',
      files: Array.from({ length: 10 }, (_, i) => ({
        path: `app/assets/pack${i}.dat`,
        size: 10 * MiB,
        kind: i % 2 ? ('random' as const) : ('text' as const),
        seed: `asset:${i}`,
      })),
    },
    {
      command: 'COPY . /app',
      files: [
        { path: 'app/data/corpus.txt', size: 60 * MiB, kind: 'text', seed: 'corpus' },
        { path: 'app/server', size: 50 * MiB, kind: 'random', seed: 'server' },
        // Same content as the runtime's binary: duplicate-content finding.
        { path: 'app/vendor/runtime', size: 40 * MiB, kind: 'random', seed: 'rt:runtime' },
        // Rewrites of base files: overwritten-later findings.
        ...many('usr/lib/base', 300, 512, 24 * KiB, 0.3).map((f) => ({ ...f, seed: `${f.seed}:v2` })),
      ],
    },
  ];
}

/** 1 GiB of files in one layer (gzip -1: the bench only needs to read it). */
function oneGibibyte(): { files: FileSpec[]; command: string }[] {
  return [
    {
      command: 'COPY big /data',
      files: [
        ...Array.from({ length: 4 }, (_, i) => ({
          path: `data/blob${i}.bin`,
          size: 200 * MiB,
          kind: 'random' as const,
          seed: `big:${i}`,
        })),
        ...many('data/text', 2000, 50 * KiB, 150 * KiB, 0),
      ],
    },
  ];
}

interface CachedImage {
  layout: string;
  tag: string;
  layers: BuiltLayer[];
}

/** Builds the layout once; `complete.json` is written last, so an interrupted build is redone. */
async function cached(
  root: string,
  name: string,
  layers: { files: FileSpec[]; command: string }[],
  level: number,
): Promise<CachedImage> {
  const layout = join(root, name);
  const marker = join(root, `${name}.complete.json`);
  if (existsSync(marker)) {
    // Blob paths are re-derived, so the cache directory can be moved.
    const layersBuilt = (JSON.parse(readFileSync(marker, 'utf8')) as BuiltLayer[]).map((l) => ({
      ...l,
      file: join(layout, 'blobs', 'sha256', l.digest.slice('sha256:'.length)),
    }));
    if (layersBuilt.every((l) => existsSync(l.file))) return { layout, tag: 'bench', layers: layersBuilt };
  }
  console.error(`building ${name} under ${layout} (cached for later runs)…`);
  const built = await buildLayout(layout, 'bench', layers, level);
  writeFileSync(marker, JSON.stringify(built));
  return { layout, tag: 'bench', layers: built };
}

// ---- measurements ----

const sh = (script: string): string[] => ['sh', '-c', script];
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function peerSequential(files: string[]): string[] {
  return sh(files.map((f) => `gzip -dc ${quote(f)} | tar -t > /dev/null`).join(' && '));
}

function peerParallel(files: string[]): string[] {
  return sh(`${files.map((f) => `(gzip -dc ${quote(f)} | tar -t > /dev/null) &`).join(' ')} wait`);
}

/** Peak RSS of a command in kB: GNU time's report, else VmHWM polled from /proc (Linux). */
async function peakRssKb(argv: string[]): Promise<{ kb: number; method: string }> {
  if (existsSync('/usr/bin/time')) {
    const r = await runCollect(['/usr/bin/time', '-v', ...argv]);
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    if (m) return { kb: Number(m[1]), method: '/usr/bin/time -v (max RSS)' };
  }
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
  let peak = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch {
      // The process has exited between two polls.
    }
  }, 20);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(poll);
  if (code !== 0) throw new Error(`${argv.join(' ')} exited with ${code}`);
  return { kb: peak, method: '/proc/<pid>/status VmHWM, polled every 20 ms' };
}

async function runCollect(argv: string[]): Promise<{ stdout: string; stderr: string }> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0)
    throw new Error(`${argv.slice(0, 4).join(' ')} … exited with ${code}: ${stderr.slice(-400)}`);
  return { stdout, stderr };
}

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Wall time, and CPU time (user + sys of the process and its children) through GNU time when it
 * is installed: on a shared machine the CPU figure moves far less than the wall clock.
 */
async function timed(argv: string[], scratch: string): Promise<{ ms: number; cpuMs?: number }> {
  if (!GNU_TIME) return { ms: (await run(argv)).ms };
  const out = join(scratch, 'time.txt');
  const { ms } = await run([GNU_TIME, '-f', '%U %S', '-o', out, ...argv]);
  const [user, sys] = readFileSync(out, 'utf8').trim().split(/\s+/).map(Number);
  return { ms, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000 };
}

interface Compared {
  ours: number;
  peer: number;
  oursCpu?: number;
  peerCpu?: number;
}

/** Interleaved timings (ours, peer, peer, ours, …) so background load hits both alike. */
async function compare(ours: string[], peer: string[], scratch: string): Promise<Compared> {
  await run(ours); // warm the page cache and the CLI's module cache
  await run(peer);
  const a: { ms: number; cpuMs?: number }[] = [];
  const b: { ms: number; cpuMs?: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (i % 2) {
      b.push(await timed(peer, scratch));
      a.push(await timed(ours, scratch));
    } else {
      a.push(await timed(ours, scratch));
      b.push(await timed(peer, scratch));
    }
  }
  const cpu = (xs: { cpuMs?: number }[]): number | undefined =>
    xs.every((x) => x.cpuMs !== undefined) ? median(xs.map((x) => x.cpuMs!)) : undefined;
  const oursCpu = cpu(a);
  const peerCpu = cpu(b);
  return {
    ours: median(a.map((x) => x.ms)),
    peer: median(b.map((x) => x.ms)),
    ...(oursCpu !== undefined && peerCpu !== undefined ? { oursCpu, peerCpu } : {}),
  };
}

const ratioOf = (a: number, b: number): number => Math.round((a / b) * 100) / 100;

function rowOf(workload: string, c: Compared, peer: string, target?: string): AnalyzeRow {
  return {
    workload,
    oursMs: Math.round(c.ours),
    peerMs: Math.round(c.peer),
    ratio: ratioOf(c.ours, c.peer),
    ...(c.oursCpu !== undefined && c.peerCpu !== undefined
      ? {
          oursCpuMs: Math.round(c.oursCpu),
          peerCpuMs: Math.round(c.peerCpu),
          cpuRatio: ratioOf(c.oursCpu, c.peerCpu),
        }
      : {}),
    peer,
    ...(target ? { target } : {}),
  };
}

export async function analyzeSuite(): Promise<AnalyzeResults> {
  for (const tool of ['gzip', 'tar']) {
    if (!whichTool(tool)) throw new Error(`the analyze benchmark needs ${tool} on PATH`);
  }
  const cli = CLI;
  const root = process.env.BENCH_CACHE ?? join(tmpdir(), 'ghcr-optimize-bench', 'analyze-v1');
  mkdirSync(root, { recursive: true });

  const image = await cached(root, 'image-500mb', fiveHundredMegabytes(), 6);
  const big = await cached(root, 'layer-1gib', oneGibibyte(), 1);
  const files = image.layers.map((l) => l.file);
  const ref = `oci:${image.layout}:${image.tag}`;
  const fileCount = fiveHundredMegabytes().reduce((n, l) => n + l.files.length, 0);
  const stored = image.layers.reduce((n, l) => n + l.size, 0);
  const uncompressed = image.layers.reduce((n, l) => n + l.uncompressed, 0);

  // The output must be the analysis, not an error that happens to be quick.
  const check = JSON.parse((await run([...cli, 'analyze', ref, '--json'])).stdout) as {
    layers: unknown[];
    reclaimable: { categories: { category: string }[] };
  };
  if (check.layers.length !== image.layers.length) throw new Error('analyze did not read every layer');
  const found = check.reclaimable.categories.map((c) => c.category);
  if (!found.includes('duplicate-content') || !found.includes('overwritten-later')) {
    throw new Error(`analyze missed the planted findings (found ${found.join(', ')})`);
  }

  const label = `${(stored / 1e6).toFixed(0)} MB stored / ${(uncompressed / 1e6).toFixed(0)} MB tar, ${image.layers.length} layers`;
  console.error(`timing analyze of ${label}…`);
  const sequential = 'gzip -dc | tar -t, layers one after another';
  const ours = [...cli, 'analyze', ref, '--json'];
  const rows: AnalyzeRow[] = [
    rowOf(`analyze ${label}`, await compare(ours, peerSequential(files), root), sequential, '<= 1.3'),
    rowOf(
      'analyze, same image',
      await compare(ours, peerParallel(files), root),
      'gzip -dc | tar -t, all layers at once',
    ),
    rowOf(
      'analyze --no-hash, same image',
      await compare([...ours, '--no-hash'], peerSequential(files), root),
      sequential,
    ),
  ];

  console.error('peak RSS of analyze on the 1 GiB layer…');
  const bigRef = `oci:${big.layout}:${big.tag}`;
  const rss = await peakRssKb([...cli, 'analyze', bigRef, '--json']);
  const layer = big.layers[0]!;
  return {
    rows,
    peakRss: {
      mb: Math.round((rss.kb * 1024) / 1e6),
      layerBytes: layer.uncompressed,
      storedBytes: layer.size,
      method: rss.method,
    },
    image: {
      layers: image.layers.length,
      storedBytes: stored,
      uncompressedBytes: uncompressed,
      files: fileCount,
    },
    notes: [
      `The peer reads the same blobs from the page cache: gzip (zlib) inflate plus tar's header walk. analyze does that work too, and also sha256 of every layer's tar (the diff id check), sha256 of every file (duplicate content), a gzip -9 sample of each layer and the merge of ${fileCount} paths.`,
    ],
  };
}

export function printAnalyze(r: AnalyzeResults): void {
  console.log(
    `\nAnalysis (median of ${RUNS} runs; ratio = ours ÷ peer, below 1 = ghcr-optimize faster; CPU = user + sys)\n`,
  );
  console.log(
    `${'workload'.padEnd(46)} ${'peer'.padStart(9)} ${'ours'.padStart(9)} ${'ratio'.padStart(6)}  ${'CPU peer'.padStart(9)} ${'CPU ours'.padStart(9)} ${'ratio'.padStart(6)}  target`,
  );
  for (const row of r.rows) {
    const met = row.target ? `${row.target} ${meets(row.ratio, row.target) ? 'met' : 'MISSED'}` : '';
    const cpu =
      row.cpuRatio === undefined
        ? `${'-'.padStart(9)} ${'-'.padStart(9)} ${'-'.padStart(6)}`
        : `${`${row.peerCpuMs} ms`.padStart(9)} ${`${row.oursCpuMs} ms`.padStart(9)} ${row.cpuRatio.toFixed(2).padStart(6)}`;
    console.log(
      `${row.workload.padEnd(46)} ${`${row.peerMs} ms`.padStart(9)} ${`${row.oursMs} ms`.padStart(9)} ${row.ratio.toFixed(2).padStart(6)}  ${cpu}  ${met}`,
    );
  }
  console.log(`\npeers: ${[...new Set(r.rows.map((x) => x.peer))].join('; ')}`);
  const p = r.peakRss;
  console.log(
    `\npeak RSS of analyze on one ${(p.layerBytes / 1e9).toFixed(2)} GB layer (${(p.storedBytes / 1e6).toFixed(0)} MB gzip): ${p.mb} MB (${p.method})`,
  );
  r.notes.forEach((n) => console.log(`\n${n}`));
}
