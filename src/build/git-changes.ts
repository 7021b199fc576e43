/**
 * The files changed between two commits, from git. With `head`, `git diff base...head` (what a
 * pull request changes: from their merge base). Without it, the checkout as it is: the commits
 * since the merge base with `base`, plus staged, unstaged and untracked files — so a local run
 * sees work not yet committed. Paths come back relative to `dir` (the config file's directory);
 * files outside it are dropped.
 */
import { execFile } from 'node:child_process';
import { posix } from 'node:path';
import { MissingToolError, UsageError } from '../errors.js';

export interface GitChangeOptions {
  /** The config file's directory, inside the checkout. */
  dir: string;
  base: string;
  head?: string;
}

export interface GitChanges {
  files: string[];
  /** False when the base is the all-zero SHA GitHub sends for a new branch or tag: nothing to diff against. */
  baseKnown: boolean;
}

function git(dir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'core.quotePath=false', ...args],
      { cwd: dir, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          return reject(
            new MissingToolError('git is not installed', {
              hint: 'install git (apt-get install git) and run again',
            }),
          );
        }
        const e = new Error(stderr.trim().split('\n')[0] || err.message) as Error & { stderr: string };
        e.stderr = stderr;
        reject(e);
      },
    );
  });
}

const NUL_LIST = (text: string): string[] => text.split('\0').filter((s) => s !== '');

async function verifyCommit(dir: string, ref: string, flag: string): Promise<void> {
  try {
    await git(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  } catch {
    throw new UsageError(`${flag} "${ref}" is not a commit in this repository`, {
      hint: 'check the ref; in GitHub Actions check out with "fetch-depth: 0" so the base commit is present',
    });
  }
}

export async function gitChangedFiles(opts: GitChangeOptions): Promise<GitChanges> {
  let prefix: string;
  try {
    prefix = (await git(opts.dir, ['rev-parse', '--show-prefix'])).trim();
  } catch (err) {
    if (err instanceof MissingToolError) throw err;
    throw new UsageError(`${opts.dir} is not inside a git checkout`, {
      hint: 'run "changed" in the repository that holds ghcr-optimize.yaml',
    });
  }
  if (/^0+$/.test(opts.base)) return { files: [], baseKnown: false };
  if (opts.base.startsWith('-')) throw new UsageError(`--base "${opts.base}" is not a ref`);
  await verifyCommit(opts.dir, opts.base, '--base');
  if (opts.head !== undefined) {
    if (opts.head.startsWith('-')) throw new UsageError(`--head "${opts.head}" is not a ref`);
    await verifyCommit(opts.dir, opts.head, '--head');
  }
  // Paths relative to the top of the checkout; --no-renames lists both ends of a move.
  const diff = (range: string[]): Promise<string> =>
    git(opts.dir, ['diff', '--name-only', '--no-renames', '-z', ...range, '--']);
  const lists: string[] = [];
  try {
    if (opts.head !== undefined) {
      lists.push(await diff([`${opts.base}...${opts.head}`]));
    } else {
      lists.push(await diff([`${opts.base}...HEAD`]));
      lists.push(await diff(['HEAD']));
      lists.push(
        await git(opts.dir, ['ls-files', '--others', '--exclude-standard', '--full-name', '-z', '--', '.']),
      );
    }
  } catch (err) {
    throw new UsageError(`git diff failed: ${(err as Error).message}`, {
      hint: 'the two commits need a common ancestor: fetch the full history ("fetch-depth: 0")',
    });
  }
  const files = new Set<string>();
  for (const file of lists.flatMap(NUL_LIST)) {
    if (prefix !== '' && !file.startsWith(prefix)) continue;
    files.add(posix.normalize(file.slice(prefix.length)));
  }
  return { files: [...files].sort(), baseKnown: true };
}
