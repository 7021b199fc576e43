/**
 * Builds one service with buildah: every platform into a fresh manifest list, then (with --push)
 * the list and its images pushed under the first tag, and the other tags pointed at the same
 * index digest through the registry client (so every tag names byte-identical content). A
 * platform that fails stops the service before anything is pushed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { budArgs, manifestPushArgs, manifestRmArgs, type PushAccess } from './buildah-args.js';
import { execTool } from './exec.js';
import type { ServicePlan } from './plan.js';

export interface PlatformResult {
  platform: string;
  ok: boolean;
  durationMs: number;
}

export interface ServiceResult {
  service: string;
  ok: boolean;
  /** Tags pushed (full references). */
  pushed: string[];
  /** Digest of the pushed index. */
  digest?: string;
  platforms: PlatformResult[];
  durationMs: number;
  error?: string;
}

export interface BuildahOptions {
  /** The config file's directory: contexts are relative to it. */
  dir: string;
  push: boolean;
  /** Registry access for buildah (TLS, auth file) for a reference's registry. */
  access: (registry: string) => PushAccess;
  /** Points `reference` (another tag) at the manifest `digest` already pushed to `image`. */
  retag: (image: string, digest: string, reference: string) => Promise<void>;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
  program?: string;
}

function registryOf(reference: string): string {
  return reference.split('/')[0]!;
}

function failure(tail: string[], fallback: string): string {
  const errors = tail.filter((l) => /error|Error|failed/.test(l));
  return (errors.at(-1) ?? tail.at(-1) ?? fallback).replace(/^\s*(Error:\s*)?/, '');
}

export async function buildWithBuildah(s: ServicePlan, opts: BuildahOptions): Promise<ServiceResult> {
  const program = opts.program ?? 'buildah';
  const started = performance.now();
  const list = `ghcr-optimize-${s.target.toLowerCase()}-${randomBytes(4).toString('hex')}`;
  const contextDir = resolve(opts.dir, s.context);
  const result: ServiceResult = { service: s.service, ok: false, pushed: [], platforms: [], durationMs: 0 };
  const line = (text: string): void => opts.onLine?.(`[${s.service}] ${text}`);
  let listMade = false;
  try {
    for (const platform of s.platforms) {
      const t0 = performance.now();
      const run = await execTool(program, budArgs(s, platform, list, contextDir), {
        cwd: opts.dir,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onLine: line,
      });
      listMade ||= run.code === 0;
      const ok = run.code === 0;
      result.platforms.push({ platform, ok, durationMs: performance.now() - t0 });
      if (!ok) {
        result.error = `${platform}: ${failure(run.tail, run.spawnError?.message ?? `buildah exited ${run.code}`)}`;
        return result;
      }
    }
    if (opts.push && s.tags.length > 0) {
      const [first, ...rest] = s.tags as [string, ...string[]];
      const tmp = await mkdtemp(join(tmpdir(), 'ghcr-optimize-push-'));
      try {
        const digestFile = join(tmp, 'digest');
        const run = await execTool(
          program,
          manifestPushArgs(list, first, digestFile, opts.access(registryOf(first))),
          { cwd: opts.dir, ...(opts.signal ? { signal: opts.signal } : {}), onLine: line },
        );
        if (run.code !== 0) {
          result.error = `push ${first}: ${failure(run.tail, `buildah exited ${run.code}`)}`;
          return result;
        }
        result.digest = (await readFile(digestFile, 'utf8')).trim();
        result.pushed.push(first);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
      for (const ref of rest) {
        await opts.retag(s.image, result.digest, ref);
        result.pushed.push(ref);
      }
    }
    result.ok = true;
    return result;
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
    return result;
  } finally {
    if (listMade) await execTool(program, manifestRmArgs(list), { cwd: opts.dir });
    result.durationMs = performance.now() - started;
  }
}
