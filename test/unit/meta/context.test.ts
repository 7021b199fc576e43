import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  commitDateFromPayload,
  contextFromGit,
  contextFromWorkflow,
  isActionsEnv,
  repoFromPayload,
  repoFromRemoteUrl,
} from '../../../src/meta/context.js';
import { parseBool, readSwitches, shortSha } from '../../../src/meta/switches.js';
import {
  fixtureContext,
  fixtureEnv,
  fixturePayload,
  REPOSITORY,
  SHA_MASTER,
  SHA_PR,
  SHA_PR_HEAD,
} from './fixtures.js';

describe('contextFromWorkflow', () => {
  it('reads the event, ref and commit from the environment', () => {
    const ctx = fixtureContext('event_push_dev.env');
    expect(ctx).toMatchObject({
      eventName: 'push',
      ref: 'refs/heads/dev',
      sha: '860c1904a1ce19322e91ac35af1ab07466440c37',
      repository: 'octocat/Hello-World',
      serverUrl: 'https://github.com',
      runId: 2188748038,
      runNumber: 15,
      source: 'workflow',
    });
    expect(ctx.repo).toEqual({
      name: 'Hello-World',
      description: 'This your first repo!',
      htmlUrl: 'https://github.com/octocat/Hello-World',
      license: 'MIT',
      defaultBranch: 'master',
    });
  });

  it('keeps GITHUB_HEAD_REF and GITHUB_BASE_REF of a pull request', () => {
    expect(fixtureContext('event_pull_request.env')).toMatchObject({
      headRef: 'test-pr',
      baseRef: 'master',
      sha: SHA_PR,
    });
  });

  it('pull_request_target: the ref is the pull request merge ref', () => {
    expect(fixtureContext('event_pull_request_target.env')).toMatchObject({
      ref: 'refs/pull/15/merge',
      sha: SHA_MASTER,
    });
  });

  it.each([
    ['event_pull_request.env', SHA_PR_HEAD],
    ['event_pull_request_target.env', SHA_PR_HEAD],
    ['event_push_dev.env', '860c1904a1ce19322e91ac35af1ab07466440c37'],
  ] as const)('DOCKER_METADATA_PR_HEAD_SHA on %s → %s', (fixture, sha) => {
    expect(fixtureContext(fixture, { prHeadSha: true }).sha).toBe(sha);
  });

  it('without a head SHA in the payload the commit stays', () => {
    const ctx = contextFromWorkflow(
      { ...fixtureEnv('event_pull_request.env') },
      { pull_request: {} },
      { prHeadSha: true },
    );
    expect(ctx.sha).toBe(SHA_PR);
  });

  it('takes the commit date from the pushed commits, else the head commit', () => {
    const payload = {
      commits: [
        { id: 'aaa', timestamp: '2024-11-13T13:42:28Z' },
        { id: 'bbb', timestamp: '2023-01-01T00:00:00+02:00' },
      ],
      head_commit: { id: 'ccc', timestamp: '2022-02-02T02:02:02Z' },
    };
    expect(commitDateFromPayload(payload, 'bbb')?.toISOString()).toBe('2022-12-31T22:00:00.000Z');
    expect(commitDateFromPayload(payload, 'ccc')?.toISOString()).toBe('2022-02-02T02:02:02.000Z');
    expect(commitDateFromPayload(payload, 'zzz')).toBeUndefined();
    expect(commitDateFromPayload({}, 'aaa')).toBeUndefined();
  });

  it('without a repository in the payload, GITHUB_REPOSITORY and GITHUB_SERVER_URL name it', () => {
    expect(
      repoFromPayload({}, { GITHUB_REPOSITORY: 'o/app', GITHUB_SERVER_URL: 'https://ghe.example.com/' }),
    ).toEqual({
      name: 'app',
      htmlUrl: 'https://ghe.example.com/o/app',
    });
    expect(repoFromPayload({}, {})).toEqual({});
  });

  it('a payload repository without license or description', () => {
    expect(repoFromPayload({ repository: { name: 'x', license: null, description: null } })).toEqual({
      name: 'x',
    });
  });

  it('carries the payload as is', () => {
    expect(fixtureContext('event_tag_v1.1.1.env').payload).toEqual(fixturePayload('event_tag_v1.1.1.env'));
  });
});

describe('isActionsEnv', () => {
  it.each([
    [{ GITHUB_ACTIONS: 'true' }, true],
    [{ GITHUB_EVENT_NAME: 'push' }, true],
    [{ GITHUB_EVENT_PATH: '/e.json' }, true],
    [{ GITHUB_ACTIONS: '', GITHUB_EVENT_NAME: '', GITHUB_EVENT_PATH: '' }, false],
    [{ GITHUB_REF: 'refs/heads/x' }, false],
    [{}, false],
  ])('%j → %s', (env, expected) => {
    expect(isActionsEnv(env)).toBe(expected);
  });
});

describe('repoFromRemoteUrl', () => {
  it.each([
    ['git@github.com:octo/app.git', { owner: 'octo', name: 'app', htmlUrl: 'https://github.com/octo/app' }],
    [
      'https://github.com/octo/app.git',
      { owner: 'octo', name: 'app', htmlUrl: 'https://github.com/octo/app' },
    ],
    ['https://github.com/octo/app', { owner: 'octo', name: 'app', htmlUrl: 'https://github.com/octo/app' }],
    [
      'https://x-access-token:secret@github.com/octo/app.git',
      { owner: 'octo', name: 'app', htmlUrl: 'https://github.com/octo/app' },
    ],
    [
      'ssh://git@ghe.example.com:2222/org/sub/app.git',
      { owner: 'org/sub', name: 'app', htmlUrl: 'https://ghe.example.com/org/sub/app' },
    ],
    ['git://github.com/o/r', { owner: 'o', name: 'r', htmlUrl: 'https://github.com/o/r' }],
    [
      'https://gitlab.com/group/project/',
      { owner: 'group', name: 'project', htmlUrl: 'https://gitlab.com/group/project' },
    ],
    ['/srv/git/app.git', undefined],
    ['file:///srv/git/app.git', undefined],
    ['https://github.com/only', undefined],
    ['', undefined],
  ])('%s', (url, expected) => {
    expect(repoFromRemoteUrl(url)).toEqual(expected);
  });
});

describe('contextFromGit', () => {
  const facts = {
    ref: 'refs/heads/main',
    sha: 'a'.repeat(40),
    commitDate: new Date('2024-01-02T03:04:05Z'),
    remoteUrl: 'git@github.com:octo/app.git',
    defaultBranch: 'main',
    dirName: 'checkout',
  };

  it('a branch checkout is a push, with the repository from the remote', () => {
    const ctx = contextFromGit(facts);
    expect(ctx).toMatchObject({
      eventName: 'push',
      ref: 'refs/heads/main',
      sha: facts.sha,
      source: 'git',
      repository: 'octo/app',
    });
    expect(ctx.repo).toEqual({ name: 'app', htmlUrl: 'https://github.com/octo/app', defaultBranch: 'main' });
    expect(ctx.commitDate).toEqual(facts.commitDate);
    expect(ctx.payload.head_commit).toEqual({ id: facts.sha, timestamp: '2024-01-02T03:04:05.000Z' });
  });

  it('a tag checkout is a tag push', () => {
    expect(contextFromGit({ ...facts, ref: 'refs/tags/v1.0.0' })).toMatchObject({
      eventName: 'push',
      ref: 'refs/tags/v1.0.0',
    });
  });

  it('a pull request ref is a pull_request event with its number', () => {
    const ctx = contextFromGit({ ...facts, ref: 'refs/pull/7/merge' });
    expect(ctx.eventName).toBe('pull_request');
    expect(ctx.payload.number).toBe(7);
  });

  it('without a remote the directory names the repository', () => {
    const rest: typeof facts = { ...facts };
    delete (rest as Partial<typeof facts>).remoteUrl;
    expect(contextFromGit(rest).repo).toEqual({ name: 'checkout', defaultBranch: 'main' });
  });

  it('with a workflow context (context: git), only the ref, commit and date change', () => {
    const base = fixtureContext('event_push_dev.env');
    const ctx = contextFromGit(facts, base);
    expect(ctx).toMatchObject({
      eventName: 'push',
      ref: 'refs/heads/main',
      sha: facts.sha,
      repo: base.repo,
      source: 'git',
    });
    expect(ctx.payload.repository).toEqual(REPOSITORY);
  });
});

describe('readSwitches', () => {
  it('defaults', () => {
    expect(readSwitches({})).toEqual({
      prHeadSha: false,
      shortShaLength: 7,
      annotationLevels: ['manifest'],
      setOutputEnv: true,
    });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['false', false],
    ['yes', false],
    ['', false],
  ])('DOCKER_METADATA_PR_HEAD_SHA=%j → %s', (value, expected) => {
    expect(readSwitches({ DOCKER_METADATA_PR_HEAD_SHA: value }).prHeadSha).toBe(expected);
  });

  it.each([
    ['12', 12],
    ['40', 40],
    ['', 7],
  ])('DOCKER_METADATA_SHORT_SHA_LENGTH=%j → %i', (value, expected) => {
    expect(readSwitches({ DOCKER_METADATA_SHORT_SHA_LENGTH: value }).shortShaLength).toBe(expected);
  });

  it('DOCKER_METADATA_SHORT_SHA_LENGTH must be a number', () => {
    expect(() => readSwitches({ DOCKER_METADATA_SHORT_SHA_LENGTH: 'abc' })).toThrow(UsageError);
    expect(() => readSwitches({ DOCKER_METADATA_SHORT_SHA_LENGTH: 'abc' })).toThrow(
      'DOCKER_METADATA_SHORT_SHA_LENGTH is not a valid number: abc',
    );
  });

  it.each([
    ['manifest,index', ['manifest', 'index']],
    ['index', ['index']],
    ['index,manifest-descriptor', ['index', 'manifest-descriptor']],
    ['', ['manifest']],
  ])('DOCKER_METADATA_ANNOTATIONS_LEVELS=%j', (value, expected) => {
    expect(readSwitches({ DOCKER_METADATA_ANNOTATIONS_LEVELS: value }).annotationLevels).toEqual(expected);
  });

  it.each([
    ['false', false],
    ['0', false],
    ['True', true],
    ['1', true],
  ])('DOCKER_METADATA_SET_OUTPUT_ENV=%j → %s', (value, expected) => {
    expect(readSwitches({ DOCKER_METADATA_SET_OUTPUT_ENV: value }).setOutputEnv).toBe(expected);
  });

  it('DOCKER_METADATA_SET_OUTPUT_ENV must be a boolean', () => {
    expect(() => parseBool('DOCKER_METADATA_SET_OUTPUT_ENV', 'nope')).toThrow(
      /must be true or false, got "nope"/,
    );
  });

  it('SOURCE_DATE_EPOCH pins now', () => {
    expect(readSwitches({ SOURCE_DATE_EPOCH: '1578616200' }).now?.toISOString()).toBe(
      '2020-01-10T00:30:00.000Z',
    );
    expect(readSwitches({ SOURCE_DATE_EPOCH: '' }).now).toBeUndefined();
    expect(() => readSwitches({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(
      /SOURCE_DATE_EPOCH must be whole seconds/,
    );
    expect(() => readSwitches({ SOURCE_DATE_EPOCH: '1.5' })).toThrow(UsageError);
  });

  it.each([
    [7, '860c190'],
    [12, '860c1904a1ce'],
    [40, '860c1904a1ce19322e91ac35af1ab07466440c37'],
    [99, '860c1904a1ce19322e91ac35af1ab07466440c37'],
    [0, ''],
  ])('shortSha length %i', (length, expected) => {
    expect(shortSha('860c1904a1ce19322e91ac35af1ab07466440c37', length)).toBe(expected);
  });
});
