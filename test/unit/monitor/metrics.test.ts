import { describe, expect, it } from 'vitest';
import { renderMetrics, type ExporterSnapshot } from '../../../src/monitor/metrics.js';
import { summarizeEvents } from '../../../src/monitor/store-metrics.js';
import { parseRateLimitBody, parseRateLimitHeaders } from '../../../src/monitor/quota.js';
import type { RepositoryStats } from '../../../src/retention/stats.js';

/** `name{labels} value` lines of an exposition, keyed by everything before the value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const AT = new Date('2026-03-01T00:00:00Z');
const base: ExporterSnapshot = { version: '9.9.9', collectors: [] };

const stats = {
  repository: 'r.example/acme/app',
  storage: { blobBytes: 900, manifestBytes: 100, totalBytes: 1000, unsharedBytes: 1500, sharedSavings: 600 },
  reclaimable: { manifests: 1, tags: 2, bytes: 300, bytesUnknown: 0, held: false },
  categories: {
    release: { manifests: 2, tags: 3, bytes: 700, kept: 2, deleted: 0 },
    pr: { manifests: 1, tags: 2, bytes: 300, kept: 0, deleted: 1 },
  },
} as unknown as RepositoryStats;

describe('renderMetrics', () => {
  it('renders probes: up, auth and latency per registry; an unreachable one is up 0 without latency', async () => {
    const { body, contentType } = await renderMetrics({
      ...base,
      probes: [
        {
          at: AT,
          result: {
            registry: 'good.example',
            healthy: true,
            reachable: true,
            authOk: true,
            samples: 3,
            latencyMs: { p50: 20, p95: 40, min: 10, max: 50 },
          },
        },
        { at: AT, result: { registry: 'down.example', healthy: false, reachable: false, samples: 0 } },
        {
          at: AT,
          result: { registry: 'locked.example', healthy: false, reachable: true, authOk: false, samples: 0 },
        },
      ],
    });
    expect(contentType).toContain('text/plain');
    const m = samples(body);
    expect(m.get('ghcr_optimize_exporter_info{version="9.9.9"}')).toBe(1);
    expect(m.get('ghcr_optimize_registry_up{registry="good.example"}')).toBe(1);
    expect(m.get('ghcr_optimize_registry_up{registry="down.example"}')).toBe(0);
    expect(m.get('ghcr_optimize_registry_up{registry="locked.example"}')).toBe(0);
    expect(m.get('ghcr_optimize_registry_auth_ok{registry="locked.example"}')).toBe(0);
    expect(m.get('ghcr_optimize_registry_latency_seconds{registry="good.example",quantile="0.95"}')).toBe(
      0.04,
    );
    expect([...m.keys()].some((k) => k.includes('latency') && k.includes('down.example'))).toBe(false);
    expect(m.get('ghcr_optimize_registry_probe_timestamp_seconds{registry="good.example"}')).toBe(
      AT.getTime() / 1000,
    );
  });

  it('renders storage per repository and category; a failed inventory keeps its last figures with up 0', async () => {
    const m = samples(
      (
        await renderMetrics({
          ...base,
          storage: [
            { repository: 'r.example/acme/app', ok: false, stats, at: AT, error: 'boom' },
            { repository: 'r.example/acme/new', ok: false, error: 'boom' },
          ],
        })
      ).body,
    );
    expect(m.get('ghcr_optimize_inventory_up{repository="r.example/acme/app"}')).toBe(0);
    expect(m.get('ghcr_optimize_storage_bytes{repository="r.example/acme/app"}')).toBe(1000);
    expect(m.get('ghcr_optimize_storage_reclaimable_bytes{repository="r.example/acme/app"}')).toBe(300);
    expect(m.get('ghcr_optimize_tags{repository="r.example/acme/app",category="pr"}')).toBe(2);
    expect(m.get('ghcr_optimize_manifests{repository="r.example/acme/app",category="release"}')).toBe(2);
    expect(m.get('ghcr_optimize_inventory_up{repository="r.example/acme/new"}')).toBe(0);
    expect(m.has('ghcr_optimize_storage_bytes{repository="r.example/acme/new"}')).toBe(false);
  });

  it('renders store figures, and only store_up 0 when the store cannot be read', async () => {
    const summary = summarizeEvents(
      [
        {
          kind: 'scan',
          at: AT,
          subject: 'r.example/acme/app',
          data: { counts: { CRITICAL: 2 }, fixable: 1 },
          durationMs: null,
          ok: false,
        },
      ],
      AT,
      ['scan'],
    );
    const up = samples((await renderMetrics({ ...base, store: { ok: true, summary } })).body);
    expect(up.get('ghcr_optimize_store_up')).toBe(1);
    expect(up.get('ghcr_optimize_vulnerabilities{repository="r.example/acme/app",severity="CRITICAL"}')).toBe(
      2,
    );
    expect(up.get('ghcr_optimize_vulnerabilities{repository="r.example/acme/app",severity="LOW"}')).toBe(0);
    expect(up.get('ghcr_optimize_last_run_success{operation="scan",repository="r.example/acme/app"}')).toBe(
      0,
    );
    expect(up.get('ghcr_optimize_store_events{kind="scan"}')).toBe(1);

    const down = samples(
      (
        await renderMetrics({
          ...base,
          collectors: [{ name: 'store', ok: false }],
          store: { ok: false, error: 'SQLITE_NOTADB' },
        })
      ).body,
    );
    expect(down.get('ghcr_optimize_store_up')).toBe(0);
    expect(down.get('ghcr_optimize_collector_up{collector="store"}')).toBe(0);
    expect([...down.keys()].some((k) => k.startsWith('ghcr_optimize_vulnerabilities'))).toBe(false);
  });

  it('renders the GitHub quota per resource', async () => {
    const m = samples(
      (
        await renderMetrics({
          ...base,
          quota: { ok: true, limits: [{ resource: 'core', limit: 5000, remaining: 4990, resetAt: AT }] },
        })
      ).body,
    );
    expect(m.get('ghcr_optimize_github_api_up')).toBe(1);
    expect(m.get('ghcr_optimize_github_rate_limit_remaining{resource="core"}')).toBe(4990);
    expect(m.get('ghcr_optimize_github_rate_limit_limit{resource="core"}')).toBe(5000);
    expect(m.get('ghcr_optimize_github_rate_limit_reset_timestamp_seconds{resource="core"}')).toBe(
      AT.getTime() / 1000,
    );
  });

  it('names every metric with the ghcr_optimize_ prefix', async () => {
    const { body } = await renderMetrics({
      ...base,
      collectors: [{ name: 'probes', ok: true, durationMs: 5, lastSuccessAt: AT }],
      store: { ok: true, summary: summarizeEvents([], AT) },
      quota: { ok: false, limits: [] },
      probes: [],
      storage: [],
    });
    const names = body
      .split('\n')
      .filter((l) => l.startsWith('# TYPE '))
      .map((l) => l.split(' ')[2]!);
    expect(names.length).toBeGreaterThan(20);
    for (const n of names) expect(n).toMatch(/^ghcr_optimize_[a-z0-9_]+$/);
  });
});

describe('GitHub rate limit parsing', () => {
  it('reads every resource of a /rate_limit body and skips incomplete ones', () => {
    expect(
      parseRateLimitBody({
        resources: {
          search: { limit: 30, remaining: 29, reset: 1700000060, used: 1 },
          core: { limit: 5000, remaining: 4999, reset: 1700000000, used: 1 },
          broken: { limit: 'x' },
        },
        rate: { limit: 5000, remaining: 4999, reset: 1700000000 },
      }),
    ).toEqual([
      { resource: 'core', limit: 5000, remaining: 4999, resetAt: new Date(1700000000_000) },
      { resource: 'search', limit: 30, remaining: 29, resetAt: new Date(1700000060_000) },
    ]);
    expect(parseRateLimitBody('nope')).toEqual([]);
  });

  it('reads x-ratelimit-* headers, defaulting the resource to core', () => {
    expect(
      parseRateLimitHeaders({
        'x-ratelimit-limit': '60',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1700000000',
      }),
    ).toEqual([{ resource: 'core', limit: 60, remaining: 0, resetAt: new Date(1700000000_000) }]);
    expect(parseRateLimitHeaders({ 'x-ratelimit-limit': '60' })).toEqual([]);
  });
});
