/**
 * `ghcr-optimize scan` as a user runs it: its own node process, a controlled PATH (so trivy is
 * absent, or a stand-in script that writes a real Trivy report), real Trivy reports as input.

 */
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanJson } from '../../src/scan/scan.js';
import { describeRun, runCli, type CliOptions, type CliResult } from '../support/cli.js';
import { makeImage, makeIndex, pushImage, writeOciLayout } from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { credsOf, startRegistry, type RunningRegistry } from '../support/registry.js';
import { requireTool } from '../support/tools.js';
import { sarifErrors } from '../unit/scan/helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'trivy');
const ALPINE = join(FIXTURES, 'alpine-310.json.golden');
const DISTROLESS = join(FIXTURES, 'alpine-distroless.json.golden');

const amd = makeImage({ architecture: 'amd64', layers: [{ 'a.txt': 'amd64' }] });
const arm = makeImage({ architecture: 'arm64', variant: 'v8', layers: [{ 'a.txt': 'arm64' }] });
const multi = makeIndex([amd, arm]);

/** The calls a FAKE_ARGS / FAKE_LAYOUTS file recorded, one line array per call. */
async function recordedCalls(file: string): Promise<string[][]> {
  return (await readFile(file, 'utf8'))
    .split('--end--\n')
    .filter(Boolean)
    .map((c) => c.trim().split('\n'));
}

/** `ghcr-optimize scan ...args`. */
function runScan(args: string[], opts: CliOptions): Promise<CliResult> {
  return runCli(['scan', ...args], opts);
}

function expectExit(r: CliResult, code: number): void {
  expect(r.timedOut, describeRun(r)).toBe(false);
  expect(r.code, describeRun(r)).toBe(code);
}

describe('ghcr-optimize scan (CLI process)', () => {
  let home: string;
  let empty: string;
  let fake: string;
  let layout: string;

  beforeAll(async () => {
    home = makeTempDir('scan-cli');
    empty = makeTempDir('scan-cli-empty-path');
    fake = makeTempDir('scan-cli-fake-trivy');
    // A stand-in trivy using shell builtins only (its PATH holds nothing else): records its
    // arguments (FAKE_ARGS) and environment (FAKE_ENV); for --input DIR it records the layout's
    // index.json and blob names (FAKE_LAYOUTS), since the CLI removes DIR afterwards; writes
    // FAKE_REPORT to --output (FAKE_REPORT_ARM64 for --platform linux/arm64*, or for a layout
    // whose index.json names FAKE_ARM64_DIGEST).
    await writeFile(
      join(fake, 'trivy'),
      [
        '#!/bin/sh',
        '{ printf "%s\\n" "$@"; echo "--end--"; } >> "$FAKE_ARGS"',
        '[ -n "$FAKE_ENV" ] && export -p >> "$FAKE_ENV"',
        'if [ -n "$FAKE_FAIL" ]; then echo "$FAKE_FAIL" >&2; exit 1; fi',
        'out=""; prev=""; in=""; report="$FAKE_REPORT"',
        'for a in "$@"; do',
        '  [ "$prev" = "--output" ] && out="$a"',
        '  [ "$prev" = "--input" ] && in="$a"',
        '  case "$prev:$a" in --platform:linux/arm64*) report="$FAKE_REPORT_ARM64";; esac',
        '  prev="$a"',
        'done',
        'if [ -n "$in" ] && [ -n "$FAKE_LAYOUTS" ]; then',
        '  idx=""; while IFS= read -r l || [ -n "$l" ]; do idx="$idx$l"; done < "$in/index.json"',
        '  { printf "%s\\n" "$idx"; for f in "$in"/blobs/sha256/*; do printf "%s\\n" "${f##*/}"; done; echo "--end--"; } >> "$FAKE_LAYOUTS"',
        '  case "$idx" in *"${FAKE_ARM64_DIGEST:-none}"*) report="$FAKE_REPORT_ARM64";; esac',
        'fi',
        'while IFS= read -r line || [ -n "$line" ]; do printf "%s\\n" "$line"; done < "$report" > "$out"',
      ].join('\n'),
    );
    await chmod(join(fake, 'trivy'), 0o755);
    layout = join(home, 'layout');
    await writeOciLayout(layout, [{ tag: '1', imageOrIndex: multi }]);
  });

  afterAll(() => {
    for (const d of [home, empty, fake]) removeTempDir(d);
  });

  const withFake = (extra: Record<string, string> = {}, argsFile = 'args.txt'): CliOptions => ({
    home,
    env: {
      PATH: fake,
      FAKE_ARGS: join(home, argsFile),
      FAKE_REPORT: ALPINE,
      FAKE_REPORT_ARM64: DISTROLESS,
      ...extra,
    },
  });

  it('trivy absent: exit code 10, "error:" and "hint:" lines naming trivy and how to install it', async () => {
    const r = await runScan(['ghcr.io/o/app:1'], { home, env: { PATH: empty } });
    expectExit(r, 10);
    expect(r.stdout).toBe('');
    expect(r.stderrLines, describeRun(r)).toHaveLength(2);
    expect(r.stderrLines[0]).toBe('error: trivy is not installed: "scan" runs it and it is not on PATH');
    expect(r.stderrLines[1]).toMatch(/^hint: install Trivy \(https:\/\/trivy\.dev\/.*--input report\.json$/);
  });

  it('trivy absent with --json: the error as one JSON line', async () => {
    const r = await runScan(['ghcr.io/o/app:1', '--json'], { home, env: { PATH: empty } });
    expectExit(r, 10);
    expect(r.stderrLines).toHaveLength(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { kind: 'missing-tool', exitCode: 10 } });
  });

  it('with trivy: runs "trivy image" and gates its report (--exit-code, SARIF on stdout)', async () => {
    const r = await runScan(
      [
        'ghcr.io/o/app:1',
        '--severity',
        'MEDIUM',
        '--exit-code',
        '3',
        '--format',
        'sarif',
        '--ignore-unfixed',
      ],
      withFake({}, 'args-single.txt'),
    );
    expectExit(r, 3);
    const sarif = JSON.parse(r.stdout) as { runs: { results: unknown[] }[] };
    expect(sarifErrors(sarif)).toEqual([]);
    expect(sarif.runs[0]!.results).toHaveLength(4);
    expect(r.stderrLines).toEqual([
      'scanning ghcr.io/o/app:1 with trivy…',
      'error: 4 vulnerabilities remain after the policy (MEDIUM: 4)',
      expect.stringMatching(/^hint: /),
    ]);
    const calls = (await readFile(join(home, 'args-single.txt'), 'utf8')).split('--end--\n').filter(Boolean);
    expect(calls).toHaveLength(1);
    const args = calls[0]!.trim().split('\n');
    expect(args[0]).toBe('image');
    expect(args).toContain('--list-all-pkgs');
    expect(args[args.length - 1]).toBe('ghcr.io/o/app:1');
  });

  it('--per-platform on an OCI layout: each platform staged alone for trivy, results merged', async () => {
    const layouts = join(home, 'layouts-pp.txt');
    const r = await runScan(
      [`oci:${layout}:1`, '--per-platform', '--json'],
      withFake({ FAKE_LAYOUTS: layouts, FAKE_ARM64_DIGEST: arm.digest }, 'args-pp.txt'),
    );
    expectExit(r, 0);
    const doc = JSON.parse(r.stdout) as ScanJson;
    expect(doc.artifact.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(doc.findings.filter((f) => f.platform === 'linux/amd64')).toHaveLength(4);
    expect(doc.findings.filter((f) => f.platform === 'linux/arm64/v8')).toHaveLength(1);
    const calls = await recordedCalls(join(home, 'args-pp.txt'));
    // trivy --input reads a layout's first image whatever --platform says: each run gets a layout
    // holding exactly one platform's image, removed afterwards.
    expect(calls).toHaveLength(2);
    for (const args of calls) {
      expect(args).not.toContain('--platform');
      expect(args.at(-2)).toBe('--input');
      expect(args.at(-1)).not.toBe(layout);
      expect(existsSync(args.at(-1)!)).toBe(false);
    }
    const seen = await recordedCalls(layouts);
    expect(
      seen.map((l) =>
        (JSON.parse(l[0]!) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest),
      ),
    ).toEqual([[amd.digest], [arm.digest]]);
    expect(seen[0]).toContain(amd.digest.slice('sha256:'.length));
    expect(seen[0]).not.toContain(arm.digest.slice('sha256:'.length));
  });

  it('a failing trivy: exit 1 with its last error line', async () => {
    const r = await runScan(['ghcr.io/o/app:1'], withFake({ FAKE_FAIL: 'FATAL unable to find the image' }));
    expectExit(r, 1);
    expect(r.stderrLines.filter((l) => l.startsWith('error: '))).toEqual([
      'error: trivy failed on ghcr.io/o/app:1 (exit 1): FATAL unable to find the image',
    ]);
  });

  it('--input: a real report as a table; exit 0 without --exit-code even with findings', async () => {
    const r = await runScan(['--input', ALPINE], { home, env: { PATH: empty } });
    expectExit(r, 0);
    expect(r.stdout.split('\n')[0]).toBe('testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2)');
    expect(r.stdout).toContain('LIBRARY       VULNERABILITY  SEVERITY  STATUS  INSTALLED  FIXED      TITLE');
    expect(r.stdout.trimEnd().split('\n').pop()).toBe(
      'Total: 4 (CRITICAL: 0, HIGH: 0, MEDIUM: 4, LOW: 0, UNKNOWN: 0)',
    );
    expect(r.stderr).toBe('');
  });

  it('per-platform --input reports to a SARIF file', async () => {
    const out = join(home, 'merged.sarif');
    const r = await runScan(
      [
        'ghcr.io/o/app:1',
        '--input',
        `linux/amd64=${ALPINE}`,
        '--input',
        `linux/arm64=${ALPINE}`,
        '--format',
        'sarif',
        '--output',
        out,
      ],
      { home, env: { PATH: empty } },
    );
    expectExit(r, 0);
    expect(r.stdout).toBe('');
    expect(r.stderrLines).toEqual([`wrote sarif to ${out}: 8 vulnerabilities (MEDIUM: 8)`]);
    const sarif = JSON.parse(await readFile(out, 'utf8')) as {
      runs: { results: { properties?: unknown }[] }[];
    };
    expect(sarifErrors(sarif)).toEqual([]);
    expect(sarif.runs[0]!.results).toHaveLength(4);
    expect(sarif.runs[0]!.results[0]!.properties).toEqual({ platforms: ['linux/amd64', 'linux/arm64'] });
  });

  it('a JSON file that is not a Trivy report: exit 2, one line naming it', async () => {
    const file = join(home, 'not-trivy.json');
    await writeFile(file, JSON.stringify({ version: '2.1.0', runs: [] }));
    const r = await runScan(['--input', file], { home, env: { PATH: empty } });
    expectExit(r, 2);
    expect(r.stderrLines[0]).toBe(`error: ${file} is a SARIF log, not a Trivy JSON report`);
    expect(r.stderrLines[1]).toMatch(/^hint: give the output of "trivy image --format json/);
  });

  it('--ignore-file naming a missing file: exit 2, one line; the default .trivyignore stays optional', async () => {
    const r = await runScan(['--input', ALPINE, '--ignore-file', 'missing.txt'], {
      home,
      env: { PATH: empty },
    });
    expectExit(r, 2);
    expect(r.stdout).toBe('');
    expect(r.stderrLines[0]).toBe('error: ignore file missing.txt does not exist');
    const d = await runScan(['--input', ALPINE, '--json'], { home, env: { PATH: empty } });
    expectExit(d, 0);
  });

  it('--help shows the options and examples', async () => {
    const r = await runScan(['--help'], { home, env: { PATH: empty } });
    expectExit(r, 0);
    for (const s of [
      '--severity',
      '--ignore-unfixed',
      '--ignore-file',
      '--exit-code',
      '--format',
      '--per-platform',
      'Examples:',
    ]) {
      expect(r.stdout).toContain(s);
    }
  });
});

const haveRegistry = requireTool('docker-registry') && requireTool('htpasswd');

describe.skipIf(!haveRegistry)('ghcr-optimize scan of a private registry image (CLI process)', () => {
  let reg: RunningRegistry;
  let home: string;
  let fake: string;
  let user: { username: string; password: string };
  const GHCR_SECRET = 'ghcr-token-that-trivy-must-not-see';

  beforeAll(async () => {
    reg = await startRegistry({ auth: 'htpasswd', users: { scanner: 'pw-that-trivy-must-not-see' } });
    user = credsOf(reg);
    home = makeTempDir('scan-cli-private');
    fake = makeTempDir('scan-cli-private-fake');
    await pushImage(reg.url, 'private/app', '1', multi, { auth: user });
    await pushImage(reg.url, 'private/single', '1', amd, { auth: user });
    // The same stand-in as above, in its own directory so the suites can run independently.
    await writeFile(
      join(fake, 'trivy'),
      [
        '#!/bin/sh',
        '{ printf "%s\\n" "$@"; echo "--end--"; } >> "$FAKE_ARGS"',
        'export -p >> "$FAKE_ENV"',
        'out=""; prev=""; in=""; report="$FAKE_REPORT"',
        'for a in "$@"; do',
        '  [ "$prev" = "--output" ] && out="$a"',
        '  [ "$prev" = "--input" ] && in="$a"',
        '  prev="$a"',
        'done',
        'if [ -z "$in" ] || [ ! -f "$in/index.json" ]; then echo "FATAL no OCI layout given" >&2; exit 1; fi',
        'idx=""; while IFS= read -r l || [ -n "$l" ]; do idx="$idx$l"; done < "$in/index.json"',
        '{ printf "%s\\n" "$idx"; for f in "$in"/blobs/sha256/*; do printf "%s\\n" "${f##*/}"; done; echo "--end--"; } >> "$FAKE_LAYOUTS"',
        'case "$idx" in *"$FAKE_ARM64_DIGEST"*) report="$FAKE_REPORT_ARM64";; esac',
        'if [ -n "$FAKE_FAIL" ]; then echo "$FAKE_FAIL" >&2; exit 1; fi',
        'while IFS= read -r line || [ -n "$line" ]; do printf "%s\\n" "$line"; done < "$report" > "$out"',
      ].join('\n'),
    );
    await chmod(join(fake, 'trivy'), 0o755);
  }, 60_000);

  afterAll(async () => {
    await reg?.stop();
    for (const d of [home, fake]) if (d) removeTempDir(d);
  });

  const files = (name: string) => ({
    args: join(home, `${name}-args.txt`),
    env: join(home, `${name}-env.txt`),
    layouts: join(home, `${name}-layouts.txt`),
  });
  const scanAs = (name: string, args: string[], extra: Record<string, string> = {}) => {
    const f = files(name);
    return runScan([...args, '--username', user.username, '--password-stdin'], {
      home,
      stdin: `${user.password}\n`,
      timeoutMs: 60_000,
      env: {
        PATH: fake,
        XDG_CACHE_HOME: join(home, 'xdg-cache'),
        GHCR_TOKEN: GHCR_SECRET,
        FAKE_ARGS: f.args,
        FAKE_ENV: f.env,
        FAKE_LAYOUTS: f.layouts,
        FAKE_REPORT: ALPINE,
        FAKE_REPORT_ARM64: DISTROLESS,
        FAKE_ARM64_DIGEST: arm.digest,
        ...extra,
      },
    });
  };
  const indexDigests = (layoutRecord: string[]): string[] =>
    (JSON.parse(layoutRecord[0]!) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest);

  it('pulls with our login into a temporary OCI layout, trivy reads it and never sees a secret', async () => {
    const r = await scanAs('single', [`${reg.host}/private/single:1`, '--format', 'json']);
    expectExit(r, 0);
    const doc = JSON.parse(r.stdout) as ScanJson;
    expect(doc.findings).toHaveLength(4);
    expect(r.stderrLines).toEqual([
      `pulling ${reg.host}/private/single:1 for trivy…`,
      `scanning ${reg.host}/private/single:1 with trivy…`,
    ]);
    const f = files('single');
    const [args] = await recordedCalls(f.args);
    expect(args!.slice(0, 1)).toEqual(['image']);
    expect(args!.slice(-2)[0]).toBe('--input');
    const dir = args!.at(-1)!;
    expect(existsSync(dir), 'the temporary layout is removed').toBe(false);
    const [seen] = await recordedCalls(f.layouts);
    expect(indexDigests(seen!)).toEqual([amd.digest]);
    // The manifest, its config and its layer: the whole image is in the layout.
    for (const b of [amd, amd.config, ...amd.layers])
      expect(seen).toContain(b.digest.slice('sha256:'.length));
    const everything = (await readFile(f.args, 'utf8')) + (await readFile(f.env, 'utf8'));
    expect(everything).not.toContain(user.password);
    expect(everything).not.toContain(GHCR_SECRET);
    expect(everything).not.toContain('GHCR_TOKEN');
    // The environment dump did happen (the assertion above is not vacuous).
    expect(await readFile(f.env, 'utf8')).toContain('FAKE_REPORT');
  });

  it('--per-platform: one layout per platform, each holding that platform only', async () => {
    const r = await scanAs('pp', [`${reg.host}/private/app:1`, '--per-platform', '--json']);
    expectExit(r, 0);
    const doc = JSON.parse(r.stdout) as ScanJson;
    expect(doc.artifact.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(doc.findings.filter((x) => x.platform === 'linux/amd64')).toHaveLength(4);
    expect(doc.findings.filter((x) => x.platform === 'linux/arm64/v8')).toHaveLength(1);
    const f = files('pp');
    const seen = await recordedCalls(f.layouts);
    expect(seen.map(indexDigests)).toEqual([[amd.digest], [arm.digest]]);
    for (const args of await recordedCalls(f.args)) {
      expect(args).not.toContain('--platform');
      expect(existsSync(args.at(-1)!)).toBe(false);
    }
    const everything = (await readFile(f.args, 'utf8')) + (await readFile(f.env, 'utf8'));
    expect(everything).not.toContain(user.password);
  });

  it('a failing trivy on the staged layout: its error, exit 1, the layout removed', async () => {
    const r = await scanAs('fail', [`${reg.host}/private/app:1`], { FAKE_FAIL: 'FATAL scan broke' });
    expectExit(r, 1);
    expect(r.stderrLines.filter((l) => l.startsWith('error: '))[0]).toMatch(
      /^error: trivy failed on .* FATAL scan broke$/,
    );
    const [args] = await recordedCalls(files('fail').args);
    expect(existsSync(args!.at(-1)!)).toBe(false);
    // Without --platform, the platform `trivy image` would pick: linux/amd64.
    const [seen] = await recordedCalls(files('fail').layouts);
    expect(indexDigests(seen!)).toEqual([amd.digest]);
  });

  it('a wrong password: the registry refuses, trivy never runs', async () => {
    const r = await runScan([`${reg.host}/private/app:1`, '--username', user.username, '--password-stdin'], {
      home,
      stdin: 'wrong-password\n',
      timeoutMs: 60_000,
      env: { PATH: fake, XDG_CACHE_HOME: join(home, 'xdg-cache'), FAKE_ARGS: files('wrong').args },
    });
    expect(r.code, describeRun(r)).not.toBe(0);
    expect(r.stderrLines.filter((l) => l.startsWith('error: '))).toHaveLength(1);
    expect(existsSync(files('wrong').args)).toBe(false);
  });
});
