/** Text rendering of insights and memory entries (the `--json` output is the objects themselves). */
import { formatBytes, formatTable, type Colors } from '../cli/output.js';
import { SEVERITIES } from '../scan/types.js';
import { formatMs, type Insights } from './insights.js';
import type { MemoryEntry } from './types.js';

const pct = (ratio: number | null): string => (ratio === null ? '-' : `${Math.round(ratio * 100)}%`);
const signed = (n: number, f: (n: number) => string = String): string =>
  n > 0 ? `+${f(n)}` : n < 0 ? `-${f(-n)}` : '0';
const day = (iso: string): string => iso.slice(0, 10);

export function renderInsights(ins: Insights, c: Colors): string {
  const out: string[] = [];
  const section = (title: string, body: string): void => {
    out.push('', c.bold(title), body);
  };
  const period = ins.since ? `since ${day(ins.since)}` : 'all time';
  out.push(`${ins.events} events ${period} (until ${day(ins.until)})`);

  if (ins.sizes.length > 0) {
    section(
      'Image size',
      formatTable(
        ['IMAGE', 'PLATFORM', 'ANALYSES', 'FIRST', 'LATEST', 'CHANGE', 'RECLAIMABLE'],
        ins.sizes.map((s) => {
          const reclaimable = s.latest.reclaimableBytes ?? s.latest.wastedBytes;
          return [
            s.subject,
            s.platform ?? '-',
            String(s.samples),
            formatBytes(s.first.sizeBytes),
            formatBytes(s.latest.sizeBytes),
            s.changePercent === null ? signed(s.changeBytes, formatBytes) : `${signed(s.changePercent)}%`,
            reclaimable === undefined ? '-' : formatBytes(reclaimable),
          ];
        }),
      ),
    );
  }

  if (ins.cache.bySubject.length > 0) {
    const rows = [...ins.cache.totals, ...ins.cache.bySubject];
    section(
      'Cache hit ratio (blobs reused vs fetched)',
      formatTable(
        ['KIND', 'SUBJECT', 'RUNS', 'REUSED', 'FETCHED', 'BYTES FETCHED', 'HIT RATIO'],
        rows.map((r) => [
          r.kind,
          r.subject,
          String(r.runs),
          String(r.reused),
          String(r.fetched),
          formatBytes(r.bytesFetched),
          pct(r.ratio),
        ]),
      ),
    );
  }

  if (ins.builds.slowest.length > 0) {
    section(
      'Slowest builds',
      formatTable(
        ['IMAGE', 'WHEN', 'DURATION', 'RESULT'],
        ins.builds.slowest.map((b) => [
          b.platform ? `${b.subject} (${b.platform})` : b.subject,
          b.at.replace('T', ' ').slice(0, 16),
          formatMs(b.durationMs),
          b.ok ? 'ok' : c.red('failed'),
        ]),
      ),
    );
    section(
      'Build times',
      formatTable(
        ['IMAGE', 'BUILDS', 'FAILED', 'P50', 'P95', 'MAX', 'CACHE HITS'],
        ins.builds.bySubject.map((b) => [
          b.subject,
          String(b.builds),
          String(b.failures),
          formatMs(b.p50Ms),
          formatMs(b.p95Ms),
          formatMs(b.maxMs),
          b.cacheRatio === undefined ? '-' : pct(b.cacheRatio),
        ]),
      ),
    );
  }

  if (ins.latency.length > 0) {
    section(
      'Latency (probe: request latency of health checks; pull: whole pulls)',
      formatTable(
        ['REGISTRY', 'SOURCE', 'RUNS', 'P50', 'P95', 'FAILED', 'THROUGHPUT'],
        ins.latency.map((l) => [
          l.registry,
          l.source,
          String(l.runs),
          l.p50Ms === null ? '-' : formatMs(l.p50Ms),
          l.p95Ms === null ? '-' : formatMs(l.p95Ms),
          String(l.failures),
          l.mbPerSecondP50 === undefined ? '-' : `${l.mbPerSecondP50} MB/s`,
        ]),
      ),
    );
  }

  if (ins.vulnerabilities.length > 0) {
    section(
      'Vulnerabilities (latest scan, change since the first in the period)',
      formatTable(
        ['IMAGE', 'SCANS', ...SEVERITIES],
        ins.vulnerabilities.map((v) => [
          v.subject,
          String(v.scans),
          ...SEVERITIES.map((s) =>
            v.delta[s] === 0 ? String(v.latest.counts[s]) : `${v.latest.counts[s]} (${signed(v.delta[s])})`,
          ),
        ]),
      ),
    );
  }

  if (ins.reclaimed.runs > 0) {
    section(
      `Storage reclaimed: ${formatBytes(ins.reclaimed.bytes)}, ${ins.reclaimed.versions} versions in ${ins.reclaimed.runs} runs`,
      formatTable(
        ['REPOSITORY', 'RUNS', 'VERSIONS', 'RECLAIMED'],
        ins.reclaimed.byRepository.map((r) => [
          r.subject,
          String(r.runs),
          String(r.versions),
          formatBytes(r.bytes),
        ]),
      ),
    );
  }

  section(
    'Recommendations',
    ins.recommendations.length === 0
      ? ins.events === 0
        ? 'none: nothing recorded in this period yet'
        : 'none: nothing stands out'
      : ins.recommendations
          .map((r) => `${r.severity === 'warning' ? c.yellow('!') : '-'} ${r.message}`)
          .join('\n'),
  );
  return out.join('\n');
}

/** A value as `memory get` prints it: strings as they are, anything else as compact JSON. */
export function formatMemoryValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function memoryEntryJson(e: MemoryEntry): {
  namespace: string;
  key: string;
  value: unknown;
  updatedAt: string;
  expiresAt: string | null;
} {
  return {
    namespace: e.namespace,
    key: e.key,
    value: e.value,
    updatedAt: e.updatedAt.toISOString(),
    expiresAt: e.expiresAt ? e.expiresAt.toISOString() : null,
  };
}

export function renderMemoryList(entries: readonly MemoryEntry[]): string {
  const clip = (s: string): string => {
    const one = s.replace(/\s+/g, ' ');
    return one.length > 60 ? `${one.slice(0, 59)}…` : one;
  };
  return formatTable(
    ['NAMESPACE', 'KEY', 'VALUE', 'EXPIRES'],
    entries.map((e) => [
      e.namespace,
      e.key,
      clip(formatMemoryValue(e.value)),
      e.expiresAt ? e.expiresAt.toISOString() : 'never',
    ]),
  );
}
