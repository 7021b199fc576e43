import { basename, extname, isAbsolute, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import type { Recommendation } from '../../optimize/recommend.js';
import { planSummaryLine, renderPlanTable } from '../../retention/render.js';
import type { RetentionPlan } from '../../retention/planner.js';
import type { DemoResult, DemoService } from '../../sample/demo.js';
import { renderInsights } from '../../store/render.js';
import { formatBytes, formatTable, shortDigest, type Output } from '../output.js';
import type { Runner } from '../context.js';

/** Kept rows shown in the text plan; `--json` has them all. */
const KEPT_ROWS = 6;
const TOP_RECOMMENDATIONS = 3;

/** A word for a POSIX shell: quoted only when it has to be. */
function sh(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * How to run this same CLI again from the current directory: `ghcr-optimize` when it was
 * installed as that command, else the script it was started as (`npm run demo` starts
 * `node dist/bin/ghcr-optimize.mjs`, which is not on PATH after a plain `npm install`).
 */
export function invocation(argv: readonly string[] = process.argv, cwd = process.cwd()): string {
  const script = argv[1];
  if (script === undefined || basename(script) === 'ghcr-optimize') return 'ghcr-optimize';
  const rel = relative(cwd, script);
  const path = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : script;
  return extname(script) === '.ts' ? `node --import tsx ${sh(path)}` : `node ${sh(path)}`;
}

export interface NextSteps {
  dashboard: { command: string; env: Record<string, string>; url: string };
  htmlReports: string[];
  commands: string[];
}

function nextSteps(r: DemoResult, cli: string): NextSteps {
  const storeUrl = `sqlite:${r.store.path}`;
  const [backend, frontend, auth] = r.services;
  return {
    dashboard: {
      command: `GHCR_OPTIMIZE_STORE_URL=${sh(storeUrl)} ${cli} dashboard --listen 127.0.0.1:3002`,
      env: { GHCR_OPTIMIZE_STORE_URL: storeUrl },
      url: 'http://127.0.0.1:3002/',
    },
    htmlReports: r.services.map((s) => s.htmlReport),
    commands: [
      `${cli} inspect ${sh(frontend!.reference)} --platform linux/arm64`,
      `${cli} analyze ${sh(auth!.reference)} --platform linux/amd64`,
      `${cli} optimize-images ${sh(backend!.reference)}`,
    ],
  };
}

function heading(out: Output, n: number, title: string): string {
  return out.c.bold(`${n}. ${title}`);
}

function renderImages(r: DemoResult, out: Output): string {
  const rows = r.services.map((s) => [
    s.name,
    String(s.port),
    s.health,
    s.platforms.map((p) => p.platform).join(', '),
    s.platforms.map((p) => (p.size === undefined ? '?' : formatBytes(p.size))).join(' / '),
    shortDigest(s.digest),
  ]);
  return [
    heading(out, 1, 'Sample images'),
    "The seed project's three services, each a two-platform OCI index built in-process (no Docker,",
    "no buildah) with realistic layers: a Debian base, Node.js, and the service's own steps.",
    '',
    formatTable(['SERVICE', 'PORT', 'HEALTH', 'PLATFORMS', 'SIZE PER PLATFORM', 'INDEX'], rows),
    '',
    `OCI layouts: ${join(r.dir, 'images')}/{${r.services.map((s) => s.name).join(',')}}`,
  ].join('\n');
}

function renderTags(r: DemoResult, out: Output): string {
  const tags = r.services[0]!.tags;
  const branchRule = r.ci.rules.find((x) => x.startsWith('type=ref,event=branch'));
  return [
    heading(out, 2, 'Tags for a sample CI run (metadata-action rules)'),
    `Event: ${r.ci.event} of ${r.ci.ref} at ${r.ci.sha.slice(0, 7)}, SOURCE_DATE_EPOCH=${r.ci.sourceDateEpoch} (${new Date(r.ci.sourceDateEpoch * 1000).toISOString()})`,
    `Rules: ${r.ci.rules.join('  ')}`,
    `Tags:  ${tags.join(', ')}`,
    ...(branchRule
      ? [
          out.c.dim(
            `       (${branchRule} adds none: a tag push is not on a branch; latest comes from flavor latest=auto)`,
          ),
        ]
      : []),
    ...r.ci.warnings.map((w) => out.c.yellow(`warning: ${w}`)),
    `Each layout names its index with these tags, e.g. ${r.services[0]!.reference}`,
  ].join('\n');
}

function renderCopies(r: DemoResult, out: Output): string {
  const sum = (list: DemoResult['copies'], f: (c: DemoResult['copies'][number]) => number): number =>
    list.reduce((n, c) => n + f(c), 0);
  const blobs = sum(r.copies, (c) => c.summary.blobs.copied);
  const bytes = sum(r.copies, (c) => c.summary.bytes);
  const skipped = sum(r.recopies, (c) => c.summary.blobs.skipped + c.summary.manifests.skipped);
  const copiedAgain = sum(r.recopies, (c) => c.summary.blobs.copied);
  return [
    heading(out, 3, 'Copy to a mirror (transfer engine)'),
    `Copied ${r.copies.length} images to ${join(r.dir, 'mirror')}: ${blobs} blobs, ${formatBytes(bytes)}, every byte digest-checked.`,
    copiedAgain === 0
      ? `The same copy again moved nothing: ${skipped} objects checked, all already there.`
      : `The same copy again moved ${copiedAgain} blobs.`,
  ].join('\n');
}

function renderRecommendations(recs: readonly Recommendation[]): string {
  if (recs.length === 0) return '  no recommendations: the image looks lean';
  const top = recs.slice(0, TOP_RECOMMENDATIONS);
  const table = formatTable(
    ['#', 'SAVES', 'WHAT', 'HOW'],
    top.map((x) => [
      String(x.rank),
      `${formatBytes(x.savingBytes)}${x.unit === 'compressed' ? ' (compressed)' : ''}`,
      x.title,
      x.apply ? `optimize-images ${x.apply}` : 'change the Dockerfile',
    ]),
  );
  const more = recs.length > top.length ? [`  … and ${recs.length - top.length} more (--json)`] : [];
  return [...table.split('\n').map((l) => `  ${l}`), ...more].join('\n');
}

function renderService(s: DemoService, out: Output): string {
  const a = s.analysis;
  const stored = a.layers.reduce((n, l) => n + l.storedBytes, 0);
  return [
    `${out.c.bold(s.name)}  ${s.reference} (${a.platform ?? 'linux/amd64'})`,
    `  ${formatBytes(stored)} compressed, ${formatBytes(a.sizeBytes)} of files in ${a.layers.length} layers; efficiency ${(a.efficiency * 100).toFixed(1)}% (dive); removable files ${formatBytes(a.reclaimable.totalBytes)}`,
    renderRecommendations(s.recommendations),
    `  HTML report: ${s.htmlReport}`,
  ].join('\n');
}

function renderAnalyses(r: DemoResult, out: Output): string {
  return [
    heading(out, 4, 'Analysis and recommendations'),
    ...r.services
      .map((s) => renderService(s, out))
      .join('\n\n')
      .split('\n'),
  ].join('\n');
}

function renderRetention(r: DemoResult, out: Output): string {
  const plan = r.retention.plan;
  const shown: RetentionPlan = { ...plan, keep: plan.keep.slice(0, KEPT_ROWS) };
  const hidden = plan.keep.length - shown.keep.length;
  const unmatched = plan.summary.unmatchedTags;
  return [
    heading(out, 5, `Retention plan for ${r.retention.repository}`),
    `A sample history (releases, main-*, sha-*, pr-*, build caches, signed and multi-platform images)`,
    `ending with today's build, planned with the default policy at ${r.retention.now}.`,
    '',
    renderPlanTable(shown),
    ...(hidden > 0 ? [out.c.dim(`… and ${hidden} more kept (--json has the whole plan)`)] : []),
    '',
    `${planSummaryLine(plan, false)}.`,
    'This is a plan: nothing was deleted.',
    ...(unmatched.length > 0
      ? [
          out.c.dim(
            `No rule matches ${unmatched.join(', ')}: kept; add a rule under retention.rules to manage them.`,
          ),
        ]
      : []),
  ].join('\n');
}

function renderStore(r: DemoResult, out: Output): string {
  const counts = Object.entries(r.store.events)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return [
    heading(out, 6, 'Insights'),
    `Recorded in the demo's own SQLite store ${r.store.path}: ${counts}`,
    out.c.dim(
      `(the ${r.store.sampleBuilds} build events are sample data, recorded with the command "demo"; your own store is not touched)`,
    ),
    renderInsights(r.insights, out.c),
  ].join('\n');
}

function renderNext(next: NextSteps, out: Output): string {
  return [
    out.c.bold('Next'),
    "The dashboard, on the demo's data (then open " + next.dashboard.url + '):',
    `  ${next.dashboard.command}`,
    'The HTML reports (self-contained, open offline in a browser):',
    ...next.htmlReports.map((f) => `  ${f}`),
    'Look around:',
    ...next.commands.map((c) => `  ${c}`),
  ].join('\n');
}

export function demoCommand(run: Runner) {
  return new Command('demo')
    .description(
      'the main job end to end on sample images: build, tag, copy, analyse, plan retention, record insights',
    )
    .option(
      '--dir <dir>',
      'where to write the demo: layouts, HTML reports and its own insights.db (recreated each run)',
      join(tmpdir(), 'ghcr-optimize-demo'),
    )
    .addHelpText(
      'after',
      `
Needs no registry, no credentials, no server and no other tool. It builds the seed project's
three services (backend :3001, frontend :3000, auth :8005) as two-platform images into OCI
layouts, tags them as metadata-action would for a push of the tag v1.4.2, copies them to a
mirror, analyses each with ranked recommendations and an offline HTML report, plans retention
over a sample history of ghcr.io/example/backend (nothing is deleted), records it all in a
SQLite store inside --dir (never your own store) and prints the insights.

The images, tags, reports and plan are identical on every run. --dir is deleted and recreated
each run; a non-empty directory the demo did not make is refused.

Examples:
  ghcr-optimize demo
  ghcr-optimize demo --dir ./demo --json
  GHCR_OPTIMIZE_STORE_URL=sqlite:./demo/insights.db ghcr-optimize dashboard`,
    )
    .action((opts) =>
      run(async (ctx) => {
        const { runDemo } = await import('../../sample/demo.js');
        const result = await runDemo({ dir: opts.dir, signal: ctx.signal });
        const next = nextSteps(result, invocation());
        ctx.out.result({ ...result, next }, () =>
          [
            `${ctx.out.c.bold('ghcr-optimize demo')}: sample data only, nothing leaves this machine. Everything is in ${result.dir}.`,
            renderImages(result, ctx.out),
            renderTags(result, ctx.out),
            renderCopies(result, ctx.out),
            renderAnalyses(result, ctx.out),
            renderRetention(result, ctx.out),
            renderStore(result, ctx.out),
            renderNext(next, ctx.out),
          ].join('\n\n'),
        );
      }),
    );
}
