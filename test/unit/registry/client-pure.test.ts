import { registryEndpoint } from '../../../src/registry/transport.js';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { rechunk, referrersFallbackTag } from '../../../src/registry/client.js';

const HEX64 = '0123456789abcdef'.repeat(4);
const HEX128 = 'fedcba9876543210'.repeat(8);

describe('referrersFallbackTag', () => {
  const CASES: readonly [string, string, string][] = [
    ['sha256', `sha256:${HEX64}`, `sha256-${HEX64}`],
    [
      'sha256 of the empty string',
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'sha256-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ],
    ['sha512 hex truncated to 64', `sha512:${HEX128}`, `sha512-${HEX128.slice(0, 64)}`],
  ];
  it.each(CASES)('%s', (_name, digest, expected) => {
    const tag = referrersFallbackTag(digest);
    expect(tag).toBe(expected);
  });

  it('produces a valid tag (≤128 chars, tag grammar)', () => {
    for (const d of [`sha256:${HEX64}`, `sha512:${HEX128}`]) {
      const tag = referrersFallbackTag(d);
      expect(tag).toMatch(/^[\w][\w.-]{0,127}$/);
    }
    expect(referrersFallbackTag(`sha512:${HEX128}`)).toHaveLength(7 + 64);
  });

  it.each([`sha256:${HEX64.toUpperCase()}`, 'sha256:abc', `md5:${HEX64}`, 'latest', ''])(
    'rejects invalid digest %j',
    (digest) => {
      expect(() => referrersFallbackTag(digest)).toThrow(UsageError);
    },
  );
});

async function collect(gen: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of gen) out.push(c);
  return out;
}

async function* fromChunks(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) {
    await Promise.resolve();
    yield c;
  }
}

const bytes = (n: number, start = 0): Buffer =>
  Buffer.from(Array.from({ length: n }, (_, i) => (start + i) % 256));

describe('rechunk', () => {
  const CASES: readonly [string, number[], number, number[]][] = [
    ['single exact chunk', [8], 8, [8]],
    ['two exact chunks', [4, 4], 4, [4, 4]],
    ['irregular inputs regrouped', [1, 7, 3, 2, 10, 1], 5, [5, 5, 5, 5, 4]],
    ['one big input split', [23], 5, [5, 5, 5, 5, 3]],
    ['many tiny inputs merged', [1, 1, 1, 1, 1, 1, 1], 3, [3, 3, 1]],
    ['size larger than all data', [3, 4], 100, [7]],
    ['size 1', [3, 1, 2], 1, [1, 1, 1, 1, 1, 1]],
    ['empty chunks in the middle ignored', [2, 0, 0, 3, 0], 5, [5]],
    ['total a multiple of size: no trailing empty chunk', [6, 6], 4, [4, 4, 4]],
    ['no input', [], 4, []],
    ['only empty inputs', [0, 0], 4, []],
  ];

  it.each(CASES)('%s', async (_name, inputSizes, size, expectedSizes) => {
    let offset = 0;
    const inputs = inputSizes.map((n) => {
      const b = bytes(n, offset);
      offset += n;
      return b;
    });
    const out = await collect(rechunk(fromChunks(inputs), size));
    expect(out.map((c) => c.length)).toEqual(expectedSizes);
    expect(Buffer.concat(out).equals(Buffer.concat(inputs))).toBe(true);
  });

  it('accepts a single Uint8Array', async () => {
    const data = new Uint8Array(bytes(10));
    const out = await collect(rechunk(data, 4));
    expect(out.map((c) => [...c])).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it('an empty Uint8Array yields nothing', async () => {
    expect(await collect(rechunk(new Uint8Array(0), 4))).toEqual([]);
  });

  it('respects byteOffset of a Uint8Array view', async () => {
    const backing = bytes(20);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 5, 6); // 5..10
    const out = await collect(rechunk(view, 4));
    expect(out.map((c) => [...c])).toEqual([
      [5, 6, 7, 8],
      [9, 10],
    ]);
  });

  it('accepts a Node Readable', async () => {
    const out = await collect(rechunk(Readable.from([bytes(3), bytes(3, 3), bytes(3, 6)]), 2));
    expect(out.map((c) => c.length)).toEqual([2, 2, 2, 2, 1]);
    expect([...Buffer.concat(out)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('yields Buffers', async () => {
    const [first] = await collect(rechunk(new Uint8Array([1, 2, 3]), 2));
    expect(Buffer.isBuffer(first)).toBe(true);
  });

  it('is lazy: a chunk is yielded before the source is exhausted', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 4; i++) {
        pulled++;
        yield bytes(3);
        await Promise.resolve();
      }
    }
    const it = rechunk(source(), 3);
    const first = await it.next();
    expect(first.value?.length).toBe(3);
    expect(pulled).toBe(1);
    await it.return(undefined);
  });

  it('propagates a source error', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield bytes(2);
      await Promise.resolve();
      throw new Error('socket hang up');
    }
    await expect(collect(rechunk(failing(), 4))).rejects.toThrow('socket hang up');
  });
});

describe('registryEndpoint', () => {
  it.each([
    ['docker.io', 'registry-1.docker.io'],
    ['index.docker.io', 'registry-1.docker.io'],
    ['ghcr.io', 'ghcr.io'],
    ['localhost:5000', 'localhost:5000'],
  ])('%s → %s', (registry, endpoint) => {
    expect(registryEndpoint(registry)).toBe(endpoint);
  });
});
