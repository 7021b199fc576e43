import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfigText, formatProblem } from '../../../src/config/validate.js';
import { configJsonSchema } from '../../../src/config/json-schema.js';

describe('checkConfigText', () => {
  it('accepts an empty file and a full example', () => {
    expect(checkConfigText('').errors).toEqual([]);
    const full = `
registry: ghcr.io
owner: acme
services:
  backend: { context: ./backend, port: 3001, health: /health, platforms: [linux/amd64, linux/arm/v7] }
  web: ghcr.io/acme/web
build: { maxParallel: 2, cache: [gha, local], shared: [package-lock.json] }
tags: ['type=ref,event=branch', 'type=semver,pattern={{version}}']
retention: { untagged: keep }
cache: { maxSizePerService: 2GB, maxAge: 24h }
scan: { severity: [CRITICAL, HIGH] }
store: { url: off }
environments:
  prod: { credential: { env: GHCR_PROD_TOKEN }, rotation: 90d, scopes: [write:packages] }
`;
    const r = checkConfigText(full);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.config?.owner).toBe('acme');
  });

  it('reports every problem at the line and column of its key, sorted by position', () => {
    const text = [
      'owner: acme', // 1
      'services:', // 2
      '  backend:', // 3
      '    port: "x"', // 4
      '  auth:', // 5
      '    platforms: [linux/amd64, bad]', // 6
      '    cache: { maxSize: 3Q }', // 7
      'retention:', // 8
      '  untagged: purge', // 9
    ].join('\n');
    const r = checkConfigText(text);
    expect(r.config).toBeUndefined();
    expect(r.errors.map((e) => [e.path, e.line, e.column])).toEqual([
      ['services.backend.port', 4, 5],
      ['services.auth.platforms.1', 6, 30],
      ['services.auth.cache.maxSize', 7, 14],
      ['retention.untagged', 9, 3],
    ]);
    // The union's useless "Invalid input" is replaced by the branch the user meant.
    expect(r.errors[1]!.message).toMatch(/os\/arch/);
    expect(formatProblem('c.yaml', r.errors[0]!)).toMatch(/^c\.yaml:4:5: services\.backend\.port: /);
  });

  it('warns about unknown top-level keys without failing', () => {
    const r = checkConfigText('owner: a\nservise: {}\n');
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([{ path: 'servise', message: 'unknown key (ignored)', line: 2, column: 1 }]);
  });

  it('reports YAML syntax errors and duplicate keys with a position', () => {
    const bad = checkConfigText('owner: a\nservices: [\n');
    expect(bad.errors[0]).toMatchObject({ path: '(root)', line: expect.any(Number) });
    expect(bad.errors[0]!.message).toMatch(/^YAML: /);
    const dup = checkConfigText('owner: a\nowner: b\n');
    expect(dup.errors[0]!.message).toMatch(/YAML: .*unique/i);
    expect(dup.errors[0]!.line).toBe(2);
  });

  it('refuses a document that is not a mapping', () => {
    expect(checkConfigText('- a\n- b\n').errors[0]!.message).toBe('the config must be a mapping of keys');
  });

  it('rejects credentials written into the file rather than named', () => {
    const r = checkConfigText('environments:\n  prod:\n    credential: { token: ghp_x }\n');
    expect(r.errors[0]!.path).toMatch(/^environments\.prod\.credential/);
  });
});

describe('JSON Schema', () => {
  it('schema/ghcr-optimize.schema.json is the generated schema (run "config schema --output" after a schema change)', () => {
    const committed: unknown = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../../schema/ghcr-optimize.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(configJsonSchema());
  });

  it('validates a config with ajv the way an editor would', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(configJsonSchema());
    expect(validate({ owner: 'a', services: { api: { port: 80 } } })).toBe(true);
    expect(validate({ services: { api: { port: 'eighty' } } })).toBe(false);
    expect(validate({ services: { API: {} } })).toBe(false);
  });
});

describe('README', () => {
  it('the Configuration example is a valid config', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const r = checkConfigText(example);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});
