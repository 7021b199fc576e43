/**
 * `ghcr-optimize meta` as a user runs it: a separate node process (through tsx, no build), with a
 * fake GitHub Actions event payload, and in real temporary git repositories — where the local
 * context must give the same tags as the equivalent GitHub event.
 *
 * The command is not registered in program.ts by this change, so the process runs a small program
 * wired like it (global --json/--quiet/--debug, the runner, the error boundary).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir, trackChild } from '../support/lifecycle.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const requireFromRoot = createRequire(join(ROOT, 'package.json'));
const TSX = pathToFileURL(requireFromRoot.resolve('tsx')).href;
const url = (p: string): string => JSON.stringify(pathToFileURL(join(ROOT, p)).href);

const PROGRAM = `
const { Command } = await import(${JSON.stringify(pathToFileURL(requireFromRoot.resolve('@commander-js/extra-typings')).href)});
const { makeRunner, printError } = await import(${url('src/cli/run.ts')});
const { metaCommand } = await import(${url('src/cli/commands/meta.ts')});
const program = new Command('ghcr-optimize')
  .option('--json').option('-q, --quiet').option('--debug').option('--no-color');
program.exitOverride();
program.configureOutput({ outputError: () => undefined });
const cmd = metaCommand(makeRunner(() => program.opts()));
cmd.exitOverride();
cmd.configureOutput({ outputError: () => undefined });
program.addCommand(cmd);
try {
  await program.parseAsync(process.argv.slice(1), { from: 'user' });
} catch (err) {
  if (err && err.exitCode === 0) process.exitCode = 0;
  else process.exitCode = printError(err, program.opts());
}
`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runMeta(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', TSX, '--input-type=module', '-e', PROGRAM, 'meta', ...args],
      {
        cwd: opts.cwd,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: opts.cwd, NO_COLOR: '1', ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    trackChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const EPOCH = '1578616200'; // 2020-01-10T00:30:00Z
const COMMIT_DATE = '2021-03-04T05:06:07Z';
const REPOSITORY = {
  name: 'app',
  full_name: 'octo/app',
  html_url: 'https://github.com/octo/app',
  default_branch: 'main',
};

let tmp: string;

beforeAll(() => {
  tmp = makeTempDir('meta-it');
});
afterAll(() => removeTempDir(tmp));

function writeEvent(name: string, payload: unknown): string {
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(payload));
  return file;
}

function actionsEnv(event: string, ref: string, sha: string, payload: unknown): Record<string, string> {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: event,
    GITHUB_REF: ref,
    GITHUB_SHA: sha,
    GITHUB_EVENT_PATH: writeEvent(`${event}-${ref.replace(/\W/g, '_')}`, payload),
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_NUMBER: '1',
    SOURCE_DATE_EPOCH: EPOCH,
  };
}

function json(r: Run): Record<string, unknown> {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('meta in a GitHub Actions run (fake event payload)', () => {
  const sha = '860c1904a1ce19322e91ac35af1ab07466440c37';
  const payload = {
    ref: 'refs/tags/v1.2.3',
    base_ref: 'refs/heads/main',
    repository: { ...REPOSITORY, description: 'An app', license: { spdx_id: 'Apache-2.0' } },
  };

  it('--json: version, tags in the action order, tag names, labels and level-prefixed annotations', async () => {
    const r = await runMeta(
      [
        '--images',
        'ghcr.io/Octo/App\nname=docker.io/octo/app,enable=false',
        '--tags',
        'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\n# a comment\ntype=sha\ntype=match,"pattern=v(\\d{1,3})",group=1',
        '--labels',
        'org.opencontainers.image.vendor=Octo',
        '--json',
      ],
      { cwd: tmp, env: actionsEnv('push', 'refs/tags/v1.2.3', sha, payload) },
    );
    const created = 'org.opencontainers.image.created=2020-01-10T00:30:00.000Z';
    const base = [
      created,
      'org.opencontainers.image.description=An app',
      'org.opencontainers.image.licenses=Apache-2.0',
      `org.opencontainers.image.revision=${sha}`,
      'org.opencontainers.image.source=https://github.com/octo/app',
      'org.opencontainers.image.title=app',
      'org.opencontainers.image.url=https://github.com/octo/app',
      'org.opencontainers.image.version=1.2.3',
    ];
    expect(json(r)).toEqual({
      version: '1.2.3',
      tags: [
        'ghcr.io/octo/app:1.2.3',
        'ghcr.io/octo/app:1.2',
        'ghcr.io/octo/app:1',
        'ghcr.io/octo/app:sha-860c190',
        'ghcr.io/octo/app:latest',
      ],
      'tag-names': ['1.2.3', '1.2', '1', 'sha-860c190', 'latest'],
      labels: {
        ...Object.fromEntries(base.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])),
        'org.opencontainers.image.vendor': 'Octo',
      },
      annotations: base.map((a) => `manifest:${a}`),
    });
    expect(r.stderr).toBe('');
  });

  it('pull request with the switches: head SHA, short SHA length, annotation levels', async () => {
    const prPayload = {
      number: 7,
      pull_request: { head: { sha: 'b'.repeat(40) }, base: { ref: 'main' } },
      repository: REPOSITORY,
    };
    const r = await runMeta(
      ['--tags', 'type=ref,event=pr\ntype=sha\ntype=raw,value=into-{{base_ref}}', '--json'],
      {
        cwd: tmp,
        env: {
          ...actionsEnv('pull_request', 'refs/pull/7/merge', 'a'.repeat(40), prPayload),
          DOCKER_METADATA_PR_HEAD_SHA: 'true',
          DOCKER_METADATA_SHORT_SHA_LENGTH: '10',
          DOCKER_METADATA_ANNOTATIONS_LEVELS: 'manifest,index',
        },
      },
    );
    const out = json(r);
    expect(out.tags).toEqual(['pr-7', 'into-main', `sha-${'b'.repeat(10)}`]);
    expect((out.labels as Record<string, string>)['org.opencontainers.image.revision']).toBe('b'.repeat(40));
    const annotations = out.annotations as string[];
    expect(annotations.slice(0, 8).every((a) => a.startsWith('manifest:'))).toBe(true);
    expect(annotations.slice(8).every((a) => a.startsWith('index:'))).toBe(true);
  });

  it('text output joins the tags with --sep-tags; warnings go to stderr', async () => {
    const r = await runMeta(
      [
        '--images',
        'user/app',
        '--tags',
        'type=semver,pattern={{version}}\ntype=raw,value=edge',
        '--sep-tags',
        ',',
      ],
      {
        cwd: tmp,
        env: actionsEnv('push', 'refs/tags/nightly', sha, payload),
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('user/app:edge\n');
    expect(r.stderr).toContain('warning: nightly is not a valid semver');
  });

  it('--github-output appends every output and the env variables, and writes the bake files', async () => {
    const output = join(tmp, 'github_output');
    const envFile = join(tmp, 'github_env');
    writeFileSync(output, 'earlier=kept\n');
    const r = await runMeta(
      [
        '--images',
        'user/app',
        '--tags',
        'type=ref,event=tag\ntype=sha',
        '--sep-tags',
        ' ',
        '--github-output',
      ],
      {
        cwd: tmp,
        env: {
          ...actionsEnv('push', 'refs/tags/v1.2.3', sha, payload),
          GITHUB_OUTPUT: output,
          GITHUB_ENV: envFile,
          RUNNER_TEMP: tmp,
        },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(output, 'utf8');
    expect(text.startsWith('earlier=kept\n')).toBe(true);
    const outputs = new Map<string, string>();
    for (const m of text.matchAll(/^([\w-]+)<<(ghadelimiter_[0-9a-f-]{36})\n([\s\S]*?)\n\2\n/gm))
      outputs.set(m[1]!, m[3]!);
    expect([...outputs.keys()]).toEqual([
      'version',
      'tags',
      'tag-names',
      'labels',
      'annotations',
      'json',
      'bake-file-tags',
      'bake-file-labels',
      'bake-file-annotations',
      'bake-file',
    ]);
    expect(outputs.get('version')).toBe('v1.2.3');
    expect(outputs.get('tags')).toBe('user/app:v1.2.3 user/app:sha-860c190 user/app:latest');
    expect(outputs.get('tag-names')).toBe('v1.2.3 sha-860c190 latest');
    expect(outputs.get('labels')!.split('\n')).toHaveLength(8);
    expect(JSON.parse(outputs.get('json')!)).toMatchObject({
      tags: ['user/app:v1.2.3', 'user/app:sha-860c190', 'user/app:latest'],
    });
    const bake = JSON.parse(readFileSync(outputs.get('bake-file')!, 'utf8')) as {
      target: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(bake.target['docker-metadata-action']!)).toEqual(['tags', 'labels', 'args']);
    expect(existsSync(outputs.get('bake-file-annotations')!)).toBe(true);
    const envText = readFileSync(envFile, 'utf8');
    expect(envText).toMatch(/^DOCKER_METADATA_OUTPUT_TAG_NAMES<<ghadelimiter_/m);
    expect(envText).toMatch(/^DOCKER_METADATA_OUTPUT_BAKE_FILE<<ghadelimiter_/m);
  });

  it('DOCKER_METADATA_SET_OUTPUT_ENV=false leaves $GITHUB_ENV alone', async () => {
    const output = join(tmp, 'github_output2');
    const envFile = join(tmp, 'github_env2');
    const r = await runMeta(['--github-output'], {
      cwd: tmp,
      env: {
        ...actionsEnv('push', 'refs/tags/v1.2.3', sha, payload),
        GITHUB_OUTPUT: output,
        GITHUB_ENV: envFile,
        RUNNER_TEMP: tmp,
        DOCKER_METADATA_SET_OUTPUT_ENV: 'false',
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(output, 'utf8')).toContain('version<<ghadelimiter_');
    expect(existsSync(envFile)).toBe(false);
  });

  it('--bake-file writes tags, labels, annotations and args under the bake target', async () => {
    const file = join(tmp, 'bake.json');
    const r = await runMeta(['--images', 'user/app', '--bake-file', file, '--bake-target', 'meta'], {
      cwd: tmp,
      env: {
        ...actionsEnv('push', 'refs/tags/v1.2.3', sha, payload),
        DOCKER_METADATA_ANNOTATIONS_LEVELS: 'index',
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const bake = JSON.parse(readFileSync(file, 'utf8')) as {
      target: Record<string, Record<string, unknown>>;
    };
    expect(bake.target.meta).toMatchObject({
      tags: ['user/app:v1.2.3', 'user/app:latest'],
      args: { DOCKER_META_IMAGES: 'user/app', DOCKER_META_VERSION: 'v1.2.3' },
    });
    expect((bake.target.meta!.labels as Record<string, string>)['org.opencontainers.image.version']).toBe(
      'v1.2.3',
    );
    expect((bake.target.meta!.annotations as string[])[0]).toBe(
      'index:org.opencontainers.image.created=2020-01-10T00:30:00.000Z',
    );
  });
});

describe('meta refuses bad input with one line and exit code 2', () => {
  const sha = '860c1904a1ce19322e91ac35af1ab07466440c37';
  const ok = { repository: REPOSITORY };

  it.each([
    ['type=foo', /^error: tag rule "type=foo": unknown type "foo"$/],
    [
      'type=ref,event=foo',
      /^error: tag rule "type=ref,event=foo": event must be branch, tag or pr, got "foo"$/,
    ],
    [
      'type=semver,pattern={{major}.{{minor}}',
      /^error: tag rule "type=semver,pattern=\{\{major\}\.\{\{minor\}\}": invalid pattern/,
    ],
    [
      'type=semver,pattern={{majr}}',
      /^error: tag rule "type=semver,pattern=\{\{majr\}\}": invalid pattern "\{\{majr\}\}": unknown expression \{\{majr\}\}/,
    ],
    ['type=match,group=1', /^error: tag rule "type=match,group=1": missing pattern attribute$/],
    [
      'type=sha,format=medium',
      /^error: tag rule "type=sha,format=medium": format must be short or long, got "medium"$/,
    ],
  ])('--tags %j', async (tags, message) => {
    const r = await runMeta(['--tags', tags], {
      cwd: tmp,
      env: actionsEnv('push', 'refs/heads/main', sha, ok),
    });
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines[0]).toMatch(message);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^hint: /);
    expect(r.stdout).toBe('');
  });

  it('a missing event payload', async () => {
    const r = await runMeta([], {
      cwd: tmp,
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_EVENT_PATH: join(tmp, 'nope.json'),
      },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `error: missing event payload: cannot read GITHUB_EVENT_PATH ${join(tmp, 'nope.json')} (ENOENT)`,
    );
  });

  it('an event name without any payload path', async () => {
    const r = await runMeta([], { cwd: tmp, env: { GITHUB_EVENT_NAME: 'push' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: missing event payload: GITHUB_EVENT_PATH is not set$/m);
  });

  it('--json errors are JSON on stderr', async () => {
    const r = await runMeta(['--tags', 'type=foo', '--json'], {
      cwd: tmp,
      env: actionsEnv('push', 'refs/heads/main', sha, ok),
    });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({
      error: { kind: 'usage', message: 'tag rule "type=foo": unknown type "foo"', exitCode: 2 },
    });
  });

  it('outside Actions and outside a git repository', async () => {
    const dir = makeTempDir('meta-nogit');
    const r = await runMeta([], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not in a git repository, and this is not a GitHub Actions run/);
    removeTempDir(dir);
  });

  it('--bake-file in a directory that does not exist: exit 11 (file system), nothing created', async () => {
    const missing = join(tmp, 'no-such-dir', 'sub');
    const r = await runMeta(['--images', 'user/app', '--bake-file', join(missing, 'x.json')], {
      cwd: tmp,
      env: actionsEnv('push', 'refs/heads/main', sha, ok),
    });
    expect(r.code, r.stderr).toBe(11);
    expect(r.stderr.split('\n')[0]).toBe(`error: cannot stat ${missing}: no such file or directory (ENOENT)`);
    expect(existsSync(join(tmp, 'no-such-dir'))).toBe(false);
  });

  it('--github-output outside a runner (no $RUNNER_TEMP): bake files in our cache, nothing in TMPDIR', async () => {
    const home = makeTempDir('meta-gh-out');
    const tmpDir = join(home, 'tmp');
    mkdirSync(tmpDir);
    try {
      const output = join(home, 'github_output');
      const env = {
        ...actionsEnv('push', 'refs/heads/main', sha, ok),
        GITHUB_OUTPUT: output,
        TMPDIR: tmpDir,
        XDG_CACHE_HOME: join(home, 'cache'),
      };
      for (let i = 0; i < 2; i++) {
        const r = await runMeta(['--images', 'user/app', '--github-output'], { cwd: home, env });
        expect(r.code, r.stderr).toBe(0);
      }
      // (tsx keeps its own cache there: only our directories matter.)
      expect(readdirSync(tmpDir).filter((n) => n.startsWith('docker-metadata-action-'))).toEqual([]);
      const bakeFiles = [...readFileSync(output, 'utf8').matchAll(/^bake-file<<(\S+)\n(.*)\n/gm)].map(
        (m) => m[2]!,
      );
      expect(bakeFiles).toHaveLength(2);
      // One fixed directory, overwritten by each run: nothing accumulates.
      expect(bakeFiles[0]).toBe(bakeFiles[1]);
      expect(bakeFiles[0]!.startsWith(join(home, 'cache', 'ghcr-optimize'))).toBe(true);
      expect(JSON.parse(readFileSync(bakeFiles[0]!, 'utf8'))).toHaveProperty('target');
    } finally {
      removeTempDir(home);
    }
  });

  it('--github-output without $GITHUB_OUTPUT', async () => {
    const r = await runMeta(['--github-output'], {
      cwd: tmp,
      env: actionsEnv('push', 'refs/heads/main', sha, ok),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--github-output needs \$GITHUB_OUTPUT/);
  });
});

describe('meta in a local git repository gives the same tags as the equivalent GitHub event', () => {
  let repo: string;
  let sha: string;
  const gitEnv = {
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_AUTHOR_DATE: COMMIT_DATE,
    GIT_COMMITTER_DATE: COMMIT_DATE,
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const git = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: repo,
      env: { PATH: process.env.PATH, HOME: repo, ...gitEnv },
      encoding: 'utf8',
    }).trim();

  const tags = [
    'type=schedule',
    'type=ref,event=branch',
    'type=ref,event=tag',
    'type=ref,event=pr',
    'type=semver,pattern={{version}}',
    'type=semver,pattern={{major}}.{{minor}}',
    'type=pep440,pattern={{version}}',
    'type=edge',
    'type=sha',
    'type=raw,value=latest,enable={{is_default_branch}}',
    "type=raw,value=cd-{{commit_date 'YYYYMMDD-HHmmss'}}",
    'type=raw,value={{branch}}-{{sha}},enable={{is_not_default_branch}}',
  ].join('\n');
  const args = ['--images', 'ghcr.io/octo/app', '--tags', tags, '--json'];

  beforeAll(() => {
    repo = makeTempDir('meta-git');
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', 'git@github.com:octo/app.git');
    writeFileSync(join(repo, 'README'), 'hello\n');
    git('add', 'README');
    git('commit', '-q', '-m', 'first');
    git('tag', 'v1.2.3');
    sha = git('rev-parse', 'HEAD');
  });
  afterAll(() => removeTempDir(repo));

  const actions = (ref: string): Record<string, string> =>
    actionsEnv('push', ref, sha, {
      ref,
      head_commit: { id: sha, timestamp: COMMIT_DATE },
      repository: REPOSITORY,
    });

  async function compare(ref: string): Promise<Record<string, unknown>> {
    const local = json(await runMeta(args, { cwd: repo, env: { SOURCE_DATE_EPOCH: EPOCH } }));
    const remote = json(await runMeta(args, { cwd: tmp, env: actions(ref) }));
    expect(local).toEqual(remote);
    return local;
  }

  it('on the default branch: a push to refs/heads/main', async () => {
    git('checkout', '-q', 'main');
    const out = await compare('refs/heads/main');
    expect(out.tags).toEqual([
      'ghcr.io/octo/app:edge',
      'ghcr.io/octo/app:main',
      'ghcr.io/octo/app:latest',
      'ghcr.io/octo/app:cd-20210304-050607',
      `ghcr.io/octo/app:sha-${sha.slice(0, 7)}`,
    ]);
    expect((out.labels as Record<string, string>)['org.opencontainers.image.source']).toBe(
      'https://github.com/octo/app',
    );
  });

  it('on a feature branch: a push to refs/heads/feature/x', async () => {
    git('checkout', '-q', '-b', 'feature/x');
    const out = await compare('refs/heads/feature/x');
    expect(out['tag-names']).toEqual([
      'feature-x',
      'cd-20210304-050607',
      `feature-x-${sha.slice(0, 7)}`,
      `sha-${sha.slice(0, 7)}`,
    ]);
    git('checkout', '-q', 'main');
  });

  it('detached at a tag: a push of refs/tags/v1.2.3', async () => {
    git('checkout', '-q', '--detach', 'v1.2.3');
    const out = await compare('refs/tags/v1.2.3');
    expect(out.version).toBe('1.2.3');
    // A tag is not the default branch: {{is_not_default_branch}} is true and {{branch}} empty, as in the action.
    const short = sha.slice(0, 7);
    expect(out['tag-names']).toEqual([
      '1.2.3',
      '1.2',
      'v1.2.3',
      'cd-20210304-050607',
      `-${short}`,
      `sha-${short}`,
      'latest',
    ]);
    git('checkout', '-q', 'main');
  });

  it('--context git inside Actions takes the ref and commit from the checkout', async () => {
    git('checkout', '-q', '--detach', 'v1.2.3');
    const r = await runMeta(
      ['--context', 'git', '--workdir', repo, '--tags', 'type=ref,event=tag\ntype=sha,format=long', '--json'],
      {
        cwd: tmp,
        env: actionsEnv('push', 'refs/heads/other', 'c'.repeat(40), { repository: REPOSITORY }),
      },
    );
    expect(json(r).tags).toEqual(['v1.2.3', `sha-${sha}`, 'latest']);
    git('checkout', '-q', 'main');
  });
});
