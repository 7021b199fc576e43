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
import type { ImageAnalysis } from '../analyze/analyze.js';

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

/** One manifest a `clean --force` deleted, as recorded for `restore --last-clean`. */
export interface RetentionDeletion {
  digest: string;
  /** Tags the digest carried when it was deleted. */
  tags: string[];
  /** GHCR package version id (GitHub back end only): what `restore` brings back. */
  versionId?: number;
}

/** The GitHub package a GHCR clean worked on. */
export interface RetentionPackage {
  owner: string;
  package: string;
  /** How GitHub addresses the owner; absent when it could not be learned. */
  ownerKind?: 'org' | 'user';
}

/**
 * Additions to {@link RetentionData} made by `clean --force` (all optional, so rows written
 * before they existed still read as plain retention events).
 */
export interface RetentionRunData extends RetentionData {
  /** Shared by every repository one `clean` invocation worked on. */
  runId?: string;
  /** `registry`: Distribution API deletes (final); `github`: package versions (restorable 30 days). */
  backend?: 'registry' | 'github';
  /** Registry host serving the repository (`ghcr.io`, or a test/GHES host). */
  registry?: string;
  github?: RetentionPackage;
  /** Every manifest deleted (or found already gone), in deletion order. */
  deleted?: RetentionDeletion[];
}

export interface RetentionRunContext extends RetentionContext {
  runId: string;
  backend: 'registry' | 'github';
  registry: string;
  github?: RetentionPackage;
  deleted: readonly RetentionDeletion[];
}

/** The event of one repository's `clean --force`: the retention figures plus what was deleted. */
export function retentionRunEvent(summary: PlanSummary, ctx: RetentionRunContext): NewEvent {
  const ids = ctx.deleted.flatMap((d) => (d.versionId !== undefined ? [d.versionId] : []));
  const base = retentionEvent(summary, ids, { command: 'clean', ...ctx });
  const complete = ctx.deleted.length >= summary.manifests.deleted;
  const data: RetentionRunData = {
    ...(base.data as RetentionData),
    complete,
    runId: ctx.runId,
    backend: ctx.backend,
    registry: ctx.registry,
    ...(ctx.github ? { github: { ...ctx.github } } : {}),
    deleted: ctx.deleted.map((d) => ({
      digest: d.digest,
      tags: [...d.tags],
      ...(d.versionId !== undefined ? { versionId: d.versionId } : {}),
    })),
  };
  return { ...base, data };
}

/** A clean run's record for one repository, read back from a stored event. */
export interface RecordedClean {
  eventId: number;
  at: Date;
  runId: string;
  repository: string;
  backend: 'registry' | 'github';
  registry?: string;
  github?: RetentionPackage;
  deleted: RetentionDeletion[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * The deletion record of a stored retention event, or undefined for events that carry none (dry
 * runs, rows from versions that did not record deletions, other commands). Defensive: a shared
 * store holds rows written by other versions.
 */
export function readRecordedClean(event: {
  id: number;
  at: Date;
  kind: string;
  data: unknown;
}): RecordedClean | undefined {
  if (event.kind !== 'retention' || !isObj(event.data)) return undefined;
  const d = event.data;
  if (d.dryRun === true || typeof d.runId !== 'string' || !Array.isArray(d.deleted)) return undefined;
  if (typeof d.repository !== 'string') return undefined;
  const backend = d.backend === 'github' ? 'github' : d.backend === 'registry' ? 'registry' : undefined;
  if (!backend) return undefined;
  const deleted: RetentionDeletion[] = [];
  for (const raw of d.deleted as unknown[]) {
    if (!isObj(raw) || typeof raw.digest !== 'string') continue;
    const tags = Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string') : [];
    const id = raw.versionId;
    deleted.push({
      digest: raw.digest,
      tags,
      ...(typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? { versionId: id } : {}),
    });
  }
  const out: RecordedClean = {
    eventId: event.id,
    at: event.at,
    runId: d.runId,
    repository: d.repository,
    backend,
    deleted,
  };
  if (typeof d.registry === 'string') out.registry = d.registry;
  const g = d.github;
  if (isObj(g) && typeof g.owner === 'string' && typeof g.package === 'string') {
    out.github = {
      owner: g.owner,
      package: g.package,
      ...(g.ownerKind === 'org' || g.ownerKind === 'user' ? { ownerKind: g.ownerKind } : {}),
    };
  }
  return out;
}

/** What an analysis records: its sizes and waste, for `recordAnalysis`. Shared by every command that analyses. */
export function analysisFigures(
  a: Pick<ImageAnalysis, 'dive' | 'layers' | 'platform'>,
  image: string,
  command: string,
): [AnalysisSize, AnalysisWaste, AnalysisContext] {
  return [
    {
      bytes: a.dive.sizeBytes,
      storedBytes: a.layers.reduce((n, l) => n + l.storedBytes, 0),
      layers: a.layers.length,
    },
    { bytes: a.dive.wastedBytes, reclaimableBytes: a.dive.reclaimableBytes, efficiency: a.dive.efficiency },
    { image, ...(a.platform ? { platform: a.platform } : {}), command },
  ];
}
