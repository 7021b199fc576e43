import { describe, expect, it } from 'vitest';
import { percentile } from '../../../src/util/stats.js';

const ONE_TO_TEN = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

describe('percentile (nearest rank)', () => {
  const CASES: readonly [string, number[], number, number | undefined][] = [
    ['no samples', [], 50, undefined],
    ['no samples, p100', [], 100, undefined],
    ['single sample p0', [7], 0, 7],
    ['single sample p50', [7], 50, 7],
    ['single sample p100', [7], 100, 7],
    ['1..10 p0 → min', ONE_TO_TEN, 0, 1],
    ['1..10 p10', ONE_TO_TEN, 10, 1],
    ['1..10 p11', ONE_TO_TEN, 11, 2],
    ['1..10 p50', ONE_TO_TEN, 50, 5],
    ['1..10 p51', ONE_TO_TEN, 51, 6],
    ['1..10 p90', ONE_TO_TEN, 90, 9],
    ['1..10 p95', ONE_TO_TEN, 95, 10],
    ['1..10 p99', ONE_TO_TEN, 99, 10],
    ['1..10 p100 → max', ONE_TO_TEN, 100, 10],
    ['unsorted input', [30, 10, 50, 20, 40], 50, 30],
    ['unsorted p80', [30, 10, 50, 20, 40], 80, 40],
    ['duplicates', [5, 5, 5, 1], 50, 5],
    ['numeric (not lexicographic) sort', [100, 9, 20], 34, 20],
    ['negative numbers', [-5, -1, -10], 50, -5],
    ['p above 100 clamps to max', [1, 2, 3], 150, 3],
    ['p below 0 clamps to min', [1, 2, 3], -10, 1],
    ['fractional p', [1, 2, 3, 4], 25.1, 2],
  ];
  it.each(CASES)('%s', (_name, samples, p, expected) => {
    expect(percentile(samples, p)).toBe(expected);
  });

  it('1..100 gives the classic nearest-rank values', () => {
    const s = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect([50, 90, 95, 99].map((p) => percentile(s, p))).toEqual([50, 90, 95, 99]);
  });

  it('does not reorder the caller’s array', () => {
    const s = [3, 1, 2];
    percentile(s, 50);
    expect(s).toEqual([3, 1, 2]);
  });
});
