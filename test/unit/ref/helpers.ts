import { expect } from 'vitest';
import { ReferenceError } from '../../../src/errors.js';

export const HEX64 = 'f'.repeat(64);
export const HEX128 = 'f'.repeat(128);
export const SHA256 = `sha256:${HEX64}`;
export const SHA512 = `sha512:${HEX128}`;
/** A real digest from upstream's ParseDockerRef tests, so not every digest is all "f". */
export const BUSYBOX = 'sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582';
/** The 64-hex "image ID" upstream refuses as a bare name. */
export const IMAGE_ID = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a';

/** Run `fn`, require it to throw a ReferenceError, and return it for further checks. */
export function catchReferenceError(fn: () => unknown): ReferenceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ReferenceError) return error;
    throw error;
  }
  throw new Error('expected a ReferenceError, but nothing was thrown');
}

/**
 * Require `fn` to fail on `input`, blaming exactly `part`, with a reason containing `reason`, and
 * check the message is the documented `invalid reference "<input>": <part> <reason>`.
 */
export function expectReferenceError(
  fn: () => unknown,
  input: string,
  part: string,
  reason: string,
): ReferenceError {
  const error = catchReferenceError(fn);
  expect(error.input).toBe(input);
  expect(error.part).toBe(part);
  expect(error.message.startsWith(`invalid reference "${input}": ${part} `)).toBe(true);
  expect(error.message).toContain(reason);
  return error;
}
