/**
 * Executes a plan. buildx: one `docker buildx bake` over the generated bake file (bake runs the
 * targets in parallel itself; `--metadata-file` gives back each target's digest). buildah: each
 * service on its own, at most `maxParallel` at once; a failed service pushes nothing and the
 * others carry on.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../content/atomic-file.js';
import { mapLimit } from '../util/concurrency.js';
import { bakeArgv, bakeFileText } from './bake.js';
import { buildWithBuildah, type BuildahOptions, type ServiceResult } from './buildah.js';
import { execTool } from './exec.js';
import type { BuildPlan } from './plan.js';

export type { ServiceResult, PlatformResult } from './buildah.js';

export interface RunOptions extends Omit<BuildahOptions, 'push'> {
  /** Keep the bake file here (buildx) instead of a temporary file. */
  bakeFile?: string;
  /** Called as each service finishes (recording, progress). */
  onResult?: (r: ServiceResult) => Promise<void> | void;
}

async function runBake(plan: BuildPlan, opts: RunOptions): Promise<ServiceResult[]> {
  const tmp = await mkdtemp(join(tmpdir(), 'ghcr-optimize-bake-'));
  try {
    const file = opts.bakeFile ?? join(tmp, 'docker-bake.json');
    await writeFileAtomic(file, bakeFileText(plan));
    const metadataFile = join(tmp, 'metadata.json');
    const started = performance.now();
    const run = await execTool('docker', [...bakeArgv(plan, file), '--metadata-file', metadataFile], {
      cwd: opts.dir,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onLine ? { onLine: opts.onLine } : {}),
    });
    const durationMs = performance.now() - started;
    let metadata: Record<string, Record<string, unknown>> = {};
    try {
      metadata = JSON.parse(await readFile(metadataFile, 'utf8')) as typeof metadata;
    } catch {
      // No metadata when the bake failed early.
    }
    const ok = run.code === 0;
    return plan.services.map((s) => {
      const digest = metadata[s.target]?.['containerimage.digest'];
      return {
        service: s.service,
        ok,
        pushed: ok && plan.push ? s.tags : [],
        ...(typeof digest === 'string' ? { digest } : {}),
        platforms: s.platforms.map((platform) => ({ platform, ok, durationMs })),
        durationMs,
        ...(ok ? {} : { error: run.tail.at(-1) ?? `docker buildx bake exited ${run.code}` }),
      };
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function runPlan(plan: BuildPlan, opts: RunOptions): Promise<ServiceResult[]> {
  if (plan.builder === 'buildx') {
    const results = await runBake(plan, opts);
    for (const r of results) await opts.onResult?.(r);
    return results;
  }
  return mapLimit(plan.services, plan.maxParallel, async (s) => {
    const r = await buildWithBuildah(s, { ...opts, push: plan.push });
    await opts.onResult?.(r);
    return r;
  });
}
