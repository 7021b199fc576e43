/**
 * The transfer commands end to end, as a user runs them: `copy`, `pull`, `push`, `index create`,
 * `cache-warm` and `cache stats|prune` in their own processes (test/support/cli.ts), against two
 * real registries on 127.0.0.1 (one open, one with bearer-token auth whose credentials come from
 * `--username … --password-stdin`) and OCI layouts on disk, with skopeo as the independent reader
 * of every result. Stdout, stderr and the README's exit codes are asserted.
 *
 * The tests are independent of each other (each writes its own repositories, directories and
 * caches) and run concurrently: every CLI run is a node process, and one after the other they
 * would not fit the time budget.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli, type CliResult } from '../support/cli.js';
import {
  MediaType,
  allBlobs,
  makeArtifact,
  makeImage,
  makeIndex,
  makeLayer,
  pushImage,
  type Image,
  noise,
} from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { credsOf, startRegistry, type RunningRegistry } from '../support/registry.js';
import { runSkopeo, skopeoInspect, skopeoInspectRaw, skopeoListTags } from '../support/skopeo.js';
import { requireTool } from '../support/tools.js';

const ok = requireTool('docker-registry') && requireTool('skopeo');

function json<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** Exit code as expected, with everything the run printed in the failure message. */
function expectExit(r: CliResult, code: number): void {
  expect(r.timedOut, describeRun(r)).toBe(false);
  expect(r.code, describeRun(r)).toBe(code);
}

/** Exit 0 and no error on stderr. That stderr stays entirely empty is the non-TTY / --quiet test's business. */
function expectSuccess(r: CliResult): void {
  expectExit(r, 0);
  expect(r.stderr, describeRun(r)).not.toMatch(/^(error|hint):/m);
}

/** A failure as the README promises: `error: ...`, at most a `hint: ...`, no stack trace, nothing on stdout. */
function expectOneLineError(r: CliResult): void {
  expect(r.stderrLines.length, describeRun(r)).toBeGreaterThanOrEqual(1);
  expect(r.stderrLines.length, describeRun(r)).toBeLessThanOrEqual(2);
  expect(r.stderrLines[0], describeRun(r)).toMatch(/^error: /);
  if (r.stderrLines[1] !== undefined) expect(r.stderrLines[1], describeRun(r)).toMatch(/^hint: /);
  expect(r.stderr, describeRun(r)).not.toMatch(/^\s+at /m);
  expect(r.stdout, describeRun(r)).toBe('');
}

interface Summary {
  blobs: { copied: number; skipped: number; mounted: number; cached: number };
  manifests: { copied: number; skipped: number };
  bytes: number;
  seconds: number;
  mbPerSecond: number;
}

interface CopyJson {
  source: string;
  destination: string;
  digest: string;
  mediaType: string;
  size: number;
  sourceDigest: string;
  unchanged: boolean;
  platforms?: string[];
  referrers?: string[];
  summary: Summary;
  dryRun: boolean;
}

interface PullJson {
  reference: string;
  output: string;
  digest: string;
  cache: { hits: number; misses: number; bytesFetched: number; dir: string };
  summary: Summary;
}

interface CacheStatsJson {
  dir: string;
  entries: number;
  bytes: number;
  oldestUse?: string;
  newestUse?: string;
}

interface PruneJson {
  dir: string;
  dryRun: boolean;
  removed: { digest: string; size: number; lastUsed: string }[];
  bytesFreed: number;
  remaining: number;
}

interface RawIndex {
  mediaType: string;
  manifests: { mediaType: string; digest: string; size: number; platform?: Record<string, string> }[];
  annotations?: Record<string, string>;
}

const bytesOf = (x: Parameters<typeof allBlobs>[0]): number => allBlobs(x).reduce((n, b) => n + b.size, 0);

// A big base layer shared by everything, so that caching and skipping show in the byte counts.
const base = makeLayer({ 'usr/lib/base.bin': noise(400_000) });
const ARCHES = ['amd64', 'arm64', 's390x'] as const;
const appLayers = ARCHES.map((arch) => makeLayer({ [`app-${arch}`]: `binary for ${arch}` }));
const platformImages: Image[] = ARCHES.map((architecture, i) =>
  makeImage({ architecture, layers: [base, appLayers[i]!] }),
);
const [amd64, arm64, s390x] = platformImages as [Image, Image, Image];
const index = makeIndex(platformImages);
const single = makeImage({ layers: [base, { 'tool.sh': 'echo tool' }] });
const sig = makeArtifact({
  subject: single,
  artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
  blobs: [
    { data: 'cosign signature payload', mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json' },
  ],
});
const SIG_TAG = `${single.digest.replace(':', '-')}.sig`;
// Two releases of one app: only the small top layer differs.
const v1Top = makeLayer({ 'app.js': 'release 1' });
const v1 = makeImage({ layers: [base, v1Top] });
const v2 = makeImage({ layers: [base, { 'app.js': 'release 2 — only this layer is new' }] });
// A wide index: its children are looked at all at once, as a real multi-platform release's are.
const WIDE = [
  'amd64',
  'arm64',
  'arm/v6',
  'arm/v7',
  '386',
  'ppc64le',
  's390x',
  'riscv64',
  'mips64le',
  'loong64',
  'mips64',
  'mipsle',
];
const wide = makeIndex(
  WIDE.map((p) => {
    const [architecture, variant] = p.split('/') as [string, string | undefined];
    return makeImage({ architecture, ...(variant ? { variant } : {}), layers: [{ [`bin-${p}`]: p }] });
  }),
);
// Per-platform images for `index create`; the arm64 variant exists only in the config.
const partAmd = makeImage({ architecture: 'amd64', layers: [base, { part: 'amd64 part' }] });
const partArm = makeImage({ architecture: 'arm64', variant: 'v8', layers: [base, { part: 'arm64 part' }] });
const partAmdAgain = makeImage({ architecture: 'amd64', layers: [{ part: 'another amd64 part' }] });

// Generous per-test limits: each test runs several CLI processes, and concurrently with the others.
describe.skipIf(!ok).concurrent('transfer commands through the CLI', { timeout: 120_000 }, () => {
  let open: RunningRegistry;
  let tok: RunningRegistry;
  let A: string;
  let B: string;
  let home: string;
  let user: { username: string; password: string };

  const cli = (args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) =>
    runCli(args, {
      home,
      // Every default blob cache of this suite goes below home, never to the user's.
      env: { XDG_CACHE_HOME: join(home, 'xdg-cache'), ...opts.env },
      ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
      timeoutMs: 60_000,
    });
  /** A run that writes to (or reads from) the token registry, as the README says to log in. */
  const cliAuth = (args: string[], opts: { env?: Record<string, string> } = {}) =>
    cli([...args, '--username', user.username, '--password-stdin'], { ...opts, stdin: `${user.password}\n` });
  const tokAccess = () => ({ creds: user });
  const dir = (name: string): string => join(home, name);

  beforeAll(async () => {
    [open, tok] = await Promise.all([startRegistry(), startRegistry({ auth: 'token' })]);
    A = open.host;
    B = tok.host;
    user = credsOf(tok);
    home = makeTempDir('ghcr-opt-cli-transfer');
    const auth = { auth: user };
    await Promise.all([
      (async () => {
        await pushImage(open.url, 'src/app', '1', index);
        await pushImage(open.url, 'src/app', 'single', single);
        await pushImage(open.url, 'src/wide', '1', wide);
        await pushImage(open.url, 'src/multi', '1', index);
        await pushImage(open.url, 'src/multi', '2', single);
        await pushImage(open.url, 'src/multi', '3', index);
        await pushImage(open.url, 'signed/app', '1', single);
        await pushImage(open.url, 'signed/app', SIG_TAG, sig);
        await pushImage(open.url, 'pull/app', 'v1', v1);
        await pushImage(open.url, 'pull/app', 'v2', v2);
      })(),
      (async () => {
        await pushImage(tok.url, 'parts/app', 'amd64', partAmd, auth);
        await pushImage(tok.url, 'parts/app', 'arm64', partArm, auth);
        await pushImage(tok.url, 'parts/other', 'amd64', partAmdAgain, auth);
      })(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([open?.stop(), tok?.stop()]);
    if (home) removeTempDir(home);
  });

  it('copy registry → token registry keeps the index digest and every platform; --json has the summary', async ({
    expect,
  }) => {
    const r = await cliAuth(['copy', `${A}/src/app:1`, `${B}/dst/app:1`, '--json']);
    expectSuccess(r);
    const doc = json<CopyJson>(r.stdout);
    expect(doc).toMatchObject({
      source: `${A}/src/app:1`,
      destination: `${B}/dst/app:1`,
      digest: index.digest,
      sourceDigest: index.digest,
      mediaType: MediaType.ociIndex,
      size: index.size,
      unchanged: false,
      dryRun: false,
      platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'],
    });
    // base + 3 app layers + 3 configs; 3 images + the index.
    expect(doc.summary.blobs).toEqual({ copied: 7, skipped: 0, mounted: 0, cached: 0 });
    expect(doc.summary.manifests).toEqual({ copied: 4, skipped: 0 });
    expect(doc.summary.bytes).toBe(bytesOf(index));
    expect(typeof doc.summary.seconds).toBe('number');
    expect(doc.summary.seconds).toBeGreaterThanOrEqual(0);
    expect(typeof doc.summary.mbPerSecond).toBe('number');
    expect(doc.summary.mbPerSecond).toBeGreaterThanOrEqual(0);

    const raw = await skopeoInspectRaw(`docker://${B}/dst/app:1`, tokAccess());
    expect(raw.equals(index.manifest)).toBe(true);
    const perArch = await Promise.all(
      ARCHES.map(async (arch) => {
        const out = await runSkopeo([
          'inspect',
          '--tls-verify=false',
          '--creds',
          `${user.username}:${user.password}`,
          '--override-arch',
          arch,
          `docker://${B}/dst/app:1`,
        ]);
        return json<{ Architecture: string; Layers: string[] }>(out.stdout.toString());
      }),
    );
    expect(perArch.map((p) => p.Architecture)).toEqual([...ARCHES]);
    expect(perArch.map((p) => p.Layers)).toEqual(platformImages.map((i) => i.layers.map((l) => l.digest)));

    // A second run finds the tag on the same digest and does nothing.
    const [again, againJson] = await Promise.all([
      cliAuth(['copy', `${A}/src/app:1`, `${B}/dst/app:1`]),
      cliAuth(['copy', `${A}/src/app:1`, `${B}/dst/app:1`, '--json']),
    ]);
    expectSuccess(again);
    expect(again.stdout).toMatch(/already has sha256:[0-9a-f]{12}; nothing to do/);
    expect(again.stdout).toContain(`${B}/dst/app:1 already has ${index.digest.slice(0, 19)}`);
    expectSuccess(againJson);
    const second = json<CopyJson>(againJson.stdout);
    expect(second.unchanged).toBe(true);
    expect(second.digest).toBe(index.digest);
    expect(second.summary.blobs.copied).toBe(0);
    expect(second.summary.bytes).toBe(0);
  });

  it('copy --all-tags copies every tag; a re-run finds them all identical', async ({ expect }) => {
    const first = await cliAuth(['copy', `${A}/src/multi`, `${B}/all/multi`, '--all-tags', '--json']);
    expectSuccess(first);
    const doc = json<{ tags: (CopyJson & { tag: string })[]; summary: Summary }>(first.stdout);
    expect(doc.tags.map((t) => [t.tag, t.digest, t.unchanged])).toEqual([
      ['1', index.digest, false],
      ['2', single.digest, false],
      ['3', index.digest, false],
    ]);
    // Tags 1 and 3 share their blobs, and single shares the base: every blob moves once.
    expect(doc.summary.blobs.copied).toBe(allBlobs(index).length + 2);

    const again = await cliAuth(['copy', `${A}/src/multi`, `${B}/all/multi`, '--all-tags']);
    expectSuccess(again);
    expect(again.stdout).toMatch(/^1: already identical\n2: already identical\n3: already identical\n/);
    expect(again.stdout).toMatch(/0 blobs copied/);

    const tags = (await skopeoListTags(`docker://${B}/all/multi`, tokAccess())).sort();
    expect(tags).toEqual(['1', '2', '3']);
    const digests = await Promise.all(
      tags.map(async (t) => (await skopeoInspect(`docker://${B}/all/multi:${t}`, tokAccess())).Digest),
    );
    const sourceDigests = await Promise.all(
      tags.map(async (t) => (await skopeoInspect(`docker://${A}/src/multi:${t}`)).Digest),
    );
    expect(digests).toEqual(sourceDigests);
  });

  it('copy --platform: one platform copies that image alone; two write a filtered index with a note', async ({
    expect,
  }) => {
    const [one, two] = await Promise.all([
      cli(['copy', `${A}/src/app:1`, `${A}/plat/one:arm`, '--platform', 'linux/arm64', '--json']),
      cli(['copy', `${A}/src/app:1`, `${A}/plat/two:1`, '--platform', 'linux/amd64,linux/arm64']),
    ]);
    expectSuccess(one);
    const doc = json<CopyJson>(one.stdout);
    expect(doc.digest).toBe(arm64.digest);
    expect(doc.mediaType).toBe(MediaType.ociManifest);
    expect(doc.sourceDigest).toBe(index.digest);
    expect((await skopeoInspectRaw(`docker://${A}/plat/one:arm`)).equals(arm64.manifest)).toBe(true);
    expect((await skopeoInspect(`docker://${A}/plat/one:arm`)).Architecture).toBe('arm64');

    expectSuccess(two);
    expect(two.stdout).toMatch(/note: the platform filter or format conversion produced a new digest/);
    const raw = await skopeoInspectRaw(`docker://${A}/plat/two:1`);
    const filtered = json<RawIndex>(raw.toString());
    expect(filtered.mediaType).toBe(MediaType.ociIndex);
    expect(filtered.manifests.map((m) => m.digest)).toEqual([amd64.digest, arm64.digest]);
    const digest = (await skopeoInspect(`docker://${A}/plat/two:1`)).Digest;
    expect(digest).not.toBe(index.digest);
    expect(two.stdout).toContain(`copied ${A}/src/app:1 → ${A}/plat/two:1: ${digest}`);
    // The s390x image was left behind.
    await expect(skopeoInspect(`docker://${A}/plat/two@${s390x.digest}`)).rejects.toThrow();
  });

  it('copy --dry-run counts what it would copy and writes nothing', async ({ expect }) => {
    const [asJson, text] = await Promise.all([
      cliAuth(['copy', `${A}/src/app:1`, `${B}/dry/app:1`, '--dry-run', '--json']),
      cli(['copy', `${A}/src/app:1`, `${A}/dry/app:1`, '--dry-run']),
    ]);
    expectSuccess(asJson);
    const doc = json<CopyJson>(asJson.stdout);
    expect(doc.dryRun).toBe(true);
    expect(doc.digest).toBe(index.digest);
    expect(doc.summary.blobs.copied).toBe(7);
    expectSuccess(text);
    expect(text.stdout).toMatch(/^would copy /);
    expect(text.stdout).toMatch(/7 blobs would copy/);
    await expect(skopeoInspect(`docker://${B}/dry/app:1`, tokAccess())).rejects.toThrow();
    await expect(skopeoInspect(`docker://${A}/dry/app:1`)).rejects.toThrow();
  });

  it('copy --dry-run to an oci: layout creates no directory', async ({ expect }) => {
    const layout = dir('dry-layout');
    const r = await cli(['copy', `${A}/src/app:1`, `oci:${layout}:v1`, '--dry-run']);
    expectSuccess(r);
    expect(r.stdout).toMatch(/^would copy /);
    // "show what would be copied, change nothing" (copy --help)
    expect(existsSync(layout), `${layout} was created by a dry run`).toBe(false);
  });

  it('copy --format v2s2 writes a Docker manifest list', async ({ expect }) => {
    const r = await cli(['copy', `${A}/src/app:1`, `${A}/v2s2/app:1`, '--format', 'v2s2', '--json']);
    expectSuccess(r);
    const doc = json<CopyJson>(r.stdout);
    expect(doc.mediaType).toBe(MediaType.dockerManifestList);
    expect(doc.digest).not.toBe(index.digest);
    const raw = await skopeoInspectRaw(`docker://${A}/v2s2/app:1`);
    const list = json<RawIndex>(raw.toString());
    expect(list.mediaType).toBe(MediaType.dockerManifestList);
    expect(list.manifests.map((m) => m.mediaType)).toEqual(ARCHES.map(() => MediaType.dockerManifest));
    expect(list.manifests.map((m) => m.platform?.architecture)).toEqual([...ARCHES]);
    expect((await skopeoInspect(`docker://${A}/v2s2/app:1`)).Digest).toBe(doc.digest);
    const child = json<{ mediaType: string; config: { mediaType: string }; layers: { mediaType: string }[] }>(
      (await skopeoInspectRaw(`docker://${A}/v2s2/app@${list.manifests[0]!.digest}`)).toString(),
    );
    expect(child.mediaType).toBe(MediaType.dockerManifest);
    expect(child.config.mediaType).toBe(MediaType.dockerConfig);
    expect(child.layers.every((l) => l.mediaType === MediaType.dockerLayerGzip)).toBe(true);
  });

  it('copy --include-referrers brings the cosign-style sha256-<hex>.sig tag along', async ({ expect }) => {
    const r = await cliAuth([
      'copy',
      `${A}/signed/app:1`,
      `${B}/signed/app:1`,
      '--include-referrers',
      '--json',
    ]);
    expectSuccess(r);
    const doc = json<CopyJson>(r.stdout);
    expect(doc.digest).toBe(single.digest);
    expect(doc.referrers).toContain(`${SIG_TAG} (${sig.digest})`);
    const raw = await skopeoInspectRaw(`docker://${B}/signed/app:${SIG_TAG}`, tokAccess());
    expect(raw.equals(sig.manifest)).toBe(true);
    expect((await skopeoInspectRaw(`docker://${B}/signed/app:1`, tokAccess())).equals(single.manifest)).toBe(
      true,
    );
  });

  it('copy to oci:DIR:TAG, then push oci:DIR:TAG to the token registry', async ({ expect }) => {
    const layout = dir('copied-layout');
    const c = await cli(['copy', `${A}/src/app:1`, `oci:${layout}:v1`, '--json']);
    expectSuccess(c);
    expect(json<CopyJson>(c.stdout).digest).toBe(index.digest);
    const fromLayout = await skopeoInspect(`oci:${layout}:v1`);
    expect(fromLayout.Digest).toBe(index.digest);

    const p = await cliAuth(['push', `oci:${layout}:v1`, `${B}/pushed/app:v1`]);
    expectSuccess(p);
    expect(p.stdout).toMatch(/^pushed sha256:[0-9a-f]{12}\n/);
    expect((await skopeoInspectRaw(`docker://${B}/pushed/app:v1`, tokAccess())).equals(index.manifest)).toBe(
      true,
    );
    const again = await cliAuth(['push', `oci:${layout}:v1`, `${B}/pushed/app:v1`]);
    expectSuccess(again);
    expect(again.stdout).toMatch(/already has sha256:[0-9a-f]{12}/);
  });

  it('copy to docker-archive:FILE:name:tag writes the --platform image, readable by skopeo', async ({
    expect,
  }) => {
    const file = dir('app-arm64.tar');
    const r = await cli([
      'copy',
      `${A}/src/app:1`,
      `docker-archive:${file}:demo/app:1`,
      '--platform',
      'linux/arm64',
      '--json',
    ]);
    expectSuccess(r);
    const doc = json<{ digest: string; repoTags: string[]; platform?: string }>(r.stdout);
    expect(doc.digest).toBe(arm64.digest);
    expect(doc.repoTags).toEqual(['demo/app:1']);
    const inspected = await skopeoInspect(`docker-archive:${file}`);
    expect(inspected.Architecture).toBe('arm64');
    // An archive holds the uncompressed layers: skopeo lists their diff IDs.
    expect(inspected.Layers).toEqual([base.diffId, appLayers[1]!.diffId]);
  });

  it('copy within one registry mounts every blob instead of transferring it', async ({ expect }) => {
    const r = await cli(['copy', `${A}/src/app:1`, `${A}/mirror/app:1`, '--json']);
    expectSuccess(r);
    const doc = json<CopyJson>(r.stdout);
    expect(doc.summary.blobs).toEqual({ copied: 0, skipped: 0, mounted: 7, cached: 0 });
    expect(doc.summary.bytes).toBe(0);
    expect((await skopeoInspect(`docker://${A}/mirror/app:1`)).Digest).toBe(index.digest);
  });

  it('pull twice through one --cache: the second image fetches only what the first lacked', async ({
    expect,
  }) => {
    const cacheDir = dir('pull-cache');
    const l1 = dir('pull-l1');
    const l2 = dir('pull-l2');
    const first = await cli([
      'pull',
      `${A}/pull/app:v1`,
      '--output',
      `oci:${l1}:v1`,
      '--cache',
      cacheDir,
      '--json',
    ]);
    expectSuccess(first);
    const second = await cli([
      'pull',
      `${A}/pull/app:v2`,
      '--output',
      `oci:${l2}:v2`,
      '--cache',
      cacheDir,
      '--json',
    ]);
    expectSuccess(second);
    const a = json<PullJson>(first.stdout);
    const b = json<PullJson>(second.stdout);
    expect(a.digest).toBe(v1.digest);
    expect(b.digest).toBe(v2.digest);
    expect(a.cache.dir).toBe(cacheDir);
    expect(a.cache.bytesFetched).toBe(bytesOf(v1));
    expect(b.cache.bytesFetched).toBe(v2.config.size + v2.layers[1]!.size);
    expect(b.cache.bytesFetched / a.cache.bytesFetched).toBeLessThan(0.15);
    expect(b.cache.hits).toBe(1);
    // The summary (and the insights store) counts the blob the cache served as cached, not copied.
    expect(b.summary.blobs).toMatchObject({ cached: 1, copied: allBlobs(v2).length - 1 });
    const [i1, i2] = await Promise.all([skopeoInspect(`oci:${l1}:v1`), skopeoInspect(`oci:${l2}:v2`)]);
    expect(i1.Digest).toBe(v1.digest);
    expect(i2.Digest).toBe(v2.digest);
    expect(readdirSync(join(cacheDir, 'sha256')).sort()).toEqual(
      [...new Set([...allBlobs(v1), ...allBlobs(v2)].map((x) => x.digest.slice(7)))].sort(),
    );
  });

  it('pull --output docker-archive:FILE, and the default cache under $XDG_CACHE_HOME', async ({ expect }) => {
    const xdg = dir('xdg-pull');
    const env = { XDG_CACHE_HOME: xdg };
    const file = dir('pulled.tar');
    const [archive, layout] = await Promise.all([
      cli([
        'pull',
        `${A}/pull/app:v1`,
        '--output',
        `docker-archive:${file}`,
        '--cache',
        dir('archive-cache'),
      ]),
      cli(['pull', `${A}/pull/app:v2`, '--output', `oci:${dir('pull-default')}:v2`, '--json'], { env }),
    ]);
    expectSuccess(archive);
    expect(archive.stdout).toMatch(/^pulled /);
    const inspected = await skopeoInspect(`docker-archive:${file}`);
    expect(inspected.Layers).toEqual([base.diffId, v1Top.diffId]);

    expectSuccess(layout);
    const blobsDir = join(xdg, 'ghcr-optimize', 'blobs');
    expect(json<PullJson>(layout.stdout).cache.dir).toBe(blobsDir);
    expect(readdirSync(join(blobsDir, 'sha256')).length).toBe(allBlobs(v2).length);
    const stats = await cli(['cache', 'stats', '--json'], { env });
    expectSuccess(stats);
    const s = json<CacheStatsJson>(stats.stdout);
    expect(s.dir).toBe(blobsDir);
    expect(s.entries).toBe(allBlobs(v2).length);
    expect(s.bytes).toBe(bytesOf(v2));
  });

  it('cache-warm, cache stats, cache prune --dry-run / --older-than; prune without a policy is exit 2', async ({
    expect,
  }) => {
    const cacheDir = dir('warm-cache');
    const warm = await cli([
      'cache-warm',
      `${A}/src/app:1`,
      `${A}/pull/app:v2`,
      '--cache',
      cacheDir,
      '--json',
    ]);
    expectSuccess(warm);
    const w = json<{ cache: string; images: { reference: string; misses: number; bytesFetched: number }[] }>(
      warm.stdout,
    );
    expect(w.cache).toBe(cacheDir);
    expect(w.images.map((i) => i.reference)).toEqual([`${A}/src/app:1`, `${A}/pull/app:v2`]);
    const expected = new Map([...allBlobs(index), ...allBlobs(v2)].map((b) => [b.digest, b.size]));
    const expectedBytes = [...expected.values()].reduce((n, x) => n + x, 0);

    // Read-only: stats and two dry runs side by side.
    const [stats, dry, dryText] = await Promise.all([
      cli(['cache', 'stats', '--cache', cacheDir, '--json']),
      cli(['cache', 'prune', '--cache', cacheDir, '--max-size', '1', '--dry-run', '--json']),
      cli(['cache', 'prune', '--cache', cacheDir, '--max-size', '1', '--dry-run']),
    ]);
    expectSuccess(stats);
    expect(json<CacheStatsJson>(stats.stdout)).toMatchObject({
      dir: cacheDir,
      entries: expected.size,
      bytes: expectedBytes,
    });
    expectSuccess(dry);
    const d = json<PruneJson>(dry.stdout);
    expect(d.dryRun).toBe(true);
    expect(d.removed.map((e) => e.digest).sort()).toEqual([...expected.keys()].sort());
    expect(d.bytesFreed).toBe(expectedBytes);
    expect(d.remaining).toBe(0);
    expectSuccess(dryText);
    expect(dryText.stdout).toMatch(/^BLOB\s+SIZE\s+LAST USED/);
    expect(dryText.stdout).toContain(`would free`);
    expect(readdirSync(join(cacheDir, 'sha256')).length).toBe(expected.size);

    const [pruned, noPolicy] = await Promise.all([
      cli(['cache', 'prune', '--cache', cacheDir, '--older-than', '0s', '--json']),
      cli(['cache', 'prune', '--cache', cacheDir]),
    ]);
    expectSuccess(pruned);
    const p = json<PruneJson>(pruned.stdout);
    expect(p.dryRun).toBe(false);
    expect(p.removed).toHaveLength(expected.size);
    expect(p.remaining).toBe(0);
    expect(readdirSync(join(cacheDir, 'sha256'))).toEqual([]);
    const after = await cli(['cache', 'stats', '--cache', cacheDir, '--json']);
    expectSuccess(after);
    expect(json<CacheStatsJson>(after.stdout)).toMatchObject({ entries: 0, bytes: 0 });

    expectExit(noPolicy, 2);
    expectOneLineError(noPolicy);
  });

  it('index create: platforms from the configs, the annotation, blobs mounted from another repository', async ({
    expect,
  }) => {
    const r = await cliAuth([
      'index',
      'create',
      `${B}/idx/app:1`,
      '--from',
      `${B}/parts/app:amd64`,
      '--from',
      `${B}/parts/app:arm64`,
      '--annotation',
      'org.opencontainers.image.version=1.2.3',
      '--json',
      '--debug',
    ]);
    expectExit(r, 0);
    expect(r.stderr).not.toContain(user.password);
    const doc = json<{
      digest: string;
      mediaType: string;
      manifests: { digest: string; platform: string }[];
    }>(r.stdout);
    expect(doc.manifests.map((m) => [m.digest, m.platform])).toEqual([
      [partAmd.digest, 'linux/amd64'],
      [partArm.digest, 'linux/arm64/v8'],
    ]);
    const raw = await skopeoInspectRaw(`docker://${B}/idx/app:1`, tokAccess());
    const idx = json<RawIndex>(raw.toString());
    expect(idx.mediaType).toBe(MediaType.ociIndex);
    expect(idx.manifests.map((m) => m.digest)).toEqual([partAmd.digest, partArm.digest]);
    expect(idx.manifests.map((m) => m.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    expect(idx.annotations).toEqual({ 'org.opencontainers.image.version': '1.2.3' });
    expect((await skopeoInspect(`docker://${B}/idx/app:1`, tokAccess())).Digest).toBe(doc.digest);
    const arm = await runSkopeo([
      'inspect',
      '--tls-verify=false',
      '--creds',
      `${user.username}:${user.password}`,
      '--override-arch',
      'arm64',
      `docker://${B}/idx/app:1`,
    ]);
    // (skopeo 1.9 does not print the variant; the raw index above has it.)
    const armInspect = json<{ Architecture: string; Layers: string[] }>(arm.stdout.toString());
    expect(armInspect.Architecture).toBe('arm64');
    expect(armInspect.Layers).toEqual(partArm.layers.map((l) => l.digest));

    // Every blob was mounted from parts/app (base, 2 top layers, 2 configs); none was uploaded.
    const debug = r.stderrLines;
    const mounts = debug.filter((l) => /POST \S+\/v2\/idx\/app\/blobs\/uploads\/\?mount=.* → 201/.test(l));
    expect(mounts, r.stderr).toHaveLength(5);
    expect(
      debug.filter((l) => /(PUT|PATCH) \S+\/v2\/idx\/app\/blobs\/uploads\//.test(l)),
      r.stderr,
    ).toEqual([]);
  });

  it('index create with two images of one platform is exit 2 with a one-line error', async ({ expect }) => {
    const r = await cliAuth([
      'index',
      'create',
      `${B}/idx/dup:1`,
      '--from',
      `${B}/parts/app:amd64`,
      '--from',
      `${B}/parts/other:amd64`,
    ]);
    expectExit(r, 2);
    expectOneLineError(r);
    expect(r.stderrLines[0]).toContain('linux/amd64');
    await expect(skopeoInspect(`docker://${B}/idx/dup:1`, tokAccess())).rejects.toThrow();
  });

  it('errors: one line, the documented exit codes, nothing written', async ({ expect }) => {
    const notLayout = dir('not-a-layout');
    mkdirSync(notLayout);
    writeFileSync(join(notLayout, 'notes.txt'), 'not an image');
    const [unknownTag, unreachable, noCreds, pullToRegistry, fromArchive, pushNotLayout, unknownJson] =
      await Promise.all([
        cli(['copy', `${A}/src/app:nope`, `${A}/err/app:nope`]),
        cli(['copy', '127.0.0.1:9/x:y', `${A}/err/unreachable:y`]),
        cli(['copy', `${A}/src/app:single`, `${B}/denied/app:single`]),
        cli(['pull', `${A}/src/app:1`, '--output', `${A}/err/pulled:1`]),
        cli(['copy', `docker-archive:${dir('whatever.tar')}`, `${A}/err/archive:1`]),
        cli(['push', `oci:${notLayout}:x`, `${A}/err/pushed:x`]),
        cli(['copy', `${A}/src/app:nope`, `${A}/err/app:nope`, '--json']),
      ]);
    expectExit(unknownTag, 4);
    expectExit(unreachable, 5);
    expectExit(noCreds, 3);
    expectExit(pullToRegistry, 2);
    expectExit(fromArchive, 2);
    expectExit(pushNotLayout, 4);
    for (const r of [unknownTag, unreachable, noCreds, pullToRegistry, fromArchive, pushNotLayout]) {
      expectOneLineError(r);
    }
    expect(unknownTag.stderrLines[0]).toContain('nope');
    expectExit(unknownJson, 4);
    expect(unknownJson.stdout).toBe('');
    expect(unknownJson.stderrLines).toHaveLength(1);
    expect(json<{ error: { exitCode: number } }>(unknownJson.stderr).error.exitCode).toBe(4);

    // Nothing reached the token registry without credentials, and nothing was created for the failures.
    await expect(skopeoInspect(`docker://${B}/denied/app:single`, tokAccess())).rejects.toThrow();
    await expect(skopeoListTags(`docker://${A}/err/app`)).rejects.toThrow();
  });

  it('non-TTY stderr, with and without --quiet: no progress, no warnings, stderr empty on success', async ({
    expect,
  }) => {
    const layout = dir('quiet-layout');
    const first = await Promise.all([
      // Into the token registry, as README's first copy example does, and within the open one.
      // (Separate repositories: registry 2.8 can fail identical concurrent pushes into one repository.)
      cliAuth(['copy', `${A}/src/app:1`, `${B}/quiet/plain:1`]),
      cliAuth(['copy', `${A}/src/app:1`, `${B}/quiet/app:1`, '--quiet']),
      cli(['copy', `${A}/src/app:1`, `${A}/quiet/app:1`]),
      cli(['copy', `${A}/src/wide:1`, `${A}/quiet/wide:1`, '--quiet']),
      cliAuth(['copy', `${A}/src/wide:1`, `${B}/quiet/wide:1`]),
      cli(['copy', `${A}/src/app:1`, `oci:${layout}:v1`, '--quiet']),
      cli(['pull', `${A}/pull/app:v1`, '--output', `oci:${dir('quiet-pull')}:v1`]),
      cli(['cache-warm', `${A}/src/app:1`, '--cache', dir('quiet-cache'), '--quiet']),
    ]);
    const [copyPlain] = first;
    const push = await cliAuth(['push', `oci:${layout}:v1`, `${B}/quiet/pushed:v1`]);
    for (const r of [...first, push]) {
      expectExit(r, 0);
      // Soft: every run that printed something is reported, not only the first.
      expect.soft(r.stderr, describeRun(r)).toBe('');
      // No cursor movement or line clearing from a progress display anywhere.
      expect.soft(r.stdout, describeRun(r)).not.toContain('\u001b[');
    }
    expect(copyPlain.stdout).toMatch(/^copied /);
    expect(copyPlain.stdout).toMatch(/7 blobs copied/);
    expect((await skopeoInspect(`docker://${B}/quiet/app:1`, tokAccess())).Digest).toBe(index.digest);
    expect((await skopeoInspectRaw(`docker://${B}/quiet/wide:1`, tokAccess())).equals(wide.manifest)).toBe(
      true,
    );
  });
});
