/**
 * Text output of the retention commands: the plan (or what applying it did) as a table with
 * ACTION, TAGS, DIGEST, CATEGORY, AGE, SIZE and REASON, a one-line summary, and the `stats`
 * report. `--json` prints the plan and stats objects themselves, not this.
 */
import { formatBytes, formatTable } from '../cli/output.js';
import { formatDuration } from '../util/units.js';
import type { ApplyItemResult, ApplyResult } from './apply.js';
import { parseAttachmentTag } from './inventory.js';
import { shortDigest, type PlanItem, type RetentionPlan } from './planner.js';
import type { RepositoryStats } from './stats.js';

export const PLAN_COLUMNS = ['ACTION', 'TAGS', 'DIGEST', 'CATEGORY', 'AGE', 'SIZE', 'REASON'];

/** `sha256-<64 hex>.sig` is unreadable in a table: `sha256-0123456789ab….sig`. */
export function displayTag(tag: string): string {
  const a = parseAttachmentTag(tag);
  if (!a) return tag;
  return `${a.algorithm}-${a.hex.slice(0, 12)}…${a.suffix !== undefined ? `.${a.suffix}` : ''}`;
}

export function displayTags(tags: readonly string[], max = 3): string {
  if (tags.length === 0) return '<none>';
  const shown = tags.slice(0, max).map(displayTag).join(',');
  return tags.length > max ? `${shown},+${tags.length - max}` : shown;
}

const age = (item: Pick<PlanItem, 'ageSeconds'>): string =>
  item.ageSeconds === undefined ? '-' : formatDuration(item.ageSeconds * 1000);

/** Reasons name attachment tags in full (`sha256-<64 hex>.sig`); a table shows them short. */
export function shortenReason(reason: string): string {
  return reason.replace(
    /\b(sha256|sha512)-([0-9a-f]{64})\b/g,
    (_m, alg: string, hex: string) => `${alg}-${hex.slice(0, 12)}…`,
  );
}

function row(action: string, item: PlanItem, size: string, reason: string): string[] {
  return [
    action,
    displayTags(item.tags),
    shortDigest(item.digest),
    item.category,
    age(item),
    size,
    shortenReason(reason),
  ];
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The plan as a table: deletions in the order they happen, then what is kept. */
export function renderPlanTable(plan: RetentionPlan): string {
  const rows = [
    ...plan.delete.map((i) => row('delete', i, formatBytes(i.bytes), i.reason)),
    ...plan.keep.map((i) => row(i.held ? 'hold' : 'keep', i, '-', i.reason)),
  ];
  return formatTable(PLAN_COLUMNS, rows);
}

export function planSummaryLine(plan: RetentionPlan, dryRun: boolean): string {
  const s = plan.summary;
  const head = `${plan.repository}: ${s.manifests.deleted} of ${s.manifests.total} manifests to delete (${s.tags.deleted} of ${s.tags.total} tags), ${formatBytes(s.bytesReclaimed)} to reclaim${s.bytesUnknown > 0 ? ` (+${s.bytesUnknown} of unknown size)` : ''}; ${s.manifests.kept} kept`;
  const held = s.held ? '; held: a kept manifest could not be read, so nothing will be deleted' : '';
  return `${head}${held}${dryRun ? '. Dry run: nothing deleted (--force to apply)' : ''}`;
}

export function renderPlan(plan: RetentionPlan, dryRun: boolean): string {
  return `${renderPlanTable(plan)}\n\n${planSummaryLine(plan, dryRun)}`;
}

/** What applying did, item by item, in the plan's order. */
export function renderApplied(plan: RetentionPlan, result: ApplyResult): string {
  const byDigest = new Map<string, ApplyItemResult>(result.items.map((r) => [r.digest, r]));
  const rows = plan.delete.map((item) => {
    const r = byDigest.get(item.digest);
    const status = r?.status ?? 'skipped';
    const size = status === 'deleted' ? formatBytes(item.bytes) : '-';
    return row(status, item, size, r?.reason ?? item.reason);
  });
  const table = rows.length > 0 ? `${formatTable(PLAN_COLUMNS, rows)}\n\n` : '';
  return `${table}${appliedSummaryLine(result, plan.summary.manifests.kept)}`;
}

export function appliedSummaryLine(result: ApplyResult, kept?: number): string {
  const parts = [`deleted ${result.deleted} manifest${result.deleted === 1 ? '' : 's'}`];
  if (result.absent > 0) parts.push(`${result.absent} already gone`);
  if (result.refused > 0) {
    parts.push(
      `refused ${result.refused} (changed since the plan was made: a tag moved or was added, here or on an item planned with it)`,
    );
  }
  if (result.skipped > 0) parts.push(`skipped ${result.skipped}`);
  if (result.failed > 0) parts.push(`failed ${result.failed}`);
  const bytes =
    result.deleted > 0
      ? ` (${formatBytes(result.bytesDeleted)}, freed when the registry collects garbage)`
      : '';
  const keptText = kept !== undefined ? `; ${kept} kept` : '';
  return `${result.repository}: ${parts.join(', ')}${bytes}${keptText}`;
}

function imageLine(img: RepositoryStats['oldest']): string {
  if (!img) return '-';
  const tags = img.tags.filter((t) => parseAttachmentTag(t) === undefined);
  return `${tags.length > 0 ? `${displayTags(tags)}  ` : ''}${shortDigest(img.digest)}  ${img.created.slice(0, 10)} (${formatDuration(img.ageSeconds * 1000)} ago)`;
}

export function renderStats(s: RepositoryStats): string {
  const m = s.manifests;
  const r = s.reclaimable;
  const lines = [
    s.repository,
    `  manifests  ${m.total} (${plural(m.images, 'image')}, ${plural(m.indexes, 'index', 'indexes')}, ${plural(m.artifacts, 'artifact')}${m.unreadable > 0 ? `, ${m.unreadable} unreadable` : ''})`,
    `  tags       ${s.tags.total}${s.tags.attachment > 0 ? ` (${s.tags.attachment} signature/referrer tags)` : ''}`,
    `  storage    ${formatBytes(s.storage.totalBytes)} (${formatBytes(s.storage.blobBytes)} unique blobs + ${formatBytes(s.storage.manifestBytes)} manifests); shared layers save ${formatBytes(s.storage.sharedSavings)} of ${formatBytes(s.storage.unsharedBytes)}`,
    `  policy     ${r.held ? 'holds every deletion (a kept manifest could not be read)' : `would delete ${plural(r.manifests, 'manifest')} (${plural(r.tags, 'tag')}) and reclaim ${formatBytes(r.bytes)}${r.bytesUnknown > 0 ? ` (+${r.bytesUnknown} of unknown size)` : ''}`}`,
    `  oldest     ${imageLine(s.oldest)}`,
    `  newest     ${imageLine(s.newest)}`,
    '',
    formatTable(
      ['CATEGORY', 'MANIFESTS', 'TAGS', 'SIZE', 'KEEP', 'DELETE'],
      Object.entries(s.categories).map(([name, c]) => [
        name,
        String(c.manifests),
        String(c.tags),
        formatBytes(c.bytes),
        String(c.kept),
        String(c.deleted),
      ]),
    ),
  ];
  return lines.join('\n');
}
