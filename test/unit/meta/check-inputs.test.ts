import { describe, expect, it } from 'vitest';
import { checkMetaInputs } from '../../../src/meta/check-inputs.js';
import { computeMeta } from '../../../src/meta/meta.js';

describe('checkMetaInputs', () => {
  it('reports every bad entry with its list and index, not only the first', () => {
    const problems = checkMetaInputs({
      tags: ['type=raw,value=x', 'type=semver,pattern={{version', 'type=ref', 'type=match,pattern=(x'],
      flavor: ['latest=true', 'suffix=-a,onlatest=maybe'],
      labels: ['a=b', 'c={{sha'],
      annotations: ['k=v', 'novalue'],
    });
    expect(problems.map((p) => [p.input, p.index, p.severity])).toEqual([
      ['tags', 1, 'error'],
      ['tags', 2, 'error'],
      ['tags', 3, 'error'],
      ['flavor', 1, 'error'],
      ['labels', 1, 'error'],
      ['annotations', 1, 'warning'],
    ]);
    expect(problems[1]!.message).toBe('tag rule "type=ref": missing event attribute');
  });

  it('agrees with the engine: what it accepts computes, what it refuses throws the same message', () => {
    const good = [
      "type=schedule,pattern={{date 'YYYYMMDD'}}",
      'type=sha,format=long',
      'type=edge,branch=main',
    ];
    expect(checkMetaInputs({ tags: good })).toEqual([]);
    const ctx = {
      eventName: 'push',
      sha: '0123456789abcdef0123456789abcdef01234567',
      ref: 'refs/heads/main',
      repo: { defaultBranch: 'main' },
    };
    for (const bad of ['type=semver,pattern={{version', 'type=sha,format=medium']) {
      const [p] = checkMetaInputs({ tags: [bad] });
      expect(() => computeMeta({ tags: [bad] }, ctx as never)).toThrow(p!.message);
    }
  });

  it('unused attributes and entries without "=" are warnings (the engine ignores them)', () => {
    expect(checkMetaInputs({ tags: ['type=sha,pattern=x'], labels: ['justakey'] })).toEqual([
      {
        input: 'tags',
        index: 0,
        severity: 'warning',
        message: 'tag rule "type=sha,pattern=x": pattern= not used by type=sha (ignored)',
      },
      {
        input: 'labels',
        index: 0,
        severity: 'warning',
        message: 'label "justakey": not key=value (ignored)',
      },
    ]);
  });
});
