import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../support/cli.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';

const home = makeTempDir('config-cli-');
afterAll(() => removeTempDir(home));

describe('config validate|show|schema', () => {
  it('a broken file: one line per problem with line:column, exit 2, no stack trace', async () => {
    writeFileSync(
      join(home, 'ghcr-optimize.yaml'),
      'owner: acme\nservices:\n  backend:\n    port: 99999\n  auth:\n    health: auth/health\n',
    );
    const r = await runCli(['config', 'validate'], { home });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^ghcr-optimize\.yaml:4:5: services\.backend\.port: /),
      'ghcr-optimize.yaml:6:5: services.auth.health: must start with "/"',
    ]);
    expect(r.stderr).toBe('');
    // Every other command refuses the file with the first problem and a hint.
    const other = await runCli(['config', 'show'], { home });
    expect(other.code).toBe(2);
    expect(other.stderrLines[0]).toMatch(
      /^error: .*ghcr-optimize\.yaml:4:5: services\.backend\.port: .*\(and 1 more\)$/,
    );
    expect(other.stderrLines[1]).toMatch(/^hint: run "ghcr-optimize config validate/);
  });

  it('a valid file: show applies the defaults, --json is machine-readable', async () => {
    writeFileSync(join(home, 'ok.yaml'), 'owner: acme\nservices:\n  backend: {}\n  web: { port: 8080 }\n');
    const v = await runCli(['config', 'validate', 'ok.yaml', '--json'], { home });
    expect(v.code, describeRun(v)).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ file: 'ok.yaml', valid: true, services: 2, errors: [] });
    const s = await runCli(['--config-file', 'ok.yaml', 'config', 'show', '--json'], { home });
    expect(s.code, describeRun(s)).toBe(0);
    const shown = JSON.parse(s.stdout) as { services: { name: string; image: string; port?: number }[] };
    expect(shown.services.map((x) => [x.name, x.image, x.port])).toEqual([
      ['backend', 'ghcr.io/acme/backend', 3001],
      ['web', 'ghcr.io/acme/web', 8080],
    ]);
  });

  it('a service without image or owner is reported by validate', async () => {
    writeFileSync(join(home, 'noowner.yaml'), 'services:\n  api: {}\n');
    const r = await runCli(['config', 'validate', 'noowner.yaml'], { home });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/services\.api: expected an image reference/);
  });

  it('bad tag rules, flavor, labels and annotations: each at its line:column, exit 2', async () => {
    writeFileSync(
      join(home, 'tags.yaml'),
      [
        'owner: acme',
        'services:',
        '  backend: {}',
        'tags:',
        '  - type=ref,event=branch',
        "  - 'type=semver,pattern={{version'",
        '  - type=nope,value=x',
        '  - type=sha,pattern=x',
        'flavor: [latest=sometimes]',
        'labels:',
        '  - org.opencontainers.image.title={{branch',
        'annotations:',
        '  - org.opencontainers.image.vendor',
        '',
      ].join('\n'),
    );
    const r = await runCli(['config', 'validate', 'tags.yaml'], { home });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^tags\.yaml:6:5: tags\.1: tag rule "type=semver,pattern=\{\{version": invalid pattern/,
      ),
      'tags.yaml:7:5: tags.2: tag rule "type=nope,value=x": unknown type "nope"',
      'tags.yaml:9:10: flavor.0: flavor "latest=sometimes": latest must be auto, true or false, got "sometimes"',
      expect.stringMatching(
        /^tags\.yaml:11:5: labels\.0: label "org\.opencontainers\.image\.title=\{\{branch": /,
      ),
      'tags.yaml:8:5: tags.3: tag rule "type=sha,pattern=x": pattern= not used by type=sha (ignored) (warning)',
      'tags.yaml:13:5: annotations.0: annotation "org.opencontainers.image.vendor": not key=value (ignored) (warning)',
    ]);
    const j = await runCli(['config', 'validate', 'tags.yaml', '--json'], { home });
    expect(j.code).toBe(2);
    const doc = JSON.parse(j.stdout) as {
      valid: boolean;
      errors: { path: string; line: number; column: number }[];
    };
    expect(doc.valid).toBe(false);
    expect(doc.errors.map((e) => [e.path, e.line, e.column])).toEqual([
      ['tags.1', 6, 5],
      ['tags.2', 7, 5],
      ['flavor.0', 9, 10],
      ['labels.0', 11, 5],
    ]);
    // The same rules the engine accepts pass validation.
    writeFileSync(
      join(home, 'tags-ok.yaml'),
      "owner: acme\nservices:\n  backend: {}\ntags:\n  - type=semver,pattern={{version}}\n  - type=sha\nflavor:\n  - latest=auto\n  - 'prefix=v,onlatest=true'\n",
    );
    const ok = await runCli(['config', 'validate', 'tags-ok.yaml'], { home });
    expect(ok.code, describeRun(ok)).toBe(0);
    expect(ok.stdout.trim()).toBe('tags-ok.yaml: valid (1 service)');
  });

  it('a missing file is one line with a hint; schema --output writes the schema', async () => {
    const missing = await runCli(['config', 'validate', 'nope.yaml'], { home });
    expect(missing.code).toBe(2);
    expect(missing.stderrLines).toEqual([
      'error: cannot read nope.yaml: ENOENT',
      expect.stringMatching(/^hint: /),
    ]);
    const out = await runCli(['config', 'schema', '--output', 'schema.json'], { home });
    expect(out.code, describeRun(out)).toBe(0);
    expect(JSON.parse(readFileSync(join(home, 'schema.json'), 'utf8'))).toMatchObject({
      title: 'ghcr-optimize.yaml',
    });
  });
});
