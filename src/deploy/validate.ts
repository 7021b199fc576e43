/**
 * `validate`: is a service's image fit to deploy? Static checks (size budget, config lint) always
 * run; runtime checks (health endpoint, startup time, smoke tests) need a container runtime and
 * are reported as skipped — never as passed — without one.
 */
import type { ReadTarget } from '../content/target.js';
import type { Service, SmokeCheck } from '../config/services.js';
import { analyzeImage } from '../analyze/analyze.js';
import { lintImage } from '../analyze/lint.js';
import { parsePlatform } from '../oci/platform.js';
import { imageSizes } from './image-size.js';
import { startContainer, type Runtime } from './runtime.js';

export type CheckName = 'size' | 'lint' | 'health' | 'startup' | 'smoke';
export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckOutcome {
  check: CheckName;
  status: CheckStatus;
  detail: string;
}

export interface ServiceValidation {
  service: string;
  image: string;
  checks: CheckOutcome[];
}

export const NO_RUNTIME = 'skipped: no container runtime (docker or podman) is available';

/** Size budget over the largest platform: pure, for tests. */
export function sizeCheck(
  sizes: readonly { platform: string; bytes: number }[],
  budget: number,
  fmt: (n: number) => string,
): CheckOutcome {
  if (sizes.length === 0) return { check: 'size', status: 'fail', detail: 'no runnable image in the index' };
  const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const status = largest.bytes <= budget ? 'pass' : 'fail';
  const where = sizes.length > 1 ? ` (largest: ${largest.platform})` : '';
  return {
    check: 'size',
    status,
    detail: `${fmt(largest.bytes)}${where} ${status === 'pass' ? '≤' : '>'} budget ${fmt(budget)}`,
  };
}

export interface ValidateDeps {
  target: ReadTarget;
  reference: string;
  runtime: Runtime | undefined;
  /** Image as the runtime should pull it (`repo@digest`). */
  runImage: string;
  formatBytes: (n: number) => string;
  lint: boolean;
  signal?: AbortSignal;
  /** Poll interval for the health endpoint; tests shorten it. */
  pollMs?: number;
}

async function httpGet(url: string, signal?: AbortSignal): Promise<{ status: number; body: string }> {
  const res = await fetch(url, {
    signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(5000)]) : AbortSignal.timeout(5000),
  });
  return { status: res.status, body: await res.text() };
}

/** Milliseconds until `url` answers 2xx/3xx, or undefined after `timeoutMs`. */
export async function waitHealthy(
  url: string,
  timeoutMs: number,
  pollMs = 500,
  signal?: AbortSignal,
): Promise<number | undefined> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    signal?.throwIfAborted();
    try {
      const r = await httpGet(url, signal);
      if (r.status >= 200 && r.status < 400) return Date.now() - start;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return undefined;
}

export async function smokeCheck(base: string, t: SmokeCheck, signal?: AbortSignal): Promise<CheckOutcome> {
  const label = t.name ?? `GET ${t.path}`;
  try {
    const r = await httpGet(`${base}${t.path}`, signal);
    if (r.status !== t.status)
      return { check: 'smoke', status: 'fail', detail: `${label}: status ${r.status}, expected ${t.status}` };
    if (t.contains !== undefined && !r.body.includes(t.contains)) {
      return { check: 'smoke', status: 'fail', detail: `${label}: body does not contain "${t.contains}"` };
    }
    return { check: 'smoke', status: 'pass', detail: `${label}: ${r.status}` };
  } catch (err) {
    return { check: 'smoke', status: 'fail', detail: `${label}: ${(err as Error).message}` };
  }
}

async function runtimeChecks(service: Service, deps: ValidateDeps): Promise<CheckOutcome[]> {
  const wanted: CheckName[] = [
    ...(service.health !== undefined && service.port !== undefined ? (['health', 'startup'] as const) : []),
    ...(service.smoke.length > 0 ? (['smoke'] as const) : []),
  ];
  if (wanted.length === 0) return [];
  const rt = deps.runtime;
  if (!rt) return wanted.map((check) => ({ check, status: 'skip', detail: NO_RUNTIME }));
  const name = `ghcr-optimize-validate-${service.name}-${process.pid}`;
  const container = await startContainer(rt, deps.runImage, service.port, service.environment, name);
  try {
    if (container.hostPort === undefined) {
      return wanted.map((check) => ({
        check,
        status: 'fail',
        detail: `port ${service.port ?? '?'} was not published`,
      }));
    }
    const base = `http://127.0.0.1:${container.hostPort}`;
    const out: CheckOutcome[] = [];
    if (service.health !== undefined) {
      const ms = await waitHealthy(
        `${base}${service.health}`,
        service.startupTimeoutMs,
        deps.pollMs,
        deps.signal,
      );
      out.push(
        ms === undefined
          ? {
              check: 'health',
              status: 'fail',
              detail: `${service.health} did not answer within ${service.startupTimeoutMs / 1000}s`,
            }
          : { check: 'health', status: 'pass', detail: `${service.health} answered` },
        ms === undefined
          ? {
              check: 'startup',
              status: 'fail',
              detail: `not healthy after ${service.startupTimeoutMs / 1000}s`,
            }
          : {
              check: 'startup',
              status: 'pass',
              detail: `healthy after ${(ms / 1000).toFixed(1)}s (limit ${service.startupTimeoutMs / 1000}s)`,
            },
      );
    }
    for (const t of service.smoke) out.push(await smokeCheck(base, t, deps.signal));
    return out;
  } finally {
    await container.stop();
  }
}

export async function validateService(service: Service, deps: ValidateDeps): Promise<ServiceValidation> {
  const checks: CheckOutcome[] = [];
  const sizes = await imageSizes(deps.target, deps.reference, deps.signal);
  checks.push(sizeCheck(sizes, service.sizeBudgetBytes, deps.formatBytes));
  if (deps.lint) {
    // Lint reads files, so it needs one image: the first platform stands for all (same Dockerfile).
    const first = sizes.length > 1 ? sizes[0] : undefined;
    const analysis = await analyzeImage(deps.target, deps.reference, {
      ...(first ? { platform: parsePlatform(first.platform) } : {}),
      hashFiles: false,
      compressionSample: 0,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    const lint = lintImage({
      image: service.image,
      config: analysis.config,
      tree: analysis.tree,
      layers: analysis.scans,
    });
    const fatal = lint.checks.filter((c) => c.level === 'FATAL');
    const warn = lint.checks.filter((c) => c.level === 'WARN');
    checks.push({
      check: 'lint',
      status: fatal.length > 0 ? 'fail' : 'pass',
      detail:
        fatal.length > 0
          ? `FATAL: ${fatal.map((c) => c.code).join(', ')}`
          : `${first ? `${first.platform}: ` : ''}no FATAL findings${warn.length > 0 ? ` (WARN: ${warn.map((c) => c.code).join(', ')})` : ''}`,
    });
  }
  checks.push(...(await runtimeChecks(service, deps)));
  return { service: service.name, image: deps.runImage, checks };
}
