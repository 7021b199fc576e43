/**
 * `ghcr-optimize scan` as a user runs it: its own node process, a controlled PATH (so trivy is
 * absent, or a stand-in script that writes a real Trivy report), real Trivy reports as input.

 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanJson } from '../../src/scan/scan.js';
import { describeRun, runCli, type CliOptions, type CliResult } from '../support/cli.js';
import { makeImage, makeIndex, writeOciLayout } from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { sarifErrors } from '../unit/scan/helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'trivy');
const ALPINE = join(FIXTURES, 'alpine-310.json.golden');
const DISTROLESS = join(FIXTURES, 'alpine-distroless.json.golden');

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
    // arguments, and writes FAKE_REPORT (FAKE_REPORT_ARM64 for --platform linux/arm64*) to --output.
    await writeFile(
      join(fake, 'trivy'),
      [
        '#!/bin/sh',
        '{ printf "%s\\n" "$@"; echo "--end--"; } >> "$FAKE_ARGS"',
        'if [ -n "$FAKE_FAIL" ]; then echo "$FAKE_FAIL" >&2; exit 1; fi',
        'out=""; prev=""; report="$FAKE_REPORT"',
        'for a in "$@"; do',
        '  [ "$prev" = "--output" ] && out="$a"',
        '  case "$prev:$a" in --platform:linux/arm64*) report="$FAKE_REPORT_ARM64";; esac',
        '  prev="$a"',
        'done',
        'while IFS= read -r line || [ -n "$line" ]; do printf "%s\\n" "$line"; done < "$report" > "$out"',
      ].join('\n'),
    );
    await chmod(join(fake, 'trivy'), 0o755);
    layout = join(home, 'layout');
    const amd = makeImage({ architecture: 'amd64', layers: [{ 'a.txt': 'amd64' }] });
    const arm = makeImage({ architecture: 'arm64', variant: 'v8', layers: [{ 'a.txt': 'arm64' }] });
    await writeOciLayout(layout, [{ tag: '1', imageOrIndex: makeIndex([amd, arm]) }]);
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

  it('--per-platform on an OCI layout: trivy once per platform, results merged', async () => {
    const r = await runScan([`oci:${layout}:1`, '--per-platform', '--json'], withFake({}, 'args-pp.txt'));
    expectExit(r, 0);
    const doc = JSON.parse(r.stdout) as ScanJson;
    expect(doc.artifact.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(doc.findings.filter((f) => f.platform === 'linux/amd64')).toHaveLength(4);
    expect(doc.findings.filter((f) => f.platform === 'linux/arm64/v8')).toHaveLength(1);
    const calls = (await readFile(join(home, 'args-pp.txt'), 'utf8'))
      .split('--end--\n')
      .filter(Boolean)
      .map((c) => c.trim().split('\n'));
    expect(calls.map((a) => a.slice(-4))).toEqual([
      ['--platform', 'linux/amd64', '--input', layout],
      ['--platform', 'linux/arm64/v8', '--input', layout],
    ]);
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
