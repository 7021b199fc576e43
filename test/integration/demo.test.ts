/**
 * `ghcr-optimize demo` as a new user runs it: its own process, a clean HOME, no registry, no
 * server, no credentials. Checks what it wrote (three two-platform OCI layouts tagged as
 * metadata-action would, offline HTML reports, the demo's own SQLite store), the numbers it
 * computed against figures worked out by hand from the sample definitions, that a second run is
 * byte-identical, that the dashboard it points to shows its data, and that it never touches a
 * directory or a store that is not its own.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAttachmentTag } from '../../src/retention/inventory.js';
import { openStoreLocation } from '../../src/store/open.js';
import type { StoredEvent } from '../../src/store/types.js';
import { cliEnv, describeRun, runCli, type CliResult } from '../support/cli.js';
import { makeTempDir, removeTempDir, stopChild, trackChild } from '../support/lifecycle.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;

const KB = 1024;
const SERVICES = ['backend', 'frontend', 'auth'];
const REF_NAME = 'org.opencontainers.image.ref.name';

/**
 * metadata-action for a push of refs/tags/v1.4.2 at 0c6f2f4e…, by its documented rules:
 * semver {{version}} → 1.4.2, {{major}}.{{minor}} → 1.4, type=ref,event=branch → nothing (a tag
 * ref is not a branch), type=sha → sha-<first 7 of the SHA>, and flavor latest=auto adds latest
 * because a semver rule matched a version that is not a pre-release. Priority order, latest last.
 */
const EXPECTED_TAGS = ['1.4.2', '1.4', 'sha-0c6f2f4', 'latest'];

interface Doc {
  dir: string;
  ci: {
    event: string;
    ref: string;
    sha: string;
    sourceDateEpoch: number;
    rules: string[];
    warnings: string[];
  };
  services: {
    name: string;
    port: number;
    health: string;
    image: string;
    layout: string;
    reference: string;
    digest: string;
    tags: string[];
    platforms: { platform: string; digest: string }[];
    analysis: { platform: string; layers: unknown[] };
    recommendations: { id: string; savingBytes: number; rank: number }[];
    htmlReport: string;
  }[];
  copies: { service: string; summary: { blobs: { copied: number } } }[];
  recopies: { service: string; summary: { blobs: { copied: number } } }[];
  retention: {
    repository: string;
    now: string;
    plan: {
      delete: { digest: string; tags: string[]; category: string }[];
      keep: { digest: string; tags: string[] }[];
      summary: {
        manifests: { total: number; kept: number; deleted: number };
        tags: { total: number; kept: number; deleted: number };
        bytesReclaimed: number;
        unmatchedTags: string[];
      };
    };
  };
  store: { path: string; events: Record<string, number>; sampleBuilds: number };
  next: { dashboard: { command: string; env: Record<string, string> }; htmlReports: string[] };
}

function expectExit(r: CliResult, code: number): void {
  expect(r.timedOut, describeRun(r)).toBe(false);
  expect(r.code, describeRun(r)).toBe(code);
}

const sha256File = (path: string): string =>
  `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;

const blobPath = (layout: string, digest: string): string => join(layout, 'blobs', ...digest.split(':'));

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(dir, join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort();
}

async function readEvents(path: string): Promise<StoredEvent[]> {
  const store = await openStoreLocation({ kind: 'sqlite', path });
  try {
    return await store.events();
  } finally {
    await store.close();
  }
}

/** `ghcr-optimize dashboard` on the demo's store; resolves with its URL once it listens. */
function startDashboard(home: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'dashboard', '--listen', '127.0.0.1:0'], {
    cwd: home,
    env: cliEnv({ home, env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  trackChild(child);
  return new Promise<{ url: string; child: typeof child }>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`dashboard did not start: ${out}${err}`)), 60_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dashboard exited (${code}): ${out}${err}`));
    });
  });
}

describe('ghcr-optimize demo', () => {
  let home: string;
  let dirA: string;
  let dirB: string;
  let text: CliResult;
  let a: Doc;
  let b: Doc;
  const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    runCli(args, { home, env, timeoutMs: 120_000 });

  beforeAll(async () => {
    home = makeTempDir('ghcr-opt-demo');
    dirA = join(home, 'a');
    dirB = join(home, 'b dir');
    // A store URL in the environment must not pull the demo's events into the user's store.
    const userStore = { GHCR_OPTIMIZE_STORE_URL: `sqlite:${join(home, 'user.db')}` };
    const jsonA = await cli(['demo', '--dir', dirA, '--json'], userStore);
    expectExit(jsonA, 0);
    a = JSON.parse(jsonA.stdout) as Doc;
    // The second run replaces the first one's directory: same dir, then another dir.
    text = await cli(['demo', '--dir', dirA]);
    expectExit(text, 0);
    const jsonB = await cli(['demo', '--dir', dirB, '--json']);
    expectExit(jsonB, 0);
    b = JSON.parse(jsonB.stdout) as Doc;
  }, 400_000);
  afterAll(() => removeTempDir(home));

  it('builds the three services as two-platform indexes, tagged as metadata-action would', () => {
    expect(a.dir).toBe(dirA);
    expect(a.ci).toMatchObject({
      event: 'push',
      ref: 'refs/tags/v1.4.2',
      sha: '0c6f2f4e8d1b5a7c9e3f2a1b4c5d6e7f8a9b0c1d',
      warnings: [],
    });
    expect(a.services.map((s) => [s.name, s.port, s.health])).toEqual([
      ['backend', 3001, '/health'],
      ['frontend', 3000, '/'],
      ['auth', 8005, '/auth/health'],
    ]);
    for (const s of a.services) {
      expect(s.tags).toEqual(EXPECTED_TAGS);
      expect(s.image).toBe(`ghcr.io/example/${s.name}`);
      expect(s.layout).toBe(join(dirA, 'images', s.name));
      expect(s.reference).toBe(`oci:${s.layout}:1.4.2`);

      // The layout on disk: every computed tag names the index, and the blob is the digest.
      const index = JSON.parse(readFileSync(join(s.layout, 'index.json'), 'utf8')) as {
        manifests: { digest: string; annotations?: Record<string, string> }[];
      };
      expect(index.manifests.map((m) => m.annotations?.[REF_NAME]).sort()).toEqual([...EXPECTED_TAGS].sort());
      expect(new Set(index.manifests.map((m) => m.digest))).toEqual(new Set([s.digest]));
      expect(sha256File(blobPath(s.layout, s.digest))).toBe(s.digest);
      const doc = JSON.parse(readFileSync(blobPath(s.layout, s.digest), 'utf8')) as {
        mediaType: string;
        manifests: { digest: string; platform: { os: string; architecture: string; variant?: string } }[];
        annotations: Record<string, string>;
      };
      expect(doc.mediaType).toBe('application/vnd.oci.image.index.v1+json');
      expect(doc.manifests.map((m) => m.platform)).toEqual([
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ]);
      expect(doc.annotations).toMatchObject({
        'org.opencontainers.image.version': '1.4.2',
        'org.opencontainers.image.revision': a.ci.sha,
        'org.opencontainers.image.created': '2025-06-01T12:00:00.000Z',
        'org.opencontainers.image.title': s.name,
      });
      for (const child of doc.manifests) {
        expect(sha256File(blobPath(s.layout, child.digest))).toBe(child.digest);
        const manifest = JSON.parse(readFileSync(blobPath(s.layout, child.digest), 'utf8')) as {
          config: { digest: string };
          layers: { digest: string }[];
        };
        for (const d of [manifest.config, ...manifest.layers])
          expect(existsSync(blobPath(s.layout, d.digest))).toBe(true);
        const config = JSON.parse(readFileSync(blobPath(s.layout, manifest.config.digest), 'utf8')) as {
          config: { ExposedPorts: Record<string, unknown>; Labels: Record<string, string> };
        };
        expect(Object.keys(config.config.ExposedPorts)).toEqual([`${s.port}/tcp`]);
        expect(config.config.Labels['org.opencontainers.image.version']).toBe('1.4.2');
      }
      expect(s.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64/v8']);
    }
    // Three different services, three different images.
    expect(new Set(a.services.map((s) => s.digest)).size).toBe(3);
  });

  it('copies to a mirror, and a second copy moves nothing', () => {
    expect(a.copies.map((c) => c.service)).toEqual(SERVICES);
    for (const c of a.copies) expect(c.summary.blobs.copied).toBeGreaterThan(0);
    for (const c of a.recopies) expect(c.summary.blobs.copied).toBe(0);
    for (const s of SERVICES) {
      const index = JSON.parse(readFileSync(join(dirA, 'mirror', s, 'index.json'), 'utf8')) as {
        manifests: { digest: string }[];
      };
      expect(index.manifests.map((m) => m.digest)).toEqual([a.services.find((x) => x.name === s)!.digest]);
    }
  });

  it('analyses each service: the recommendations find what each sample image carries', () => {
    const saving = (service: string, id: string): number | undefined =>
      a.services.find((s) => s.name === service)!.recommendations.find((r) => r.id === id)?.savingBytes;
    for (const s of a.services) {
      expect(s.analysis.platform).toBe('linux/amd64');
      expect(s.recommendations.map((r) => r.rank)).toEqual(s.recommendations.map((_, i) => i + 1));
    }
    // The sizes below are the sample files' sizes (src/sample/services.ts), added up by hand.
    // backend: /app/tmp (seed-data.sql 200 KB + fixtures.tar.gz 120 KB) deleted by a later RUN.
    expect(saving('backend', 'squash')).toBe(320 * KB);
    // backend: apt lists 180 + two .debs 150 + 180 + npm cache 120 + 90 + 8.
    expect(saving('backend', 'strip-caches')).toBe(728 * KB);
    // frontend: five 120 KB source maps; logo (64) and hero (80) copied again by the build.
    expect(saving('frontend', 'source-maps')).toBe(600 * KB);
    expect(saving('frontend', 'duplicate-content')).toBe(144 * KB);
    // frontend: the build layer is gzip -1; only a measurement can say by how much it shrinks.
    expect(saving('frontend', 'recompress')).toBeGreaterThan(0);
    // auth: gcc-12 140 + make 60 + cc1 240 + cc1plus 260 + stdio.h 12 + stdlib.h 14, plus
    // Node's headers in the shared runtime layer (16 + 8 + 6).
    expect(saving('auth', 'build-toolchain')).toBe(756 * KB);
    // auth: the chmod step re-adds the four source files (6 + 10 + 4 + 2 KB).
    expect(saving('auth', 'squash')).toBe(22 * KB);
    expect(saving('backend', 'recompress')).toBeUndefined();
    expect(saving('auth', 'source-maps')).toBeUndefined();
  });

  it('writes one self-contained HTML report per service, with no URL in it', () => {
    expect(a.next.htmlReports).toEqual(SERVICES.map((s) => join(dirA, 'reports', `${s}.html`)));
    for (const s of a.services) {
      const html = readFileSync(s.htmlReport, 'utf8');
      expect(html).toContain(`<h1>${s.reference}</h1>`);
      expect(html).toContain('linux/amd64');
      expect(html.trimEnd().endsWith('</html>')).toBe(true);
      expect(html).not.toMatch(/https?:\/\//i);
      expect(html).not.toMatch(/<script/i);
    }
  });

  it('plans retention over the sample history: exactly the expired tags go, nothing is deleted', () => {
    const plan = a.retention.plan;
    expect(a.retention.repository).toBe('ghcr.io/example/backend');
    expect(a.retention.now).toBe('2025-06-02T12:00:00.000Z');
    // Default policy at that instant: main-* and sha-* older than 90d, pr-* older than 7d and
    // build caches older than 24h expire; releases, latest and the young tags stay.
    const deletedTags = plan.delete.flatMap((i) => i.tags).filter((t) => !parseAttachmentTag(t));
    expect(deletedTags.sort()).toEqual(['buildcache', 'main-9f8e7d6', 'pr-35', 'pr-38', 'sha-3c4d5e6']);
    // With them: pr-38's cosign signature, pr-35's two platform images, the untagged leftover.
    const pr38 = plan.delete.find((i) => i.tags.includes('pr-38'))!.digest;
    const signature = plan.delete.find((i) => i.category === 'signature')!;
    expect(signature.tags).toEqual([`${pr38.replace(':', '-')}.sig`]);
    expect(plan.delete.filter((i) => i.category === 'child')).toHaveLength(2);
    expect(plan.delete.filter((i) => i.category === 'untagged')).toHaveLength(1);
    // 23 manifests: today's index + 2 children, 1.4.1 + 2 children + signature, 1.3.0, v1.2.0,
    // 5 main/sha builds, pr-41, pr-38 + signature, pr-35 + 2 children, 2 caches, the leftover.
    expect(plan.summary.manifests).toEqual({ total: 23, kept: 14, deleted: 9 });
    // Blobs only the deleted manifests use: their app layers (9.8 + 12.4 + 12.3 + 12.9 + 13.1 +
    // 13.6 + 13.5 MB), seven 4096-byte configs and the 256-byte signature payload; the manifests'
    // own bytes come on top (a few hundred bytes each).
    const blobs = 87_600_000 + 7 * 4096 + 256;
    expect(plan.summary.bytesReclaimed).toBeGreaterThan(blobs);
    expect(plan.summary.bytesReclaimed).toBeLessThan(blobs + 9 * 1024);
    expect(plan.summary.unmatchedTags).toEqual(['1.3', '1.4']);
    const today = plan.keep.find((i) => i.digest === a.services[0]!.digest)!;
    expect(today.tags.sort()).toEqual([...EXPECTED_TAGS].sort());
  });

  it("records everything in its own SQLite store, labelled as the demo, and never in the user's", async () => {
    expect(a.store.path).toBe(join(dirA, 'insights.db'));
    expect(existsSync(join(home, 'user.db'))).toBe(false);
    expect(existsSync(join(home, '.local', 'share', 'ghcr-optimize', 'insights.db'))).toBe(false);

    const events = await readEvents(join(dirA, 'insights.db'));
    const count = (kind: string): number => events.filter((e) => e.kind === kind).length;
    // 3 copies + 3 re-copies, 3 analyses, 1 retention plan, 5 sample builds per service.
    expect({
      transfer: count('transfer'),
      analysis: count('analysis'),
      retention: count('retention'),
      build: count('build'),
    }).toEqual({ transfer: 6, analysis: 3, retention: 1, build: 15 });
    expect(events).toHaveLength(25);
    expect(new Set(events.map((e) => e.command))).toEqual(new Set(['demo']));
    expect(events.filter((e) => e.kind === 'analysis').map((e) => e.subject)).toEqual(
      SERVICES.map((s) => `oci:${join(dirA, 'images', s)}`),
    );
    const retention = events.find((e) => e.kind === 'retention')!;
    expect(retention.subject).toBe('ghcr.io/example/backend');
    expect(retention.data).toMatchObject({
      dryRun: true,
      bytesReclaimed: 0,
      bytesPlanned: a.retention.plan.summary.bytesReclaimed,
    });
    expect(a.store.events).toEqual({ build: 15, transfer: 6, analysis: 3, retention: 1 });
  });

  it('is reproducible: a second run writes the same images, tags and plan', () => {
    expect(b.services.map((s) => s.digest)).toEqual(a.services.map((s) => s.digest));
    expect(b.services.map((s) => s.platforms.map((p) => p.digest))).toEqual(
      a.services.map((s) => s.platforms.map((p) => p.digest)),
    );
    for (const s of SERVICES) {
      const layoutA = join(dirA, 'images', s);
      const layoutB = join(dirB, 'images', s);
      expect(listFiles(layoutB)).toEqual(listFiles(layoutA));
      expect(readFileSync(join(layoutB, 'index.json'))).toEqual(readFileSync(join(layoutA, 'index.json')));
    }
    expect(b.retention.plan).toEqual(a.retention.plan);
    // The text run in between recreated dirA: the files it left are the same as the JSON run's.
    expect(readdirSync(dirA).sort()).toEqual([
      '.ghcr-optimize-demo',
      'images',
      'insights.db',
      'mirror',
      'reports',
    ]);
  });

  it('prints a readable report with the next steps, without colour under NO_COLOR', () => {
    const out = text.stdout;
    for (const h of [
      '1. Sample images',
      '2. Tags',
      '3. Copy',
      '4. Analysis',
      '5. Retention plan',
      '6. Insights',
      'Next',
    ])
      expect(out).toMatch(new RegExp(`^${h.replace('.', '\\.')}`, 'm'));
    expect(out).toContain('Tags:  1.4.2, 1.4, sha-0c6f2f4, latest');
    expect(out).toContain('9 of 23 manifests to delete');
    expect(out).toContain('This is a plan: nothing was deleted.');
    expect(out).toContain(`GHCR_OPTIMIZE_STORE_URL=sqlite:${join(dirA, 'insights.db')} `);
    expect(out).toContain('dashboard --listen 127.0.0.1:3002');
    for (const s of SERVICES) expect(out).toContain(join(dirA, 'reports', `${s}.html`));
    expect(out).not.toContain('\u001b[');
    expect(text.stderr).toBe('');
    // A directory with a space is quoted in the commands to copy.
    expect(b.next.dashboard.command).toContain(
      `GHCR_OPTIMIZE_STORE_URL='sqlite:${join(dirB, 'insights.db')}'`,
    );
  });

  it("the dashboard it points to shows the demo's data", async () => {
    const dash = await startDashboard(home, a.next.dashboard.env);
    try {
      for (const view of ['builds', 'storage']) {
        const res = await fetch(`${dash.url}api/${view}`);
        expect(res.status).toBe(200);
        expect(((await res.json()) as { empty: boolean }).empty, view).toBe(false);
      }
    } finally {
      await stopChild(dash.child);
    }
  }, 90_000);

  it('refuses to replace a directory it did not make (exit 2), and leaves it alone', async () => {
    const foreign = join(home, 'mine');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'keep me');
    const r = await cli(['demo', '--dir', foreign]);
    expectExit(r, 2);
    expect(r.stderrLines[0]).toBe(
      `error: --dir ${foreign} is not empty and was not made by the demo; refusing to replace it`,
    );
    expect(r.stderrLines[1]).toMatch(/^hint: /);
    expect(r.stdout).toBe('');
    expect(readdirSync(foreign)).toEqual(['notes.txt']);
  });
});
