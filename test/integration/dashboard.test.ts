/**
 * `ghcr-optimize dashboard` as a user runs it: a separate process on a seeded SQLite insights
 * store, probing a real docker-registry, visited in real Chromium. Every view must render its
 * heading and tables, draw its uPlot charts from the `/api/*` data, and produce no console error
 * or failed request; an empty store must say how to record data instead of showing a blank page.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import {
  analysisEvent,
  buildEvent,
  probeEvent,
  retentionEvent,
  scanEvent,
  transferEvent,
} from '../../src/store/events.js';
import { openStoreLocation } from '../../src/store/open.js';
import type { Chart } from '../../src/monitor/dashboard/series.js';
import { launchChromium, requireChromium, watchPage } from '../support/browser.js';
import { cliEnv, describeRun, runCli } from '../support/cli.js';
import { makeTempDir, removeTempDir, stopChild, trackChild } from '../support/lifecycle.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { requireTool } from '../support/tools.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;

const haveChromium = requireChromium();
const haveRegistry = requireTool('docker-registry');

const XSS = '<img src=x onerror="window.__xss=1">';
const DAY = 86_400_000;

interface Dashboard {
  url: string;
  port: number;
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `ghcr-optimize dashboard …` and resolves once it printed the URL it listens on. */
function startDashboardCli(args: string[], home: string, env: Record<string, string>): Promise<Dashboard> {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'dashboard', ...args], {
    cwd: home,
    env: cliEnv({ home, env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  trackChild(child);
  let out = '';
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dashboard did not start\n--- stdout\n${out}--- stderr\n${err}`));
    }, 30_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // Text: `dashboard: URL (…)`; --json: one line `{"url":URL,…}`.
      const m = /(?:dashboard: |^\{"url":")(http:\/\/127\.0\.0\.1:(\d+)\/)/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          port: Number(m[2]),
          child,
          stdout: () => out,
          stderr: () => err,
          exited,
        });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`dashboard exited (${code ?? signal})\n--- stdout\n${out}--- stderr\n${err}`));
    });
  });
}

/** A store with a few days of every kind of event, one subject carrying markup. */
async function seedStore(path: string, registry: string): Promise<void> {
  const store = await openStoreLocation({ kind: 'sqlite', path });
  try {
    const now = Date.now();
    for (let i = 0; i < 4; i++) {
      const at = new Date(now - (4 - i) * DAY);
      await store.record({
        ...buildEvent({
          image: `ghcr.io/acme/api:1.${i}`,
          durationMs: 40_000 + i * 7_000,
          ok: true,
          cacheHits: i,
          cacheMisses: 4,
        }),
        at,
      });
      await store.record({
        ...buildEvent({ image: 'ghcr.io/acme/web:1', durationMs: 20_000 + i * 1_000, ok: i !== 2 }),
        at,
      });
      await store.record({
        ...analysisEvent(
          { bytes: 120e6 + i * 8e6, storedBytes: 45e6 + i * 2e6, layers: 6 },
          { bytes: 4e6, reclaimableBytes: 3e6, efficiency: 0.97 },
          { image: `ghcr.io/acme/api:1.${i}` },
        ),
        at,
      });
      await store.record({
        ...analysisEvent({ bytes: 60e6 - i * 1e6 }, { bytes: 1e6 }, { image: `ghcr.io/acme/${XSS}:1` }),
        at,
      });
      await store.record({
        ...scanEvent(
          { CRITICAL: i === 3 ? 1 : 0, HIGH: 2 + i, MEDIUM: 7, LOW: 3 },
          { image: `ghcr.io/acme/api:1.${i}` },
        ),
        at,
      });
      await store.record({
        ...transferEvent(
          {
            blobs: { copied: 2, skipped: 0, mounted: 0, cached: i + 1 },
            manifests: { copied: 1, skipped: 0 },
            bytes: 12e6,
            seconds: 1.5 + i / 10,
            mbPerSecond: 8,
          },
          { source: 'ghcr.io/acme/api:1.0', destination: 'oci:/tmp/api:1', command: 'pull' },
        ),
        at,
      });
      await store.record({
        ...probeEvent({
          registry,
          healthy: true,
          reachable: true,
          authScheme: 'none',
          authOk: true,
          samples: 5,
          latencyMs: { p50: 3 + i, p95: 6 + i, min: 2, max: 9 },
        }),
        at,
      });
      await store.record({
        ...retentionEvent(
          {
            manifests: { total: 10, kept: 7, deleted: 3 },
            tags: { total: 10, kept: 7, deleted: 3 },
            bytesReclaimed: 30e6,
            bytesUnknown: 0,
            categories: {},
            unmatchedTags: [],
            held: false,
          },
          [i * 3 + 1, i * 3 + 2, i * 3 + 3],
          { repository: 'ghcr.io/acme/api' },
        ),
        at,
      });
    }
  } finally {
    await store.close();
  }
}

/** The bits of a chart's DOM element the test reads (the project compiles without the DOM lib). */
interface Figure {
  dataset: Record<string, string | undefined>;
  querySelector(selector: 'canvas'): { width: number; height: number } | null;
}

const VIEWS = [
  { path: '/', api: 'overview', heading: 'Overview', charts: ['activity', 'latency'] },
  { path: '/builds', api: 'builds', heading: 'Build Performance', charts: ['durations', 'cache', 'pulls'] },
  { path: '/security', api: 'security', heading: 'Security Status', charts: ['vulnerabilities'] },
  { path: '/storage', api: 'storage', heading: 'Storage Usage', charts: ['sizes', 'reclaimed'] },
] as const;

describe.skipIf(!haveChromium || !haveRegistry)('dashboard in Chromium', () => {
  let root: string;
  let registry: RunningRegistry;
  let browser: Browser;
  let seeded: Dashboard;
  let empty: Dashboard;

  beforeAll(async () => {
    root = makeTempDir('dashboard');
    registry = await startRegistry();
    const seededDb = join(root, 'seeded.db');
    await seedStore(seededDb, registry.host);
    [seeded, empty, browser] = await Promise.all([
      startDashboardCli(['--listen', '127.0.0.1:0', '--registry', registry.host], root, {
        GHCR_OPTIMIZE_STORE_URL: `sqlite:${seededDb}`,
      }),
      startDashboardCli(['--listen', '127.0.0.1:0', '--json'], root, {
        GHCR_OPTIMIZE_STORE_URL: `sqlite:${join(root, 'empty.db')}`,
      }),
      launchChromium(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    if (seeded) await stopChild(seeded.child);
    if (empty) await stopChild(empty.child);
    await registry?.stop();
    if (root) removeTempDir(root);
  });

  for (const view of VIEWS) {
    it(`${view.heading}: renders, draws every chart from its data, no console errors`, async () => {
      const res = await fetch(`${seeded.url}api/${view.api}`);
      expect(res.status).toBe(200);
      const data = (await res.json()) as { empty: boolean; charts: Record<string, Chart> };
      expect(data.empty).toBe(false);
      for (const key of view.charts) {
        const chart = data.charts[key]!;
        expect(chart.x.length, `${view.api}.${key} points`).toBeGreaterThan(0);
        expect(
          chart.series.some((s) => s.values.some((v) => v !== null)),
          `${view.api}.${key}`,
        ).toBe(true);
      }

      const page = await browser.newPage();
      const problems = watchPage(page);
      try {
        await page.goto(`${seeded.url}${view.path.slice(1)}`);
        await page.waitForSelector('body[data-ready="1"]');
        expect(await page.locator('h1').textContent()).toBe(view.heading);
        const drawn = await page.$$eval('figure.chart[data-src]', (figures) =>
          (figures as unknown as Figure[]).map((f) => {
            const canvas = f.querySelector('canvas');
            return {
              key: f.dataset.key,
              points: Number(f.dataset.points ?? 0),
              width: canvas?.width ?? 0,
              height: canvas?.height ?? 0,
            };
          }),
        );
        expect(drawn.map((d) => d.key).sort()).toEqual([...view.charts].sort());
        for (const d of drawn) {
          expect(d.points, d.key).toBe(data.charts[d.key!]!.x.length);
          expect(d.width, d.key).toBeGreaterThan(0);
          expect(d.height, d.key).toBeGreaterThan(0);
        }
        expect(await page.locator('.empty').count()).toBe(0);
        expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
        expect(problems.all()).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }

  it('shows store-derived markup as text, never as HTML', async () => {
    const page = await browser.newPage();
    const problems = watchPage(page);
    try {
      await page.goto(`${seeded.url}storage`);
      await page.waitForSelector('body[data-ready="1"]');
      await expect(page.locator('td', { hasText: XSS }).count()).resolves.toBeGreaterThan(0);
      expect(await page.locator('main img').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
      expect(problems.all()).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('probes the registry live on the overview', async () => {
    const page = await browser.newPage();
    const problems = watchPage(page);
    try {
      await page.goto(seeded.url);
      await page.waitForSelector('body[data-ready="1"]');
      const row = page.locator('[data-probes] tbody tr');
      expect(await row.count()).toBe(1);
      const cells = await row.locator('td').allTextContents();
      expect(cells[0]).toBe(registry.host);
      expect(cells[1]).toBe('healthy');
      expect(cells[5]).toMatch(/ ms$/);
      expect(problems.all()).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('an empty store: every view says "No data yet" and how to record some', async () => {
    for (const view of VIEWS) {
      const page = await browser.newPage();
      const problems = watchPage(page);
      try {
        await page.goto(`${empty.url}${view.path.slice(1)}`);
        await page.waitForSelector('body[data-ready="1"]');
        expect(await page.locator('h1').textContent()).toBe(view.heading);
        const note = (await page.locator('.empty').textContent()) ?? '';
        expect(note, view.path).toContain('No data yet');
        expect(note, view.path).toContain('ghcr-optimize ');
        expect(await page.locator('canvas').count(), view.path).toBe(0);
        expect(problems.all(), view.path).toEqual([]);
      } finally {
        await page.close();
      }
    }
    // No registries configured: the overview says how to add some rather than probing a default.
    const res = await fetch(empty.url);
    expect(await res.text()).toContain('No registries to probe');
    expect(JSON.parse(empty.stdout())).toEqual({
      url: empty.url,
      host: '127.0.0.1',
      port: empty.port,
      store: join(root, 'empty.db'),
      registries: [],
    });
  });

  it('a busy port: one error line, a hint, exit code 2', async () => {
    const r = await runCli(['dashboard', '--listen', `127.0.0.1:${seeded.port}`], {
      home: root,
      env: { GHCR_OPTIMIZE_STORE_URL: `sqlite:${join(root, 'busy.db')}` },
    });
    expect(r.code, describeRun(r)).toBe(ExitCode.Usage);
    expect(r.stderrLines[0]).toBe(
      `error: cannot listen on 127.0.0.1:${seeded.port}: the port is already in use`,
    );
    expect(r.stderrLines[1]).toMatch(/^hint: /);
    expect(r.stderrLines).toHaveLength(2);
    expect(r.stdout).toBe('');
  });

  it('answers only requests addressed to a loopback name (DNS rebinding)', async () => {
    const { request } = await import('undici');
    const res = await request(seeded.url, { headers: { host: `attacker.example:${seeded.port}` } });
    expect(res.statusCode).toBe(403);
    await res.body.dump();
  });

  it('Ctrl-C (and SIGTERM) stop it cleanly with exit code 0', async () => {
    seeded.child.kill('SIGINT');
    empty.child.kill('SIGTERM');
    const [a, b] = await Promise.all([seeded.exited, empty.exited]);
    expect({ ...a, stderr: seeded.stderr() }).toEqual({
      code: 0,
      signal: null,
      stderr: 'dashboard stopped\n',
    });
    // --json: nothing but the address line, on stdout.
    expect({ ...b, stderr: empty.stderr() }).toEqual({ code: 0, signal: null, stderr: '' });
    await expect(fetch(seeded.url)).rejects.toThrow();
  });
});
