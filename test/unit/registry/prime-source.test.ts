import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { primeSource } from '../../../src/registry/client.js';

/** A source whose opens and reads are recorded, like a registry download. */
function recordingSource(chunks: string[]) {
  const log: string[] = [];
  let opens = 0;
  return {
    log,
    source: {
      size: chunks.join('').length,
      open: (): AsyncIterable<Uint8Array> => {
        const n = ++opens;
        log.push(`open ${n}`);
        return (async function* () {
          try {
            for (const c of chunks) {
              log.push(`read ${n}:${c}`);
              yield await Promise.resolve(Buffer.from(c)); // a download answers asynchronously
            }
          } finally {
            log.push(`closed ${n}`);
          }
        })();
      },
    },
  };
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const c of it) out += Buffer.from(c).toString();
  return out;
}

describe('primeSource', () => {
  it('starts the first read before the upload asks for the content, then hands it over whole', async () => {
    const { log, source } = recordingSource(['ab', 'cd']);
    const primed = primeSource(source);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['open 1', 'read 1:ab']);
    expect(await collect(primed.source.open() as AsyncIterable<Uint8Array>)).toBe('abcd');
    await primed.release();
    expect(log).toEqual(['open 1', 'read 1:ab', 'read 1:cd', 'closed 1']);
  });

  it('gives a retry a fresh source, and release() closes a primed source nobody consumed', async () => {
    const { log, source } = recordingSource(['x', 'y']);
    const primed = primeSource(source);
    primed.source.open(); // the first attempt takes the primed download…
    expect(await collect(primed.source.open() as AsyncIterable<Uint8Array>)).toBe('xy'); // …a retry opens anew
    expect(log.filter((l) => l.startsWith('open'))).toEqual(['open 1', 'open 2']);
    await primed.release();
    expect(log).toContain('closed 1');

    const lone = recordingSource(['z']);
    await primeSource(lone.source).release();
    expect(lone.log).toEqual(['open 1', 'read 1:z', 'closed 1']);
  });

  it('passes bytes through and leaves streams to be opened once, destroying an unused one', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const fromBytes = primeSource({ size: 3, open: () => bytes });
    expect(fromBytes.source.open()).toBe(bytes);
    const stream = Readable.from([Buffer.from('s')]);
    const fromStream = primeSource({ size: 1, open: () => stream });
    await fromStream.release();
    expect(stream.destroyed).toBe(true);
  });
});
