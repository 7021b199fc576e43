/** `ghcr-optimize changed` in real git repositories made in temp dirs. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../support/cli.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { requireTool } from '../support/tools.js';

const CONFIG = [
  'owner: acme',
  'services:',
  '  backend: { paths: [libs/common] }',
  '  frontend: { platforms: [linux/amd64] }',
  '  auth: {}',
  '  tools: ghcr.io/acme/tools # a plain image: never built',
  'build:',
  '  shared: [package-lock.json]',
  '',
].join('\n');

interface Changed {
  services: string[];
  matrix: {
    include: { service: string; context: string; dockerfile: string; image: string; platforms: string }[];
  };
  reasons: Record<string, string[]>;
  allBecause?: string;
}

describe.skipIf(!requireTool('git'))('changed', () => {
  let home: string;
  let repo: string;

  const git = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
    }).trim();
  const write = (path: string, text = `${path}\n`): void => {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  };
  const commit = (message: string): string => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  const changed = async (args: string[], env: Record<string, string> = {}): Promise<Changed> => {
    const r = await runCli(['--json', 'changed', ...args], { home, cwd: repo, env });
    expect(r.code, describeRun(r)).toBe(0);
    return JSON.parse(r.stdout) as Changed;
  };

  let base: string;

  beforeAll(() => {
    home = makeTempDir('ghcr-opt-changed-home');
    repo = makeTempDir('ghcr-opt-changed-repo');
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ci@example.com');
    git('config', 'user.name', 'CI');
    write('ghcr-optimize.yaml', CONFIG);
    for (const s of ['backend', 'frontend', 'auth']) write(`${s}/Dockerfile`, 'FROM scratch\n');
    write('libs/common/index.ts');
    write('package-lock.json', '{}\n');
    write('README.md');
    base = commit('init');
  });

  afterAll(() => {
    removeTempDir(home);
    removeTempDir(repo);
  });

  it('lists the services whose context changed between two commits, with a matrix', async () => {
    write('backend/src/server.ts');
    write('README.md', 'changed\n');
    const head = commit('backend');
    const out = await changed(['--base', base, '--head', head]);
    expect(out).toEqual({
      services: ['backend'],
      matrix: {
        include: [
          {
            service: 'backend',
            context: 'backend',
            dockerfile: 'backend/Dockerfile',
            image: 'ghcr.io/acme/backend',
            platforms: 'linux/amd64,linux/arm64',
          },
        ],
      },
      reasons: { backend: ['backend/src/server.ts'] },
    });
    // Text output: one name per line.
    const r = await runCli(['changed', '--base', base, '--head', head], { home, cwd: repo });
    expect(r.stdout).toBe('backend\n');
  });

  it('counts staged, unstaged and untracked files when --head is not given', async () => {
    const head = git('rev-parse', 'HEAD');
    expect((await changed(['--base', head])).services).toEqual([]);
    write('frontend/new-untracked.txt');
    expect((await changed(['--base', head])).services).toEqual(['frontend']);
    write('libs/common/index.ts', 'edited\n');
    expect((await changed(['--base', head])).services).toEqual(['backend', 'frontend']);
    write('auth/staged.txt');
    git('add', 'auth/staged.txt');
    expect((await changed(['--base', head])).services).toEqual(['backend', 'frontend', 'auth']);
    // Committed state only: none of that is in base...HEAD.
    expect((await changed(['--base', head, '--head', 'HEAD'])).services).toEqual([]);
    commit('misc');
  });

  it('rebuilds every service for a shared path, the config file, or an all-zero base', async () => {
    const before = git('rev-parse', 'HEAD');
    write('package-lock.json', '{"v":2}\n');
    const lock = commit('lock');
    expect(await changed(['--base', before, '--head', lock])).toMatchObject({
      services: ['backend', 'frontend', 'auth'],
      allBecause: 'package-lock.json',
    });
    write('ghcr-optimize.yaml', `${CONFIG}# edited\n`);
    const cfg = commit('config');
    expect((await changed(['--base', lock, '--head', cfg])).allBecause).toBe('ghcr-optimize.yaml');
    const zero = await changed(['--base', '0'.repeat(40)]);
    expect(zero.services).toEqual(['backend', 'frontend', 'auth']);
    expect(zero.matrix.include.map((m) => m.service)).toEqual(['backend', 'frontend', 'auth']);
  });

  it('appends services, matrix and any to $GITHUB_OUTPUT', async () => {
    const before = git('rev-parse', 'HEAD');
    write('frontend/app.tsx');
    const head = commit('frontend');
    const outFile = join(home, 'github_output');
    writeFileSync(outFile, 'previous=1\n');
    const r = await runCli(['changed', '--base', before, '--head', head, '--github-output'], {
      home,
      cwd: repo,
      env: { GITHUB_OUTPUT: outFile },
    });
    expect(r.code, describeRun(r)).toBe(0);
    const text = readFileSync(outFile, 'utf8');
    expect(text.startsWith('previous=1\n')).toBe(true);
    const values: Record<string, string> = {};
    for (const m of text.matchAll(/^([a-z]+)<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\2\n/gm))
      values[m[1]!] = m[3]!;
    expect(values.services).toBe('["frontend"]');
    expect(JSON.parse(values.matrix!)).toEqual({
      include: [
        {
          service: 'frontend',
          context: 'frontend',
          dockerfile: 'frontend/Dockerfile',
          image: 'ghcr.io/acme/frontend',
          platforms: 'linux/amd64',
        },
      ],
    });
    expect(values.any).toBe('true');
  });

  it('works with the config file in a subdirectory, ignoring files outside it', async () => {
    const before = git('rev-parse', 'HEAD');
    write('deploy/ghcr-optimize.yaml', 'owner: acme\nservices:\n  api: {}\n');
    write('deploy/api/Dockerfile', 'FROM scratch\n');
    const added = commit('deploy');
    write('backend/outside.txt');
    write('deploy/api/main.go');
    const head = commit('both');
    const out = await changed(['--base', added, '--head', head], {
      GHCR_OPTIMIZE_CONFIG: 'deploy/ghcr-optimize.yaml',
    });
    expect(out.services).toEqual(['api']);
    expect(out.reasons).toEqual({ api: ['api/main.go'] });
    expect(
      (
        await changed(['--base', before, '--head', added], {
          GHCR_OPTIMIZE_CONFIG: 'deploy/ghcr-optimize.yaml',
        })
      ).allBecause,
    ).toBe('ghcr-optimize.yaml');
  });

  it('refuses an unknown base with one line and exit 2', async () => {
    const r = await runCli(['changed', '--base', 'no-such-ref'], { home, cwd: repo });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderrLines).toEqual([
      'error: --base "no-such-ref" is not a commit in this repository',
      'hint: check the ref; in GitHub Actions check out with "fetch-depth: 0" so the base commit is present',
    ]);
  });

  it('refuses a directory that is not a git checkout', async () => {
    const dir = makeTempDir('ghcr-opt-changed-nogit');
    writeFileSync(join(dir, 'ghcr-optimize.yaml'), CONFIG);
    const r = await runCli(['changed', '--base', 'main'], { home, cwd: dir });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderrLines[0]).toMatch(/^error: .* is not inside a git checkout$/);
    removeTempDir(dir);
  });
});
