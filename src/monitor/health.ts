/**
 * Registry health probe: is `/v2/` reachable, does authentication work, what API version does it
 * claim, and how fast does it answer (p50/p95 over several authenticated requests).
 */
import { performance } from 'node:perf_hooks';
import { isGhcrOptimizeError } from '../errors.js';
import type { RegistryClient } from '../registry/client.js';
import { percentile } from '../util/stats.js';

export interface HealthResult {
  registry: string;
  healthy: boolean;
  reachable: boolean;
  /** The scheme the registry challenged with ("bearer", "basic"), or "none" for open registries. */
  authScheme?: string;
  authOk?: boolean;
  apiVersion?: string;
  samples: number;
  latencyMs?: { p50: number; p95: number; min: number; max: number };
  error?: { kind: string; message: string; hint?: string };
}

export interface HealthOptions {
  samples?: number;
  /** p95 above this marks the registry unhealthy. */
  maxLatencyMs?: number;
  signal?: AbortSignal;
}

function describeError(err: unknown): NonNullable<HealthResult['error']> {
  if (isGhcrOptimizeError(err))
    return { kind: err.kind, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { kind: 'unexpected', message: err instanceof Error ? err.message : String(err) };
}

export async function probeRegistry(
  client: RegistryClient,
  registry: string,
  opts: HealthOptions = {},
): Promise<HealthResult> {
  const samples = opts.samples ?? 5;
  const result: HealthResult = { registry, healthy: false, reachable: false, samples: 0 };
  try {
    const ping = await client.ping(registry, opts.signal);
    result.reachable = true;
    result.authScheme = ping.authScheme ?? 'none';
    if (ping.apiVersion) result.apiVersion = ping.apiVersion;
  } catch (err) {
    result.error = describeError(err);
    return result;
  }
  try {
    await client.checkAuth(registry, opts.signal);
    result.authOk = true;
  } catch (err) {
    result.authOk = false;
    result.error = describeError(err);
    return result;
  }
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      await client.checkAuth(registry, opts.signal);
      times.push(performance.now() - start);
    }
  } catch (err) {
    result.error = describeError(err);
  }
  result.samples = times.length;
  if (times.length > 0) {
    const round = (n: number | undefined): number => Math.round((n ?? 0) * 10) / 10;
    result.latencyMs = {
      p50: round(percentile(times, 50)),
      p95: round(percentile(times, 95)),
      min: round(Math.min(...times)),
      max: round(Math.max(...times)),
    };
  }
  const slow = opts.maxLatencyMs !== undefined && (result.latencyMs?.p95 ?? Infinity) > opts.maxLatencyMs;
  if (slow && !result.error) {
    result.error = {
      kind: 'slow',
      message: `p95 latency ${result.latencyMs?.p95} ms is over the ${opts.maxLatencyMs} ms limit`,
    };
  }
  result.healthy = result.error === undefined;
  return result;
}
