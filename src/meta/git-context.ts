/**
 * Facts about a local Git checkout, read with `git` child processes: the ref (the branch, or for
 * a detached HEAD the tag, pull-request ref or remote branch pointing at it), the commit, its date,
 * the remote URL and the default branch.
 */
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import type { GitFacts } from './context.js';

function git(cwd: string, args: string[]): Promise<{ ok: boolean; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ ok: !error, out: String(stdout).trim(), err: String(stderr).trim() });
    });
  });
}

async function gitOut(cwd: string, args: string[]): Promise<string | undefined> {
  const r = await git(cwd, args);
  return r.ok ? r.out : undefined;
}

function lines(s: string | undefined): string[] {
  return (s ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** The ref a detached HEAD stands for: a tag, a pull-request ref, or a branch pointing at it. */
async function detachedRef(cwd: string): Promise<string> {
  const tags = lines(
    await gitOut(cwd, [
      'for-each-ref',
      '--points-at',
      'HEAD',
      '--sort=-creatordate',
      '--format=%(refname)',
      'refs/tags/',
    ]),
  );
  if (tags[0]) return tags[0];
  const refs = lines(
    await gitOut(cwd, ['for-each-ref', '--points-at', 'HEAD', '--format=%(refname)', 'refs/']),
  );
  const pull = refs
    .map((r) => /^refs\/(?:remotes\/[^/]+\/)?(pull\/\d+\/(?:head|merge))$/.exec(r)?.[1])
    .find(Boolean);
  if (pull) return `refs/${pull}`;
  const local = refs.find((r) => r.startsWith('refs/heads/'));
  if (local) return local;
  const remote = refs.map((r) => /^refs\/remotes\/[^/]+\/(.+)$/.exec(r)?.[1]).find((b) => b && b !== 'HEAD');
  if (remote) return `refs/heads/${remote}`;
  return '';
}

async function defaultBranch(cwd: string): Promise<string | undefined> {
  const originHead = await gitOut(cwd, ['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD']);
  if (originHead) return originHead.replace(/^refs\/remotes\/origin\//, '');
  const branches = lines(await gitOut(cwd, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/']));
  const configured = await gitOut(cwd, ['config', '--get', 'init.defaultBranch']);
  for (const candidate of [configured, 'main', 'master']) {
    if (candidate && branches.includes(candidate)) return candidate;
  }
  return undefined;
}

/** The committer date of `sha` in the checkout at `cwd`, when Git has that commit. */
export async function gitCommitDate(cwd: string, sha: string): Promise<Date | undefined> {
  if (!/^[0-9a-f]{4,64}$/i.test(sha)) return undefined;
  const out = await gitOut(cwd, ['show', '-s', '--format=%cI', `${sha}^{commit}`, '--']);
  if (!out) return undefined;
  const d = new Date(out);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export async function readGitFacts(cwd: string): Promise<GitFacts> {
  const inside = await git(cwd, ['rev-parse', '--show-toplevel']);
  if (!inside.ok) {
    throw new UsageError(`${cwd} is not in a git repository, and this is not a GitHub Actions run`, {
      hint: 'run inside a git checkout, or set GITHUB_EVENT_NAME, GITHUB_REF, GITHUB_SHA and GITHUB_EVENT_PATH',
    });
  }
  const sha = await gitOut(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (!sha) {
    throw new UsageError(`the git repository at ${inside.out} has no commit yet`);
  }
  const branch = await gitOut(cwd, ['symbolic-ref', '--quiet', 'HEAD']);
  const ref = branch ?? (await detachedRef(cwd));
  const facts: GitFacts = { ref, sha, dirName: basename(inside.out) };
  const date = await gitCommitDate(cwd, sha);
  if (date) facts.commitDate = date;
  const remote =
    (await gitOut(cwd, ['remote', 'get-url', 'origin'])) ||
    (await gitOut(cwd, ['remote', 'get-url', 'upstream']));
  if (remote) facts.remoteUrl = remote;
  const def = await defaultBranch(cwd);
  if (def) facts.defaultBranch = def;
  return facts;
}
