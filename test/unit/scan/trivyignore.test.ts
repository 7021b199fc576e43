import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  loadIgnoreFile,
  matchIgnore,
  parseIsoDate,
  parseTrivyIgnore,
  parseTrivyIgnoreYaml,
} from '../../../src/scan/trivyignore.js';
import { finding } from './helpers.js';

const NOW = new Date('2026-06-15T12:00:00Z');

describe('.trivyignore (plain)', () => {
  // Trivy's own test file (pkg/result/testdata/.trivyignore), in spirit.
  const text = [
    '# vulnerabilities',
    'CVE-2019-0001',
    '  CVE-2019-0002  ',
    '',
    'CVE-2019-0004 exp:2020-01-01',
    'CVE-2019-0005 exp:9999-01-01',
    'CVE-2019-0006 exp:9999-01-01 key2:value2',
    'CVE-2019-0007 some words after the id',
    '\t# an indented comment',
    'CVE-2019-0008 exp:2026-13-01',
    'CVE-2019-0009 exp:2026-02-30',
    'CVE-2019-0010 exp:26-01-01',
    'CVE-2019-0011\texp:2026-06-16',
    'CVE-2019-0012 exp:2026-06-15',
  ].join('\n');
  const file = parseTrivyIgnore(text, '.trivyignore', NOW);

  it('reads IDs, skipping comments and blank lines, trimming whitespace', () => {
    expect(file.rules.map((r) => r.id)).toEqual([
      'CVE-2019-0001',
      'CVE-2019-0002',
      'CVE-2019-0005',
      'CVE-2019-0006',
      'CVE-2019-0007',
      'CVE-2019-0011',
    ]);
  });

  it('records line numbers and expiry dates (UTC midnight)', () => {
    expect(file.rules[0]).toEqual({ id: 'CVE-2019-0001', line: 2 });
    expect(file.rules[2]).toEqual({
      id: 'CVE-2019-0005',
      line: 6,
      expiresAt: new Date('9999-01-01T00:00:00Z'),
    });
  });

  it('expired entries are set aside; an entry expires at 00:00 UTC of its date', () => {
    expect(file.expired.map((r) => r.id)).toEqual(['CVE-2019-0004', 'CVE-2019-0012']);
  });

  it('a malformed date skips the line with a warning naming file and line', () => {
    expect(file.warnings).toEqual([
      '.trivyignore:10: invalid expiry "exp:2026-13-01" (expected exp:YYYY-MM-DD); line skipped',
      '.trivyignore:11: invalid expiry "exp:2026-02-30" (expected exp:YYYY-MM-DD); line skipped',
      '.trivyignore:12: invalid expiry "exp:26-01-01" (expected exp:YYYY-MM-DD); line skipped',
    ]);
  });

  it('CRLF line endings and an empty file', () => {
    expect(parseTrivyIgnore('CVE-1\r\nCVE-2\r\n', 'f', NOW).rules.map((r) => r.id)).toEqual([
      'CVE-1',
      'CVE-2',
    ]);
    expect(parseTrivyIgnore('', 'f', NOW)).toEqual({ path: 'f', rules: [], expired: [], warnings: [] });
  });

  it('parseIsoDate is strict like Go\'s time.Parse("2006-01-02")', () => {
    expect(parseIsoDate('2024-02-29')).toEqual(new Date('2024-02-29T00:00:00Z'));
    for (const bad of ['2023-02-29', '2024-2-29', '2024-02-29T00:00:00Z', ' 2024-02-29', '']) {
      expect(parseIsoDate(bad), bad).toBeUndefined();
    }
  });
});

describe('.trivyignore.yaml', () => {
  const yaml = `
vulnerabilities:
  - id: CVE-2024-0001
    statement: not reachable from our code
  - id: CVE-2024-0002
    paths:
      - "usr/lib/**"
    expired_at: 2099-01-01
  - id: CVE-2024-0003
    purls:
      - "pkg:apk/alpine/musl@1.2.5-r0"
  - id: CVE-2024-0004
    expired_at: 2020-01-01
misconfigurations:
  - id: AVD-DS-0001
`;
  const file = parseTrivyIgnoreYaml(yaml, '.trivyignore.yaml', NOW);

  it('reads the vulnerabilities list, with expiry, paths, purls and statements', () => {
    expect(file.rules).toEqual([
      { id: 'CVE-2024-0001', statement: 'not reachable from our code' },
      { id: 'CVE-2024-0002', paths: ['usr/lib/**'], expiresAt: new Date('2099-01-01T00:00:00Z') },
      { id: 'CVE-2024-0003', purls: ['pkg:apk/alpine/musl@1.2.5-r0'] },
    ]);
    expect(file.expired.map((r) => r.id)).toEqual(['CVE-2024-0004']);
  });

  it('an empty document ignores nothing', () => {
    expect(parseTrivyIgnoreYaml('', 'f.yaml', NOW).rules).toEqual([]);
  });

  it('malformed files are usage errors naming the entry', () => {
    expect(() => parseTrivyIgnoreYaml('vulnerabilities: [{statement: x}]', 'f.yaml', NOW)).toThrow(
      'f.yaml: vulnerabilities[0] needs an "id"',
    );
    expect(() => parseTrivyIgnoreYaml('vulnerabilities: {id: x}', 'f.yaml', NOW)).toThrow(
      '"vulnerabilities" must be a list',
    );
    expect(() => parseTrivyIgnoreYaml('vulnerabilities: [{id: x, paths: a}]', 'f.yaml', NOW)).toThrow(
      'f.yaml: vulnerabilities[0].paths must be a list of strings',
    );
    expect(() => parseTrivyIgnoreYaml('vulnerabilities: [{id: x, expired_at: soon}]', 'f.yaml', NOW)).toThrow(
      'invalid expired_at "soon"',
    );
    expect(() => parseTrivyIgnoreYaml('vulnerabilities: [', 'f.yaml', NOW)).toThrow(UsageError);
  });
});

describe('matchIgnore', () => {
  it('matches on the vulnerability id only, by default', () => {
    expect(matchIgnore([{ id: 'CVE-2024-0001' }], finding())).toEqual({ id: 'CVE-2024-0001' });
    expect(matchIgnore([{ id: 'CVE-2024-9999' }], finding())).toBeUndefined();
    expect(matchIgnore([{ id: 'cve-2024-0001' }], finding())).toBeUndefined();
  });

  it('paths: globs against the target, then the package path', () => {
    const f = finding({
      target: 'app/package-lock.json',
      class: 'lang-pkgs',
      pkgPath: 'usr/lib/node_modules/x/package.json',
    });
    expect(matchIgnore([{ id: 'CVE-2024-0001', paths: ['app/*.json'] }], f)).toBeDefined();
    expect(matchIgnore([{ id: 'CVE-2024-0001', paths: ['usr/lib/**'] }], f)).toBeDefined();
    expect(matchIgnore([{ id: 'CVE-2024-0001', paths: ['usr/*'] }], f)).toBeUndefined();
    expect(matchIgnore([{ id: 'CVE-2024-0001', paths: ['other/**'] }], f)).toBeUndefined();
  });

  it('purls: type, namespace, name; version and qualifiers only when given', () => {
    const f = finding({ purl: 'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=3.20.3' });
    const m = (purl: string) => matchIgnore([{ id: 'CVE-2024-0001', purls: [purl] }], f) !== undefined;
    expect(m('pkg:apk/alpine/musl')).toBe(true);
    expect(m('pkg:apk/alpine/musl@1.2.5-r0')).toBe(true);
    expect(m('pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64')).toBe(true);
    expect(m('pkg:apk/alpine/musl@1.2.5-r1')).toBe(false);
    expect(m('pkg:apk/alpine/musl?arch=aarch64')).toBe(false);
    expect(m('pkg:apk/wolfi/musl')).toBe(false);
    expect(m('pkg:deb/alpine/musl')).toBe(false);
    // A finding without a purl is matched (Trivy's behaviour).
    expect(matchIgnore([{ id: 'CVE-2024-0001', purls: ['pkg:apk/alpine/zlib'] }], finding())).toBeDefined();
  });
});

describe('loadIgnoreFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scan-ignore-'));
    await writeFile(join(dir, '.trivyignore'), 'CVE-1\nCVE-2 exp:2000-01-01\n');
    await writeFile(join(dir, 'ignore.yml'), 'vulnerabilities:\n  - id: CVE-3\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('plain and YAML files by extension', async () => {
    expect((await loadIgnoreFile(join(dir, '.trivyignore'), { now: NOW }))?.rules.map((r) => r.id)).toEqual([
      'CVE-1',
    ]);
    expect((await loadIgnoreFile(join(dir, 'ignore.yml'), { now: NOW }))?.rules.map((r) => r.id)).toEqual([
      'CVE-3',
    ]);
  });

  it('a missing default file is silently absent; a missing explicit file is a usage error', async () => {
    expect(await loadIgnoreFile(join(dir, 'nope'))).toBeUndefined();
    const err = await loadIgnoreFile(join(dir, 'nope'), { explicit: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(`ignore file ${join(dir, 'nope')} does not exist`);
  });

  it('a directory is a usage error', async () => {
    await expect(loadIgnoreFile(dir)).rejects.toThrow(/cannot read ignore file .*: EISDIR/);
  });
});
