import { describe, expect, it } from 'vitest';
import {
  analysisEvent,
  buildEvent,
  probeEvent,
  retentionEvent,
  scanEvent,
  subjectOf,
  transferEvent,
} from '../../../src/store/events.js';
import type { PlanSummary } from '../../../src/retention/planner.js';
import type { TransferSummary } from '../../../src/transfer/events.js';

const summary: TransferSummary = {
  blobs: { copied: 2, skipped: 1, mounted: 1, cached: 3 },
  manifests: { copied: 1, skipped: 0 },
  bytes: 5_000_000,
  seconds: 1.25,
  mbPerSecond: 4,
};

const plan: PlanSummary = {
  manifests: { total: 10, kept: 6, deleted: 4 },
  tags: { total: 8, kept: 5, deleted: 3 },
  bytesReclaimed: 400_000_000,
  bytesUnknown: 0,
  categories: {},
  unmatchedTags: [],
  held: false,
};

describe('subjectOf', () => {
  it('registry references lose tag and digest; Docker Hub names are normalised', () => {
    expect(subjectOf('ghcr.io/o/app:1.2')).toEqual({ subject: 'ghcr.io/o/app', registry: 'ghcr.io' });
    expect(subjectOf(`ghcr.io/o/app@sha256:${'a'.repeat(64)}`).subject).toBe('ghcr.io/o/app');
    expect(subjectOf('alpine')).toEqual({ subject: 'docker.io/library/alpine', registry: 'docker.io' });
    expect(subjectOf('localhost:5000/x:1')).toEqual({
      subject: 'localhost:5000/x',
      registry: 'localhost:5000',
    });
  });

  it('layouts and archives keep their transport; unparseable input is kept as is', () => {
    expect(subjectOf('oci:./layout:1')).toEqual({ subject: 'oci:./layout' });
    expect(subjectOf('docker-archive:app.tar:app:1')).toEqual({ subject: 'docker-archive:app.tar' });
    expect(subjectOf('NOT a ref')).toEqual({ subject: 'NOT a ref' });
  });
});

describe('transferEvent', () => {
  it('a pull is a pull event about the source, with its registry', () => {
    const e = transferEvent(summary, {
      source: 'ghcr.io/o/app:1',
      destination: 'oci:./l:1',
      command: 'pull',
    });
    expect(e).toEqual({
      kind: 'pull',
      command: 'pull',
      subject: 'ghcr.io/o/app',
      durationMs: 1250,
      ok: true,
      data: {
        source: 'ghcr.io/o/app:1',
        destination: 'oci:./l:1',
        registry: 'ghcr.io',
        blobs: summary.blobs,
        manifests: summary.manifests,
        bytes: 5_000_000,
        seconds: 1.25,
        mbPerSecond: 4,
      },
    });
    expect(
      transferEvent(summary, { source: 'ghcr.io/o/a:1', destination: '', command: 'cache-warm' }).kind,
    ).toBe('pull');
  });

  it('a copy is a transfer event about the destination; the subject can be overridden', () => {
    const e = transferEvent(summary, {
      source: 'ghcr.io/o/app:1',
      destination: 'registry.internal:5000/app:1',
      command: 'copy',
    });
    expect(e.kind).toBe('transfer');
    expect(e.subject).toBe('registry.internal:5000/app');
    expect((e.data as { registry: string }).registry).toBe('registry.internal:5000');
    expect(
      transferEvent(summary, { source: 'a', destination: 'b', command: 'push', subject: 'custom' }).subject,
    ).toBe('custom');
  });

  it('copies the summary, so later changes to it do not leak in', () => {
    const s = structuredClone(summary);
    const e = transferEvent(s, { source: 'a:1', destination: 'b:1', command: 'copy' });
    s.blobs.copied = 99;
    expect((e.data as TransferSummary).blobs.copied).toBe(2);
  });
});

describe('probeEvent', () => {
  it('keeps latency and error; ok is healthy', () => {
    const e = probeEvent({
      registry: 'ghcr.io',
      healthy: false,
      reachable: true,
      authScheme: 'bearer',
      authOk: true,
      apiVersion: 'registry/2.0',
      samples: 5,
      latencyMs: { p50: 120, p95: 900, min: 100, max: 950 },
      error: { kind: 'slow', message: 'p95 latency 900 ms is over the 500 ms limit', hint: 'x' },
    });
    expect(e).toEqual({
      kind: 'probe',
      command: 'health',
      subject: 'ghcr.io',
      ok: false,
      data: {
        registry: 'ghcr.io',
        reachable: true,
        authOk: true,
        authScheme: 'bearer',
        apiVersion: 'registry/2.0',
        samples: 5,
        latencyMs: { p50: 120, p95: 900, min: 100, max: 950 },
        error: { kind: 'slow', message: 'p95 latency 900 ms is over the 500 ms limit' },
      },
    });
    const unreachable = probeEvent(
      { registry: 'x.invalid', healthy: false, reachable: false, samples: 0 },
      'monitor',
    );
    expect(unreachable.command).toBe('monitor');
    expect(unreachable.data).toEqual({ registry: 'x.invalid', reachable: false, samples: 0 });
  });
});

describe('scanEvent', () => {
  it('fills every severity and the total', () => {
    const e = scanEvent({ CRITICAL: 1, HIGH: 3 }, { image: 'ghcr.io/o/app:1', fixable: 2, ok: false });
    expect(e).toEqual({
      kind: 'scan',
      command: 'scan',
      subject: 'ghcr.io/o/app',
      ok: false,
      data: {
        reference: 'ghcr.io/o/app:1',
        counts: { CRITICAL: 1, HIGH: 3, MEDIUM: 0, LOW: 0, UNKNOWN: 0 },
        total: 4,
        fixable: 2,
      },
    });
  });
});

describe('retentionEvent', () => {
  it('an applied plan reclaims its bytes and lists the deleted versions', () => {
    const e = retentionEvent(plan, [11, 12, 13, 14], { repository: 'ghcr.io/o/app' });
    expect(e.kind).toBe('retention');
    expect(e.subject).toBe('ghcr.io/o/app');
    expect(e.ok).toBe(true);
    expect(e.data).toMatchObject({
      dryRun: false,
      bytesReclaimed: 400_000_000,
      bytesPlanned: 400_000_000,
      deletedVersionIds: [11, 12, 13, 14],
      complete: true,
      manifests: plan.manifests,
    });
  });

  it('a dry run reclaims nothing; a partial run only what the caller says', () => {
    expect(retentionEvent(plan, [], { repository: 'r', dryRun: true }).data).toMatchObject({
      dryRun: true,
      bytesReclaimed: 0,
      bytesPlanned: 400_000_000,
      complete: false,
    });
    expect(retentionEvent(plan, [1, 2], { repository: 'r' }).data).toMatchObject({
      bytesReclaimed: 0,
      complete: false,
    });
    expect(retentionEvent(plan, [1, 2], { repository: 'r', bytesReclaimed: 123 }).data).toMatchObject({
      bytesReclaimed: 123,
    });
    expect(retentionEvent({ ...plan, held: true }, [], { repository: 'r' }).ok).toBe(false);
  });
});

describe('analysisEvent / buildEvent', () => {
  it('analysis: sizes and waste, platform kept, non-finite efficiency dropped', () => {
    const e = analysisEvent(
      { bytes: 100, storedBytes: 40, layers: 3 },
      { bytes: 20, reclaimableBytes: 10, efficiency: Number.NaN },
      { image: 'ghcr.io/o/app:2', platform: 'linux/arm64' },
    );
    expect(e).toEqual({
      kind: 'analysis',
      command: 'analyze',
      subject: 'ghcr.io/o/app',
      data: {
        reference: 'ghcr.io/o/app:2',
        platform: 'linux/arm64',
        sizeBytes: 100,
        storedBytes: 40,
        layers: 3,
        wastedBytes: 20,
        reclaimableBytes: 10,
      },
    });
  });

  it('build: duration rounded, ok as given, cache counts kept', () => {
    expect(
      buildEvent({ image: 'ghcr.io/o/app:3', durationMs: 61_000.4, ok: false, cacheHits: 2, cacheMisses: 8 }),
    ).toEqual({
      kind: 'build',
      command: 'build',
      subject: 'ghcr.io/o/app',
      durationMs: 61_000,
      ok: false,
      data: { reference: 'ghcr.io/o/app:3', cacheHits: 2, cacheMisses: 8 },
    });
  });
});
