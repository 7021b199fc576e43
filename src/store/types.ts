/**
 * The insights store's vocabulary: what an event is, what a memory entry is, and the interface
 * both back ends (SQLite, PostgreSQL) implement. Types only, so importing them loads no driver.
 */
import type { Generated } from 'kysely';
import type { TransferSummary } from '../transfer/events.js';
import type { HealthResult } from '../monitor/health.js';
import type { PlanSummary } from '../retention/planner.js';
import type { Severity } from '../scan/types.js';

export const EVENT_KINDS = [
  'transfer',
  'build',
  'pull',
  'probe',
  'scan',
  'retention',
  'analysis',
  'token',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export function isEventKind(value: unknown): value is EventKind {
  return typeof value === 'string' && (EVENT_KINDS as readonly string[]).includes(value);
}

/** An event as a command records it. */
export interface NewEvent {
  kind: EventKind;
  /** The command that recorded it: `copy`, `pull`, `health`, … */
  command: string;
  /** What it is about: `registry/repository` for images (no tag), a registry host for probes. */
  subject?: string;
  /** Kind-specific facts (see events.ts); stored as JSON. */
  data?: unknown;
  /** Wall time of the operation, when it has one. */
  durationMs?: number;
  /** The operation succeeded (or its gate passed). Default true. */
  ok?: boolean;
  /** Default: now. */
  at?: Date;
}

/** An event as the store returns it. */
export interface StoredEvent {
  id: number;
  at: Date;
  kind: EventKind;
  command: string;
  subject: string | null;
  /** Host name of the machine that recorded it (one store may serve many CI runners). */
  host: string | null;
  data: unknown;
  durationMs: number | null;
  ok: boolean;
}

export interface EventQuery {
  /** Only events at or after this instant. */
  since?: Date;
  /** Only events before this instant. */
  until?: Date;
  kinds?: readonly EventKind[];
  subject?: string;
  /** At most this many, the most recent ones (returned oldest first). Default 100 000. */
  limit?: number;
}

export interface MemoryEntry {
  namespace: string;
  key: string;
  value: unknown;
  updatedAt: Date;
  /** Absent: never expires. */
  expiresAt?: Date;
}

export interface MemorySetOptions {
  /** Time to live in milliseconds; absent: forever. */
  ttlMs?: number;
}

/** Context for a transfer event: the locations as the user typed them. */
export interface TransferContext {
  source: string;
  destination: string;
  /** `copy`, `push`, `pull`, `cache-warm`, `index create`, … (`pull` and `cache-warm` record `pull` events). */
  command: string;
  /** Default: the pulled repository for pulls, the destination repository otherwise. */
  subject?: string;
}

/** Vulnerability counts of one scan. */
export type ScanCounts = Partial<Record<Severity, number>>;

export interface ScanContext {
  image: string;
  command?: string;
  /** Findings with a fixed version available (what a rebuild would remove). */
  fixable?: number;
  /** The policy gate passed (default true). */
  ok?: boolean;
}

export interface RetentionContext {
  repository: string;
  dryRun?: boolean;
  command?: string;
  /** Bytes actually freed when known more precisely than the plan's figure (partial runs). */
  bytesReclaimed?: number;
}

/** Sizes of an analysed image. */
export interface AnalysisSize {
  /** Uncompressed file content (dive's image size). */
  bytes: number;
  /** Σ compressed layer sizes: what a pull transfers. */
  storedBytes?: number;
  layers?: number;
}

/** Waste of an analysed image. */
export interface AnalysisWaste {
  /** dive's wastedBytes. */
  bytes: number;
  /** What a rebuild would actually save. */
  reclaimableBytes?: number;
  /** dive's efficiency, 0..1. */
  efficiency?: number;
}

export interface AnalysisContext {
  image: string;
  platform?: string;
  command?: string;
}

export interface BuildRecord {
  image: string;
  durationMs: number;
  ok: boolean;
  platform?: string;
  /** Build cache steps (or layers) reused vs rebuilt, when the builder says. */
  cacheHits?: number;
  cacheMisses?: number;
  command?: string;
}

export type StoreDialect = 'sqlite' | 'postgres';

export interface InsightsStore {
  readonly dialect: StoreDialect;
  /** Where the store is, password removed: a file path or `postgres://user@host:port/db`. */
  readonly location: string;

  record(event: NewEvent): Promise<void>;
  recordTransfer(summary: TransferSummary, context: TransferContext): Promise<void>;
  recordProbe(result: HealthResult, command?: string): Promise<void>;
  recordScan(counts: ScanCounts, context: ScanContext): Promise<void>;
  recordRetention(
    summary: PlanSummary,
    deletedVersionIds: readonly number[],
    context: RetentionContext,
  ): Promise<void>;
  recordAnalysis(size: AnalysisSize, wasted: AnalysisWaste, context: AnalysisContext): Promise<void>;
  recordBuild(build: BuildRecord): Promise<void>;
  events(query?: EventQuery): Promise<StoredEvent[]>;

  memorySet(namespace: string, key: string, value: unknown, options?: MemorySetOptions): Promise<MemoryEntry>;
  /** undefined when absent or expired. */
  memoryGet(namespace: string, key: string): Promise<MemoryEntry | undefined>;
  /** Every live entry, or those of one namespace; ordered by namespace, key. */
  memoryList(namespace?: string): Promise<MemoryEntry[]>;
  /** true when the key existed (and had not expired). */
  memoryDelete(namespace: string, key: string): Promise<boolean>;
  /** Removes expired entries; returns how many. Runs on open and before every memory access. */
  purgeExpired(): Promise<number>;

  close(): Promise<void>;
}

// The tables, as Kysely sees them. Instants are epoch milliseconds (bigint columns), JSON is text
// and booleans are 0/1, so both dialects store and return the same values.

export interface EventsTable {
  id: Generated<number>;
  at: number;
  command: string;
  kind: string;
  subject: string | null;
  host: string | null;
  data: string;
  duration_ms: number | null;
  ok: number;
}

export interface MemoryTable {
  namespace: string;
  key: string;
  value: string;
  expires_at: number | null;
  updated_at: number;
}

export interface StoreDatabase {
  events: EventsTable;
  memory: MemoryTable;
}
