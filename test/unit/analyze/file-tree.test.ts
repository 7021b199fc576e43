import { describe, expect, it } from 'vitest';
import { mergeLayers } from '../../../src/analyze/file-tree.js';
import { scanFixtureLayers } from '../../support/layer-fixtures.js';

const paths = (tree: ReturnType<typeof mergeLayers>): string[] => tree.files.map((f) => f.path);

describe('mergeLayers: overlay semantics', () => {
  it('a file written, overwritten and deleted across layers', async () => {
    const tree = mergeLayers(
      await scanFixtureLayers([
        [
          { type: 'dir', path: 'app/' },
          { path: 'app/config.json', data: 'a'.repeat(400) },
        ],
        [{ path: 'app/config.json', data: 'b'.repeat(450) }],
        [{ type: 'whiteout', path: 'app/config.json' }],
      ]),
    );
    expect(tree.get('/app/config.json')).toBeUndefined();
    expect(paths(tree)).toEqual(['app']);
    expect(tree.events.get('app/config.json')).toEqual([
      { layer: 0, change: 'added', size: 400 },
      { layer: 1, change: 'modified', size: 450 },
      { layer: 2, change: 'removed', size: 450 },
    ]);
    expect(tree.hidden.map((h) => [h.path, h.layer, h.hiddenBy, h.reason, h.entry.size])).toEqual([
      ['app/config.json', 0, 1, 'overwritten', 400],
      ['app/config.json', 1, 2, 'deleted', 450],
    ]);
  });

  it('an opaque directory hides lower contents but not its own layer’s', async () => {
    const tree = mergeLayers(
      await scanFixtureLayers([
        [
          { type: 'dir', path: 'data/' },
          { path: 'data/a', data: 'aaa' },
          { type: 'dir', path: 'data/sub/' },
          { path: 'data/sub/b', data: 'bb' },
          { path: 'keep', data: 'k' },
        ],
        [
          { type: 'dir', path: 'data/' },
          { type: 'opaque', path: 'data' },
          { path: 'data/c', data: 'c' },
        ],
      ]),
    );
    expect(paths(tree)).toEqual(['data', 'data/c', 'keep']);
    expect(tree.hidden.map((h) => [h.path, h.reason, h.hiddenBy]).sort()).toEqual([
      ['data/a', 'opaque', 1],
      ['data/sub', 'opaque', 1],
      ['data/sub/b', 'opaque', 1],
    ]);
    // The directory's own entry in layer 2 (same mode and owner) is not a modification.
    expect(tree.events.get('data')).toEqual([{ layer: 0, change: 'added', size: 0 }]);
  });

  it('a whiteout hides only lower layers, never a file of its own layer', async () => {
    const tree = mergeLayers(
      await scanFixtureLayers([
        [{ path: 'x', data: 'old' }],
        [
          { path: 'x', data: 'new!' },
          { type: 'whiteout', path: 'x' },
        ],
      ]),
    );
    expect(tree.get('x')?.entry.size).toBe(4);
    expect(tree.get('x')?.layer).toBe(1);
    expect(tree.events.get('x')?.map((e) => e.change)).toEqual(['added', 'removed', 'added']);
  });

  it('deleting a directory removes everything below it', async () => {
    const tree = mergeLayers(
      await scanFixtureLayers([
        [
          { type: 'dir', path: 'd/' },
          { path: 'd/1', data: '1' },
          { path: 'd/e/2', data: '22' },
        ],
        [{ type: 'whiteout', path: 'd' }],
      ]),
    );
    expect(paths(tree)).toEqual([]);
    expect(tree.hidden.map((h) => h.path).sort()).toEqual(['d', 'd/1', 'd/e/2']);
  });

  it('a file replacing a directory hides its contents; a directory replacing a file replaces it', async () => {
    const tree = mergeLayers(
      await scanFixtureLayers([
        [
          { type: 'dir', path: 'p/' },
          { path: 'p/inner', data: 'i' },
          { path: 'q', data: 'file' },
        ],
        [
          { path: 'p', data: 'now a file' },
          { type: 'dir', path: 'q/' },
          { path: 'q/z', data: 'z' },
        ],
      ]),
    );
    expect(paths(tree)).toEqual(['p', 'q', 'q/z']);
    expect(tree.get('p')?.entry.type).toBe('file');
    expect(tree.get('q')?.entry.type).toBe('dir');
    expect(tree.hidden.map((h) => [h.path, h.reason]).sort()).toEqual([
      ['p/inner', 'overwritten'],
      ['q', 'overwritten'],
    ]);
  });

  it('keeps hard links and symlinks as entries, and flags overwrites with identical content', async () => {
    const tree = mergeLayers(
      await scanFixtureLayers([
        [{ path: 'bin/tool', data: 'binary', mode: 0o755 }],
        [
          { path: 'bin/tool', data: 'binary', mode: 0o4755 },
          { type: 'hardlink', path: 'bin/tool2', target: 'bin/tool' },
          { type: 'symlink', path: 'bin/t', target: 'tool' },
        ],
      ]),
    );
    expect(tree.get('bin/tool2')?.entry).toMatchObject({ type: 'hardlink', linkTarget: 'bin/tool', size: 0 });
    expect(tree.get('bin/t')?.entry).toMatchObject({ type: 'symlink', linkTarget: 'tool' });
    expect(tree.get('bin/tool')?.entry.mode).toBe(0o4755);
    expect(tree.hidden).toEqual([
      expect.objectContaining({ path: 'bin/tool', reason: 'overwritten', sameContent: true }),
    ]);
  });
});
