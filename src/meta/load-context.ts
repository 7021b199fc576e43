/**
 * Picks and loads the context: a GitHub Actions run (environment + event payload), the local Git
 * checkout, or — like the action's `context: git` — the run with its ref and commit taken from Git.
 */
import { UsageError } from '../errors.js';
import { contextFromGit, isActionsEnv, type MetaContext } from './context.js';
import { gitCommitDate, readGitFacts } from './git-context.js';
import { workflowContext } from './github-context.js';

export const CONTEXT_MODES = ['auto', 'workflow', 'git'] as const;
export type ContextMode = (typeof CONTEXT_MODES)[number];

export interface LoadContextOptions {
  mode?: ContextMode;
  /** Directory of the Git checkout (default: the current directory). */
  cwd?: string;
  prHeadSha?: boolean;
}

export async function loadContext(
  env: Readonly<Record<string, string | undefined>>,
  opts: LoadContextOptions = {},
): Promise<MetaContext> {
  const mode = opts.mode ?? 'auto';
  if (!(CONTEXT_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`--context must be auto, workflow or git, got "${mode}"`);
  }
  const cwd = opts.cwd ?? process.cwd();
  const actions = isActionsEnv(env);
  if (mode === 'workflow' || (mode === 'auto' && actions)) {
    const ctx = await workflowContext(env, { prHeadSha: opts.prHeadSha ?? false });
    // The action asks the GitHub API for a commit date the payload lacks; the checkout knows it too.
    if (!ctx.commitDate && ctx.sha) {
      const date = await gitCommitDate(cwd, ctx.sha);
      if (date) ctx.commitDate = date;
    }
    return ctx;
  }
  const facts = await readGitFacts(cwd);
  const base =
    mode === 'git' && actions
      ? await workflowContext(env, { prHeadSha: opts.prHeadSha ?? false })
      : undefined;
  return contextFromGit(facts, base);
}
