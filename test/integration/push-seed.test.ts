/**
 * The seeds' `push SERVICE --platforms …` form: `push` points at `build --push` in one line
 * instead of commander's "unknown option" (no registry needed: nothing is pushed).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../support/cli.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';

const home = makeTempDir('push-seed-');
afterAll(() => removeTempDir(home));
writeFileSync(join(home, 'ghcr-optimize.yaml'), 'owner: acme\nservices:\n  backend: {}\n  frontend: {}\n');

const LINE =
  'push takes an OCI layout and a reference; to build and push a service use: ghcr-optimize build backend --push --platforms linux/amd64';

describe('push, seed form', () => {
  it('push backend --platforms linux/amd64: one line pointing at build, exit 2', async () => {
    const r = await runCli(['push', 'backend', '--platforms', 'linux/amd64'], { home });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderrLines).toEqual([`error: ${LINE}`]);
  });

  it('--platforms without a config, and with --json', async () => {
    const bare = makeTempDir('push-seed-bare-');
    try {
      const r = await runCli(['push', 'backend', '--platforms', 'linux/amd64', '--json'], { home: bare });
      expect(r.code, describeRun(r)).toBe(2);
      expect(JSON.parse(r.stderr)).toMatchObject({ error: { message: LINE, exitCode: 2 } });
    } finally {
      removeTempDir(bare);
    }
  });

  it('a configured service name without --platforms: the same pointer', async () => {
    const r = await runCli(['push', 'frontend'], { home });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderrLines).toEqual([
      'error: push takes an OCI layout and a reference; to build and push a service use: ghcr-optimize build frontend --push',
    ]);
  });

  it('the ordinary form still wants a reference; help mentions build', async () => {
    const r = await runCli(['push', 'oci:./layout:1'], { home });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderrLines[0]).toBe('error: push needs a source and a registry reference');
    const h = await runCli(['push', '--help'], { home });
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Usage: ghcr-optimize push [options] <source> <reference>');
    expect(h.stdout).toContain('ghcr-optimize build SERVICE --push --platforms');
    expect(h.stdout).not.toContain('--platforms <list>');
  });
});
