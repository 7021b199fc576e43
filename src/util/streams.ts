import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';

/**
 * Passes `source` through unchanged, calling `onChunk` with each chunk's size. Errors on either
 * side reach the returned stream (unlike `.pipe()`), so a failed fetch is never mistaken for EOF.
 */
export function countBytes(source: Readable, onChunk: (bytes: number) => void): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      onChunk(chunk.length);
      cb(null, chunk);
    },
  });
  pipeline(source, counter, () => undefined);
  return counter;
}
