/**
 * Benchmarks ghcr-optimize against skopeo in the same run, on registries started here on
 * 127.0.0.1. Each workload runs both tools alternately (warm-up first) and reports medians and
 * the ratio skopeo ÷ ours (above 1 means ghcr-optimize is faster). Both are measured as a user
 * runs them: one process per command, so start-up time counts for both.
 *
 *   npm run bench                 # all workloads, 7 runs each
 *   BENCH_RUNS=15 npm run bench
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startRegistry, credsOf, type RunningRegistry } from '../test/support/registry.js';
import { makeImage, makeIndex, pushImage } from '../test/support/fixtures.js';
import { whichTool } from '../test/support/tools.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const CLI = ['dist/bin/ghcr-optimize.mjs'];

interface Workload {
  name: string;
  ours: string[][];
  skopeo: string[][];
  /** Extra environment for both (credentials). */
  env?: Record<string, string>;
}

const execFileAsync = promisify(execFile);

// Asynchronous on purpose: the token server runs in this process and must keep answering.
async function run(argv: string[], env: Record<string, string>): Promise<number> {
  const start = performance.now();
  try {
    await execFileAsync(argv[0]!, argv.slice(1), {
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    throw new Error(`${argv[0]} ${argv[1]} … failed (${e.code}): ${String(e.stderr).slice(0, 300)}`, {
      cause: err,
    });
  }
  return performance.now() - start;
}

async function runAll(cmds: string[][], env: Record<string, string>): Promise<number> {
  let total = 0;
  for (const c of cmds) total += await run(c, env);
  return total;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measure(w: Workload): Promise<{ ours: number; skopeo: number }> {
  const env = w.env ?? {};
  await runAll(w.ours, env);
  await runAll(w.skopeo, env);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(await runAll(w.ours, env));
    theirs.push(await runAll(w.skopeo, env));
  }
  return { ours: median(ours), skopeo: median(theirs) };
}

async function main(): Promise<void> {
  if (!whichTool('skopeo') || !whichTool('docker-registry')) {
    console.error('error: the benchmark needs skopeo and docker-registry (npm run test:all installs them)');
    process.exitCode = 1;
    return;
  }
  const registries: RunningRegistry[] = [];
  try {
    const open = await startRegistry();
    const token = await startRegistry({ auth: 'token' });
    registries.push(open, token);
    const platforms = ['amd64', 'arm64', 'ppc64le', 's390x'].map((architecture) =>
      makeImage({ architecture, layers: [{ [`${architecture}.txt`]: `layer for ${architecture}` }] }),
    );
    const index = makeIndex(platforms);
    const TAGS = 60;
    for (let i = 0; i < TAGS; i++)
      await pushImage(open.url, 'bench/app', `v${i}`, i % 2 ? index : platforms[i % 4]!);
    await pushImage(token.url, 'bench/app', 'v1', index, { auth: credsOf(token) });
    const { username, password } = credsOf(token);
    const skopeoOpen = ['skopeo', '--override-os', 'linux'];
    const digestsWithSkopeo = Array.from({ length: TAGS }, (_, i) => [
      ...skopeoOpen,
      'inspect',
      '--tls-verify=false',
      '--raw',
      `docker://${open.host}/bench/app:v${i}`,
    ]);

    const workloads: Workload[] = [
      {
        name: 'raw manifest (1 request)',
        ours: [['node', ...CLI, 'inspect', '--raw', `${open.host}/bench/app:v1`]],
        skopeo: [
          [...skopeoOpen, 'inspect', '--tls-verify=false', '--raw', `docker://${open.host}/bench/app:v1`],
        ],
      },
      {
        name: `list ${TAGS} tags`,
        ours: [['node', ...CLI, 'tags', `${open.host}/bench/app`]],
        skopeo: [[...skopeoOpen, 'list-tags', '--tls-verify=false', `docker://${open.host}/bench/app`]],
      },
      {
        name: `digest of every tag (${TAGS} tags)`,
        ours: [['node', ...CLI, 'tags', '--digests', `${open.host}/bench/app`]],
        skopeo: [
          [...skopeoOpen, 'list-tags', '--tls-verify=false', `docker://${open.host}/bench/app`],
          ...digestsWithSkopeo,
        ],
      },
      {
        name: 'index + 4 platform manifests',
        ours: [['node', ...CLI, 'inspect', '--json', `${open.host}/bench/app:v1`]],
        skopeo: [
          [...skopeoOpen, 'inspect', '--tls-verify=false', '--raw', `docker://${open.host}/bench/app:v1`],
          ...platforms.map((p) => [
            ...skopeoOpen,
            'inspect',
            '--tls-verify=false',
            '--raw',
            `docker://${open.host}/bench/app@${p.digest}`,
          ]),
        ],
      },
      {
        name: 'raw manifest with bearer-token auth',
        ours: [
          [
            'node',
            ...CLI,
            'inspect',
            '--raw',
            '--username',
            username,
            '--password',
            password,
            `${token.host}/bench/app:v1`,
          ],
        ],
        skopeo: [
          [
            ...skopeoOpen,
            'inspect',
            '--tls-verify=false',
            '--raw',
            '--creds',
            `${username}:${password}`,
            `docker://${token.host}/bench/app:v1`,
          ],
        ],
      },
    ];

    const results = [];
    console.log(`ghcr-optimize vs skopeo, median of ${RUNS} runs each (one process per command)\n`);
    console.log(
      `${'workload'.padEnd(40)} ${'skopeo'.padStart(10)} ${'ours'.padStart(10)} ${'ratio'.padStart(8)}`,
    );
    for (const w of workloads) {
      const r = await measure(w);
      const ratio = r.skopeo / r.ours;
      results.push({
        workload: w.name,
        skopeoMs: Math.round(r.skopeo),
        oursMs: Math.round(r.ours),
        ratio: Math.round(ratio * 100) / 100,
      });
      console.log(
        `${w.name.padEnd(40)} ${`${r.skopeo.toFixed(0)} ms`.padStart(10)} ${`${r.ours.toFixed(0)} ms`.padStart(10)} ${`${ratio.toFixed(2)}x`.padStart(8)}`,
      );
    }
    console.log('\nratio = skopeo time ÷ ghcr-optimize time (above 1: ghcr-optimize is faster).');
    console.log(
      'Single requests are dominated by process start-up (Go binary vs Node); multi-request work is where concurrency pays.',
    );
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/metadata.json', `${JSON.stringify({ runs: RUNS, results }, null, 2)}\n`);
  } finally {
    await Promise.all(registries.map((r) => r.stop()));
  }
}

await main();
