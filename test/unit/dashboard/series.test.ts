import { describe, expect, it } from 'vitest';
import {
  activityChart,
  alignLines,
  buildDurationChart,
  cacheRatioChart,
  hasPoints,
  pullDurationChart,
  reclaimedChart,
  vulnerabilityChart,
} from '../../../src/monitor/dashboard/series.js';
import type { InsightEvent } from '../../../src/store/insights.js';

const T0 = Date.UTC(2026, 5, 1); // midnight
const s = (ms: number): number => Math.floor(ms / 1000);
const ev = (hours: number, e: Partial<InsightEvent> & Pick<InsightEvent, 'kind'>): InsightEvent => ({
  at: new Date(T0 + hours * 3_600_000),
  subject: null,
  data: {},
  durationMs: null,
  ok: true,
  ...e,
});

describe('alignLines', () => {
  it('merges x values, fills gaps with null, drops lines without points', () => {
    const chart = alignLines('t', 'ms', [
      {
        label: 'a',
        points: [
          { t: 30, v: 3 },
          { t: 10, v: 1 },
        ],
      },
      { label: 'b', points: [{ t: 20, v: 2 }] },
      { label: 'c', points: [] },
    ]);
    expect(chart).toEqual({
      title: 't',
      unit: 'ms',
      x: [10, 20, 30],
      series: [
        { label: 'a', values: [1, null, 3] },
        { label: 'b', values: [null, 2, null] },
      ],
    });
    expect(hasPoints(chart)).toBe(true);
    expect(hasPoints(alignLines('t', 'ms', []))).toBe(false);
  });
});

describe('charts from events', () => {
  it('activity: per day and kind, missing days are zero', () => {
    const chart = activityChart([ev(1, { kind: 'pull' }), ev(2, { kind: 'pull' }), ev(25, { kind: 'scan' })]);
    expect(chart.x).toEqual([s(T0), s(T0) + 86_400]);
    expect(chart.series).toEqual([
      { label: 'pull', values: [2, 0] },
      { label: 'scan', values: [0, 1] },
    ]);
  });

  it('build durations per image; pull durations per registry (successful pulls only)', () => {
    const builds = buildDurationChart([
      ev(1, { kind: 'build', subject: 'r/a', durationMs: 5000 }),
      ev(2, { kind: 'build', subject: 'r/b', durationMs: 7000 }),
      ev(3, { kind: 'build', subject: 'r/a', durationMs: null }),
    ]);
    expect(builds.series).toEqual([
      { label: 'r/a', values: [5000, null] },
      { label: 'r/b', values: [null, 7000] },
    ]);
    const pulls = pullDurationChart([
      ev(1, { kind: 'pull', subject: 'ghcr.io/x', data: { registry: 'ghcr.io' }, durationMs: 900 }),
      ev(2, { kind: 'pull', subject: 'ghcr.io/x', data: { registry: 'ghcr.io' }, durationMs: 50, ok: false }),
    ]);
    expect(pulls.series).toEqual([{ label: 'ghcr.io', values: [900] }]);
  });

  it('cache ratio per day from blobs reused and build cache hits; malformed data is skipped', () => {
    const chart = cacheRatioChart([
      ev(1, { kind: 'pull', data: { blobs: { cached: 1, skipped: 1, mounted: 0, copied: 2 } } }),
      ev(2, { kind: 'pull', data: { blobs: { cached: 2, copied: 0 } } }),
      ev(3, { kind: 'pull', data: 'garbage' }),
      ev(4, { kind: 'build', data: { cacheHits: 1, cacheMisses: 3 } }),
      ev(5, { kind: 'transfer', data: { blobs: { copied: 1 } }, ok: false }),
    ]);
    expect(chart.unit).toBe('ratio');
    expect(chart.series).toEqual([
      { label: 'build', values: [0.25] },
      { label: 'pull', values: [0.667] },
    ]);
  });

  it('vulnerabilities: the sum of each image latest scan, rescans replace', () => {
    const chart = vulnerabilityChart([
      ev(1, { kind: 'scan', subject: 'a', data: { counts: { CRITICAL: 2, HIGH: 1 } } }),
      ev(2, { kind: 'scan', subject: 'b', data: { counts: { HIGH: 4, LOW: 1 } } }),
      ev(3, { kind: 'scan', subject: 'a', data: { counts: { CRITICAL: 0, HIGH: 1 } } }),
      ev(4, { kind: 'scan', subject: 'c', data: {} }),
    ]);
    expect(chart.x).toEqual([1, 2, 3].map((h) => s(T0 + h * 3_600_000)));
    expect(chart.series).toEqual([
      { label: 'CRITICAL', values: [2, 2, 0] },
      { label: 'HIGH', values: [1, 5, 5] },
      { label: 'LOW', values: [0, 1, 1] },
    ]);
  });

  it('reclaimed: cumulative, dry runs left out', () => {
    const chart = reclaimedChart([
      ev(2, { kind: 'retention', data: { bytesReclaimed: 5 } }),
      ev(1, { kind: 'retention', data: { bytesReclaimed: 10 } }),
      ev(3, { kind: 'retention', data: { bytesReclaimed: 99, dryRun: true } }),
    ]);
    expect(chart.series).toEqual([{ label: 'reclaimed', values: [10, 15] }]);
  });
});
