/**
 * The CLI end to end, as a user runs it: `node src/cli/main.ts ARGS` in its own process with a
 * clean environment (own HOME / DOCKER_CONFIG, no GitHub tokens), against the real registry on
 * 127.0.0.1 and OCI layouts on disk, cross-checked with skopeo. Asserts stdout, stderr and the
 * documented exit codes, and that secrets never reach either stream.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, describeRun, type CliOptions, type CliResult } from '../support/cli.js';
import { makeImage, makeIndex, pushImage } from '../support/fixtures.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { closeServer, listenLocal } from '../support/net.js';
import { startNotARegistry } from '../support/fault-proxy.js';
import { credsOf, startRegistry, type RunningRegistry } from '../support/registry.js';
import { runSkopeo, skopeoInspect, skopeoInspectRaw, skopeoListTags } from '../support/skopeo.js';
import { requireTool } from '../support/tools.js';

const haveRegistry = requireTool('docker-registry');
const haveSkopeo = requireTool('skopeo');

const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Exit code as expected, with everything the run printed in the failure message. */
function expectExit(r: CliResult, code: number): void {
  expect(r.timedOut, describeRun(r)).toBe(false);
  expect(r.code, describeRun(r)).toBe(code);
}

/** A failure as the README promises: `error: ...`, at most a `hint: ...`, no stack trace. */
function expectOneLineError(r: CliResult): void {
  expect(r.stderrLines.length, describeRun(r)).toBeGreaterThanOrEqual(1);
  expect(r.stderrLines.length, describeRun(r)).toBeLessThanOrEqual(2);
  expect(r.stderrLines[0], describeRun(r)).toMatch(/^error: /);
  if (r.stderrLines[1] !== undefined) expect(r.stderrLines[1], describeRun(r)).toMatch(/^hint: /);
  expect(r.stderr, describeRun(r)).not.toMatch(/^\s+at /m);
}

function json<T = unknown>(text: string): T {
  return JSON.parse(text) as T;
}

function jsonError(r: CliResult): { kind: string; message: string; hint?: string; exitCode: number } {
  expect(r.stderrLines, describeRun(r)).toHaveLength(1);
  const doc = json<{ error: { kind: string; message: string; hint?: string; exitCode: number } }>(r.stderr);
  return doc.error;
}

function expectNoSecret(r: CliResult, ...secrets: string[]): void {
  for (const s of secrets) {
    expect(r.stdout.includes(s), `secret on stdout of ${describeRun(r)}`).toBe(false);
    expect(r.stderr.includes(s), `secret on stderr of ${describeRun(r)}`).toBe(false);
  }
}

describe('ghcr-optimize CLI: help, version, usage errors', () => {
  let home: string;
  let cli: (args: string[], o?: Partial<CliOptions>) => Promise<CliResult>;
  beforeAll(() => {
    home = makeTempDir('ghcr-opt-cli');
    cli = (args, o) => runCli(args, { home, ...o });
  });
  afterAll(() => removeTempDir(home));

  it('--help lists every command, inspect --help has examples, --version prints the version', async () => {
    const pkg = json<{ version: string }>(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    );
    const [help, inspectHelp, version] = await Promise.all([
      cli(['--help']),
      cli(['inspect', '--help']),
      cli(['--version']),
    ]);
    expectExit(help, 0);
    for (const cmd of ['inspect', 'tags', 'health', 'auth', 'demo']) {
      expect(help.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
    }
    expect(help.stdout).toMatch(/Exit codes/);
    expectExit(inspectHelp, 0);
    expect(inspectHelp.stdout).toContain('Examples');
    expect(inspectHelp.stdout).toContain('--platform');
    expectExit(version, 0);
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('an unknown option is a usage error (exit 2) with a one-line error and a hint', async () => {
    const [sub, top] = await Promise.all([cli(['inspect', '--bogus', 'x']), cli(['--bogus'])]);
    for (const r of [sub, top]) {
      expectExit(r, 2);
      expectOneLineError(r);
      expect(r.stderrLines[0]).toContain('--bogus');
      expect(r.stdout).toBe('');
    }
  });

  it('a malformed reference is exit 2, names the bad part, no stack trace; --json and --debug variants', async () => {
    const [plain, asJson, debug] = await Promise.all([
      cli(['inspect', 'Bad/Name:x']),
      cli(['inspect', 'Bad/Name:x', '--json']),
      cli(['inspect', 'Bad/Name:x', '--debug']),
    ]);
    expectExit(plain, 2);
    expectOneLineError(plain);
    expect(plain.stderrLines[0]).toContain('Name');
    expect(plain.stdout).toBe('');

    expectExit(asJson, 2);
    expect(asJson.stdout).toBe('');
    const err = jsonError(asJson);
    expect(err.exitCode).toBe(2);
    expect(typeof err.kind).toBe('string');
    expect(err.message).toContain('Name');

    // --debug may add a stack trace, but the first line and the exit code stay the same.
    expectExit(debug, 2);
    expect(debug.stderrLines[0]).toBe(plain.stderrLines[0]);
  });
});

// The demo itself is tested in demo.test.ts; here its backend layout is the oci: input.
describe("ghcr-optimize on oci: layouts (the demo's)", () => {
  let home: string;
  let layout: string;
  let cli: (args: string[]) => Promise<CliResult>;
  beforeAll(async () => {
    home = makeTempDir('ghcr-opt-cli-demo');
    layout = join(home, 'demo', 'images', 'backend');
    cli = (args) => runCli(args, { home, timeoutMs: 120_000 });
    expectExit(await cli(['demo', '--dir', join(home, 'demo')]), 0);
  }, 150_000);
  afterAll(() => removeTempDir(home));

  it('inspect/tags read the layout; --raw hashes to the digest inspect reports; skopeo agrees', async () => {
    const [desc, tags, raw, arm] = await Promise.all([
      cli(['inspect', `oci:${layout}:1.4.2`, '--json']),
      cli(['tags', `oci:${layout}`]),
      cli(['inspect', `oci:${layout}:1.4.2`, '--raw']),
      cli(['inspect', `oci:${layout}:latest`, '--platform', 'linux/arm64', '--json']),
    ]);
    expectExit(desc, 0);
    const d = json<{ kind: string; digest: string; platforms: { platform: string }[] }>(desc.stdout);
    expect(d.kind).toBe('index');
    expect(d.platforms).toHaveLength(2);

    expectExit(tags, 0);
    expect(tags.stdout.trim().split('\n')).toEqual(['1.4', '1.4.2', 'latest', 'sha-0c6f2f4']);

    expectExit(raw, 0);
    expect(sha256(raw.stdoutBytes)).toBe(d.digest);

    expectExit(arm, 0);
    const a = json<{ image: { platform: string; layers: unknown[] } }>(arm.stdout);
    expect(a.image.platform).toMatch(/^linux\/arm64/);
    expect(a.image.layers.length).toBeGreaterThan(0);

    if (haveSkopeo) {
      const theirs = await skopeoInspectRaw(`oci:${layout}:latest`);
      expect(theirs.equals(raw.stdoutBytes)).toBe(true);
    }
  });

  it('a missing tag in a layout is exit 4', async () => {
    const r = await cli(['inspect', `oci:${layout}:nope`]);
    expectExit(r, 4);
    expectOneLineError(r);
  });
});

describe.skipIf(!haveRegistry || !haveSkopeo)('ghcr-optimize against an open registry', () => {
  let reg: RunningRegistry;
  let home: string;
  let H: string;
  let cli: (args: string[]) => Promise<CliResult>;
  const amd = makeImage({
    architecture: 'amd64',
    layers: [{ 'a.txt': 'amd64 cli layer' }],
    config: { config: { User: '1000', Labels: { app: 'cli-test' } } },
  });
  const arm = makeImage({
    architecture: 'arm64',
    variant: 'v8',
    layers: [{ 'a.txt': 'arm64 cli layer' }, { 'b.txt': 'second arm64 layer' }],
  });
  const index = makeIndex([amd, arm]);
  const docker = makeImage({ mediaTypes: 'docker', layers: [{ 'd.txt': 'docker v2s2 cli layer' }] });
  const TAGS = ['1.0.0', '1.0.0-amd64', 'latest', 'v2s2'];

  beforeAll(async () => {
    reg = await startRegistry();
    H = reg.host;
    home = makeTempDir('ghcr-opt-cli-reg');
    cli = (args) => runCli(args, { home });
    await pushImage(reg.url, 'team/app', 'latest', index);
    await pushImage(reg.url, 'team/app', '1.0.0', index);
    await pushImage(reg.url, 'team/app', '1.0.0-amd64', amd);
    await pushImage(reg.url, 'team/app', 'v2s2', docker);
  });
  afterAll(async () => {
    await reg?.stop();
    if (home) removeTempDir(home);
  });

  it('tags: sorted lines, a JSON array, and --digests matching skopeo', async () => {
    const [text, asJson, digests, skopeoTags] = await Promise.all([
      cli(['tags', `${H}/team/app`]),
      cli(['tags', `${H}/team/app`, '--json']),
      cli(['tags', `${H}/team/app`, '--digests', '--json']),
      skopeoListTags(`docker://${H}/team/app`),
    ]);
    expectExit(text, 0);
    expect(text.stdout).toBe(`${TAGS.join('\n')}\n`);
    expect(text.stderr).toBe('');
    expect([...skopeoTags].sort()).toEqual(TAGS);

    expectExit(asJson, 0);
    expect(json(asJson.stdout)).toEqual(TAGS);

    expectExit(digests, 0);
    const rows = json<{ tag: string; digest: string }[]>(digests.stdout);
    expect(rows.map((r) => r.tag)).toEqual(TAGS);
    const skopeoDigests = await Promise.all(
      TAGS.map(async (t) => (await skopeoInspect(`docker://${H}/team/app:${t}`)).Digest),
    );
    expect(rows.map((r) => r.digest)).toEqual(skopeoDigests);
    expect(Object.fromEntries(rows.map((r) => [r.tag, r.digest]))).toEqual({
      '1.0.0': index.digest,
      '1.0.0-amd64': amd.digest,
      latest: index.digest,
      v2s2: docker.digest,
    });
  });

  it('inspect an index: digest as skopeo reports it, both platforms with sizes', async () => {
    const [r, theirs] = await Promise.all([
      cli(['inspect', `${H}/team/app:latest`, '--json']),
      skopeoInspect(`docker://${H}/team/app:latest`),
    ]);
    expectExit(r, 0);
    const d = json<{
      digest: string;
      kind: string;
      platforms: { platform: string; digest: string; size: number; layers: number }[];
    }>(r.stdout);
    expect(d.digest).toBe(theirs.Digest);
    expect(d.digest).toBe(index.digest);
    expect(d.kind).toBe('index');
    expect(d.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(d.platforms.map((p) => p.digest)).toEqual([amd.digest, arm.digest]);
    const sizeOf = (i: typeof amd) => i.size + i.config.size + i.layers.reduce((n, l) => n + l.size, 0);
    expect(d.platforms.map((p) => p.size)).toEqual([sizeOf(amd), sizeOf(arm)]);
    expect(d.platforms.map((p) => p.layers)).toEqual([1, 2]);
  });

  it('inspect --platform picks the child; an absent platform is exit 4 with the available ones', async () => {
    const [armRun, missing, missingJson] = await Promise.all([
      cli(['inspect', `${H}/team/app:latest`, '--platform', 'linux/arm64', '--json']),
      cli(['inspect', `${H}/team/app:latest`, '--platform', 'linux/s390x']),
      cli(['inspect', `${H}/team/app:latest`, '--platform', 'linux/s390x', '--json']),
    ]);
    expectExit(armRun, 0);
    const a = json<{
      image: { digest: string; platform: string; layers: { digest: string; size: number }[] };
    }>(armRun.stdout);
    expect(a.image.platform).toMatch(/^linux\/arm64/);
    expect(a.image.digest).toBe(arm.digest);
    expect(a.image.layers.map((l) => l.digest)).toEqual(arm.layers.map((l) => l.digest));

    expectExit(missing, 4);
    expectOneLineError(missing);
    expect(missing.stderrLines[0]).toContain('linux/s390x');
    expect(missing.stderrLines[1]).toMatch(/^hint: .*linux\/amd64.*linux\/arm64/);

    expectExit(missingJson, 4);
    const err = jsonError(missingJson);
    expect(err.kind).toBe('not-found');
    expect(err.exitCode).toBe(4);
  });

  it('inspect --raw prints the manifest bytes skopeo prints', async () => {
    for (const tag of ['latest', 'v2s2']) {
      const [ours, theirs] = await Promise.all([
        cli(['inspect', `${H}/team/app:${tag}`, '--raw']),
        skopeoInspectRaw(`docker://${H}/team/app:${tag}`),
      ]);
      expectExit(ours, 0);
      expect(ours.stdoutBytes.equals(theirs), `--raw of ${tag}`).toBe(true);
    }
  });

  // README: `ghcr-optimize inspect localhost:5000/app:1 --config --json  # exact config JSON`.
  it('inspect REF --config prints the config skopeo prints (also with --json, as the README shows)', async () => {
    const theirs = (
      await runSkopeo(['inspect', '--tls-verify=false', '--config', '--raw', `docker://${H}/team/app:v2s2`])
    ).stdout;
    expect(theirs.equals(docker.config.data)).toBe(true);
    const [ours, oursJson] = await Promise.all([
      cli(['inspect', `${H}/team/app:v2s2`, '--config']),
      cli(['inspect', `${H}/team/app:v2s2`, '--config', '--json']),
    ]);
    expectExit(ours, 0);
    expect(json(ours.stdout)).toEqual(json(theirs.toString()));
    expect(ours.stdoutBytes.equals(theirs)).toBe(true);
    expectExit(oursJson, 0);
    expect(json(oursJson.stdout)).toEqual(json(theirs.toString()));
  });

  it('inspect --platform ... --config gives that child config', async () => {
    const r = await cli(['inspect', `${H}/team/app:latest`, '--platform', 'linux/arm64', '--config']);
    expectExit(r, 0);
    expect(r.stdoutBytes.equals(arm.config.data)).toBe(true);
  });

  it('a missing tag is exit 4; an unreachable registry exit 5; a web server that is no registry exit 6', async () => {
    const web = await startNotARegistry();
    try {
      const [missing, missingJson, unreachable, notRegistry] = await Promise.all([
        cli(['inspect', `${H}/team/app:nope`]),
        cli(['inspect', `${H}/team/app:nope`, '--json']),
        cli(['inspect', '127.0.0.1:9/x:y']),
        cli(['inspect', `${web.host}/x:y`]),
      ]);
      expectExit(missing, 4);
      expectOneLineError(missing);
      expectExit(missingJson, 4);
      expect(jsonError(missingJson)).toMatchObject({ kind: 'not-found', exitCode: 4 });
      expectExit(unreachable, 5);
      expectOneLineError(unreachable);
      expectExit(notRegistry, 6);
      expectOneLineError(notRegistry);
    } finally {
      await web.stop();
    }
  });

  it('health: exit 0 and the probe in JSON; an unreachable registry is exit 7', async () => {
    const [text, asJson, down] = await Promise.all([
      cli(['health', H]),
      cli(['health', H, '--json', '--samples', '3']),
      cli(['health', '127.0.0.1:9', '--json']),
    ]);
    expectExit(text, 0);
    expect(text.stdout).toContain(H);
    expect(text.stdout).toContain('healthy');

    expectExit(asJson, 0);
    const [h] = json<
      {
        registry: string;
        healthy: boolean;
        reachable: boolean;
        authScheme: string;
        apiVersion: string;
        samples: number;
        latencyMs: { p50: number; p95: number };
      }[]
    >(asJson.stdout);
    expect(h).toMatchObject({
      registry: H,
      healthy: true,
      reachable: true,
      authScheme: 'none',
      apiVersion: 'registry/2.0',
      samples: 3,
    });
    expect(typeof h!.latencyMs.p50).toBe('number');
    expect(typeof h!.latencyMs.p95).toBe('number');
    expect(h!.latencyMs.p95).toBeGreaterThanOrEqual(h!.latencyMs.p50);

    expectExit(down, 7);
    const [d] = json<{ healthy: boolean; reachable: boolean; error: { kind: string } }[]>(down.stdout);
    expect(d).toMatchObject({ healthy: false, reachable: false, error: { kind: 'network' } });
    expect(jsonError(down)).toMatchObject({ exitCode: 7 });
  });
});

describe.skipIf(!haveRegistry)('ghcr-optimize auth against an htpasswd registry', () => {
  let reg: RunningRegistry;
  let home: string;
  let H: string;
  let user: { username: string; password: string };
  let basic: string;
  let cli: (args: string[], stdin?: string) => Promise<CliResult>;
  const configFile = (): string => join(home, 'config.json');
  const image = makeImage({ layers: [{ 'p.txt': 'private cli layer' }] });
  const WRONG = 'wrong-Secret-4711';

  beforeAll(async () => {
    reg = await startRegistry({ auth: 'htpasswd' });
    H = reg.host;
    user = credsOf(reg);
    basic = Buffer.from(`${user.username}:${user.password}`).toString('base64');
    home = makeTempDir('ghcr-opt-cli-auth');
    cli = (args, stdin) => runCli(args, { home, ...(stdin !== undefined ? { stdin } : {}) });
    await pushImage(reg.url, 'private/app', '1', image, { auth: user });
  });
  afterAll(async () => {
    await reg?.stop();
    if (home) removeTempDir(home);
  });

  // One user's session, in order: each step depends on the login state the previous one left.
  it('without credentials tags is exit 3 and points at auth login', async () => {
    const r = await cli(['tags', `${H}/private/app`]);
    expectExit(r, 3);
    expectOneLineError(r);
    expect(r.stderrLines[1]).toMatch(/auth login/);
  });

  it('auth login with a wrong password is exit 3 and stores nothing', async () => {
    const r = await cli(['auth', 'login', H, '--username', user.username, '--password-stdin'], `${WRONG}\n`);
    expectExit(r, 3);
    expectOneLineError(r);
    expectNoSecret(r, WRONG);
    expect(existsSync(configFile())).toBe(false);
  });

  it('auth login --password-stdin stores auths[HOST].auth in $DOCKER_CONFIG/config.json, mode 0600', async () => {
    const r = await cli(
      ['auth', 'login', H, '--username', user.username, '--password-stdin'],
      `${user.password}\n`,
    );
    expectExit(r, 0);
    expectNoSecret(r, user.password, basic);
    const doc = json<{ auths: Record<string, { auth?: string }> }>(readFileSync(configFile(), 'utf8'));
    expect(doc.auths[H]?.auth).toBe(basic);
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
  });

  it('a later login with a wrong password (even with --debug) leaves config.json unchanged and leaks nothing', async () => {
    const before = readFileSync(configFile());
    const r = await cli(
      ['auth', 'login', H, '--username', user.username, '--password-stdin', '--debug'],
      `${WRONG}\n`,
    );
    expectExit(r, 3);
    expectNoSecret(r, WRONG, Buffer.from(`${user.username}:${WRONG}`).toString('base64'));
    expect(readFileSync(configFile()).equals(before)).toBe(true);
  });

  it('tags and auth status use the stored login; status names config.json and never the secret', async () => {
    const [tags, status, statusText] = await Promise.all([
      cli(['tags', `${H}/private/app`]),
      cli(['auth', 'status', H, '--json']),
      cli(['auth', 'status', H]),
    ]);
    expectExit(tags, 0);
    expect(tags.stdout).toBe('1\n');

    expectExit(status, 0);
    const [s] = json<
      {
        registry: string;
        verified: boolean;
        sources: { source: string; kind: string; active: boolean; username?: string }[];
      }[]
    >(status.stdout);
    expect(s!.registry).toBe(H);
    expect(s!.verified).toBe(true);
    expect(s!.sources[0]).toMatchObject({ kind: 'password', active: true, username: user.username });
    expect(s!.sources[0]!.source).toContain(configFile());

    expectExit(statusText, 0);
    expect(statusText.stdout).toContain(configFile());
    for (const r of [tags, status, statusText]) expectNoSecret(r, user.password, basic);
  });

  it('--debug with --password-stdin: neither a failing nor a working run prints the password', async () => {
    const [failing, working] = await Promise.all([
      cli(['tags', `${H}/private/app`, '--username', user.username, '--password-stdin', '--debug'], WRONG),
      cli(
        ['inspect', `${H}/private/app:1`, '--username', user.username, '--password-stdin', '--debug'],
        user.password,
      ),
    ]);
    expectExit(failing, 3);
    expect(failing.stderr).toMatch(/^debug: /m); // --debug did log requests
    expectNoSecret(failing, WRONG, Buffer.from(`${user.username}:${WRONG}`).toString('base64'));
    expectExit(working, 0);
    expect(working.stderr).toMatch(/^debug: /m);
    expectNoSecret(working, user.password, basic);
  });

  it('auth status for an unreachable registry (credentials from flags) is a network error, exit 5', async () => {
    const r = await cli(
      ['auth', 'status', '127.0.0.1:9', '--username', user.username, '--password-stdin'],
      user.password,
    );
    // README: 3 is "authentication or authorisation failed (401/403)", 5 is "network: ... connection refused".
    expectExit(r, 5);
    expectOneLineError(r);
    expect(r.stderr).not.toMatch(/log in again/);
    expectNoSecret(r, user.password);
  });

  it('auth logout removes the login, and tags is exit 3 again', async () => {
    const out = await cli(['auth', 'logout', H]);
    expectExit(out, 0);
    const doc = json<{ auths?: Record<string, unknown> }>(readFileSync(configFile(), 'utf8'));
    expect(doc.auths?.[H]).toBeUndefined();
    expect(readFileSync(configFile(), 'utf8')).not.toContain(basic);
    const r = await cli(['tags', `${H}/private/app`]);
    expectExit(r, 3);
    expect(r.stderrLines[1]).toMatch(/auth login/);
  });
});

describe('ghcr-optimize auth status ghcr.io with a token from the environment', () => {
  let home: string;
  let api: ReturnType<typeof createServer>;
  let apiUrl: string;
  const seen: IncomingHttpHeaders[] = [];
  const TOKEN = 'ghp_FakeCliTestToken0123456789abcdefABCD';

  beforeAll(async () => {
    home = makeTempDir('ghcr-opt-cli-ghcr');
    api = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      if (req.url !== '/user') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"message":"Not Found"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-oauth-scopes': 'repo, write:packages' });
      res.end('{"login":"octocat"}');
    });
    apiUrl = `http://${(await listenLocal(api)).host}`;
  });
  afterAll(async () => {
    await closeServer(api);
    removeTempDir(home);
  });

  it('reports the env source and the token scopes from GitHub, never the token, although ghcr.io is unreachable', async () => {
    const env = { GHCR_TOKEN: TOKEN, GITHUB_API_URL: apiUrl };
    const [verified, offline] = await Promise.all([
      runCli(['auth', 'status', 'ghcr.io', '--json', '--timeout', '5'], { home, env }),
      runCli(['auth', 'status', 'ghcr.io', '--json', '--no-verify'], { home, env }),
    ]);
    // No internet here: the registry check fails (auth or network), but the scopes still come back.
    expect(verified.timedOut, describeRun(verified)).toBe(false);
    expect([3, 5], describeRun(verified)).toContain(verified.code);
    const [s] = json<
      {
        registry: string;
        sources: { source: string; kind: string; active: boolean }[];
        verified: boolean;
        tokenKind?: string;
        scopes?: string[];
        missingScopes?: string[];
      }[]
    >(verified.stdout);
    expect(s).toMatchObject({
      registry: 'ghcr.io',
      verified: false,
      tokenKind: 'classic',
      scopes: ['repo', 'write:packages'],
      missingScopes: [], // write:packages implies read:packages
    });
    expect(s!.sources[0]).toMatchObject({ source: 'env GHCR_TOKEN', kind: 'token', active: true });
    // The fake GitHub API was asked, with the token.
    expect(seen.some((h) => h.authorization === `Bearer ${TOKEN}`)).toBe(true);

    expectExit(offline, 0);
    const [o] = json<{ verified?: boolean; scopes?: string[]; sources: { source: string }[] }[]>(
      offline.stdout,
    );
    expect(o!.verified).toBeUndefined();
    expect(o!.scopes).toBeUndefined();
    expect(o!.sources[0]!.source).toBe('env GHCR_TOKEN');

    for (const r of [verified, offline]) expectNoSecret(r, TOKEN);
  });
});
