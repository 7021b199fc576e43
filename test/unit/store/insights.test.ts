import { describe, expect, it } from 'vitest';
import { createColors } from 'picocolors';
import {
  buildStats,
  cacheStats,
  computeInsights,
  formatMs,
  latencyStats,
  reclaimedStorage,
  sizeTrends,
  vulnerabilityTrends,
  type InsightEvent,
} from '../../../src/store/insights.js';
import { renderInsights, renderMemoryList } from '../../../src/store/render.js';
import type { EventKind } from '../../../src/store/types.js';

const NOW = new Date('2025-03-31T12:00:00Z');
const daysAgo = (d: number): Date => new Date(NOW.getTime() - d * 86_400_000);

function ev(
  kind: EventKind,
  subject: string | null,
  data: unknown,
  opts: { at?: Date; durationMs?: number | null; ok?: boolean } = {},
): InsightEvent {
  return {
    kind,
    subject,
    data,
    at: opts.at ?? daysAgo(1),
    durationMs: opts.durationMs ?? null,
    ok: opts.ok ?? true,
  };
}

const pull = (
  subject: string,
  blobs: Record<string, number>,
  at: Date,
  extra: Record<string, unknown> = {},
) =>
  ev(
    'pull',
    subject,
    {
      source: `${subject}:latest`,
      destination: 'oci:x',
      registry: subject.split('/')[0],
      blobs,
      bytes: 1e6,
      mbPerSecond: 10,
      ...extra,
    },
    { at, durationMs: 2000 },
  );

describe('sizeTrends', () => {
  it('one series per image and platform, oldest first, change against the first analysis', () => {
    const events = [
      ev(
        'analysis',
        'ghcr.io/o/app',
        { reference: 'ghcr.io/o/app:2', sizeBytes: 150e6, wastedBytes: 30e6, reclaimableBytes: 20e6 },
        { at: daysAgo(2) },
      ),
      ev(
        'analysis',
        'ghcr.io/o/app',
        { reference: 'ghcr.io/o/app:1', sizeBytes: 100e6, wastedBytes: 1e6 },
        { at: daysAgo(20) },
      ),
      ev(
        'analysis',
        'ghcr.io/o/app',
        { reference: 'ghcr.io/o/app:1', platform: 'linux/arm64', sizeBytes: 90e6, wastedBytes: 0 },
        { at: daysAgo(3) },
      ),
      ev('analysis', 'ghcr.io/o/small', { sizeBytes: 0, wastedBytes: 0 }, { at: daysAgo(3) }),
      ev('analysis', 'ghcr.io/o/bad', { sizeBytes: 'big' }), // malformed: skipped
      ev('analysis', null, { sizeBytes: 1 }), // no subject: skipped
    ];
    const trends = sizeTrends(events);
    expect(trends.map((t) => [t.subject, t.platform ?? null])).toEqual([
      ['ghcr.io/o/app', null],
      ['ghcr.io/o/app', 'linux/arm64'],
      ['ghcr.io/o/small', null],
    ]);
    const app = trends[0]!;
    expect(app.samples).toBe(2);
    expect(app.reference).toBe('ghcr.io/o/app:2');
    expect(app.first).toEqual({ at: daysAgo(20).toISOString(), sizeBytes: 100e6, wastedBytes: 1e6 });
    expect(app.latest).toMatchObject({ sizeBytes: 150e6, wastedBytes: 30e6, reclaimableBytes: 20e6 });
    expect(app.changeBytes).toBe(50e6);
    expect(app.changePercent).toBe(50);
    expect(app.series.map((p) => p.sizeBytes)).toEqual([100e6, 150e6]);
    expect(trends[2]!.changePercent).toBeNull();
  });
});

describe('cacheStats', () => {
  it('reused = cached + skipped + mounted, fetched = copied; per kind and subject, worst ratio first', () => {
    const events = [
      pull('ghcr.io/o/a', { cached: 1, copied: 9 }, daysAgo(3)),
      pull('ghcr.io/o/a', { cached: 2, copied: 8 }, daysAgo(2)),
      pull('ghcr.io/o/b', { cached: 9, copied: 1 }, daysAgo(2)),
      ev('transfer', 'r:5000/a', {
        destination: 'r:5000/a:1',
        blobs: { skipped: 3, mounted: 1, copied: 4 },
        bytes: 10,
      }),
      ev('transfer', 'r:5000/none', { destination: 'r:5000/none:1', blobs: {} }),
      ev('pull', 'ghcr.io/o/failed', { blobs: { copied: 100 } }, { ok: false }), // failures do not count
    ];
    const { totals, bySubject } = cacheStats(events);
    expect(totals).toEqual([
      { kind: 'pull', subject: 'all', runs: 3, reused: 12, fetched: 18, bytesFetched: 3e6, ratio: 0.4 },
      { kind: 'transfer', subject: 'all', runs: 2, reused: 4, fetched: 4, bytesFetched: 10, ratio: 0.5 },
    ]);
    expect(bySubject.map((s) => [s.kind, s.subject, s.ratio])).toEqual([
      ['pull', 'ghcr.io/o/a', 0.15],
      ['transfer', 'r:5000/a', 0.5],
      ['pull', 'ghcr.io/o/b', 0.9],
      ['transfer', 'r:5000/none', null],
    ]);
    expect(bySubject[0]).toMatchObject({ runs: 2, reused: 3, fetched: 17, reference: 'ghcr.io/o/a:latest' });
  });
});

describe('buildStats', () => {
  it('slowest builds and per-image percentiles, failures and build cache ratio', () => {
    const events = [
      ...[60, 70, 80, 90, 600].map((s, i) =>
        ev(
          'build',
          'ghcr.io/o/app',
          { cacheHits: 1, cacheMisses: 3 },
          { durationMs: s * 1000, at: daysAgo(i + 1), ok: i !== 0 },
        ),
      ),
      ev('build', 'ghcr.io/o/fast', { platform: 'linux/amd64' }, { durationMs: 5000 }),
      ev('build', 'ghcr.io/o/nodur', {}, { durationMs: null }),
    ];
    const { slowest, bySubject } = buildStats(events, 2);
    expect(slowest).toEqual([
      { subject: 'ghcr.io/o/app', at: daysAgo(5).toISOString(), durationMs: 600_000, ok: true },
      { subject: 'ghcr.io/o/app', at: daysAgo(4).toISOString(), durationMs: 90_000, ok: true },
    ]);
    expect(bySubject).toEqual([
      {
        subject: 'ghcr.io/o/app',
        builds: 5,
        failures: 1,
        p50Ms: 80_000,
        p95Ms: 600_000,
        maxMs: 600_000,
        cacheRatio: 0.25,
      },
      { subject: 'ghcr.io/o/fast', builds: 1, failures: 0, p50Ms: 5000, p95Ms: 5000, maxMs: 5000 },
    ]);
  });
});

describe('latencyStats', () => {
  it('probes: p50 of the per-probe p50s, p95 of the per-probe p95s, failures with the last error', () => {
    const probe = (p50: number, p95: number, at: Date, ok = true, error?: string) =>
      ev(
        'probe',
        'ghcr.io',
        { latencyMs: { p50, p95 }, ...(error ? { error: { message: error } } : {}) },
        { at, ok },
      );
    const events = [
      probe(100, 200, daysAgo(5)),
      probe(110, 900, daysAgo(4)),
      probe(120, 300, daysAgo(3)),
      ev(
        'probe',
        'ghcr.io',
        { reachable: false, error: { message: 'connection refused' } },
        { at: daysAgo(2), ok: false },
      ),
      ev('probe', 'quay.io', { latencyMs: { p50: 50, p95: 60 } }),
      pull('ghcr.io/o/a', {}, daysAgo(1)),
      pull('ghcr.io/o/b', {}, daysAgo(1), { mbPerSecond: 30 }),
    ];
    const stats = latencyStats(events);
    expect(stats).toEqual([
      {
        registry: 'ghcr.io',
        source: 'probe',
        runs: 4,
        samples: 3,
        p50Ms: 110,
        p95Ms: 900,
        failures: 1,
        lastError: 'connection refused',
      },
      { registry: 'quay.io', source: 'probe', runs: 1, samples: 1, p50Ms: 50, p95Ms: 60, failures: 0 },
      {
        registry: 'ghcr.io',
        source: 'pull',
        runs: 2,
        samples: 2,
        p50Ms: 2000,
        p95Ms: 2000,
        failures: 0,
        mbPerSecondP50: 10,
      },
    ]);
  });
});

describe('vulnerabilityTrends', () => {
  it('first and latest scan per image, with the change, most critical first', () => {
    const scan = (subject: string, counts: Record<string, number>, at: Date) =>
      ev('scan', subject, { reference: `${subject}:1`, counts }, { at });
    const trends = vulnerabilityTrends([
      scan('ghcr.io/o/a', { CRITICAL: 0, HIGH: 2 }, daysAgo(10)),
      scan('ghcr.io/o/a', { CRITICAL: 1, HIGH: 4, LOW: 3 }, daysAgo(1)),
      scan('ghcr.io/o/b', { HIGH: 1 }, daysAgo(1)),
      ev('scan', 'ghcr.io/o/c', { nothing: true }), // malformed: skipped
    ]);
    expect(trends.map((t) => t.subject)).toEqual(['ghcr.io/o/a', 'ghcr.io/o/b']);
    expect(trends[0]).toMatchObject({
      scans: 2,
      reference: 'ghcr.io/o/a:1',
      first: { counts: { CRITICAL: 0, HIGH: 2, MEDIUM: 0, LOW: 0, UNKNOWN: 0 } },
      latest: { counts: { CRITICAL: 1, HIGH: 4, MEDIUM: 0, LOW: 3, UNKNOWN: 0 } },
      delta: { CRITICAL: 1, HIGH: 2, MEDIUM: 0, LOW: 3, UNKNOWN: 0 },
    });
  });
});

describe('reclaimedStorage', () => {
  it('sums applied runs only, per repository', () => {
    const r = reclaimedStorage([
      ev('retention', 'ghcr.io/o/a', { bytesReclaimed: 100, deletedVersionIds: [1, 2] }),
      ev('retention', 'ghcr.io/o/a', { bytesReclaimed: 50, deletedVersionIds: [3] }),
      ev('retention', 'ghcr.io/o/b', { bytesReclaimed: 0, deletedVersionIds: [], held: true }),
      ev('retention', 'ghcr.io/o/a', { dryRun: true, bytesReclaimed: 999, deletedVersionIds: [] }),
    ]);
    expect(r).toEqual({
      runs: 3,
      bytes: 150,
      versions: 3,
      held: 1,
      byRepository: [
        { subject: 'ghcr.io/o/a', runs: 2, bytes: 150, versions: 3, held: 0 },
        { subject: 'ghcr.io/o/b', runs: 1, bytes: 0, versions: 0, held: 1 },
      ],
    });
  });
});

describe('computeInsights: recommendations', () => {
  const events: InsightEvent[] = [
    // Low pull cache hit ratio for one image (3 pulls), fine for another.
    pull('ghcr.io/o/api', { cached: 1, copied: 7 }, daysAgo(3)),
    pull('ghcr.io/o/api', { cached: 0, copied: 8 }, daysAgo(2)),
    pull('ghcr.io/o/api', { cached: 0, copied: 8 }, daysAgo(1)),
    pull('ghcr.io/o/web', { cached: 8, copied: 0 }, daysAgo(1)),
    pull('ghcr.io/o/web', { cached: 8, copied: 0 }, daysAgo(1)),
    pull('ghcr.io/o/web', { cached: 8, copied: 0 }, daysAgo(1)),
    // Slow registry.
    ev('probe', 'registry.eu', { latencyMs: { p50: 150, p95: 900 } }),
    ev('probe', 'registry.eu', { latencyMs: { p50: 160, p95: 950 } }),
    ev('probe', 'ghcr.io', { latencyMs: { p50: 40, p95: 80 } }),
    // Growing image with waste.
    ev(
      'analysis',
      'ghcr.io/o/api',
      { reference: 'ghcr.io/o/api:1', sizeBytes: 100e6, wastedBytes: 0 },
      { at: daysAgo(20) },
    ),
    ev(
      'analysis',
      'ghcr.io/o/api',
      { reference: 'ghcr.io/o/api:2', sizeBytes: 130e6, wastedBytes: 40e6, reclaimableBytes: 25e6 },
      { at: daysAgo(1) },
    ),
    // Critical vulnerabilities appearing.
    ev('scan', 'ghcr.io/o/api', { reference: 'ghcr.io/o/api:1', counts: { HIGH: 1 } }, { at: daysAgo(10) }),
    ev(
      'scan',
      'ghcr.io/o/api',
      { reference: 'ghcr.io/o/api:2', counts: { CRITICAL: 2, HIGH: 3 } },
      { at: daysAgo(1) },
    ),
    // Erratic builds.
    ...[60, 65, 70, 400].map((s, i) =>
      ev('build', 'ghcr.io/o/api', {}, { durationMs: s * 1000, at: daysAgo(i + 1) }),
    ),
    // A retention run that held back.
    ev('retention', 'ghcr.io/o/api', { held: true, bytesReclaimed: 0, deletedVersionIds: [] }),
    // Outside the period: ignored.
    ev('probe', 'old.example', { latencyMs: { p50: 5000, p95: 9000 } }, { at: daysAgo(60) }),
  ];
  const ins = computeInsights(events, { now: NOW, since: daysAgo(30) });

  it('counts only events in the period', () => {
    expect(ins.events).toBe(events.length - 1);
    expect(ins.since).toBe(daysAgo(30).toISOString());
    expect(ins.until).toBe(NOW.toISOString());
    expect(ins.latency.map((l) => l.registry)).not.toContain('old.example');
  });

  it('gives concrete recommendations, warnings first', () => {
    const messages = ins.recommendations.map((r) => `${r.severity} ${r.topic}: ${r.message}`);
    expect(messages).toEqual([
      'warning vulnerabilities: ghcr.io/o/api has 2 critical vulnerabilities (scan of 2025-03-30): rebuild on a patched base image; "ghcr-optimize scan ghcr.io/o/api:2 --severity CRITICAL" lists them',
      'warning latency: p95 latency to registry registry.eu 950 ms over 2 probes (p50 150 ms, limit 500 ms): check the network path from these machines, or pull through a registry mirror closer to them',
      'warning cache: cache hit ratio 4% for ghcr.io/o/api over 3 pulls (23 blobs, 3.00 MB fetched): run "ghcr-optimize cache-warm ghcr.io/o/api:latest" before builds, and keep the blob cache ($XDG_CACHE_HOME/ghcr-optimize) between CI runs',
      'warning build: builds of ghcr.io/o/api take p50 1m05s but p95 6m40s: the slow ones likely rebuild without cache; warm it ("ghcr-optimize cache-warm") and copy dependency manifests before sources in the Dockerfile',
      'warning size: ghcr.io/o/api grew 30% (100.0 MB → 130.0 MB) since 2025-03-11: run "ghcr-optimize analyze ghcr.io/o/api:2" to see which layers added it',
      "warning retention: retention for ghcr.io/o/api held every deletion back in 1 of 1 runs (a kept manifest could not be read): see the plan's warnings",
      'info vulnerabilities: critical and high vulnerabilities in ghcr.io/o/api rose from 1 to 5 since 2025-03-21',
      'info size: ghcr.io/o/api carries 25.0 MB (19%) a rebuild would drop (files deleted or replaced by later layers, duplicates, caches): see "ghcr-optimize analyze ghcr.io/o/api:2"',
    ]);
  });

  it('the latency limit follows the configured health.maxLatencyMs', () => {
    const strict = computeInsights(events, { now: NOW, since: daysAgo(30), latencyThresholdMs: 50 });
    const latency = strict.recommendations.filter((r) => r.topic === 'latency').map((r) => r.subject);
    expect(latency).toEqual(['registry.eu', 'ghcr.io']);
    const lax = computeInsights(events, { now: NOW, since: daysAgo(30), latencyThresholdMs: 2000 });
    expect(lax.recommendations.filter((r) => r.topic === 'latency')).toEqual([]);
  });

  it('unhealthy probes are an availability warning', () => {
    const r = computeInsights(
      [
        ev('probe', 'flaky.io', { latencyMs: { p50: 10, p95: 20 } }),
        ev('probe', 'flaky.io', { error: { message: 'connection reset' } }, { ok: false }),
      ],
      { now: NOW },
    ).recommendations;
    expect(r).toEqual([
      {
        severity: 'warning',
        topic: 'availability',
        subject: 'flaky.io',
        message:
          'flaky.io was unhealthy in 1 of 2 probes (last: connection reset): run "ghcr-optimize health flaky.io"',
      },
    ]);
  });

  it('quiet data gives no recommendations; no events gives empty sections', () => {
    const calm = computeInsights(
      [
        pull('ghcr.io/o/web', { cached: 8, copied: 0 }, daysAgo(1)),
        ev('probe', 'ghcr.io', { latencyMs: { p50: 40, p95: 80 } }),
        ev('scan', 'ghcr.io/o/web', { counts: { LOW: 2 } }),
      ],
      { now: NOW, since: daysAgo(30) },
    );
    expect(calm.recommendations).toEqual([]);
    const empty = computeInsights([], { now: NOW });
    expect(empty).toEqual({
      since: null,
      until: NOW.toISOString(),
      events: 0,
      sizes: [],
      cache: { totals: [], bySubject: [] },
      builds: { slowest: [], bySubject: [] },
      latency: [],
      vulnerabilities: [],
      reclaimed: { runs: 0, bytes: 0, versions: 0, held: 0, byRepository: [] },
      recommendations: [],
    });
  });

  it('renders every section as text', () => {
    const text = renderInsights(ins, createColors(false));
    for (const heading of [
      '18 events since 2025-03-01 (until 2025-03-31)',
      'Image size',
      'Cache hit ratio',
      'Slowest builds',
      'Build times',
      'Latency',
      'Vulnerabilities',
      'Storage reclaimed: 0 B, 0 versions in 1 runs',
      'Recommendations',
    ])
      expect(text).toContain(heading);
    expect(text).toMatch(/^ghcr\.io\/o\/api\s+-\s+2\s+100\.0 MB\s+130\.0 MB\s+\+30%\s+25\.0 MB$/m);
    expect(text).toMatch(/^ghcr\.io\/o\/api\s+2\s+2 \(\+2\)\s+3 \(\+2\)\s+0\s+0\s+0$/m);
    expect(text).toContain('! cache hit ratio 4% for ghcr.io/o/api');
    expect(renderInsights(computeInsights([], { now: NOW }), createColors(false))).toBe(
      '0 events all time (until 2025-03-31)\n\nRecommendations\nnone: nothing recorded in this period yet',
    );
  });
});

describe('formatMs / renderMemoryList', () => {
  it('formats durations', () => {
    expect(formatMs(850.4)).toBe('850 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatMs(59_960)).toBe('1m00s');
    expect(formatMs(250_000)).toBe('4m10s');
    expect(formatMs(7_500_000)).toBe('2h5m');
  });

  it('lists memory entries with clipped one-line values', () => {
    const text = renderMemoryList([
      { namespace: 'ci', key: 'k', value: { a: 'x'.repeat(100) }, updatedAt: NOW },
      { namespace: 'default', key: 'multi', value: 'a\nb', updatedAt: NOW, expiresAt: NOW },
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+KEY\s+VALUE\s+EXPIRES$/);
    expect(lines[1]).toContain(`{"a":"${'x'.repeat(53)}…`);
    expect(lines[1]).toMatch(/never$/);
    expect(lines[2]).toMatch(/^default\s+multi\s+a b\s+2025-03-31T12:00:00.000Z$/);
  });
});
