import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invocation } from '../../../src/cli/commands/demo.js';
import { UsageError } from '../../../src/errors.js';
import { sampleMeta } from '../../../src/sample/ci-context.js';
import { DEMO_MARKER, prepareDemoDir } from '../../../src/sample/demo.js';
import { makeTempDir, removeTempDir } from '../../support/lifecycle.js';

describe('invocation: how to run the CLI again', () => {
  it.each([
    [['node', '/usr/lib/node_modules/.bin/ghcr-optimize'], '/home/u', 'ghcr-optimize'],
    [['node', '/repo/dist/bin/ghcr-optimize.mjs'], '/repo', 'node dist/bin/ghcr-optimize.mjs'],
    [['node', '/repo/src/cli/main.ts'], '/repo', 'node --import tsx src/cli/main.ts'],
    [['node', '/repo/dist/bin/ghcr-optimize.mjs'], '/elsewhere', 'node /repo/dist/bin/ghcr-optimize.mjs'],
    [['node', "/my repo/it's/ghcr-optimize.mjs"], '/tmp', `node '/my repo/it'\\''s/ghcr-optimize.mjs'`],
  ])('%j from %s → %s', (argv, cwd, expected) => {
    expect(invocation(argv, cwd)).toBe(expected);
  });
});

describe('sampleMeta: the tags metadata-action gives the sample release run', () => {
  it('semver version and major.minor, sha, latest; no branch tag on a tag push', () => {
    const m = sampleMeta('auth', 'authentication');
    expect(m.meta.tags).toEqual([
      'ghcr.io/example/auth:1.4.2',
      'ghcr.io/example/auth:1.4',
      'ghcr.io/example/auth:sha-0c6f2f4',
      'ghcr.io/example/auth:latest',
    ]);
    expect(m.created.toISOString()).toBe('2025-06-01T12:00:00.000Z');
    expect(m.labels['org.opencontainers.image.title']).toBe('auth');
    expect(m.labels['org.opencontainers.image.version']).toBe('1.4.2');
  });
});

describe("prepareDemoDir: only the demo's own directories are replaced", () => {
  let root: string;
  beforeEach(() => {
    root = makeTempDir('demo-dir');
  });
  afterEach(() => removeTempDir(root));

  it('creates a missing directory with the marker, and empties a marked one', async () => {
    const dir = join(root, 'new', 'demo');
    await prepareDemoDir(dir);
    expect(readdirSync(dir)).toEqual([DEMO_MARKER]);
    writeFileSync(join(dir, 'leftover'), 'x');
    await prepareDemoDir(dir);
    expect(readdirSync(dir)).toEqual([DEMO_MARKER]);
  });

  it('replaces what earlier demo versions left (no marker)', async () => {
    const previous = join(root, 'previous');
    mkdirSync(join(previous, 'layout'), { recursive: true });
    writeFileSync(join(previous, 'insights.db'), '');
    writeFileSync(join(previous, 'analysis.html'), '');
    await prepareDemoDir(previous);
    expect(readdirSync(previous)).toEqual([DEMO_MARKER]);

    const first = join(root, 'first');
    mkdirSync(join(first, 'blobs'), { recursive: true });
    writeFileSync(join(first, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const ref = (n: string) => ({
      digest: 'sha256:0',
      annotations: { 'org.opencontainers.image.ref.name': n },
    });
    writeFileSync(
      join(first, 'index.json'),
      JSON.stringify({ manifests: ['1.0.0', 'latest', 'tools-1.0'].map(ref) }),
    );
    await prepareDemoDir(first);
    expect(readdirSync(first)).toEqual([DEMO_MARKER]);
  });

  it('refuses anything else and leaves it untouched', async () => {
    const layout = join(root, 'layout');
    mkdirSync(join(layout, 'blobs'), { recursive: true });
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        manifests: [{ digest: 'sha256:0', annotations: { 'org.opencontainers.image.ref.name': 'v2' } }],
      }),
    );
    const images = join(root, 'photos');
    mkdirSync(join(images, 'images'), { recursive: true });
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    for (const dir of [layout, images, file])
      await expect(prepareDemoDir(dir)).rejects.toBeInstanceOf(UsageError);
    expect(readdirSync(layout).sort()).toEqual(['blobs', 'index.json']);
    expect(readdirSync(images)).toEqual(['images']);
    expect(existsSync(file)).toBe(true);
  });
});
