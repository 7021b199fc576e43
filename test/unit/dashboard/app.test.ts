import { beforeAll, describe, expect, it } from 'vitest';
import {
  createDashboardApp,
  LOOPBACK_HOSTS,
  type DashboardOptions,
} from '../../../src/monitor/dashboard/app.js';
import { loadAssets, type Assets } from '../../../src/monitor/dashboard/assets.js';
import type { Chart } from '../../../src/monitor/dashboard/series.js';
import type { HealthResult } from '../../../src/monitor/health.js';
import type { InsightEvent } from '../../../src/store/insights.js';
import { StoreError } from '../../../src/store/errors.js';
import { ExitCode } from '../../../src/errors.js';

const NOW = new Date('2026-06-30T12:00:00Z');
const at = (daysAgo: number): Date => new Date(NOW.getTime() - daysAgo * 86_400_000);
const EVIL = '<script>alert("x")</script>';

const EVENTS: InsightEvent[] = [
  {
    at: at(3),
    kind: 'build',
    subject: `ghcr.io/acme/${EVIL}`,
    data: { cacheHits: 1, cacheMisses: 3 },
    durationMs: 90_000,
    ok: true,
  },
  { at: at(2), kind: 'build', subject: 'ghcr.io/acme/api', data: {}, durationMs: 30_000, ok: false },
  {
    at: at(3),
    kind: 'analysis',
    subject: 'ghcr.io/acme/api',
    data: { reference: 'ghcr.io/acme/api:1', sizeBytes: 100e6, wastedBytes: 1e6 },
    durationMs: null,
    ok: true,
  },
  {
    at: at(1),
    kind: 'analysis',
    subject: 'ghcr.io/acme/api',
    data: { reference: 'ghcr.io/acme/api:2', sizeBytes: 130e6, wastedBytes: 1e6 },
    durationMs: null,
    ok: true,
  },
  {
    at: at(2),
    kind: 'scan',
    subject: 'ghcr.io/acme/api',
    data: { counts: { CRITICAL: 2, HIGH: 1 } },
    durationMs: null,
    ok: false,
  },
  {
    at: at(2),
    kind: 'probe',
    subject: 'ghcr.io',
    data: { latencyMs: { p50: 40, p95: 90 } },
    durationMs: null,
    ok: true,
  },
  {
    at: at(1),
    kind: 'retention',
    subject: 'ghcr.io/acme/api',
    data: { bytesReclaimed: 5e6, deletedVersionIds: [1, 2] },
    durationMs: null,
    ok: true,
  },
  // Outside a 7-day period.
  {
    at: at(20),
    kind: 'scan',
    subject: 'ghcr.io/acme/old',
    data: { counts: { CRITICAL: 9 } },
    durationMs: null,
    ok: true,
  },
];

let assets: Assets;
beforeAll(async () => {
  assets = await loadAssets();
});

function app(events: InsightEvent[] = EVENTS, extra: Partial<DashboardOptions> = {}) {
  return createDashboardApp({
    source: {
      location: '/data/insights.db',
      events: (since, until) =>
        Promise.resolve(events.filter((e) => (!since || e.at >= since) && e.at < until)),
    },
    assets,
    now: () => NOW,
    ...extra,
  });
}

const get = (a: ReturnType<typeof app>, path: string, host = 'localhost:3002') =>
  a.request(`http://${host}${path}`);

describe('pages', () => {
  it.each([
    ['/', 'Overview'],
    ['/builds', 'Build Performance'],
    ['/security', 'Security Status'],
    ['/storage', 'Storage Usage'],
  ])('%s renders its heading, navigation and chart figures', async (path, heading) => {
    const res = await get(app(), path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = await res.text();
    expect(body).toContain(`<h1>${heading}</h1>`);
    expect(body).toContain('<script src="/assets/uPlot.iife.min.js" defer></script>');
    expect(body).toMatch(/<figure class="chart" data-src="\/api\/\w+\?since=30d" data-key="\w+">/);
    expect(body).not.toContain('No data yet');
    // No inline script: the CSP forbids it.
    expect(body).not.toMatch(/<script>/);
  });

  it('escapes store-derived text everywhere it appears', async () => {
    const body = await (await get(app(), '/builds')).text();
    expect(body).not.toContain(EVIL);
    expect(body).toContain('ghcr.io/acme/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const overview = await (await get(app([], {}), '/')).text();
    expect(overview).not.toContain('<script>');
  });

  it('escapes the store location', async () => {
    const a = createDashboardApp({
      source: { location: '/tmp/"><b>x</b>', events: () => Promise.resolve([]) },
      assets,
      now: () => NOW,
    });
    const body = await (await get(a, '/')).text();
    expect(body).toContain('/tmp/&quot;&gt;&lt;b&gt;x&lt;/b&gt;');
    expect(body).not.toContain('<b>x</b>');
  });

  it('an empty store gives every view an explicit "no data yet" state with commands to run', async () => {
    for (const [path, command] of [
      ['/', 'ghcr-optimize health REGISTRY'],
      ['/builds', 'ghcr-optimize pull IMAGE'],
      ['/security', 'ghcr-optimize scan IMAGE'],
      ['/storage', 'ghcr-optimize analyze IMAGE'],
    ] as const) {
      const body = await (await get(app([]), path)).text();
      expect(body, path).toContain('<strong>No data yet</strong>');
      expect(body, path).toContain(command);
      expect(body, path).not.toContain('data-src=');
    }
  });

  it('a view without its kind of events is empty even when others exist', async () => {
    const builds = EVENTS.filter((e) => e.kind === 'build');
    expect(await (await get(app(builds), '/security')).text()).toContain('No data yet');
    expect(await (await get(app(builds), '/builds')).text()).not.toContain('No data yet');
  });

  it('the period links keep the chosen period, and ?since narrows the events', async () => {
    const body = await (await get(app(), '/security?since=7d')).text();
    expect(body).toMatch(/<a href="\/security\?since=7d"\s+aria-current="true">7d<\/a>/);
    expect(body).toMatch(/<a href="\/builds\?since=7d"\s*>Build Performance<\/a>/);
    expect(body).not.toContain('ghcr.io/acme/old');
    const all = await (await get(app(), '/security?since=forever')).text();
    expect(all).toContain('ghcr.io/acme/old');
  });

  it('a bad period is a 400 page with the message, not a stack trace', async () => {
    const res = await get(app(), '/storage?since=<b>soon</b>');
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain('<h1>Storage Usage</h1>');
    expect(body).toContain('invalid duration &quot;&lt;b&gt;soon&lt;/b&gt;&quot;');
    expect(body).not.toContain(' at ');
  });

  it('a store failure is a 503 with its message and hint', async () => {
    const a = createDashboardApp({
      source: {
        location: 'postgres://ci@db/ghcr',
        events: () =>
          Promise.reject(
            new StoreError('insights store x: cannot connect (ECONNREFUSED)', ExitCode.Network, {
              hint: 'check store.url',
            }),
          ),
      },
      assets,
    });
    const page = await get(a, '/');
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('cannot connect (ECONNREFUSED)');
    const api = await get(a, '/api/overview');
    expect(api.status).toBe(503);
    expect(await api.json()).toEqual({
      error: { message: 'insights store x: cannot connect (ECONNREFUSED)', hint: 'check store.url' },
    });
  });
});

describe('/api/*', () => {
  it('overview: totals, recommendations and charts in uPlot column form', async () => {
    const res = await get(app(), '/api/overview?since=7d');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const d = (await res.json()) as Record<string, unknown> & { charts: Record<string, Chart> };
    expect(d).toMatchObject({
      view: 'overview',
      title: 'Overview',
      since: '2026-06-23T12:00:00.000Z',
      until: '2026-06-30T12:00:00.000Z',
      events: 7,
      empty: false,
      totals: {
        events: 7,
        builds: 2,
        scans: 1,
        probes: 1,
        criticalVulnerabilities: 2,
        bytesReclaimed: 5e6,
        images: 1,
      },
    });
    expect(Array.isArray(d.recommendations)).toBe(true);
    expect(d.charts.latency).toEqual({
      title: 'Registry latency p95 (health probes)',
      unit: 'ms',
      x: [Math.floor(at(2).getTime() / 1000)],
      series: [{ label: 'ghcr.io', values: [90] }],
    });
    for (const chart of Object.values(d.charts))
      for (const s of chart.series) expect(s.values).toHaveLength(chart.x.length);
  });

  it('builds, security and storage have their sections', async () => {
    const b = (await (await get(app(), '/api/builds')).json()) as Record<string, unknown>;
    expect(Object.keys(b)).toEqual(
      expect.arrayContaining(['slowest', 'bySubject', 'cache', 'pulls', 'recommendations', 'charts']),
    );
    expect(Object.keys(b.charts as object)).toEqual(['durations', 'cache', 'pulls']);
    const s = (await (await get(app(), '/api/security?since=7d')).json()) as {
      vulnerabilities: { subject: string }[];
    };
    expect(s.vulnerabilities.map((v) => v.subject)).toEqual(['ghcr.io/acme/api']);
    const st = (await (await get(app(), '/api/storage')).json()) as {
      sizes: Record<string, unknown>[];
      reclaimed: { bytes: number; versions: number };
      charts: Record<string, Chart>;
    };
    expect(st.sizes[0]).not.toHaveProperty('series');
    expect(st.sizes[0]).toMatchObject({ subject: 'ghcr.io/acme/api', samples: 2, changeBytes: 30e6 });
    expect(st.reclaimed).toMatchObject({ bytes: 5e6, versions: 2 });
    expect(st.charts.sizes!.series[0]!.values).toEqual([100e6, 130e6]);
  });

  it('an unknown view is a 404', async () => {
    const res = await get(app(), '/api/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { message: 'no such view "nope"' } });
  });

  it('probes: none configured → an empty list and a note on the overview', async () => {
    const res = await get(app(), '/api/probes');
    expect(await res.json()).toEqual({ at: NOW.toISOString(), registries: [] });
    expect(await (await get(app(), '/')).text()).toContain('No registries to probe');
  });

  it('probes: runs the probe, reuses the result within the TTL', async () => {
    let runs = 0;
    const result: HealthResult = { registry: 'r.example', healthy: true, reachable: true, samples: 3 };
    const a = app(EVENTS, {
      registries: ['r.example'],
      probe: () => {
        runs++;
        return Promise.resolve([result]);
      },
    });
    expect(await (await get(a, '/')).text()).toContain('data-probes="/api/probes"');
    const first = await (await get(a, '/api/probes')).json();
    await get(a, '/api/probes');
    expect(first).toEqual({ at: NOW.toISOString(), registries: [result] });
    expect(runs).toBe(1);
  });
});

describe('assets and the host guard', () => {
  it('serves uPlot from the installed package and our script, with their types', async () => {
    const js = await get(app(), '/assets/uPlot.iife.min.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toContain('uPlot');
    const css = await get(app(), '/assets/uPlot.min.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const own = await (await get(app(), '/assets/dashboard.js')).text();
    expect(own).toContain('new uPlot(');
    expect(own).not.toContain('innerHTML');
  });

  it('unknown assets and paths are 404, including inherited property names', async () => {
    expect((await get(app(), '/assets/constructor')).status).toBe(404);
    expect((await get(app(), '/assets/..%2Fpackage.json')).status).toBe(404);
    expect((await get(app(), '/nope')).status).toBe(404);
  });

  it('with allowedHosts, another Host name is refused (DNS rebinding)', async () => {
    const a = app(EVENTS, { allowedHosts: [...LOOPBACK_HOSTS] });
    expect((await get(a, '/', 'evil.example:3002')).status).toBe(403);
    expect((await get(a, '/api/overview', 'evil.example')).status).toBe(403);
    expect((await get(a, '/', '127.0.0.1:3002')).status).toBe(200);
    expect((await get(a, '/', '[::1]:3002')).status).toBe(200);
    expect((await get(a, '/', 'LOCALHOST:3002')).status).toBe(200);
  });
});
