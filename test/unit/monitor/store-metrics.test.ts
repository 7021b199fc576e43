import { describe, expect, it } from 'vitest';
import { summarizeEvents } from '../../../src/monitor/store-metrics.js';
import type { InsightEvent } from '../../../src/store/insights.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const at = (iso: string): Date => new Date(iso);
const ev = (e: Partial<InsightEvent> & Pick<InsightEvent, 'kind' | 'at'>): InsightEvent => ({
  subject: null,
  data: {},
  durationMs: null,
  ok: true,
  ...e,
});

const APP = 'ghcr.io/acme/app';
const WEB = 'ghcr.io/acme/web';

describe('summarizeEvents', () => {
  it('takes the latest build, scan and real clean per repository, with their results', () => {
    const s = summarizeEvents(
      [
        ev({ kind: 'build', at: at('2026-02-01T00:00:00Z'), subject: APP, durationMs: 60_000, ok: true }),
        ev({ kind: 'build', at: at('2026-02-02T00:00:00Z'), subject: APP, durationMs: 90_000, ok: false }),
        ev({ kind: 'scan', at: at('2026-02-03T00:00:00Z'), subject: APP, ok: true, data: { counts: {} } }),
        ev({
          kind: 'retention',
          at: at('2026-02-04T00:00:00Z'),
          subject: APP,
          data: { dryRun: false, complete: true },
        }),
        // A later dry run is not a clean; a half-finished clean of web failed.
        ev({ kind: 'retention', at: at('2026-02-05T00:00:00Z'), subject: APP, data: { dryRun: true } }),
        ev({
          kind: 'retention',
          at: at('2026-02-05T00:00:00Z'),
          subject: WEB,
          data: { dryRun: false, complete: false },
        }),
      ],
      NOW,
    );
    expect(s.lastRuns).toEqual([
      { operation: 'build', repository: APP, at: at('2026-02-02T00:00:00Z'), ok: false, durationMs: 90_000 },
      { operation: 'clean', repository: APP, at: at('2026-02-04T00:00:00Z'), ok: true },
      { operation: 'clean', repository: WEB, at: at('2026-02-05T00:00:00Z'), ok: false },
      { operation: 'scan', repository: APP, at: at('2026-02-03T00:00:00Z'), ok: true },
    ]);
    expect(s.builds).toEqual([
      { repository: APP, success: 1, failure: 1, p50Ms: expect.any(Number), p95Ms: 90_000 },
    ]);
  });

  it('reports the latest scan’s counts per severity and its fixable figure', () => {
    const s = summarizeEvents(
      [
        ev({
          kind: 'scan',
          at: at('2026-02-01T00:00:00Z'),
          subject: APP,
          data: { counts: { CRITICAL: 5, HIGH: 1 }, fixable: 4 },
        }),
        ev({
          kind: 'scan',
          at: at('2026-02-02T00:00:00Z'),
          subject: APP,
          data: { counts: { CRITICAL: 1, LOW: 2 }, fixable: 1 },
        }),
      ],
      NOW,
    );
    expect(s.vulnerabilities).toEqual([
      { repository: APP, counts: { CRITICAL: 1, HIGH: 0, MEDIUM: 0, LOW: 2, UNKNOWN: 0 }, fixable: 1 },
    ]);
  });

  it('computes cache hit ratios for pulls, transfers and builds', () => {
    const s = summarizeEvents(
      [
        ev({
          kind: 'pull',
          at: at('2026-02-01T00:00:00Z'),
          subject: APP,
          data: { blobs: { cached: 3, copied: 1 } },
        }),
        ev({
          kind: 'transfer',
          at: at('2026-02-01T00:00:00Z'),
          subject: APP,
          data: { blobs: { skipped: 1, mounted: 1, copied: 2 } },
        }),
        ev({
          kind: 'build',
          at: at('2026-02-01T00:00:00Z'),
          subject: APP,
          durationMs: 1,
          data: { cacheHits: 9, cacheMisses: 1 },
        }),
      ],
      NOW,
    );
    expect(s.cache).toEqual([
      { kind: 'pull', reused: 3, fetched: 1, ratio: 0.75 },
      { kind: 'transfer', reused: 2, fetched: 2, ratio: 0.5 },
      { kind: 'build', reused: 9, fetched: 1, ratio: 0.9 },
    ]);
  });

  it('ages tokens from their creation date, or from the age recorded at the check', () => {
    const s = summarizeEvents(
      [
        ev({
          kind: 'token',
          at: at('2026-02-20T12:00:00Z'),
          subject: 'ci',
          data: { createdAt: '2026-01-30T12:00:00Z', expiresAt: '2026-04-01T00:00:00Z' },
        }),
        ev({
          kind: 'token',
          at: at('2026-02-28T12:00:00Z'),
          subject: 'deploy',
          data: { ageSeconds: 86_400 },
        }),
        ev({
          kind: 'token',
          at: at('2026-02-28T12:00:00Z'),
          subject: 'broken',
          data: { createdAt: 'yesterday' },
        }),
      ],
      NOW,
    );
    expect(s.tokens).toEqual([
      { token: 'ci', ageSeconds: 30 * 86_400, expiresAt: at('2026-04-01T00:00:00Z') },
      { token: 'deploy', ageSeconds: 2 * 86_400 },
    ]);
  });

  it('counts events per requested kind (0 when none) and skips malformed rows', () => {
    const s = summarizeEvents(
      [
        ev({ kind: 'scan', at: at('2026-02-01T00:00:00Z'), subject: APP, data: 'not an object' }),
        ev({
          kind: 'analysis',
          at: at('2026-02-01T00:00:00Z'),
          subject: APP,
          data: { sizeBytes: 1000, wastedBytes: 10, platform: 'linux/amd64' },
        }),
      ],
      NOW,
      ['scan', 'analysis', 'build'],
    );
    expect(s.events).toEqual({ scan: 1, analysis: 1, build: 0 });
    expect(s.vulnerabilities).toEqual([]);
    expect(s.images).toEqual([
      { repository: APP, platform: 'linux/amd64', sizeBytes: 1000, wastedBytes: 10 },
    ]);
  });
});
