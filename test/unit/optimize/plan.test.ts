import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeLayers } from '../../../src/analyze/file-tree.js';
import { scanLayer } from '../../../src/analyze/layer-reader.js';
import { linksAfterTargets, planSquash, type PlannedEntry } from '../../../src/optimize/plan.js';
import { squashTar } from '../../../src/optimize/squash-tar.js';
import { ContentSpool } from '../../../src/optimize/spool.js';
import { compareTrees, normalTree } from '../../../src/optimize/tree-compare.js';
import { chunked, scanFixtureLayers, type FixtureEntry } from '../../support/layer-fixtures.js';
import { LONG_DIR, RICH_IMAGE, SQUASHED_ENTRIES, STRIPPED_CACHES } from './rich-image.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function squash(layers: FixtureEntry[][], rules: ('caches' | 'docs')[]) {
  const dir = mkdtempSync(join(tmpdir(), 'ghcr-opt-plan-'));
  dirs.push(dir);
  const spool = new ContentSpool(dir);
  const scans = await scanFixtureLayers(layers, { visit: spool.visit });
  const tree = mergeLayers(scans);
  const plan = planSquash(scans, tree, rules);
  const parts: Buffer[] = [];
  for await (const chunk of squashTar(plan.entries, spool)) parts.push(chunk);
  await spool.close();
  const bytes = Buffer.concat(parts);
  const out = await scanLayer(
    chunked(bytes, 777),
    { index: 0, digest: 'sha256:0', mediaType: 'x', size: bytes.length },
    {
      compressionSample: 0,
    },
  );
  return { scans, tree, plan, out, bytes };
}

const shape = (entries: PlannedEntry[]) =>
  entries.map((e): [string, string, string?] =>
    e.hardlinkTo === undefined ? [e.path, e.entry.type] : [e.path, 'hardlink', e.hardlinkTo],
  );

describe('planSquash', () => {
  it('keeps the final tree minus caches, in path order with links after their targets', async () => {
    const { plan } = await squash(RICH_IMAGE, ['caches']);
    expect(shape(plan.entries)).toEqual(SQUASHED_ENTRIES);
    expect(plan.stripped.map((s) => s.path).sort()).toEqual(STRIPPED_CACHES);
    expect(plan.stripped.every((s) => s.rule === 'caches')).toBe(true);
    expect(plan.stripped.reduce((n, s) => n + s.size, 0)).toBe(1000 + 6 + 900 + 600);
    expect(plan.copiedLinks.sort()).toEqual(['app/cache-link', 'app/old-link']);
  });

  it('--strip docs also removes docs but keeps copyright files and their directory', async () => {
    const { plan } = await squash(RICH_IMAGE, ['caches', 'docs']);
    const paths = plan.entries.map((e) => e.path);
    expect(paths).not.toContain('usr/share/doc/pkg/README');
    expect(paths).toContain('usr/share/doc/pkg/copyright');
    expect(paths).toContain('usr/share/doc/pkg');
    expect(plan.stripped.filter((s) => s.rule === 'docs').map((s) => s.path)).toEqual([
      'usr/share/doc/pkg/README',
    ]);
  });

  it('no rules: caches stay, and a link into them stays a link', async () => {
    const { plan } = await squash(RICH_IMAGE, []);
    expect(plan.stripped).toEqual([]);
    expect(plan.entries.find((e) => e.path === 'app/cache-link')?.hardlinkTo).toBe('var/cache/apt/hardcache');
    expect(plan.copiedLinks).toEqual(['app/old-link']);
  });

  it('the written tar unpacks to exactly the expected tree: contents, modes, owners, links', async () => {
    const { plan, out, bytes } = await squash(RICH_IMAGE, ['caches']);
    const written = normalTree([out], mergeLayers([out]));
    expect(compareTrees(plan.expected, written)).toEqual([]);
    const get = (p: string) => written.get(p)!;
    expect(get('usr/bin/su')).toMatchObject({ type: 'file', mode: 0o4755 });
    expect(get('app/owned')).toMatchObject({ mode: 0o640, uid: 1000, gid: 1000 });
    expect(get('tmp')).toMatchObject({ type: 'dir', mode: 0o1777 });
    expect(get('usr/bin/tool-link')).toMatchObject({ type: 'symlink', linkTarget: 'tool' });
    expect(get('app/later-link')).toMatchObject({ type: 'file', hardlinkTo: 'app/new.txt', size: 8 });
    expect(get(`${LONG_DIR}/file.txt`)).toMatchObject({ size: 4 });
    // Copies carry the version the link had: the old content, not the replacement.
    expect(bytes.includes(Buffer.from('old version'))).toBe(true);
    expect(get('app/old-link').sha256).not.toBe(get('app/old').sha256);
    expect(get('app/cache-link')).toMatchObject({ type: 'file', size: 6 });
    // Deleted, overwritten and hidden content is gone.
    for (const gone of ['tmp/scratch.bin', 'app/config.json', 'app/data/a.txt', 'app/data/b.txt']) {
      expect(written.has(gone)).toBe(false);
    }
    expect(bytes.includes(Buffer.from('c'.repeat(400)))).toBe(false);
    expect(bytes.includes(Buffer.from('C'.repeat(450)))).toBe(false);
  });

  it('the same input gives the same bytes', async () => {
    const a = await squash(RICH_IMAGE, ['caches']);
    const b = await squash(RICH_IMAGE, ['caches']);
    expect(a.bytes.equals(b.bytes)).toBe(true);
  });

  it('a broken hard link in the source is refused', async () => {
    await expect(squash([[{ type: 'hardlink', path: 'a', target: 'missing' }]], [])).rejects.toThrow(
      /hard link to \/missing, which does not exist/,
    );
  });
});

describe('linksAfterTargets', () => {
  const e = (path: string, hardlinkTo?: string): PlannedEntry =>
    ({
      path,
      entry: { path, type: 'file' },
      source: { layer: 0, ordinal: 0 },
      ...(hardlinkTo ? { hardlinkTo } : {}),
    }) as PlannedEntry;

  it('holds a link back until its target (and chains of links) are written', () => {
    const order = linksAfterTargets([e('a', 'c'), e('b', 'a'), e('c'), e('d')]).map((x) => x.path);
    expect(order).toEqual(['c', 'a', 'b', 'd']);
  });

  it('a link to a path that is never written is a bug, not a silent drop', () => {
    expect(() => linksAfterTargets([e('a', 'zzz')])).toThrow(/not in the plan/);
  });
});
