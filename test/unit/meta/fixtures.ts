/**
 * Contexts equivalent to docker/metadata-action's test fixtures (event_*.env + payloads), built
 * through contextFromWorkflow so the environment handling is exercised too. The repository is
 * the action's `repo.json` (octocat/Hello-World, MIT, default branch master).
 */
import { contextFromWorkflow, type MetaContext } from '../../../src/meta/context.js';

export const NOW = new Date('2020-01-10T00:30:00.000Z');

export const SHA_DEV = '860c1904a1ce19322e91ac35af1ab07466440c37';
export const SHA_MASTER = '266574110acf203503badf966df2ea24b5d732d7';
export const SHA_PR = 'a9c8c5828b91be19d9728548b24759e352367ef1';
export const SHA_PR_HEAD = '3370e228f2209994d57af4427fe64e71bb79ac96';
export const SHA_INVALID = '983315b5e8d46e46fc4c49869e85e7ee5fb289ba';

export const REPOSITORY = {
  name: 'Hello-World',
  full_name: 'octocat/Hello-World',
  html_url: 'https://github.com/octocat/Hello-World',
  description: 'This your first repo!',
  license: { key: 'mit', spdx_id: 'MIT' },
  default_branch: 'master',
};

interface Fixture {
  event: string;
  ref: string;
  sha: string;
  payload?: Record<string, unknown>;
  env?: Record<string, string>;
}

const tag = (name: string, extra: Record<string, unknown> = {}): Fixture => ({
  event: 'push',
  ref: `refs/tags/${name}`,
  sha: SHA_DEV,
  payload: { ref: `refs/tags/${name}`, base_ref: null, ...extra },
});

const pullRequest = {
  number: 15,
  pull_request: { number: 15, head: { sha: SHA_PR_HEAD, ref: 'test-pr' }, base: { ref: 'master' } },
};

export const FIXTURES = {
  'event_empty.env': { event: '', ref: '', sha: '' },
  'event_push_dev.env': { event: 'push', ref: 'refs/heads/dev', sha: SHA_DEV },
  'event_push_master.env': { event: 'push', ref: 'refs/heads/master', sha: SHA_MASTER },
  'event_push_invalidchars.env': { event: 'push', ref: 'refs/heads/my/feature#1245', sha: SHA_INVALID },
  'event_workflow_dispatch.env': { event: 'workflow_dispatch', ref: 'refs/heads/master', sha: SHA_DEV },
  'event_workflow_dispatch_dev.env': { event: 'workflow_dispatch', ref: 'refs/heads/dev', sha: SHA_DEV },
  'event_create_branch.env': {
    event: 'create',
    ref: 'refs/heads/dev',
    sha: '5f3331d7f7044c18ca9f12c77d961c4d7cf3276a',
  },
  'event_create_tag.env': { event: 'create', ref: 'refs/tags/v2.1.8-beta.67', sha: SHA_DEV },
  'event_discussion_created.env': { event: 'discussion', ref: 'refs/heads/master', sha: SHA_MASTER },
  'event_issue_opened.env': { event: 'issues', ref: 'refs/heads/master', sha: SHA_MASTER },
  'event_tag_release1.env': tag('release1'),
  'event_tag_20200110-RC2.env': tag('20200110-RC2'),
  'event_tag_v1.1.1.env': tag('v1.1.1', { base_ref: 'refs/heads/master' }),
  'event_tag_v2.0.8-beta.67.env': tag('v2.0.8-beta.67'),
  'event_tag_sometag.env': tag('sometag'),
  'event_tag_p1-v1.0.0.env': tag('p1/v1.0.0'),
  'event_tag_1.2.env': tag('1.2'),
  'event_tag_1.1beta2.env': tag('1.1beta2'),
  'event_tag_1.0dev4.env': tag('1.0dev4'),
  'event_tag_1.2.3rc2.env': tag('1.2.3rc2'),
  'event_tag_v1.2.3rc2.env': tag('v1.2.3rc2'),
  'event_tag_1.2post1.env': tag('1.2post1'),
  'event_tag_v101.12.13.env': tag('v101.12.13'),
  'event_tag_v9.5.7-alpha.2+fork.3.1.8.env': tag('v9.5.7-alpha.2+fork.3.1.8'),
  'event_pull_request.env': {
    event: 'pull_request',
    ref: 'refs/pull/15/merge',
    sha: SHA_PR,
    payload: pullRequest,
    env: { GITHUB_BASE_REF: 'master', GITHUB_HEAD_REF: 'test-pr' },
  },
  'event_pull_request_target.env': {
    event: 'pull_request_target',
    ref: 'refs/heads/master',
    sha: SHA_MASTER,
    payload: pullRequest,
    env: { GITHUB_BASE_REF: 'master', GITHUB_HEAD_REF: 'test-pr' },
  },
  'event_schedule.env': {
    event: 'schedule',
    ref: 'refs/heads/master',
    sha: SHA_DEV,
    payload: { schedule: '*/15 * * * *' },
  },
  'event_release_created.env': {
    event: 'release',
    ref: 'refs/tags/v1.1.1',
    sha: SHA_DEV,
    payload: { action: 'created' },
  },
} satisfies Record<string, Fixture>;

export type FixtureName = keyof typeof FIXTURES;

export function fixtureEnv(name: FixtureName): Record<string, string> {
  const f: Fixture = FIXTURES[name];
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: f.event,
    GITHUB_REF: f.ref,
    GITHUB_SHA: f.sha,
    GITHUB_REPOSITORY: 'octocat/Hello-World',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '2188748038',
    GITHUB_RUN_NUMBER: '15',
    ...(f.env ?? {}),
  };
}

export function fixturePayload(name: FixtureName): Record<string, unknown> {
  const f: Fixture = FIXTURES[name];
  return { ...(f.payload ?? {}), repository: REPOSITORY };
}

export function fixtureContext(name: FixtureName, opts: { prHeadSha?: boolean } = {}): MetaContext {
  return contextFromWorkflow(fixtureEnv(name), fixturePayload(name), opts);
}

/** The eight OCI labels the action always sets, for the Hello-World repository. */
export function ociLabels(revision: string, version: string): string[] {
  return [
    'org.opencontainers.image.created=2020-01-10T00:30:00.000Z',
    'org.opencontainers.image.description=This your first repo!',
    'org.opencontainers.image.licenses=MIT',
    `org.opencontainers.image.revision=${revision}`,
    'org.opencontainers.image.source=https://github.com/octocat/Hello-World',
    'org.opencontainers.image.title=Hello-World',
    'org.opencontainers.image.url=https://github.com/octocat/Hello-World',
    `org.opencontainers.image.version=${version}`,
  ];
}
