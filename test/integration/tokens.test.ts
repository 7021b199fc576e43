import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { startGitHubSim, type GitHubSim } from '../support/github-sim/index.js';
import { describeRun, runCli, type CliResult } from '../support/cli.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { openStore } from '../../src/store/open.js';

const WRITER = 'ghp_writer0000000000000000000000000000';
const READER = 'ghp_reader0000000000000000000000000000';
const FULL = 'ghp_fullaccess000000000000000000000000';

let reg: RunningRegistry;
let sim: GitHubSim;
let home: string;

function noSecrets(r: CliResult): void {
  for (const secret of [WRITER, READER, FULL, 'testpass']) {
    expect(r.stdout + r.stderr).not.toContain(secret);
  }
}

const cli = (args: string[], stdin?: string): Promise<CliResult> =>
  runCli(args, {
    home,
    env: { GITHUB_API_URL: sim.apiUrl, DEV_TOKEN: FULL },
    ...(stdin !== undefined ? { stdin } : {}),
    timeoutMs: 30_000,
  });

beforeAll(async () => {
  reg = await startRegistry({ auth: 'htpasswd' });
  sim = await startGitHubSim({
    registry: reg,
    owners: [{ login: 'alice', type: 'User' }],
    tokens: {
      [WRITER]: { login: 'alice', scopes: ['write:packages'] },
      [READER]: { login: 'alice', scopes: ['read:packages'] },
      [FULL]: { login: 'alice', scopes: ['write:packages', 'delete:packages'] },
    },
  });
  home = makeTempDir('tokens-');
  writeFileSync(
    join(home, 'ghcr-optimize.yaml'),
    [
      'environments:',
      '  prod: { registry: ghcr.io, credential: { file: prod.token }, scopes: [write:packages], rotation: 30d }',
      `  staging: { registry: "${reg.host}", username: testuser, credential: { file: staging.token } }`,
      '  dev: { registry: ghcr.io, credential: { env: DEV_TOKEN } }',
    ].join('\n'),
  );
});
afterAll(async () => {
  await sim?.stop();
  await reg?.stop();
  removeTempDir(home);
});

describe('token check and rotate', () => {
  it('a missing token is exit 3 and says where it was looked for', async () => {
    const r = await cli(['token', 'check', '--environment', 'prod']);
    expect(r.code, describeRun(r)).toBe(3);
    expect(r.stderrLines[0]).toBe('error: prod: no token found (file prod.token)');
  });

  it('rotate refuses a token lacking a required scope and changes nothing', async () => {
    const r = await cli(['token', 'rotate', '--environment', 'prod', '--from-stdin'], `${READER}\n`);
    expect(r.code, describeRun(r)).toBe(3);
    expect(r.stderrLines[0]).toBe('error: the new token lacks write:packages; nothing was changed');
    expect(existsSync(join(home, 'prod.token'))).toBe(false);
    noSecrets(r);
  });

  it('rotate stores a good token (0600), records the date; check shows age and scopes', async () => {
    const r = await cli(
      ['token', 'rotate', '--environment', 'prod', '--from-stdin', '--json'],
      `${WRITER}\n`,
    );
    expect(r.code, describeRun(r)).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ environment: 'prod', stored: 'file prod.token' });
    expect(readFileSync(join(home, 'prod.token'), 'utf8')).toBe(`${WRITER}\n`);
    expect(statSync(join(home, 'prod.token')).mode & 0o777).toBe(0o600);
    noSecrets(r);

    const ok = await cli(['token', 'check', '--environment', 'prod', '--json']);
    expect(ok.code, describeRun(ok)).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([
      expect.objectContaining({
        environment: 'prod',
        found: true,
        scopes: ['write:packages'],
        ageDays: 0,
        ok: true,
      }),
    ]);
    // Deleting images needs a scope this token does not have.
    const del = await cli(['token', 'check', '--environment', 'prod', '--needs', 'push,delete']);
    expect(del.code).toBe(3);
    expect(del.stderrLines[0]).toBe('error: prod: lacks delete:packages');
    noSecrets(del);
  });

  it('a non-GitHub registry: the login is tried before anything is stored', async () => {
    const bad = await cli(['token', 'rotate', '--environment', 'staging', '--from-stdin'], 'wrongpass\n');
    expect(bad.code, describeRun(bad)).toBe(3);
    expect(existsSync(join(home, 'staging.token'))).toBe(false);
    const good = await cli(['token', 'rotate', '--environment', 'staging', '--from-stdin'], 'testpass\n');
    expect(good.code, describeRun(good)).toBe(0);
    const check = await cli(['token', 'check', '--environment', 'staging', '--json']);
    expect(check.code, describeRun(check)).toBe(0);
    expect(JSON.parse(check.stdout)[0]).toMatchObject({ verified: true, ok: true });
    noSecrets(check);
  });

  it('an environment variable cannot be rotated from here: exit 2 with where to change it', async () => {
    const r = await cli(['token', 'rotate', '--environment', 'dev', '--from-stdin'], `${FULL}\n`);
    expect(r.code).toBe(2);
    expect(r.stderrLines[0]).toMatch(
      /^error: environment dev reads its token from the environment variable DEV_TOKEN/,
    );
    noSecrets(r);
  });

  it('a token past its rotation period fails check with exit 9, and health warns about it', async () => {
    const before = await cli(['token', 'check', '--environment', 'dev', '--json']);
    expect(before.code, describeRun(before)).toBe(0);
    expect(JSON.parse(before.stdout)[0]).not.toHaveProperty('ageDays');
    // A rotation recorded 200 days ago (the store is what "token rotate" writes to).
    const store2 = await openStore({}, { env: { HOME: home } });
    try {
      await store2.record({
        kind: 'token',
        command: 'token rotate',
        subject: 'token:dev',
        at: new Date(Date.now() - 200 * 86_400_000),
        data: { environment: 'dev' },
      });
    } finally {
      await store2.close();
    }
    const stale = await cli(['token', 'check', '--environment', 'dev']);
    expect(stale.code, describeRun(stale)).toBe(9);
    expect(stale.stderrLines[0]).toBe('error: dev: rotated 200 days ago, over the 90-day rotation period');
    const health = await runCli(['health', reg.host, '--samples', '1'], {
      home,
      env: { GITHUB_API_URL: sim.apiUrl, DEV_TOKEN: FULL },
      timeoutMs: 30_000,
    });
    expect(health.stderr).toContain(
      'warning: token dev (environment variable DEV_TOKEN): rotated 200 days ago',
    );
    noSecrets(health);
  });

  it('bad input: unknown environment, unknown permission, token as a flag', async () => {
    expect((await cli(['token', 'check', '--environment', 'qa'])).stderrLines[0]).toBe(
      'error: unknown environment "qa"',
    );
    expect((await cli(['token', 'check', '--needs', 'admin'])).stderrLines[0]).toBe(
      'error: --needs: unknown permission "admin"',
    );
    const flag = await cli(['token', 'rotate', '--environment', 'prod']);
    expect(flag.code).toBe(2);
    expect(flag.stderrLines[0]).toBe('error: give the new token on standard input with --from-stdin');
  });
});
