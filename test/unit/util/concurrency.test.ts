import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../../src/util/concurrency.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs mapLimit with a probe that records how many calls are in flight at once. */
async function probe(
  n: number,
  limit: number,
  delay: (i: number) => number = (i) => (i * 7) % 5,
): Promise<{ results: number[]; maxInFlight: number; started: number[] }> {
  let inFlight = 0;
  let maxInFlight = 0;
  const started: number[] = [];
  const items = Array.from({ length: n }, (_, i) => i);
  const results = await mapLimit(items, limit, async (item, index) => {
    expect(index).toBe(item);
    started.push(item);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await sleep(delay(item));
    inFlight--;
    return item * 10;
  });
  return { results, maxInFlight, started };
}

describe('mapLimit', () => {
  const CASES: readonly [items: number, limit: number, expectedMax: number][] = [
    [10, 1, 1],
    [10, 2, 2],
    [10, 3, 3],
    [7, 7, 7],
    [3, 10, 3],
    [5, 0, 1], // a non-positive limit still makes progress, one at a time
    [5, -4, 1],
  ];
  it.each(CASES)('%i items, limit %i → at most %i in flight, order kept', async (n, limit, expectedMax) => {
    const { results, maxInFlight, started } = await probe(n, limit);
    expect(results).toEqual(Array.from({ length: n }, (_, i) => i * 10));
    expect(maxInFlight).toBe(expectedMax);
    expect([...started].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('keeps input order when later items finish first', async () => {
    const results = await mapLimit(['a', 'b', 'c', 'd'], 4, async (s, i) => {
      await sleep((4 - i) * 5);
      return s.toUpperCase();
    });
    expect(results).toEqual(['A', 'B', 'C', 'D']);
  });

  it('starts items in input order', async () => {
    const { started } = await probe(8, 2, () => 1);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('starts the next item as soon as one finishes (no batching)', async () => {
    const events: string[] = [];
    await mapLimit([200, 5, 5, 5], 2, async (ms, i) => {
      events.push(`start ${i}`);
      await sleep(ms);
      events.push(`end ${i}`);
    });
    // Items 2 and 3 run while item 0 (slow) is still going.
    expect(events.indexOf('start 2')).toBeLessThan(events.indexOf('end 0'));
    expect(events.indexOf('start 3')).toBeLessThan(events.indexOf('end 0'));
  });

  it('calls fn exactly once per item', async () => {
    const calls = new Map<number, number>();
    await mapLimit([0, 1, 2, 3, 4, 5], 4, async (x) => {
      calls.set(x, (calls.get(x) ?? 0) + 1);
      await sleep(1);
    });
    expect([...calls.entries()].sort(([a], [b]) => a - b)).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
    ]);
  });

  it('empty input resolves to [] without calling fn', async () => {
    let called = false;
    const results = await mapLimit([], 3, () => {
      called = true;
      return Promise.resolve(1);
    });
    expect(results).toEqual([]);
    expect(called).toBe(false);
  });

  it('propagates the first error', async () => {
    const boom = new Error('item 2 failed');
    await expect(
      mapLimit([0, 1, 2, 3], 2, async (x) => {
        await sleep(1);
        if (x === 2) throw boom;
        return x;
      }),
    ).rejects.toBe(boom);
  });

  it('propagates a synchronous throw inside an async fn', async () => {
    await expect(
      mapLimit([1], 1, (): Promise<number> => {
        throw new TypeError('sync');
      }),
    ).rejects.toThrow(TypeError);
  });

  it('a failing worker stops taking new items', async () => {
    const seen: number[] = [];
    await mapLimit([0, 1, 2, 3, 4], 1, async (x) => {
      seen.push(x);
      await Promise.resolve();
      if (x === 1) throw new Error('stop');
    }).catch(() => undefined);
    expect(seen).toEqual([0, 1]);
  });
});

describe('mapLimit with a limit that is not a positive number', () => {
  it.each([NaN, 0, -3])('limit %s still processes every item', async (limit) => {
    const seen: number[] = [];
    const out = await mapLimit([1, 2, 3], limit, (x) => {
      seen.push(x);
      return Promise.resolve(x * 2);
    });
    expect(out).toEqual([2, 4, 6]);
    expect(seen).toEqual([1, 2, 3]);
  });
});
