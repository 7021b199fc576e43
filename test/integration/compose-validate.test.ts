import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeValidator } from '../support/compose-schema.js';
import { makeImage, makeIndex, pushImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { describeRun, runCli } from '../support/cli.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';

const validateCompose = composeValidator();

let reg: RunningRegistry;
let home: string;
let backendDigest: string;

const USER_CONFIG = { config: { User: 'app', Healthcheck: { Test: ['CMD', 'true'] } } };

beforeAll(async () => {
  reg = await startRegistry();
  home = makeTempDir('compose-validate-');
  const amd = makeImage({ layers: [{ 'app/server.js': 'x'.repeat(2000) }], ...USER_CONFIG });
  const arm = makeImage({
    architecture: 'arm64',
    layers: [{ 'app/server.js': 'y'.repeat(5000) }],
    ...USER_CONFIG,
  });
  backendDigest = (await pushImage(reg.url, 'acme/backend', 'latest', makeIndex([amd, arm]))).digest;
  await pushImage(
    reg.url,
    'acme/frontend',
    'latest',
    makeImage({ layers: [{ 'index.html': '<p>' }], ...USER_CONFIG }),
  );
  // A secret in ENV is FATAL for the lint (CIS-DI-0010).
  await pushImage(
    reg.url,
    'acme/leaky',
    'latest',
    makeImage({
      layers: [{ a: 'b' }],
      config: { config: { User: 'app', Env: ['AWS_SECRET_ACCESS_KEY=abc123'] } },
    }),
  );
  writeFileSync(
    join(home, 'ghcr-optimize.yaml'),
    [
      `registry: ${reg.host}`,
      'owner: acme',
      'services:',
      '  backend: { resources: { memory: 256MiB } }',
      '  frontend: { dependsOn: [backend], sizeBudget: 100 }',
      '  leaky: { port: 9000 }',
      'environments:',
      '  prod: { tag: latest }',
    ].join('\n'),
  );
});
afterAll(async () => {
  await reg?.stop();
  removeTempDir(home);
});

describe('compose generate', () => {
  it('pins every image to the digest its tag names, valid against the compose-spec schema', async () => {
    const r = await runCli(
      ['compose', 'generate', 'backend', 'frontend', '--env', 'prod', '--output', 'c.yml'],
      {
        home,
      },
    );
    expect(r.code, describeRun(r)).toBe(0);
    const doc = parse(readFileSync(join(home, 'c.yml'), 'utf8')) as {
      services: Record<string, { image: string; depends_on?: unknown; deploy?: unknown }>;
    };
    expect(validateCompose(doc), JSON.stringify(validateCompose.errors)).toBe(true);
    expect(doc.services.backend!.image).toBe(`${reg.host}/acme/backend@${backendDigest}`);
    expect(doc.services.frontend!.image).toMatch(
      new RegExp(`^${reg.host}/acme/frontend@sha256:[0-9a-f]{64}$`),
    );
    expect(doc.services.frontend!.depends_on).toEqual({ backend: { condition: 'service_healthy' } });
    expect(doc.services.backend!.deploy).toEqual({ resources: { limits: { memory: '256M' } } });
  });

  it('a tag that does not exist: exit 4 with a hint, no file written', async () => {
    const r = await runCli(['compose', 'generate', '--tag', 'nope', '--output', 'none.yml'], { home });
    expect(r.code, describeRun(r)).toBe(4);
    expect(r.stderrLines[0]).toMatch(/^error: (backend|frontend|leaky): .*acme\/\1:nope does not exist$/);
    expect(() => readFileSync(join(home, 'none.yml'))).toThrow();
  });

  it('an unknown environment or service is a usage error', async () => {
    expect((await runCli(['compose', 'generate', '--env', 'qa'], { home })).stderrLines[0]).toBe(
      'error: unknown environment "qa"',
    );
    const r = await runCli(['compose', 'generate', 'nosuch'], { home });
    expect(r.code).toBe(2);
    expect(r.stderrLines).toEqual([
      'error: unknown service "nosuch"',
      'hint: configured: backend, frontend, leaky',
    ]);
  });
});

describe('validate', () => {
  it('static checks pass; runtime checks are skipped without a container runtime (exit 12)', async () => {
    const r = await runCli(['validate', 'backend', '--json'], { home, timeoutMs: 60_000 });
    expect(r.code, describeRun(r)).toBe(12);
    const out = JSON.parse(r.stdout) as {
      runtime: string | null;
      skipped: boolean;
      services: { service: string; checks: { check: string; status: string; detail: string }[] }[];
    };
    expect(out.runtime).toBeNull();
    const checks = out.services[0]!.checks;
    expect(checks.map((c) => [c.check, c.status])).toEqual([
      ['size', 'pass'],
      ['lint', 'pass'],
      ['health', 'skip'],
      ['startup', 'skip'],
    ]);
    expect(checks[0]!.detail).toMatch(/\(largest: linux\/arm64\)/);
    const text = await runCli(['validate', 'backend'], { home, timeoutMs: 60_000 });
    expect(text.stdout).toMatch(/skipped: no container runtime/);
  });

  it('a size over budget and a FATAL lint finding fail with exit 9', async () => {
    const r = await runCli(['validate', 'frontend', 'leaky'], { home, timeoutMs: 60_000 });
    expect(r.code, describeRun(r)).toBe(9);
    expect(r.stdout).toMatch(/FAIL {2}size {5}\d+ B > budget 100 B/);
    expect(r.stdout).toMatch(/FAIL {2}lint {5}FATAL: CIS-DI-0010/);
    expect(r.stderrLines[0]).toBe('error: 2 checks failed: frontend/size, leaky/lint');
  });
});
