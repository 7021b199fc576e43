import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDir } from '../../../src/util/ensure-dir.js';

const root = mkdtempSync(join(tmpdir(), 'ensure-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ensureDir', () => {
  it('creates every missing level, with the mode, and accepts an existing directory', async () => {
    const deep = join(root, 'a', 'b', 'c');
    await ensureDir(deep, 0o700);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(statSync(join(root, 'a')).mode & 0o777).toBe(0o700);
    await ensureDir(deep);
  });

  it('a file in the way is ENOTDIR', async () => {
    writeFileSync(join(root, 'file'), 'x');
    await expect(ensureDir(join(root, 'file'))).rejects.toMatchObject({
      code: 'ENOTDIR',
      path: join(root, 'file'),
    });
    await expect(ensureDir(join(root, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('ends with an error under /proc, where recursive mkdir spins forever', async () => {
    await expect(ensureDir('/proc/ghcr-optimize-test/x')).rejects.toMatchObject({
      code: 'ENOENT',
      path: '/proc/ghcr-optimize-test',
    });
  });
});
