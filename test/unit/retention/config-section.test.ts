import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UsageError } from '../../../src/errors.js';
import { defaultRetentionSection, writeRetentionSection } from '../../../src/retention/config-section.js';
import { DEFAULT_RULES, resolvePolicy } from '../../../src/retention/policy.js';

const EXISTING = `# Project settings
registry: ghcr.io   # where we push
owner: octo-org

services:
  # the public API
  api:
    port: 8080
  web: {}
`;

describe('writeRetentionSection', () => {
  const section = defaultRetentionSection();

  it('creates a file holding the built-in policy, spelled out', () => {
    const r = writeRetentionSection(undefined, section);
    expect(r.action).toBe('create');
    const doc = parse(r.text) as { retention: unknown };
    expect(Object.keys(doc)).toEqual(['retention']);
    expect(resolvePolicy(doc.retention)).toEqual({ ...resolvePolicy(undefined), source: 'config' });
    expect((doc.retention as { rules: unknown[] }).rules).toEqual(DEFAULT_RULES);
    expect(r.text).toContain('# Retention (ghcr-optimize clean)');
    expect(r.text).toContain('    - {name: pr, match: [pr-*], keep: 7d}\n');
  });

  it('adds the section to an existing file, keeping every other line, comment included', () => {
    const r = writeRetentionSection(EXISTING, section);
    expect(r.action).toBe('add');
    // Everything that was there is still there, line for line (yaml normalises the space before
    // an end-of-line comment only).
    expect(r.text.startsWith(EXISTING.replace('ghcr.io   #', 'ghcr.io #'))).toBe(true);
    const doc = parse(r.text) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['registry', 'owner', 'services', 'retention']);
    expect(doc.services).toEqual({ api: { port: 8080 }, web: {} });
    expect(r.text).toContain('\n\n# Retention (ghcr-optimize clean)');
  });

  it('leaves a file with the same section alone; refuses a different one without force', () => {
    const once = writeRetentionSection(EXISTING, section).text;
    expect(writeRetentionSection(once, section)).toEqual({ text: once, action: 'unchanged' });
    const edited = once.replace('keep: 7d', 'keep: 14d');
    const err = (() => {
      try {
        writeRetentionSection(edited, section, { file: 'conf.yaml' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe('conf.yaml already has a retention: section');
    expect((err as UsageError).hint).toContain('--force');
  });

  it('with force, replaces only the section: its place, the other keys and comments stay', () => {
    const text = '# head\nretention: # ours\n  untagged: keep\n# about services\nservices: [ghcr.io/o/a]\n';
    const r = writeRetentionSection(text, section, { force: true });
    expect(r.action).toBe('replace');
    expect(r.text.startsWith('# head\nretention:\n  # ours\n  untagged: delete\n')).toBe(true);
    expect(r.text.endsWith('# about services\nservices: [ghcr.io/o/a]\n')).toBe(true);
    expect((parse(r.text) as { retention: unknown }).retention).toEqual(section);
  });

  it('refuses a file that is not YAML, or not a mapping, and a section the tool would refuse', () => {
    expect(() => writeRetentionSection('a: [1, 2\n', section)).toThrow(
      /ghcr-optimize\.yaml is not valid YAML: /,
    );
    expect(() => writeRetentionSection('- a\n- b\n', section)).toThrow(/is not a YAML mapping/);
    expect(() => writeRetentionSection(undefined, { rules: [{ name: 'x', match: 'y' }] })).toThrow(
      /retention\.rules\.0/,
    );
  });

  it('a file of comments only gets the section below them', () => {
    const r = writeRetentionSection('# to be filled in\n', section);
    expect(r.text.startsWith('# to be filled in\n')).toBe(true);
    expect((parse(r.text) as { retention: unknown }).retention).toEqual(section);
  });
});
