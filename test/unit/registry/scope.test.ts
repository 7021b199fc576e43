import { describe, expect, it } from 'vitest';
import {
  CATALOG_SCOPE,
  mergeScopes,
  repositoryScope,
  scopesCover,
  type Action,
} from '../../../src/registry/scope.js';

describe('repositoryScope', () => {
  const CASES: readonly [string, Action[], string][] = [
    ['owner/app', ['pull'], 'repository:owner/app:pull'],
    ['owner/app', ['pull', 'push'], 'repository:owner/app:pull,push'],
    ['library/busybox', ['delete'], 'repository:library/busybox:delete'],
    ['a/b/c/d', ['*'], 'repository:a/b/c/d:*'],
    ['owner/app', ['push', 'pull'], 'repository:owner/app:push,pull'], // order kept as given
  ];
  it.each(CASES)('%s %j → %s', (repo, actions, expected) => {
    expect(repositoryScope(repo, ...actions)).toBe(expected);
  });

  it('the catalog scope constant', () => {
    expect(CATALOG_SCOPE).toBe('registry:catalog:*');
  });
});

describe('mergeScopes', () => {
  const CASES: readonly [string, string[], string[]][] = [
    ['empty', [], []],
    ['single scope unchanged', ['repository:o/a:pull'], ['repository:o/a:pull']],
    [
      'union per resource, sorted',
      ['repository:o/a:push', 'repository:o/a:pull'],
      ['repository:o/a:pull,push'],
    ],
    ['duplicates removed', ['repository:o/a:pull', 'repository:o/a:pull'], ['repository:o/a:pull']],
    ['dedup inside one scope', ['repository:o/a:pull,pull,push'], ['repository:o/a:pull,push']],
    ['empty action segments dropped', ['repository:o/a:pull,,push,'], ['repository:o/a:pull,push']],
    [
      'resources sorted, actions sorted',
      ['repository:z/b:push', 'repository:a/b:pull', 'repository:z/b:delete', 'repository:a/b:push'],
      ['repository:a/b:pull,push', 'repository:z/b:delete,push'],
    ],
    [
      'catalog scope kept beside repositories',
      ['repository:o/a:pull', CATALOG_SCOPE],
      ['registry:catalog:*', 'repository:o/a:pull'],
    ],
    ['catalog duplicate', [CATALOG_SCOPE, CATALOG_SCOPE], ['registry:catalog:*']],
    [
      'deep repository names with slashes',
      ['repository:org/team/project/app:pull', 'repository:org/team/project/app:push'],
      ['repository:org/team/project/app:pull,push'],
    ],
    [
      'repository names that share a prefix stay apart',
      ['repository:o/a:pull', 'repository:o/ab:push', 'repository:o/a/b:delete'],
      // sorted by resource name: "o/a" < "o/a/b" < "o/ab"
      ['repository:o/a:pull', 'repository:o/a/b:delete', 'repository:o/ab:push'],
    ],
    [
      'host:port inside a resource name splits on the last colon',
      ['repository:localhost:5000/foo:pull', 'repository:localhost:5000/foo:push'],
      ['repository:localhost:5000/foo:pull,push'],
    ],
    [
      'resource class',
      ['repository(plugin):o/p:pull', 'repository(plugin):o/p:push'],
      ['repository(plugin):o/p:pull,push'],
    ],
    ['* merged with other actions', ['repository:o/a:pull', 'repository:o/a:*'], ['repository:o/a:*,pull']],
    ['scopes without a colon are dropped', ['nonsense', 'repository:o/a:pull'], ['repository:o/a:pull']],
    ['a leading colon is not a resource', [':pull'], []],
    ['empty string dropped', [''], []],
    ['resource with no actions is kept', ['repository:o/a:'], ['repository:o/a:']],
    [
      'uppercase sorts before lowercase (byte order)',
      ['repository:o/b:pull', 'repository:O/a:pull'],
      ['repository:O/a:pull', 'repository:o/b:pull'],
    ],
  ];
  it.each(CASES)('%s', (_name, input, expected) => {
    expect(mergeScopes(input)).toEqual(expected);
  });

  it('result does not depend on input order', () => {
    const a = ['repository:o/a:push', 'registry:catalog:*', 'repository:o/b:pull', 'repository:o/a:pull'];
    expect(mergeScopes(a)).toEqual(mergeScopes([...a].reverse()));
    expect(mergeScopes(a)).toEqual(['registry:catalog:*', 'repository:o/a:pull,push', 'repository:o/b:pull']);
  });

  it('accepts any iterable', () => {
    expect(mergeScopes(new Set(['repository:o/a:push', 'repository:o/a:pull']))).toEqual([
      'repository:o/a:pull,push',
    ]);
  });
});

describe('scopesCover', () => {
  const CASES: readonly [string, string[], string[], boolean][] = [
    ['nothing wanted', [], [], true],
    ['nothing granted, something wanted', [], ['repository:o/a:pull'], false],
    ['exact match', ['repository:o/a:pull'], ['repository:o/a:pull'], true],
    ['pull,push covers pull', ['repository:o/a:pull,push'], ['repository:o/a:pull'], true],
    ['pull,push covers push', ['repository:o/a:pull,push'], ['repository:o/a:push'], true],
    ['pull,push covers pull,push', ['repository:o/a:pull,push'], ['repository:o/a:push,pull'], true],
    ['pull does not cover push', ['repository:o/a:pull'], ['repository:o/a:push'], false],
    ['pull does not cover pull,push', ['repository:o/a:pull'], ['repository:o/a:pull,push'], false],
    ['pull,push does not cover delete', ['repository:o/a:pull,push'], ['repository:o/a:delete'], false],
    ['* covers everything', ['repository:o/a:*'], ['repository:o/a:pull,push,delete'], true],
    ['* covers *', ['repository:o/a:*'], ['repository:o/a:*'], true],
    ['pull,push,delete does not cover *', ['repository:o/a:pull,push,delete'], ['repository:o/a:*'], false],
    ['different repository not covered', ['repository:o/a:*'], ['repository:o/b:pull'], false],
    ['prefix repository not covered', ['repository:o/a:pull'], ['repository:o/a/b:pull'], false],
    ['catalog', [CATALOG_SCOPE], [CATALOG_SCOPE], true],
    ['repository scope does not cover catalog', ['repository:o/a:*'], [CATALOG_SCOPE], false],
    [
      'every wanted scope must be covered',
      ['repository:o/a:pull', 'repository:o/b:pull,push'],
      ['repository:o/a:pull', 'repository:o/b:push'],
      true,
    ],
    [
      'one uncovered wanted scope fails all',
      ['repository:o/a:pull', 'repository:o/b:pull'],
      ['repository:o/a:pull', 'repository:o/b:push'],
      false,
    ],
    [
      'host:port resource names',
      ['repository:localhost:5000/foo:pull,push'],
      ['repository:localhost:5000/foo:push'],
      true,
    ],
    ['unparseable wanted scope is ignored', ['repository:o/a:pull'], ['garbage'], true],
    ['unparseable granted scope grants nothing', ['garbage'], ['repository:o/a:pull'], false],
    [
      'merged result covers its inputs',
      mergeScopes(['repository:o/a:push', 'repository:o/a:pull']),
      ['repository:o/a:pull', 'repository:o/a:push'],
      true,
    ],
  ];
  it.each(CASES)('%s', (_name, granted, wanted, expected) => {
    expect(scopesCover(granted, wanted)).toBe(expected);
  });

  // Documented as "true when `granted` already includes every action of every scope in
  // `wanted`", but granted scopes are put into a Map keyed by resource, so a second granted
  // entry for the same repository replaces the first instead of adding to it.
  it('granted scopes for the same resource are combined, not overwritten', () => {
    expect(scopesCover(['repository:o/a:pull', 'repository:o/a:push'], ['repository:o/a:pull'])).toBe(true);
  });
});
