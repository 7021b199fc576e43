/**
 * What the engine knows about the build: the event, the Git ref and commit, the event payload and
 * the repository. Built from a GitHub Actions run (environment + event payload) or from a local
 * Git checkout, or injected directly — the engine only ever reads this object.
 */

export interface RepoInfo {
  /** Repository name (`Hello-World`). */
  name?: string;
  description?: string;
  /** Web page (`https://github.com/octocat/Hello-World`): the url and source labels. */
  htmlUrl?: string;
  /** SPDX id of the license (`MIT`). */
  license?: string;
  defaultBranch?: string;
}

export interface MetaContext {
  /** `push`, `pull_request`, `schedule`, … (empty when unknown). */
  eventName: string;
  /** `refs/heads/main`, `refs/tags/v1.2.3`, `refs/pull/2/merge`, or empty. */
  ref: string;
  /** Full commit SHA, or empty. */
  sha: string;
  /** When the commit was made; `{{commit_date}}` falls back to "now" without it. */
  commitDate?: Date;
  /** The webhook event payload (`base_ref`, `pull_request.base.ref`, …). */
  payload: Record<string, unknown>;
  repo: RepoInfo;
  /** Informational, as GitHub Actions sets them. */
  headRef?: string;
  baseRef?: string;
  repository?: string;
  serverUrl?: string;
  runId?: number;
  runNumber?: number;
  /** Where the context came from. */
  source?: 'workflow' | 'git' | 'injected';
}

type Env = Readonly<Record<string, string | undefined>>;

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** A payload value as text (numbers as digits, other non-strings as JSON). */
export function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Reads `repository` of an event payload; GITHUB_REPOSITORY/GITHUB_SERVER_URL fill the name and URL when it is absent. */
export function repoFromPayload(payload: Record<string, unknown>, env: Env = {}): RepoInfo {
  const r = obj(payload.repository);
  const full = env.GITHUB_REPOSITORY ?? '';
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  if (!r) {
    if (!full.includes('/')) return {};
    return { name: full.split('/')[1], htmlUrl: `${server}/${full}` };
  }
  const info: RepoInfo = {};
  const name = str(r.name);
  if (name !== undefined) info.name = name;
  const description = str(r.description);
  if (description !== undefined) info.description = description;
  const htmlUrl = str(r.html_url);
  if (htmlUrl !== undefined) info.htmlUrl = htmlUrl;
  const license = str(obj(r.license)?.spdx_id);
  if (license !== undefined) info.license = license;
  const defaultBranch = str(r.default_branch);
  if (defaultBranch !== undefined) info.defaultBranch = defaultBranch;
  return info;
}

/** The commit date the payload carries for `sha` (a push lists its commits; tags have head_commit). */
export function commitDateFromPayload(payload: Record<string, unknown>, sha: string): Date | undefined {
  const commits = payload.commits;
  if (Array.isArray(commits)) {
    for (const c of commits) {
      const o = obj(c);
      if (o && o.id === sha && typeof o.timestamp === 'string' && o.timestamp !== '')
        return new Date(o.timestamp);
    }
  }
  const head = obj(payload.head_commit);
  if (head && head.id === sha && typeof head.timestamp === 'string') return new Date(head.timestamp);
  return undefined;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = parseInt(v, 10);
  return Number.isNaN(n) ? undefined : n;
}

export interface WorkflowOptions {
  /** DOCKER_METADATA_PR_HEAD_SHA: use the pull request's head commit. */
  prHeadSha?: boolean;
}

/**
 * The context of a GitHub Actions run, as the action reads it: GITHUB_EVENT_NAME, GITHUB_REF and
 * GITHUB_SHA, with `pull_request_target` pointed at `refs/pull/N/merge` and, with
 * DOCKER_METADATA_PR_HEAD_SHA, the pull request's head commit.
 */
export function contextFromWorkflow(
  env: Env,
  payload: Record<string, unknown>,
  opts: WorkflowOptions = {},
): MetaContext {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  let ref = env.GITHUB_REF ?? '';
  let sha = env.GITHUB_SHA ?? '';
  if (/pull_request_target/.test(eventName)) {
    ref = `refs/pull/${scalar(payload.number)}/merge`;
  }
  if (opts.prHeadSha && /pull_request/.test(eventName)) {
    const head = obj(obj(payload.pull_request)?.head);
    if (head && head.sha !== undefined && head.sha !== null) sha = scalar(head.sha);
  }
  const ctx: MetaContext = {
    eventName,
    ref,
    sha,
    payload,
    repo: repoFromPayload(payload, env),
    source: 'workflow',
  };
  const commitDate = commitDateFromPayload(payload, sha);
  if (commitDate) ctx.commitDate = commitDate;
  if (env.GITHUB_HEAD_REF) ctx.headRef = env.GITHUB_HEAD_REF;
  if (env.GITHUB_BASE_REF) ctx.baseRef = env.GITHUB_BASE_REF;
  if (env.GITHUB_REPOSITORY) ctx.repository = env.GITHUB_REPOSITORY;
  ctx.serverUrl = env.GITHUB_SERVER_URL || 'https://github.com';
  const runId = int(env.GITHUB_RUN_ID);
  if (runId !== undefined) ctx.runId = runId;
  const runNumber = int(env.GITHUB_RUN_NUMBER);
  if (runNumber !== undefined) ctx.runNumber = runNumber;
  return ctx;
}

/** Whether the environment is a GitHub Actions run (or looks like one). */
export function isActionsEnv(env: Env): boolean {
  return env.GITHUB_ACTIONS === 'true' || Boolean(env.GITHUB_EVENT_NAME) || Boolean(env.GITHUB_EVENT_PATH);
}

/** What a local checkout tells us (see git-context.ts). */
export interface GitFacts {
  /** `refs/heads/…`, `refs/tags/…`, `refs/pull/N/merge`, or empty for an anonymous detached HEAD. */
  ref: string;
  sha: string;
  commitDate?: Date;
  remoteUrl?: string;
  defaultBranch?: string;
  /** Name of the top-level directory, for the title label when there is no remote. */
  dirName?: string;
}

/** `git@github.com:o/r.git`, `https://github.com/o/r`, `ssh://git@host:22/o/r.git` → owner, name and web URL. */
export function repoFromRemoteUrl(url: string): { owner: string; name: string; htmlUrl: string } | undefined {
  const u = url.trim();
  let host: string | undefined;
  let path: string | undefined;
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(u);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) {
    host = scp[1];
    path = scp[2];
  } else {
    try {
      const parsed = new URL(u);
      if (parsed.protocol === 'file:') return undefined;
      host = parsed.hostname;
      path = parsed.pathname;
    } catch {
      return undefined;
    }
  }
  const segs = (path ?? '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/')
    .filter((s) => s !== '');
  if (!host || segs.length < 2) return undefined;
  const name = segs[segs.length - 1]!;
  const owner = segs.slice(0, -1).join('/');
  return { owner, name, htmlUrl: `https://${host}/${owner}/${name}` };
}

/**
 * A context for a local checkout that yields the tags the equivalent GitHub event would: a
 * branch or tag checkout is a `push`, a `refs/pull/…` checkout a `pull_request`. With `base` (a
 * workflow context: the action's `context: git`), only the ref, commit and commit date change.
 */
export function contextFromGit(facts: GitFacts, base?: MetaContext): MetaContext {
  if (base) {
    const ctx: MetaContext = { ...base, ref: facts.ref, sha: facts.sha, source: 'git' };
    if (facts.commitDate) ctx.commitDate = facts.commitDate;
    else delete ctx.commitDate;
    return ctx;
  }
  const remote = facts.remoteUrl ? repoFromRemoteUrl(facts.remoteUrl) : undefined;
  const repository: Record<string, unknown> = {};
  const name = remote?.name ?? facts.dirName;
  if (name !== undefined) repository.name = name;
  if (remote) {
    repository.full_name = `${remote.owner}/${remote.name}`;
    repository.html_url = remote.htmlUrl;
  }
  if (facts.defaultBranch) repository.default_branch = facts.defaultBranch;
  const payload: Record<string, unknown> = { repository };
  if (facts.sha && facts.commitDate) {
    payload.head_commit = { id: facts.sha, timestamp: facts.commitDate.toISOString() };
  }
  if (facts.ref.startsWith('refs/pull/')) {
    const number = Number(/^refs\/pull\/(\d+)\//.exec(facts.ref)?.[1]);
    if (!Number.isNaN(number)) payload.number = number;
  }
  const ctx: MetaContext = {
    eventName: facts.ref.startsWith('refs/pull/') ? 'pull_request' : 'push',
    ref: facts.ref,
    sha: facts.sha,
    payload,
    repo: repoFromPayload(payload),
    source: 'git',
  };
  if (facts.commitDate) ctx.commitDate = facts.commitDate;
  if (remote) {
    ctx.repository = `${remote.owner}/${remote.name}`;
    ctx.serverUrl = new URL(remote.htmlUrl).origin;
  }
  return ctx;
}
