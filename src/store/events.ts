/**
 * From what a command produced (a transfer summary, a health result, scan counts, a retention plan
 * summary, analysis figures, a build) to the event the store records. Pure, so the shapes of
 * `data` are defined and tested here; the aggregation (insights.ts) reads them back defensively,
 * since a shared store also holds rows written by other versions.
 */
import { parseLocation } from '../ref/index.js';
import type { HealthResult } from '../monitor/health.js';
import type { PlanSummary } from '../retention/planner.js';
import type { TransferSummary } from '../transfer/events.js';
import { SEVERITIES, type Severity } from '../scan/types.js';
import type {
  AnalysisContext,
  AnalysisSize,
  AnalysisWaste,
  BuildRecord,
  NewEvent,
  RetentionContext,
  ScanContext,
  ScanCounts,
  TransferContext,
} from './types.js';

/** What `subject` and `registry` are for a location string as typed by the user. */
export interface SubjectInfo {
  /** `registry/repository` (tag and digest dropped), `oci:DIR`, `docker-archive:FILE`, or the input. */
  subject: string;
  registry?: string;
}

export function subjectOf(location: string): SubjectInfo {
  try {
    const loc = parseLocation(location);
    if (loc.transport === 'docker')
      return { subject: `${loc.ref.registry}/${loc.ref.repository}`, registry: loc.ref.registry };
    if (loc.transport === 'oci') return { subject: `oci:${loc.dir}` };
    return { subject: `docker-archive:${loc.file}` };
  } catch {
    return { subject: location };
  }
}

export interface TransferData {
  source: string;
  destination: string;
  registry?: string;
  blobs: TransferSummary['blobs'];
  manifests: TransferSummary['manifests'];
  bytes: number;
  seconds: number;
  mbPerSecond: number;
}

const PULL_COMMANDS = new Set(['pull', 'cache-warm']);

export function transferEvent(summary: TransferSummary, ctx: TransferContext): NewEvent {
  const pull = PULL_COMMANDS.has(ctx.command);
  const info = subjectOf(pull ? ctx.source : ctx.destination);
  const data: TransferData = {
    source: ctx.source,
    destination: ctx.destination,
    ...(info.registry ? { registry: info.registry } : {}),
    blobs: { ...summary.blobs },
    manifests: { ...summary.manifests },
    bytes: summary.bytes,
    seconds: summary.seconds,
    mbPerSecond: summary.mbPerSecond,
  };
  return {
    kind: pull ? 'pull' : 'transfer',
    command: ctx.command,
    subject: ctx.subject ?? info.subject,
    data,
    durationMs: Math.round(summary.seconds * 1000),
    ok: true,
  };
}

export interface ProbeData {
  registry: string;
  reachable: boolean;
  authOk?: boolean;
  authScheme?: string;
  apiVersion?: string;
  samples: number;
  latencyMs?: { p50: number; p95: number; min: number; max: number };
  error?: { kind: string; message: string };
}

export function probeEvent(result: HealthResult, command = 'health'): NewEvent {
  const data: ProbeData = {
    registry: result.registry,
    reachable: result.reachable,
    ...(result.authOk !== undefined ? { authOk: result.authOk } : {}),
    ...(result.authScheme !== undefined ? { authScheme: result.authScheme } : {}),
    ...(result.apiVersion !== undefined ? { apiVersion: result.apiVersion } : {}),
    samples: result.samples,
    ...(result.latencyMs ? { latencyMs: { ...result.latencyMs } } : {}),
    ...(result.error ? { error: { kind: result.error.kind, message: result.error.message } } : {}),
  };
  return { kind: 'probe', command, subject: result.registry, data, ok: result.healthy };
}

export interface ScanData {
  reference: string;
  counts: Record<Severity, number>;
  total: number;
  fixable?: number;
}

export function scanEvent(counts: ScanCounts, ctx: ScanContext): NewEvent {
  const full = Object.fromEntries(SEVERITIES.map((s) => [s, Math.max(0, counts[s] ?? 0)])) as Record<
    Severity,
    number
  >;
  const data: ScanData = {
    reference: ctx.image,
    counts: full,
    total: SEVERITIES.reduce((n, s) => n + full[s], 0),
    ...(ctx.fixable !== undefined ? { fixable: ctx.fixable } : {}),
  };
  return {
    kind: 'scan',
    command: ctx.command ?? 'scan',
    subject: subjectOf(ctx.image).subject,
    data,
    ok: ctx.ok ?? true,
  };
}

export interface RetentionData {
  repository: string;
  dryRun: boolean;
  manifests: PlanSummary['manifests'];
  tags: PlanSummary['tags'];
  /** Bytes freed (0 for a dry run). */
  bytesReclaimed: number;
  /** What the plan would free. */
  bytesPlanned: number;
  bytesUnknown: number;
  held: boolean;
  deletedVersionIds: number[];
  /** Every planned deletion happened. */
  complete: boolean;
}

export function retentionEvent(
  summary: PlanSummary,
  deletedVersionIds: readonly number[],
  ctx: RetentionContext,
): NewEvent {
  const dryRun = ctx.dryRun === true;
  const complete = !dryRun && deletedVersionIds.length >= summary.manifests.deleted;
  const data: RetentionData = {
    repository: ctx.repository,
    dryRun,
    manifests: { ...summary.manifests },
    tags: { ...summary.tags },
    bytesReclaimed: dryRun ? 0 : (ctx.bytesReclaimed ?? (complete ? summary.bytesReclaimed : 0)),
    bytesPlanned: summary.bytesReclaimed,
    bytesUnknown: summary.bytesUnknown,
    held: summary.held,
    deletedVersionIds: [...deletedVersionIds],
    complete,
  };
  return {
    kind: 'retention',
    command: ctx.command ?? 'retention',
    subject: subjectOf(ctx.repository).subject,
    data,
    ok: !summary.held,
  };
}

export interface AnalysisData {
  reference: string;
  platform?: string;
  sizeBytes: number;
  storedBytes?: number;
  layers?: number;
  wastedBytes: number;
  reclaimableBytes?: number;
  efficiency?: number;
}

export function analysisEvent(size: AnalysisSize, wasted: AnalysisWaste, ctx: AnalysisContext): NewEvent {
  const data: AnalysisData = {
    reference: ctx.image,
    ...(ctx.platform ? { platform: ctx.platform } : {}),
    sizeBytes: size.bytes,
    ...(size.storedBytes !== undefined ? { storedBytes: size.storedBytes } : {}),
    ...(size.layers !== undefined ? { layers: size.layers } : {}),
    wastedBytes: wasted.bytes,
    ...(wasted.reclaimableBytes !== undefined ? { reclaimableBytes: wasted.reclaimableBytes } : {}),
    // dive's efficiency of an empty image is 1; NaN/Infinity are not JSON.
    ...(wasted.efficiency !== undefined && Number.isFinite(wasted.efficiency)
      ? { efficiency: wasted.efficiency }
      : {}),
  };
  return { kind: 'analysis', command: ctx.command ?? 'analyze', subject: subjectOf(ctx.image).subject, data };
}

export interface BuildData {
  reference: string;
  platform?: string;
  cacheHits?: number;
  cacheMisses?: number;
}

export function buildEvent(build: BuildRecord): NewEvent {
  const data: BuildData = {
    reference: build.image,
    ...(build.platform ? { platform: build.platform } : {}),
    ...(build.cacheHits !== undefined ? { cacheHits: build.cacheHits } : {}),
    ...(build.cacheMisses !== undefined ? { cacheMisses: build.cacheMisses } : {}),
  };
  return {
    kind: 'build',
    command: build.command ?? 'build',
    subject: subjectOf(build.image).subject,
    data,
    durationMs: Math.round(build.durationMs),
    ok: build.ok,
  };
}
