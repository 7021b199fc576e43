/**
 * `ghcr-optimize restore` end to end: the command (as the program runs it: context, runner, exit
 * codes) against the GitHub API simulator and a real docker-registry, checked with skopeo.
 * It runs in-process with GITHUB_API_URL and GHCR_TOKEN pointing at the simulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Command } from '@commander-js/extra-typings';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { makeImage } from '../support/fixtures.js';
import { skopeoInspect } from '../support/skopeo.js';
import { requireTool } from '../support/tools.js';
import { startGitHubSim, type GitHubSim } from '../support/github-sim/index.js';
import { restoreCommand } from '../../src/cli/commands/restore.js';
import { makeRunner } from '../../src/cli/run.js';
import type { GlobalOptions } from '../../src/cli/context.js';
import { PackagesClient } from '../../src/github/packages.js';

const haveRegistry = requireTool('docker-registry');
const haveSkopeo = requireTool('skopeo');
const TOKEN = 'ghp_cliRestoreToken0000000000000000000001';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ghcr-optimize [globals] restore …` in-process with `env` set, capturing its output. */
async function runRestore(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(env)) {
    saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => (out.push(String(chunk)), true));
  const stderr = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk) => (err.push(String(chunk)), true));
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = new Command('ghcr-optimize')
      .option('--json')
      .option('-q, --quiet')
      .option('--debug')
      .option('--no-color')
      .exitOverride();
    program.addCommand(restoreCommand(makeRunner((): GlobalOptions => program.opts())));
    await program.parseAsync(['node', 'ghcr-optimize', ...args]);
    return { code: Number(process.exitCode ?? 0), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.exitCode = previous;
    stdout.mockRestore();
    stderr.mockRestore();
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe.skipIf(!haveRegistry || !haveSkopeo)('ghcr-optimize restore (simulator + docker-registry)', () => {
  let reg: RunningRegistry;
  let sim: GitHubSim;
  let home: string;
  let env: Record<string, string | undefined>;
  const a = makeImage({ layers: [{ 'a.txt': 'restore-a' }] });
  const b = makeImage({ layers: [{ 'b.txt': 'restore-b' }] });

  beforeAll(async () => {
    reg = await startRegistry();
    sim = await startGitHubSim({
      registry: reg,
      owners: [{ login: 'octo-org', type: 'Organization', members: ['alice'] }],
      tokens: { [TOKEN]: { login: 'alice', scopes: ['write:packages', 'delete:packages'] } },
    });
    await sim.push('octo-org', 'app', 'stable', a);
    await sim.push('octo-org', 'app', 'old', b);
    home = mkdtempSync(join(tmpdir(), 'ghcr-opt-restore-home-'));
    env = {
      GITHUB_API_URL: sim.apiUrl,
      GHCR_TOKEN: TOKEN,
      GITHUB_TOKEN: undefined,
      HOME: home,
      DOCKER_CONFIG: home,
      REGISTRY_AUTH_FILE: join(home, 'auth.json'),
      GHCR_OPTIMIZE_CONFIG: undefined,
      // --last-clean reads the insights store: a fresh SQLite one under the temp HOME.
      XDG_DATA_HOME: join(home, 'data'),
      GHCR_OPTIMIZE_STORE_URL: undefined,
    };
  });
  afterAll(async () => {
    await sim?.stop();
    await reg?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const versionOf = async (digest: string): Promise<number> =>
    (await sim.versions('octo-org', 'app')).find((v) => v.digest === digest)!.id;

  it('restores a deleted version by id: manifest and tag are back on the registry', async () => {
    const id = await versionOf(b.digest);
    await new PackagesClient({ token: TOKEN, baseUrl: sim.apiUrl, spaceWrites: false }).deleteVersion(
      'octo-org',
      'app',
      id,
    );
    await expect(skopeoInspect(`docker://${reg.host}/octo-org/app:old`)).rejects.toThrow(/manifest unknown/);

    const run = await runRestore(
      ['--json', 'restore', 'ghcr.io/octo-org/app', '--version-id', String(id), '--registry', reg.host],
      env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      owner: string;
      package: string;
      restored: number;
      items: unknown[];
    };
    expect(doc).toMatchObject({ owner: 'octo-org', package: 'app', restored: 1, failed: 0 });
    expect(doc.items).toEqual([{ id, digest: b.digest, tags: ['old'], status: 'restored', verified: true }]);
    expect((await skopeoInspect(`docker://${reg.host}/octo-org/app:old`)).Digest).toBe(b.digest);
    expect(run.stdout).not.toContain(TOKEN);
  });

  it('prints a table, and says "not deleted" for an active version', async () => {
    const id = await versionOf(a.digest);
    const run = await runRestore(
      ['restore', 'app', '--owner', 'octo-org', '--version-id', String(id), '--no-verify'],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(/^VERSION\s+STATUS\s+DIGEST\s+TAGS$/);
    expect(run.stdout).toContain(`${id}  not deleted  ${a.digest}  stable`);
  });

  it('exits 4 for a version that cannot be restored', async () => {
    const run = await runRestore(['restore', 'octo-org/app', '--version-id', '999', '--no-verify'], env);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /^error: restore version 999 of octo-org\/app: no deleted version with that id/m,
    );
  });

  it('exits 3 without a token, with a hint about the scopes', async () => {
    const run = await runRestore(['restore', 'octo-org/app', '--version-id', '1'], {
      ...env,
      GHCR_TOKEN: undefined,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error: no GitHub token for the Packages API');
    expect(run.stderr).toContain('delete:packages');
  });

  it('exits 3 for a rejected token and never prints it', async () => {
    const bad = 'ghp_rejectedToken000000000000000000000009';
    const run = await runRestore(['restore', 'octo-org/app', '--version-id', '1'], {
      ...env,
      GHCR_TOKEN: bad,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('GitHub rejected the token (token from env GHCR_TOKEN)');
    expect(run.stderr).not.toContain(bad);
  });

  it('--last-clean with no clean recorded (exit 4), bad combinations (exit 2), a missing --version-id', async () => {
    const last = await runRestore(['restore', 'octo-org/app', '--last-clean'], env);
    expect(last.code).toBe(4);
    expect(last.stderr).toContain('no `clean --force` of octo-org/app is recorded in the insights store');
    const both = await runRestore(['restore', 'octo-org/app', '--last-clean', '--version-id', '1'], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('use either --last-clean or --version-id');
    const dry = await runRestore(['restore', 'octo-org/app', '--version-id', '1', '--dry-run'], env);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain('--dry-run applies to --last-clean');
    const none = await runRestore(['restore', 'octo-org/app'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('restore needs --version-id N');
    const noPackage = await runRestore(['restore'], env);
    expect(noPackage.code).toBe(2);
    expect(noPackage.stderr).toContain('restore needs a package and --version-id N, or --last-clean');
    const bad = await runRestore(['restore', 'octo-org/app', '--version-id', 'abc'], env);
    expect(bad.code).toBe(2);
  });
});
