/**
 * The `scan` command built directly (`scanCommand(run)`), with a run wrapper that hands it an
 * in-memory context and keeps the error the CLI boundary would print. The process-level tests
 * are in test/integration/scan-cli.test.ts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scanCommand } from '../../../src/cli/commands/scan.js';
import type { Context, GlobalOptions } from '../../../src/cli/context.js';
import { createOutput } from '../../../src/cli/output.js';
import { errorReport } from '../../../src/cli/run.js';
import type { ScanJson } from '../../../src/scan/scan.js';
import { sarifErrors, trivyFixture } from './helpers.js';

interface Run {
  stdout: string;
  stderr: string;
  error?: unknown;
  /** What the CLI would exit with. */
  code: number;
}

function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = {
    isTTY: false,
    write(chunk: string | Uint8Array) {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

async function scan(args: string[], globals: GlobalOptions = {}): Promise<Run> {
  const out = sink();
  const err = sink();
  const ctx: Context = {
    globals,
    out: createOutput({ ...globals, color: false }, out.stream, err.stream),
    config: {},
    client: () => Promise.reject(new Error('no registry in this test')),
    explicitCredentials: () => Promise.resolve(undefined),
    close: () => Promise.resolve(),
    signal: new AbortController().signal,
  };
  let error: unknown;
  const cmd = scanCommand(async (fn) => {
    try {
      await fn(ctx);
    } catch (e) {
      error = e;
    }
  });
  cmd.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  await cmd.parseAsync(args, { from: 'user' });
  return {
    stdout: out.text(),
    stderr: err.text(),
    error,
    code: error === undefined ? 0 : errorReport(error).exitCode,
  };
}

const ALPINE = trivyFixture('alpine-310.json.golden');

describe('scan --input (in process)', () => {
  let dir: string;
  const savedPath = process.env.PATH;
  const savedCwd = process.cwd();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scan-cmd-'));
    // No .trivyignore is picked up from the repository while these run.
    process.chdir(dir);
  });
  afterEach(() => {
    process.env.PATH = savedPath;
  });
  afterAll(async () => {
    process.chdir(savedCwd);
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the table and exits 0 by default, findings or not (trivy semantics)', async () => {
    const r = await scan(['--input', ALPINE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('libcrypto1.1  CVE-2019-1549  MEDIUM');
    expect(r.stdout).toContain('Total: 4 (CRITICAL: 0, HIGH: 0, MEDIUM: 4, LOW: 0, UNKNOWN: 0)');
    expect(r.stderr).toBe('');
  });

  it('--exit-code N: N when vulnerabilities remain, with the output still written', async () => {
    const r = await scan(['--input', ALPINE, '--exit-code', '4']);
    expect(r.code).toBe(4);
    expect(errorReport(r.error)).toMatchObject({
      kind: 'policy',
      message: '4 vulnerabilities remain after the policy (MEDIUM: 4)',
    });
    expect(r.stdout).toContain('Total: 4');
  });

  it('--severity narrows the gate', async () => {
    const r = await scan(['--input', ALPINE, '--severity', 'CRITICAL,HIGH', '--exit-code', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no vulnerabilities (severities CRITICAL,HIGH)');
  });

  it('--json: our document on stdout', async () => {
    const r = await scan(['--input', ALPINE, '--severity', 'MEDIUM', '--exit-code', '1'], { json: true });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as ScanJson;
    expect(doc.summary).toEqual({ CRITICAL: 0, HIGH: 0, MEDIUM: 4, LOW: 0, UNKNOWN: 0 });
    expect(doc.gate).toMatchObject({ passed: false, exitCode: 1, severities: ['MEDIUM'] });
    expect(doc.findings).toHaveLength(4);
  });

  it('--format sarif --output FILE: valid SARIF in the file, a note on stderr', async () => {
    const file = join(dir, 'out.sarif');
    const r = await scan(['--input', ALPINE, '--format', 'sarif', '--output', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`wrote sarif to ${file}: 4 vulnerabilities (MEDIUM: 4)\n`);
    expect(sarifErrors(JSON.parse(await readFile(file, 'utf8')))).toEqual([]);
  });

  it('--output below a regular file: a file-system error, not a crash', async () => {
    await writeFile(join(dir, 'a-file'), '');
    const r = await scan(['--input', ALPINE, '--output', join(dir, 'a-file', 'out.txt')]);
    expect(errorReport(r.error), String(r.error)).toMatchObject({ kind: 'filesystem', exitCode: 11 });
    expect(errorReport(r.error).message).toMatch(/^cannot mkdir .*a-file/);
  });

  it('per-platform inputs are merged', async () => {
    const r = await scan([
      'ghcr.io/o/app:1',
      '--input',
      `linux/amd64=${ALPINE}`,
      '--input',
      `linux/arm64=${ALPINE}`,
      '--format',
      'json',
    ]);
    const doc = JSON.parse(r.stdout) as ScanJson;
    expect(doc.artifact.name).toBe('ghcr.io/o/app:1');
    expect(doc.artifact.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(doc.findings).toHaveLength(8);
  });

  it('the ignore file: applied, expired entries and bad lines warned about', async () => {
    const ignore = join(dir, 'ignore.txt');
    await writeFile(ignore, 'CVE-2019-1549\nCVE-2019-1551 exp:2001-01-01\nCVE-X exp:soon\n');
    const r = await scan(['--input', ALPINE, '--ignore-file', ignore], { json: true });
    const doc = JSON.parse(r.stdout) as ScanJson;
    expect(doc.findings.map((f) => f.vulnerabilityId)).toEqual(['CVE-2019-1551', 'CVE-2019-1551']);
    expect(doc.ignored).toHaveLength(2);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `warning: ${ignore}:3: invalid expiry "exp:soon" (expected exp:YYYY-MM-DD); line skipped`,
      `warning: ${ignore}:2: CVE-2019-1551 expired on 2001-01-01 and is no longer ignored`,
    ]);
  });

  it('./.trivyignore is used when present', async () => {
    await writeFile(join(dir, '.trivyignore'), 'CVE-2019-1549\nCVE-2019-1551\n');
    try {
      const r = await scan(['--input', ALPINE, '--exit-code', '1']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Total: 0 (CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0); 4 ignored');
    } finally {
      await rm(join(dir, '.trivyignore'));
    }
  });

  it('without trivy on PATH: exit code 10, one line, an install hint', async () => {
    process.env.PATH = dir;
    const r = await scan(['ghcr.io/o/app:1']);
    expect(r.code).toBe(10);
    const report = errorReport(r.error);
    expect(report.kind).toBe('missing-tool');
    expect(report.message).toMatch(/^trivy is not installed/);
    expect(report.hint).toMatch(/install Trivy/);
    expect(r.stdout).toBe('');
  });

  it('usage errors', async () => {
    const cases: [string[], RegExp][] = [
      [[], /give an image reference to scan, or --input/],
      [['--input', 'a.json', '--input', 'b.json'], /several --input reports need a platform each/],
      [['--input', ALPINE, '--platform', 'linux/arm64'], /--platform selects what trivy scans/],
      [['--input', ALPINE, '--per-platform'], /--per-platform with --input needs the platform/],
      [['ghcr.io/o/a:1', '--per-platform', '--platform', 'linux/arm64'], /use either --per-platform/],
      [['--input', ALPINE, '--severity', 'BAD'], /unknown severity "BAD"/],
      [['--input', ALPINE, '--ignore-status', 'nope'], /unknown status "nope"/],
      [['--input', ALPINE, '--exit-code', '300'], /--exit-code must be a whole number from 0 to 255/],
      [['--input', join(dir, 'missing.json')], /cannot read Trivy report .*missing\.json: ENOENT/],
    ];
    for (const [args, message] of cases) {
      const r = await scan(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(errorReport(r.error).message, args.join(' ')).toMatch(message);
    }
    const contradiction = await scan(['--input', ALPINE, '--format', 'table'], { json: true });
    expect(errorReport(contradiction.error).message).toBe('--json and --format table contradict each other');
  });

  it('a non-Trivy JSON file is a usage error naming it', async () => {
    const file = join(dir, 'sbom.json');
    await writeFile(file, '{"bomFormat":"CycloneDX","specVersion":"1.5"}');
    const r = await scan(['--input', file]);
    expect(r.code).toBe(2);
    expect(errorReport(r.error).message).toBe(`${file} is a CycloneDX SBOM, not a Trivy JSON report`);
  });

  it('--format is checked by commander', async () => {
    await expect(scan(['--input', ALPINE, '--format', 'xml'])).rejects.toThrow(
      /Allowed choices are table, json, sarif/,
    );
  });
});
