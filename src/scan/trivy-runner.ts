/**
 * Runs `trivy image` as a child process and reads its JSON report. Trivy does the scanning (its
 * vulnerability DB, its registry access); we ask for the complete, unfiltered vulnerability
 * report and apply the policy ourselves, so every output format sees the same findings.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError } from '../errors.js';
import { MissingToolError, ToolFailedError } from './errors.js';
import { readTrivyReport, type ScanReport } from './trivy-report.js';
import { findProgram } from '../util/find-program.js';

/** What trivy scans: an image reference, or a local OCI layout directory / `docker save` tarball. */
export type TrivyTarget = { kind: 'image'; ref: string } | { kind: 'input'; path: string };

export interface TrivyArgsOptions {
  target: TrivyTarget;
  /** The report file trivy writes. */
  output: string;
  /** `os/arch[/variant]` of a multi-platform image (passed to trivy for an image reference only). */
  platform?: string;
}

export const TRIVY_INSTALL_HINT =
  'install Trivy (https://trivy.dev/latest/getting-started/installation/, e.g. "brew install trivy" or the aquasecurity/trivy-action), or scan an existing report: ghcr-optimize scan --input report.json';

/** The argument vector for one `trivy image` run (no shell is involved). */
export function buildTrivyArgs(o: TrivyArgsOptions): string[] {
  return [
    'image',
    '--format',
    'json',
    '--output',
    o.output,
    '--scanners',
    'vuln',
    // Package declarations give lockfile findings their line numbers in SARIF, as in Trivy's own.
    '--list-all-pkgs',
    '--quiet',
    '--exit-code',
    '0',
    // Trivy selects a platform only when it pulls: with --input it takes the layout's first image
    // (or an archive's only one), so the caller stages exactly the platform it wants.
    ...(o.platform && o.target.kind === 'image' ? ['--platform', o.platform] : []),
    ...(o.target.kind === 'input' ? ['--input', o.target.path] : [o.target.ref]),
  ];
}

/** The first executable `name` on PATH, like `command -v`; undefined when there is none. */
export function findExecutable(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  return Promise.resolve(findProgram(name, env));
}

/** The trivy executable, or the one-line "not installed" error (exit code 10). */
export async function requireTrivy(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const exe = await findExecutable('trivy', env);
  if (!exe) {
    throw new MissingToolError('trivy is not installed: "scan" runs it and it is not on PATH', {
      hint: TRIVY_INSTALL_HINT,
    });
  }
  return exe;
}

/** Our registry credentials in the environment; trivy reading a staged layout needs none of them. */
const REGISTRY_SECRET_VARS = ['GHCR_TOKEN', 'GITHUB_TOKEN'];

/**
 * The environment for a trivy that scans a layout we pulled: ours minus the registry tokens, so a
 * token meant for our pull is not handed to another program (trivy's DB download is anonymous).
 */
export function layoutScanEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of REGISTRY_SECRET_VARS) delete copy[name];
  return copy;
}

export interface RunTrivyOptions {
  executable: string;
  target: TrivyTarget;
  platform?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

function describeTarget(t: TrivyTarget): string {
  return t.kind === 'image' ? t.ref : t.path;
}

/** Runs trivy once and returns its parsed report (findings labelled with `platform`). */
export async function runTrivy(o: RunTrivyOptions): Promise<ScanReport> {
  const dir = await mkdtemp(join(tmpdir(), 'ghcr-optimize-trivy-'));
  const output = join(dir, 'report.json');
  const args = buildTrivyArgs({ target: o.target, output, ...(o.platform ? { platform: o.platform } : {}) });
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(o.executable, args, {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: o.env ?? process.env,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      let err = '';
      child.stderr.setEncoding('utf8');
      // Keep the tail only: trivy can be chatty without --quiet (older versions, debug env vars).
      child.stderr.on('data', (d: string) => (err = (err + d).slice(-16_384)));
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (e.name === 'AbortError') reject(new CancelledError('scan interrupted'));
        else if (e.code === 'ENOENT' || e.code === 'EACCES')
          reject(
            new MissingToolError(`cannot run ${o.executable}: ${e.code}`, {
              hint: TRIVY_INSTALL_HINT,
            }),
          );
        else reject(e);
      });
      child.on('close', (c) => resolve({ code: c, stderr: err }));
    });
    if (code !== 0) {
      const last =
        stderr
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .pop() ?? 'no error output';
      throw new ToolFailedError(
        `trivy failed on ${describeTarget(o.target)} (exit ${code ?? 'signal'}): ${last}`,
        {
          hint: `run it yourself to see everything: trivy ${buildTrivyArgs({ ...o, output: 'report.json' })
            .filter((a) => a !== '--quiet')
            .join(' ')}`,
        },
      );
    }
    return await readTrivyReport(output, o.platform).catch((err: unknown) => {
      throw new ToolFailedError(
        `trivy wrote no usable report for ${describeTarget(o.target)}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
