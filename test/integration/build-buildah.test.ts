/**
 * `ghcr-optimize build` with the real buildah (vfs storage, chroot isolation) pushing multi-platform
 * images to a real registry with basic auth, in a real git checkout whose tag drives the tags.
 *
 * buildah writes outside its storage even with its own storage.conf (/var/lib/containers/cache,
 * /run/containers): each CLI run is wrapped in a private mount namespace with tmpfs over those
 * places, so the machine keeps nothing. Manifests are read back with plain HTTP requests, not with
 * the tool's own client.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILDAH_WRAP } from '../support/buildah.js';
import { describeRun, runCli, type CliResult } from '../support/cli.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { credsOf, startRegistry, type RunningRegistry } from '../support/registry.js';
import { requireTool, whichTool } from '../support/tools.js';
import { openStore } from '../../src/store/open.js';

const tools = ['buildah', 'unshare', 'docker-registry', 'git', 'htpasswd'].map(requireTool).every(Boolean);

// Private mounts for the run: tmpfs over /run and buildah's blob-info cache directory (support/buildah.ts).
const WRAP = [...BUILDAH_WRAP];

const INDEX = 'application/vnd.oci.image.index.v1+json';
const ACCEPT = [INDEX, 'application/vnd.docker.distribution.manifest.list.v2+json'].join(', ');

interface Index {
  mediaType: string;
  manifests: { digest: string; platform: { os: string; architecture: string } }[];
}

describe.skipIf(!tools)('build with buildah', () => {
  let home: string;
  let repo: string;
  let registry: RunningRegistry;
  let storageConf: string;
  let authHeader: string;

  const git = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
    });

  const cli = (
    args: string[],
    opts: { env?: Record<string, string>; path?: string } = {},
  ): Promise<CliResult> => {
    const user = credsOf(registry);
    return runCli([...args, '--username', user.username, '--password-stdin'], {
      home,
      cwd: repo,
      wrap: WRAP,
      stdin: `${user.password}\n`,
      timeoutMs: 150_000,
      env: {
        CONTAINERS_STORAGE_CONF: storageConf,
        BUILDAH_ISOLATION: 'chroot',
        ...(opts.path !== undefined ? { PATH: opts.path } : {}),
        ...opts.env,
      },
    });
  };

  async function manifest(
    name: string,
    ref: string,
  ): Promise<{ status: number; digest?: string; body?: Index }> {
    const res = await fetch(`${registry.url}/v2/${name}/manifests/${ref}`, {
      headers: { accept: ACCEPT, authorization: authHeader },
    });
    if (res.status !== 200) {
      await res.arrayBuffer();
      return { status: res.status };
    }
    return {
      status: 200,
      digest: res.headers.get('docker-content-digest') ?? '',
      body: (await res.json()) as Index,
    };
  }

  async function tagsOf(name: string): Promise<string[]> {
    const res = await fetch(`${registry.url}/v2/${name}/tags/list`, {
      headers: { authorization: authHeader },
    });
    if (res.status === 404) {
      await res.arrayBuffer();
      return [];
    }
    return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort();
  }

  function writeService(name: string, dockerfile: string): void {
    mkdirSync(join(repo, name), { recursive: true });
    writeFileSync(join(repo, name, 'Dockerfile'), dockerfile);
    writeFileSync(join(repo, name, 'hello.txt'), `hello from ${name}\n`);
  }

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    const user = credsOf(registry);
    authHeader = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    home = makeTempDir('ghcr-opt-build-home');
    repo = makeTempDir('ghcr-opt-build-repo');
    const storage = makeTempDir('ghcr-opt-build-storage');
    storageConf = join(storage, 'storage.conf');
    writeFileSync(
      storageConf,
      `[storage]\ndriver = "vfs"\ngraphroot = "${storage}/root"\nrunroot = "${storage}/run"\n`,
    );
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ci@example.com');
    git('config', 'user.name', 'CI');
    const ok =
      'FROM scratch\nARG DOCKER_META_VERSION\nCOPY hello.txt /hello.txt\nLABEL service=$DOCKER_META_VERSION\n';
    writeService('backend', ok);
    writeService('frontend', ok);
    // COPY of a file that is not in the context: this service's build fails.
    writeService('auth', 'FROM scratch\nCOPY missing.txt /missing.txt\n');
    writeFileSync(
      join(repo, 'ghcr-optimize.yaml'),
      [
        `registry: ${registry.host}`,
        'owner: acme',
        'services:',
        '  backend: {}',
        '  frontend: {}',
        '  auth: {}',
        'build:',
        '  maxParallel: 2',
        'tags:',
        "  - 'type=semver,pattern={{version}}'",
        "  - 'type=semver,pattern={{major}}.{{minor}}'",
        '',
      ].join('\n'),
    );
    git('add', '-A');
    git('commit', '-q', '-m', 'services');
    git('tag', 'v1.2.3');
    // A release build: the tag checked out (detached), as CI checks out a pushed tag.
    git('checkout', '-q', 'v1.2.3');
  }, 60_000);

  afterAll(async () => {
    await registry?.stop();
    if (home) removeTempDir(home);
    if (repo) removeTempDir(repo);
  });

  it('builds both platforms of each service, pushes an index under every tag, records the builds', async () => {
    const r = await cli(['--json', 'build', 'backend', 'frontend', '--push']);
    expect(r.code, describeRun(r)).toBe(0);
    const out = JSON.parse(r.stdout) as {
      builder: string;
      services: { service: string; ok: boolean; digest: string; pushed: string[] }[];
    };
    expect(out.builder).toBe('buildah');
    expect(out.services.map((s) => [s.service, s.ok])).toEqual([
      ['backend', true],
      ['frontend', true],
    ]);
    for (const s of out.services) {
      const name = `acme/${s.service}`;
      // metadata-action's flavor latest=auto adds latest for a semver tag.
      expect(s.pushed).toEqual([
        `${registry.host}/${name}:1.2.3`,
        `${registry.host}/${name}:1.2`,
        `${registry.host}/${name}:latest`,
      ]);
      expect(await tagsOf(name)).toEqual(['1.2', '1.2.3', 'latest']);
      const a = await manifest(name, '1.2.3');
      const b = await manifest(name, 'latest');
      expect(a.status).toBe(200);
      expect(a.digest).toBe(s.digest);
      expect(b.digest).toBe(s.digest);
      expect(a.body!.mediaType).toBe(INDEX);
      expect(a.body!.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`).sort()).toEqual([
        'linux/amd64',
        'linux/arm64',
      ]);
    }
    // The password went through an auth file, never onto a command line or into the output.
    expect(r.stdout + r.stderr).not.toContain(credsOf(registry).password);

    const store = await openStore({}, { env: { HOME: home } });
    try {
      const builds = (await store.events()).filter((e) => e.kind === 'build');
      expect(
        builds.map((e) => `${e.subject} ${(e.data as { platform?: string }).platform} ${e.ok}`).sort(),
      ).toEqual([
        `${registry.host}/acme/backend linux/amd64 true`,
        `${registry.host}/acme/backend linux/arm64 true`,
        `${registry.host}/acme/frontend linux/amd64 true`,
        `${registry.host}/acme/frontend linux/arm64 true`,
      ]);
    } finally {
      await store.close();
    }
  }, 180_000);

  it('pushes nothing for a service that fails, finishes the others, and exits 13', async () => {
    const r = await cli(['build', '--push', '--tag', 'partial', '--platforms', 'linux/amd64']);
    expect(r.code, describeRun(r)).toBe(13);
    expect(r.stderr).toMatch(/error: 1 of 3 services failed: auth \(linux\/amd64: /);
    expect(await tagsOf('acme/auth')).toEqual([]);
    expect(await tagsOf('acme/backend')).toContain('partial');
    expect(await tagsOf('acme/frontend')).toContain('partial');
    const idx = await manifest('acme/backend', 'partial');
    expect(idx.body!.manifests.map((m) => m.platform.architecture)).toEqual(['amd64']);
  }, 180_000);

  it('stops on a malformed tag rule before building anything', async () => {
    const r = await cli(['build', 'other', '--push', '--platforms', 'linux/amd64'], {
      env: { GHCR_OPTIMIZE_CONFIG: writeConfig('bad-rule.yaml', ["  - 'type=semver,pattern={{version'"]) },
    });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderrLines[0]).toMatch(/^error: .*type=semver,pattern=\{\{version.*pattern/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await tagsOf('acme/other')).toEqual([]);
  });

  it('stops when the Actions event payload is missing', async () => {
    const r = await cli(['build', 'backend', '--push'], {
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/tags/v9.9.9',
        GITHUB_SHA: 'a'.repeat(40),
      },
    });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderrLines[0]).toBe('error: missing event payload: GITHUB_EVENT_PATH is not set');
    expect(await tagsOf('acme/backend')).not.toContain('9.9.9');
  });

  it('says what to install when neither buildx nor buildah is there (exit 10)', async () => {
    // A PATH with git but no docker and no buildah.
    const bin = makeTempDir('ghcr-opt-build-bin');
    symlinkSync(whichTool('git')!, join(bin, 'git'));
    const r = await runCli(['build', 'backend', '--tag', 'x'], { home, cwd: repo, env: { PATH: bin } });
    expect(r.code, describeRun(r)).toBe(10);
    expect(r.stderrLines).toEqual([
      'error: no image builder found: neither docker buildx nor buildah is installed',
      expect.stringMatching(/^hint: install Docker with the buildx plugin .* or buildah/),
    ]);
    removeTempDir(bin);
  });

  it('prints the plan with --dry-run and builds nothing', async () => {
    const r = await cli(['--json', 'build', 'backend', '--dry-run', '--push']);
    expect(r.code, describeRun(r)).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      dryRun: boolean;
      builder: string;
      services: { tags: string[]; platforms: string[] }[];
    };
    expect(plan.dryRun).toBe(true);
    expect(plan.builder).toBe('buildah');
    expect(plan.services[0]!.tags).toEqual([
      `${registry.host}/acme/backend:1.2.3`,
      `${registry.host}/acme/backend:1.2`,
      `${registry.host}/acme/backend:latest`,
    ]);
    expect(plan.services[0]!.platforms).toEqual(['linux/amd64', 'linux/arm64']);
  });

  function writeConfig(file: string, tagLines: string[]): string {
    const path = join(repo, file);
    writeFileSync(
      path,
      [
        `registry: ${registry.host}`,
        'owner: acme',
        'services:',
        '  other: { context: backend }',
        'tags:',
        ...tagLines,
        '',
      ].join('\n'),
    );
    return path;
  }
});
