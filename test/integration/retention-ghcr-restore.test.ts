/**
 * Retention on GHCR end to end, as a user runs it (a CLI process per command): the README
 * scenario against the GitHub Packages API simulator backed by a real docker-registry
 * (GHCR_OPTIMIZE_GITHUB_REGISTRIES makes the simulator's registry host a GitHub-managed one, as a
 * GitHub Enterprise Server container registry is), with skopeo as the independent reader.
 *
 * `clean --force` records every deleted version in the insights store (SQLite under the temp
 * HOME); `restore --last-clean` brings back exactly what the most recent run deleted. A clean on a
 * plain registry is recorded too, and `restore --last-clean` says it cannot be undone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { describeRun, runCli, type CliResult } from '../support/cli.js';
import { makeImage, pushImage } from '../support/fixtures.js';
import { startGitHubSim, type GitHubSim } from '../support/github-sim/index.js';
import { makeTempDir, removeTempDir } from '../support/lifecycle.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { NOW, daysAgo, retentionScenario } from '../support/retention-scenario.js';
import { skopeoCopy, skopeoListTags } from '../support/skopeo.js';
import { requireTool } from '../support/tools.js';

const ok = requireTool('docker-registry') && requireTool('skopeo');
const TOKEN = 'ghp_retentionRestoreToken00000000000000001';
/** A classic token with read:packages only: GitHub answers its deletes 403. */
const READER = 'ghp_retentionReaderToken000000000000000001';

interface PlanItemJson {
  digest: string;
  tags: string[];
  order?: number;
  versionId?: number;
  category: string;
}
interface CleanJson {
  repository: string;
  keep: PlanItemJson[];
  delete: PlanItemJson[];
  summary: { manifests: { total: number; kept: number; deleted: number } };
  runId?: string;
  apply?: { deleted: number; refused: number; skipped: number; failed: number };
}
interface CleanRunsJson {
  runs: { runId: string; at: string; repositories: string[]; deleted: number; restorable: number }[];
}
interface LastCleanJson {
  runId: string;
  at: string;
  dryRun: boolean;
  packages: {
    repository: string;
    owner: string;
    package: string;
    ownerKind?: string;
    versions?: { digest: string; tags: string[]; versionId: number }[];
    items?: { id: number; digest?: string; tags: string[]; status: string; verified?: boolean }[];
    restored?: number;
    failed?: number;
  }[];
  unrestorable: { repository: string; digests: string[] }[];
}

function expectExit(r: CliResult, code: number): void {
  expect(r.timedOut, describeRun(r)).toBe(false);
  expect(r.code, describeRun(r)).toBe(code);
}

describe.skipIf(!ok)(
  'retention on GHCR (simulator + docker-registry): clean, record, restore --last-clean',
  () => {
    let reg: RunningRegistry;
    let plain: RunningRegistry;
    let sim: GitHubSim;
    let home: string;
    const s = retentionScenario('-ghcr');

    const cli = (args: string[], token = TOKEN): Promise<CliResult> =>
      runCli(args, {
        home,
        timeoutMs: 120_000,
        env: {
          GITHUB_API_URL: sim.apiUrl,
          GHCR_TOKEN: token,
          GHCR_OPTIMIZE_GITHUB_REGISTRIES: reg.host,
        },
      });
    const app = (): string => `${reg.host}/octo-org/app`;

    async function manifestStatus(r: RunningRegistry, repo: string, digest: string): Promise<number> {
      const res = await fetch(`${r.url}/v2/${repo}/manifests/${digest}`, {
        method: 'HEAD',
        headers: {
          accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json',
        },
      });
      return res.status;
    }

    beforeAll(async () => {
      home = makeTempDir('ghcr-opt-ghcr-retention-home');
      reg = await startRegistry();
      plain = await startRegistry();
      sim = await startGitHubSim({
        registry: reg,
        owners: [{ login: 'octo-org', type: 'Organization', members: ['alice'] }],
        tokens: {
          [TOKEN]: { login: 'alice', scopes: ['write:packages', 'delete:packages'] },
          [READER]: { login: 'alice', scopes: ['read:packages'] },
        },
      });
      for (const seed of s.seeds) {
        await sim.push('octo-org', 'app', seed.tag, seed.image, { createdAt: daysAgo(seed.ageDays) });
      }
    }, 120_000);

    afterAll(async () => {
      await sim?.stop();
      await reg?.stop();
      await plain?.stop();
      if (home) removeTempDir(home);
    });

    it('plans and deletes exactly the expected versions, records them, and restore --last-clean brings them back', async () => {
      // 1. The dry run lists exactly the expected deletions, with GHCR version ids.
      const dry = await cli(['--json', 'clean', app(), '--dry-run', '--now', NOW]);
      expectExit(dry, 0);
      const plan = JSON.parse(dry.stdout) as CleanJson;
      const name = (d: string): string => s.expectedDeleted.get(d) ?? s.expectedKept.get(d) ?? d;
      expect(plan.delete.map((i) => name(i.digest)).sort()).toEqual([...s.expectedDeleted.values()].sort());
      expect(plan.keep.map((i) => name(i.digest)).sort()).toEqual([...s.expectedKept.values()].sort());
      for (const [first, then] of s.orderPairs) {
        const order = (d: string): number => plan.delete.find((i) => i.digest === d)!.order!;
        expect(order(first), `${name(first)} before ${name(then)}`).toBeLessThan(order(then));
      }
      expect(plan.keep.find((i) => i.digest === s.twoCategories)).toMatchObject({
        tags: ['2.0.0', 'pr-7'],
        category: 'release',
      });
      const versionIds = new Map(
        (await sim.versions('octo-org', 'app')).map((v) => [v.digest, v.id] as const),
      );
      for (const item of plan.delete)
        expect(item.versionId, name(item.digest)).toBe(versionIds.get(item.digest));
      expect((await skopeoListTags(`docker://${app()}`)).sort()).toEqual(s.seeds.map((x) => x.tag).sort());

      // 2. --force deletes exactly those; every kept tag still pulls completely for every platform.
      const force = await cli(['--json', 'clean', app(), '--force', '--now', NOW]);
      expectExit(force, 0);
      expect((JSON.parse(force.stdout) as CleanJson).apply).toMatchObject({
        deleted: 10,
        refused: 0,
        skipped: 0,
        failed: 0,
      });
      for (const d of s.expectedDeleted.keys())
        expect(await manifestStatus(reg, 'octo-org/app', d), name(d)).toBe(404);
      for (const d of s.expectedKept.keys())
        expect(await manifestStatus(reg, 'octo-org/app', d), name(d)).toBe(200);
      expect((await skopeoListTags(`docker://${app()}`)).sort()).toEqual([...s.keptTags].sort());
      const deletedIds = new Map(
        (await sim.versions('octo-org', 'app', { deleted: true })).map((v) => [v.digest, v.id] as const),
      );
      expect(new Set(deletedIds.keys())).toEqual(new Set(s.expectedDeleted.keys()));
      const out = makeTempDir('ghcr-opt-ghcr-retention-pull');
      try {
        for (const tag of s.keptTags) {
          await skopeoCopy(`docker://${app()}:${tag}`, `oci:${join(out, 'layout')}:${tag}`, { all: true });
        }
      } finally {
        removeTempDir(out);
      }

      // 3. restore --last-clean --dry-run lists every deleted version (from the store), restoring nothing.
      const list = await cli(['--json', 'restore', '--last-clean', '--dry-run']);
      expectExit(list, 0);
      const listed = JSON.parse(list.stdout) as LastCleanJson;
      expect(listed.dryRun).toBe(true);
      expect(listed.unrestorable).toEqual([]);
      expect(listed.packages).toHaveLength(1);
      expect(listed.packages[0]).toMatchObject({
        repository: app(),
        owner: 'octo-org',
        package: 'app',
        ownerKind: 'org',
      });
      const versions = listed.packages[0]!.versions!;
      expect(new Map(versions.map((v) => [v.digest, v.versionId]))).toEqual(deletedIds);
      expect(versions.find((v) => v.digest === [...s.expectedDeleted.keys()][0])!.tags).toEqual([
        'main-abc1234',
      ]);
      expect(await manifestStatus(reg, 'octo-org/app', [...s.expectedDeleted.keys()][0]!)).toBe(404);
      const listText = await cli(['restore', '--last-clean', '--dry-run']);
      expectExit(listText, 0);
      expect(listText.stdout).toContain(`${app()}: would restore 10 versions`);
      expect(listText.stdout).toMatch(/^VERSION\s+DIGEST\s+TAGS$/m);
      for (const id of deletedIds.values())
        expect(listText.stdout).toMatch(new RegExp(`^${id}\\s+sha256:`, 'm'));
      expect(listText.stdout).toMatch(/Dry run: nothing restored\n$/);

      // 4. restore --last-clean restores every one, printing each id; tags and manifests are back.
      const restore = await cli(['--json', 'restore', '--last-clean']);
      expectExit(restore, 0);
      const restored = JSON.parse(restore.stdout) as LastCleanJson;
      expect(restored.packages[0]).toMatchObject({ restored: 10, failed: 0 });
      expect(new Set(restored.packages[0]!.items!.map((i) => i.id))).toEqual(new Set(deletedIds.values()));
      expect(restored.packages[0]!.items!.every((i) => i.status === 'restored' && i.verified === true)).toBe(
        true,
      );
      for (const d of s.expectedDeleted.keys())
        expect(await manifestStatus(reg, 'octo-org/app', d), name(d)).toBe(200);
      expect((await skopeoListTags(`docker://${app()}`)).sort()).toEqual(s.seeds.map((x) => x.tag).sort());
      expect(restore.stdout + restore.stderr).not.toContain(TOKEN);

      // 5. A new clean deletes the same again; restoring in text form prints each id; then a
      // clean that deletes nothing is the last one, and there is nothing to restore.
      const again = await cli(['--json', 'clean', app(), '--force', '--now', NOW]);
      expectExit(again, 0);
      expect((JSON.parse(again.stdout) as CleanJson).apply).toMatchObject({ deleted: 10, failed: 0 });
      const text = await cli(['restore', '--last-clean']);
      expectExit(text, 0);
      expect(text.stdout).toMatch(/^VERSION\s+STATUS\s+DIGEST\s+TAGS$/m);
      for (const id of deletedIds.values()) {
        expect(text.stdout).toMatch(new RegExp(`^${id}\\s+restored\\s+sha256:[0-9a-f]{64}`, 'm'));
        expect(text.stderr).toContain(`${app()}: restored version ${id} (sha256:`);
      }
      const cleanAgain = await cli(['--json', 'clean', app(), '--force', '--now', NOW]);
      expectExit(cleanAgain, 0);
      const againDoc = JSON.parse(cleanAgain.stdout) as CleanJson;
      expect(againDoc.apply).toMatchObject({ deleted: 10, failed: 0 });
      expect(againDoc.runId).toMatch(/^[0-9a-f-]{36}$/);
      const third = await cli(['--json', 'clean', app(), '--force', '--now', NOW]);
      expectExit(third, 0);
      const thirdDoc = JSON.parse(third.stdout) as CleanJson;
      expect(thirdDoc.delete).toEqual([]);
      expect(thirdDoc.apply).toMatchObject({ deleted: 0, refused: 0, skipped: 0, failed: 0 });
      expect(thirdDoc.summary.manifests).toEqual({ total: 14, kept: 14, deleted: 0 });
      const fourth = await cli(['clean', app(), '--force', '--now', NOW]);
      expectExit(fourth, 0);
      const fourthRun = /^run ([0-9a-f-]{36})$/m.exec(fourth.stdout)?.[1];
      expect(fourthRun, fourth.stdout).toBeDefined();

      // 6. Runs that deleted nothing are passed over: --last-clean still means the run that did.
      const lastDry = await cli([
        '--json',
        'restore',
        '--last-clean',
        '--package',
        'octo-org/app',
        '--dry-run',
      ]);
      expectExit(lastDry, 0);
      const last = JSON.parse(lastDry.stdout) as LastCleanJson;
      expect(last.runId).toBe(againDoc.runId);
      expect(last.packages[0]!.versions).toHaveLength(10);
      const lastText = await cli(['restore', '--last-clean', '--dry-run']);
      expect(lastText.stdout).toContain(`(run ${againDoc.runId})`);
      expect(lastText.stdout).toContain(`${app()}: would restore 10 versions`);

      // --list-cleans: every run, newest first, with what it deleted; --run picks one of them.
      const runsOut = await cli(['--json', 'restore', '--list-cleans', 'octo-org/app']);
      expectExit(runsOut, 0);
      const runs = (JSON.parse(runsOut.stdout) as CleanRunsJson).runs;
      expect(runs.map((r) => [r.runId, r.deleted, r.restorable]).slice(0, 3)).toEqual([
        [fourthRun, 0, 0],
        [thirdDoc.runId, 0, 0],
        [againDoc.runId, 10, 10],
      ]);
      expect(runs).toHaveLength(5);
      expect(runs[0]!.repositories).toEqual([app()]);
      const runsText = await cli(['restore', '--list-cleans']);
      expect(runsText.stdout).toMatch(/^RUN\s+AT\s+DELETED\s+RESTORABLE\s+REPOSITORIES$/m);
      expect(runsText.stdout).toMatch(new RegExp(`^${againDoc.runId}\\s+\\S+\\s+10\\s+10\\s+`, 'm'));
      const earlier = await cli(['--json', 'restore', '--last-clean', '--run', runs[3]!.runId, '--dry-run']);
      expectExit(earlier, 0);
      expect((JSON.parse(earlier.stdout) as LastCleanJson).runId).toBe(runs[3]!.runId);
      const byPrefix = await cli(['restore', '--last-clean', '--run', thirdDoc.runId!.slice(0, 13)]);
      expectExit(byPrefix, 0);
      expect(byPrefix.stdout).toContain(`(run ${thirdDoc.runId})`);
      expect(byPrefix.stdout).toContain(`${app()}: nothing deleted`);
      const unknown = await cli(['restore', '--last-clean', '--run', 'no-such-run']);
      expectExit(unknown, 4);
      expect(unknown.stderr).toContain(
        'no `clean --force` run no-such-run is recorded in the insights store',
      );
      const stray = await cli(['restore', '--run', thirdDoc.runId!]);
      expectExit(stray, 2);
      expect((await skopeoListTags(`docker://${app()}`)).sort()).toEqual([...s.keptTags].sort());
    }, 400_000);

    it('a token without delete:packages: exit 3 naming the scope, nothing deleted', async () => {
      const expired = makeImage({ config: { created: daysAgo(30) }, layers: [{ 'pr.txt': 'locked pr' }] });
      const kept = makeImage({ config: { created: daysAgo(1) }, layers: [{ 'main.txt': 'locked main' }] });
      await sim.push('octo-org', 'locked', 'pr-4', expired, { createdAt: daysAgo(30) });
      await sim.push('octo-org', 'locked', 'main', kept, { createdAt: daysAgo(1) });
      const locked = `${reg.host}/octo-org/locked`;

      const r = await cli(['clean', locked, '--force', '--now', NOW], READER);
      expectExit(r, 3);
      expect(r.stderr).toMatch(
        /^error: .*octo-org\/locked@sha256:[0-9a-f]{64}: GitHub refused to delete package version \d+ \(HTTP 403\): the token needs delete:packages$/m,
      );
      expect(r.stderr).toMatch(/^hint: .*delete:packages/m);
      expect(r.stderr + r.stdout).not.toContain(READER);
      expect(await manifestStatus(reg, 'octo-org/locked', expired.digest)).toBe(200);
      expect((await skopeoListTags(`docker://${locked}`)).sort()).toEqual(['main', 'pr-4']);
    }, 120_000);

    it('a registry clean is recorded too, but cannot be restored: a clear error', async () => {
      const old = makeImage({ config: { created: daysAgo(30) }, layers: [{ 'pr.txt': 'plain pr' }] });
      const fresh = makeImage({ config: { created: daysAgo(1) }, layers: [{ 'main.txt': 'plain main' }] });
      await pushImage(plain.url, 'svc', 'pr-9', old);
      await pushImage(plain.url, 'svc', 'main', fresh);
      const clean = await cli(['--json', 'clean', `${plain.host}/svc`, '--force', '--now', NOW]);
      expectExit(clean, 0);
      expect((JSON.parse(clean.stdout) as CleanJson).apply).toMatchObject({ deleted: 1 });

      const r = await cli(['restore', '--last-clean']);
      expectExit(r, 2);
      expect(r.stderr).toMatch(
        /^warning: .*\/svc: 1 manifest was deleted through the registry API, which cannot be restored/m,
      );
      expect(r.stderr).toMatch(
        /^error: the last clean \(.*\) deleted 1 manifest through the registry API: such deletions cannot be restored$/m,
      );
      const json = await cli(['--json', 'restore', '--last-clean', '--package', `${plain.host}/svc`]);
      expectExit(json, 2);

      // The GHCR package's own last clean is still found by name.
      const byName = await cli([
        '--json',
        'restore',
        '--last-clean',
        '--package',
        'octo-org/app',
        '--dry-run',
      ]);
      expectExit(byName, 0);
      expect((JSON.parse(byName.stdout) as LastCleanJson).packages[0]!.repository).toBe(app());
      const none = await cli(['restore', '--last-clean', '--package', 'octo-org/other']);
      expectExit(none, 4);
      expect(none.stderr).toContain('no `clean --force` of octo-org/other is recorded in the insights store');
    }, 120_000);
  },
);
