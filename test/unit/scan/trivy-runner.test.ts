import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGhcrOptimizeError } from '../../../src/errors.js';
import { MissingToolError, ToolFailedError } from '../../../src/scan/errors.js';
import { buildTrivyArgs, findExecutable, requireTrivy, runTrivy } from '../../../src/scan/trivy-runner.js';
import { trivyFixture } from './helpers.js';

describe('buildTrivyArgs', () => {
  it('an image reference: complete JSON vulnerability report to a file, quiet, never failing itself', () => {
    expect(
      buildTrivyArgs({ target: { kind: 'image', ref: 'ghcr.io/o/app:1' }, output: '/tmp/r.json' }),
    ).toEqual([
      'image',
      '--format',
      'json',
      '--output',
      '/tmp/r.json',
      '--scanners',
      'vuln',
      '--list-all-pkgs',
      '--quiet',
      '--exit-code',
      '0',
      'ghcr.io/o/app:1',
    ]);
  });

  it('a local layout or archive through --input, without --platform (trivy ignores it there)', () => {
    const args = buildTrivyArgs({
      target: { kind: 'input', path: './layout' },
      output: 'o.json',
      platform: 'linux/arm64/v8',
    });
    expect(args.slice(-2)).toEqual(['--input', './layout']);
    expect(args).not.toContain('--platform');
    expect(args).not.toContain('--severity');
    expect(args).not.toContain('--ignore-unfixed');
  });

  it('arguments are passed as they are (no shell): a hostile reference stays one argument', () => {
    const args = buildTrivyArgs({ target: { kind: 'image', ref: 'x; rm -rf /' }, output: 'o' });
    expect(args[args.length - 1]).toBe('x; rm -rf /');
  });
});

describe('finding trivy on PATH', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scan-runner-'));
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    await mkdir(join(dir, 'c', 'trivy'), { recursive: true }); // a directory named trivy
    await writeFile(join(dir, 'a', 'trivy'), 'not executable');
    await writeFile(join(dir, 'b', 'trivy'), '#!/bin/sh\nexit 0\n');
    await chmod(join(dir, 'b', 'trivy'), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the first executable file wins; non-executables and directories are skipped', async () => {
    const PATH = ['', join(dir, 'c'), join(dir, 'a'), join(dir, 'b')].join(delimiter);
    expect(await findExecutable('trivy', { PATH })).toBe(join(dir, 'b', 'trivy'));
  });

  it('absent: undefined, and requireTrivy fails with exit code 10, one line and an install hint', async () => {
    expect(await findExecutable('trivy', { PATH: join(dir, 'a') })).toBeUndefined();
    expect(await findExecutable('trivy', {})).toBeUndefined();
    const err = await requireTrivy({ PATH: join(dir, 'a') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingToolError);
    expect(isGhcrOptimizeError(err) && err.exitCode).toBe(10);
    const e = err as MissingToolError;
    expect(e.kind).toBe('missing-tool');
    expect(e.message).not.toContain('\n');
    expect(e.message).toMatch(/trivy is not installed/);
    expect(e.hint).toMatch(/install Trivy \(https:\/\/trivy\.dev/);
    expect(e.hint).toMatch(/--input report\.json/);
  });
});

describe('runTrivy with a stand-in trivy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scan-fake-trivy-'));
    // Writes the report given in FAKE_REPORT to the --output path and records its arguments.
    await writeFile(
      join(dir, 'trivy'),
      [
        '#!/bin/sh',
        'printf "%s\\n" "$@" > "$FAKE_ARGS"',
        'if [ -n "$FAKE_FAIL" ]; then echo "2026-01-01T00:00:00Z INFO starting" >&2; echo "$FAKE_FAIL" >&2; exit 1; fi',
        'out=""; prev=""',
        'for a in "$@"; do [ "$prev" = "--output" ] && out="$a"; prev="$a"; done',
        'while IFS= read -r line || [ -n "$line" ]; do printf "%s\\n" "$line"; done < "$FAKE_REPORT" > "$out"',
      ].join('\n'),
    );
    await chmod(join(dir, 'trivy'), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    FAKE_ARGS: join(dir, 'args.txt'),
    FAKE_REPORT: trivyFixture('alpine-310.json.golden'),
    ...extra,
  });

  it('runs trivy image with our arguments and parses its report, labelled with the platform', async () => {
    const report = await runTrivy({
      executable: join(dir, 'trivy'),
      target: { kind: 'image', ref: 'ghcr.io/o/app:1' },
      platform: 'linux/arm64',
      env: env(),
    });
    expect(report.findings).toHaveLength(4);
    expect(report.meta.platform).toBe('linux/arm64');
    const args = (await readFile(join(dir, 'args.txt'), 'utf8')).trim().split('\n');
    expect(args.slice(0, 4)).toEqual(['image', '--format', 'json', '--output']);
    expect(args.slice(-3)).toEqual(['--platform', 'linux/arm64', 'ghcr.io/o/app:1']);
  });

  it('a failing trivy: one line with its last error line, and a hint to run it by hand', async () => {
    const err = (await runTrivy({
      executable: join(dir, 'trivy'),
      target: { kind: 'image', ref: 'ghcr.io/o/private:1' },
      env: env({ FAKE_FAIL: 'FATAL\tFatal error: unable to find the specified image "ghcr.io/o/private:1"' }),
    }).catch((e: unknown) => e)) as ToolFailedError;
    expect(err).toBeInstanceOf(ToolFailedError);
    expect(err.exitCode).toBe(1);
    expect(err.message).toBe(
      'trivy failed on ghcr.io/o/private:1 (exit 1): FATAL\tFatal error: unable to find the specified image "ghcr.io/o/private:1"',
    );
    expect(err.hint).toMatch(
      /^run it yourself to see everything: trivy image --format json --output report\.json --scanners vuln .* ghcr\.io\/o\/private:1$/,
    );
  });

  it('a report that is not Trivy JSON is a tool failure naming the target', async () => {
    const err = (await runTrivy({
      executable: join(dir, 'trivy'),
      target: { kind: 'input', path: './layout' },
      env: env({ FAKE_REPORT: join(dir, 'args.txt') }),
    }).catch((e: unknown) => e)) as ToolFailedError;
    expect(err).toBeInstanceOf(ToolFailedError);
    expect(err.message).toMatch(/^trivy wrote no usable report for \.\/layout: /);
  });

  it('a vanished executable is reported as missing', async () => {
    const err = await runTrivy({
      executable: join(dir, 'gone', 'trivy'),
      target: { kind: 'image', ref: 'x' },
      env: env(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingToolError);
  });

  it('an aborted scan is cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await runTrivy({
      executable: join(dir, 'trivy'),
      target: { kind: 'image', ref: 'x' },
      env: env(),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(isGhcrOptimizeError(err) && err.kind).toBe('cancelled');
  });
});
