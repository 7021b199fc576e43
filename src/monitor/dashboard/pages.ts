/**
 * The dashboard's HTML pages: a shared layout (navigation, period links) and one body per view.
 * Pure: view data in, markup out. Tables and figures are rendered here (escaped by `html`); the
 * browser script only draws the charts, from the `/api/*` JSON named in each figure's data-src.
 */
import { formatBytes } from '../../cli/output.js';
import { formatMs, type Recommendation } from '../../store/insights.js';
import { SEVERITIES } from '../../scan/types.js';
import { html, trusted, type HtmlValue, type SafeHtml } from './html.js';
import { hasPoints } from './series.js';
import {
  VIEW_INFO,
  VIEWS,
  type BuildsData,
  type OverviewData,
  type SecurityData,
  type StorageData,
  type ViewData,
  type ViewName,
} from './views.js';

export const PERIODS = ['24h', '7d', '30d', '90d', 'forever'] as const;

export interface PageContext {
  /** The period as given in `?since=` (or the default). */
  period: string;
  /** Where the store is (password already removed). */
  store: string;
  /** Registries probed live on the overview; empty: none configured. */
  registries: readonly string[];
}

const pct = (ratio: number | null | undefined): string =>
  ratio === null || ratio === undefined ? '–' : `${Math.round(ratio * 100)}%`;
const ms = (v: number | null): string => (v === null ? '–' : formatMs(v));
const day = (iso: string): string => iso.slice(0, 10);
const when = (iso: string): string => iso.slice(0, 16).replace('T', ' ');
const signed = (n: number, f: (n: number) => string = String): string =>
  n > 0 ? `+${f(n)}` : n < 0 ? `−${f(-n)}` : '0';

function query(ctx: PageContext): string {
  return `?since=${encodeURIComponent(ctx.period)}`;
}

function table(headers: string[], rows: HtmlValue[][], opts: { numeric?: number[] } = {}): SafeHtml {
  const cls = (i: number): SafeHtml => trusted(opts.numeric?.includes(i) ? ' class="num"' : '');
  return html`<table>
    <thead>
      <tr>
        ${headers.map((h, i) => html`<th${cls(i)}>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            ${r.map((cell, i) => html`<td${cls(i)}>${cell}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function section(title: string, body: HtmlValue, empty = 'nothing recorded in this period'): SafeHtml {
  const isEmpty = Array.isArray(body) ? body.length === 0 : body === null || body === undefined;
  return html`<section>
    <h2>${title}</h2>
    ${isEmpty ? html`<p class="note">${empty}</p>` : body}
  </section>`;
}

function figures(data: ViewData, ctx: PageContext, keys: string[]): SafeHtml {
  const src = `/api/${data.view}${query(ctx)}`;
  return html`<div class="charts">
    ${keys.map((key) => {
      const chart = data.charts[key];
      if (!chart) return '';
      return hasPoints(chart)
        ? html`<figure class="chart" data-src="${src}" data-key="${key}">
            <figcaption>${chart.title}</figcaption>
            <div class="plot"></div>
          </figure>`
        : html`<figure class="chart chart-empty">
            <figcaption>${chart.title}</figcaption>
            <p class="note">no data for this chart in this period</p>
          </figure>`;
    })}
  </div>`;
}

function tiles(items: [string, string][]): SafeHtml {
  return html`<div class="tiles">
    ${items.map(
      ([label, value]) =>
        html`<div class="tile">
          <div class="value">${value}</div>
          <div class="label">${label}</div>
        </div>`,
    )}
  </div>`;
}

function emptyState(view: ViewName): SafeHtml {
  const info = VIEW_INFO[view];
  return html`<div class="empty" role="status">
    <p><strong>No data yet</strong> — run one of these to record some, then reload:</p>
    <ul>
      ${info.record.map((cmd) => html`<li><code>${cmd}</code></li>`)}
    </ul>
  </div>`;
}

function recommendations(list: readonly Recommendation[]): SafeHtml {
  return section(
    'Recommendations',
    list.length === 0
      ? []
      : html`<ul class="recommendations">
          ${list.map((r) => html`<li class="${r.severity}"><span class="badge">${r.severity}</span> ${r.message}</li>`)}
        </ul>`,
    'none: nothing in this period calls for action',
  );
}

function overviewBody(d: OverviewData, ctx: PageContext): SafeHtml {
  const probes =
    ctx.registries.length === 0
      ? html`<p class="note">
          No registries to probe: pass <code>--registry HOST</code> or list them under
          <code>registries:</code> in ghcr-optimize.yaml.
        </p>`
      : html`<div class="probes" data-probes="/api/probes">
          <p class="note probe-status">probing ${ctx.registries.join(', ')}…</p>
        </div>`;
  return html`${d.empty ? emptyState('overview') : ''}
    ${tiles([
      ['events', String(d.totals.events)],
      ['images', String(d.totals.images)],
      ['pulls', String(d.totals.pulls)],
      ['builds', String(d.totals.builds)],
      ['scans', String(d.totals.scans)],
      ['critical vulnerabilities', String(d.totals.criticalVulnerabilities)],
      ['storage reclaimed', formatBytes(d.totals.bytesReclaimed)],
    ])}
    <section>
      <h2>Registry health (live)</h2>
      ${probes}
    </section>
    ${d.empty ? '' : figures(d, ctx, ['activity', 'latency'])}
    ${d.empty ? '' : recommendations(d.recommendations)}
    ${
      d.empty
        ? ''
        : section(
            'Registry latency',
            d.latency.length === 0
              ? []
              : table(
                  ['REGISTRY', 'SOURCE', 'RUNS', 'P50', 'P95', 'FAILURES', 'LAST ERROR'],
                  d.latency.map((l) => [
                    l.registry,
                    l.source,
                    l.runs,
                    ms(l.p50Ms),
                    ms(l.p95Ms),
                    l.failures,
                    l.lastError ?? '',
                  ]),
                  { numeric: [2, 3, 4, 5] },
                ),
          )
    }`;
}

function buildsBody(d: BuildsData, ctx: PageContext): SafeHtml {
  if (d.empty) return emptyState('builds');
  return html`${figures(d, ctx, ['durations', 'cache', 'pulls'])}
  ${section(
    'Slowest builds',
    d.slowest.length === 0
      ? []
      : table(
          ['IMAGE', 'PLATFORM', 'WHEN', 'DURATION', 'RESULT'],
          d.slowest.map((b) => [
            b.subject,
            b.platform ?? '–',
            when(b.at),
            formatMs(b.durationMs),
            b.ok ? 'ok' : 'failed',
          ]),
          { numeric: [3] },
        ),
  )}
  ${section(
    'Builds per image',
    d.bySubject.length === 0
      ? []
      : table(
          ['IMAGE', 'BUILDS', 'FAILURES', 'P50', 'P95', 'MAX', 'CACHE HITS'],
          d.bySubject.map((b) => [
            b.subject,
            b.builds,
            b.failures,
            formatMs(b.p50Ms),
            formatMs(b.p95Ms),
            formatMs(b.maxMs),
            pct(b.cacheRatio),
          ]),
          { numeric: [1, 2, 3, 4, 5, 6] },
        ),
  )}
  ${section(
    'Cache hit ratio',
    d.cache.bySubject.length === 0
      ? []
      : table(
          ['KIND', 'IMAGE', 'RUNS', 'REUSED', 'FETCHED', 'BYTES FETCHED', 'HIT RATIO'],
          [...d.cache.totals, ...d.cache.bySubject].map((c) => [
            c.kind,
            c.subject,
            c.runs,
            c.reused,
            c.fetched,
            formatBytes(c.bytesFetched),
            pct(c.ratio),
          ]),
          { numeric: [2, 3, 4, 5, 6] },
        ),
  )}
  ${section(
    'Pull times',
    d.pulls.length === 0
      ? []
      : table(
          ['REGISTRY', 'PULLS', 'P50', 'P95', 'MEDIAN MB/S'],
          d.pulls.map((l) => [
            l.registry,
            l.runs,
            ms(l.p50Ms),
            ms(l.p95Ms),
            l.mbPerSecondP50 === undefined ? '–' : l.mbPerSecondP50.toFixed(1),
          ]),
          { numeric: [1, 2, 3, 4] },
        ),
  )}
  ${recommendations(d.recommendations)}`;
}

function securityBody(d: SecurityData, ctx: PageContext): SafeHtml {
  if (d.empty) return emptyState('security');
  return html`${figures(d, ctx, ['vulnerabilities'])}
  ${section(
    'Vulnerabilities per image (latest scan)',
    d.vulnerabilities.length === 0
      ? []
      : table(
          ['IMAGE', 'SCANS', 'LAST SCAN', ...SEVERITIES, 'CRITICAL+HIGH CHANGE'],
          d.vulnerabilities.map((v) => [
            v.subject,
            v.scans,
            day(v.latest.at),
            ...SEVERITIES.map((s) => v.latest.counts[s]),
            signed(v.delta.CRITICAL + v.delta.HIGH),
          ]),
          { numeric: [1, 3, 4, 5, 6, 7, 8] },
        ),
  )}
  ${recommendations(d.recommendations)}`;
}

function storageBody(d: StorageData, ctx: PageContext): SafeHtml {
  if (d.empty) return emptyState('storage');
  return html`${tiles([
    ['images analysed', String(d.sizes.length)],
    ['storage reclaimed', formatBytes(d.reclaimed.bytes)],
    ['versions deleted', String(d.reclaimed.versions)],
    ['retention runs', String(d.reclaimed.runs)],
  ])}
  ${figures(d, ctx, ['sizes', 'reclaimed'])}
  ${section(
    'Image size',
    d.sizes.length === 0
      ? []
      : table(
          ['IMAGE', 'PLATFORM', 'ANALYSES', 'LATEST', 'COMPRESSED', 'CHANGE', 'RECLAIMABLE'],
          d.sizes.map((s) => {
            const reclaimable = s.latest.reclaimableBytes ?? s.latest.wastedBytes;
            return [
              s.subject,
              s.platform ?? '–',
              s.samples,
              formatBytes(s.latest.sizeBytes),
              s.latest.storedBytes === undefined ? '–' : formatBytes(s.latest.storedBytes),
              s.changePercent === null ? signed(s.changeBytes, formatBytes) : `${signed(s.changePercent)}%`,
              reclaimable === undefined ? '–' : formatBytes(reclaimable),
            ];
          }),
          { numeric: [2, 3, 4, 5, 6] },
        ),
  )}
  ${section(
    'Storage reclaimed per repository',
    d.reclaimed.byRepository.length === 0
      ? []
      : table(
          ['REPOSITORY', 'RUNS', 'VERSIONS DELETED', 'RECLAIMED', 'HELD BACK'],
          d.reclaimed.byRepository.map((r) => [r.subject, r.runs, r.versions, formatBytes(r.bytes), r.held]),
          { numeric: [1, 2, 3, 4] },
        ),
  )}
  ${recommendations(d.recommendations)}`;
}

function body(d: ViewData, ctx: PageContext): SafeHtml {
  switch (d.view) {
    case 'overview':
      return overviewBody(d, ctx);
    case 'builds':
      return buildsBody(d, ctx);
    case 'security':
      return securityBody(d, ctx);
    case 'storage':
      return storageBody(d, ctx);
  }
}

function layout(view: ViewName, ctx: PageContext, meta: SafeHtml, main: SafeHtml): string {
  const q = query(ctx);
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${VIEW_INFO[view].title} · ghcr-optimize</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/assets/uPlot.min.css" />
        <link rel="stylesheet" href="/assets/dashboard.css" />
        <script src="/assets/uPlot.iife.min.js" defer></script>
        <script src="/assets/dashboard.js" defer></script>
      </head>
      <body data-view="${view}">
        <header>
          <span class="brand">ghcr-optimize</span>
          <nav>
            ${VIEWS.map((v) => html`<a href="${VIEW_INFO[v].path}${q}" ${trusted(v === view ? 'aria-current="page"' : '')}>${VIEW_INFO[v].title}</a>`)}
          </nav>
          <nav class="periods" aria-label="period">
            ${PERIODS.map((p) => html`<a href="${VIEW_INFO[view].path}?since=${p}" ${trusted(p === ctx.period ? 'aria-current="true"' : '')}>${p === 'forever' ? 'all' : p}</a>`)}
          </nav>
        </header>
        <main>
          <h1>${VIEW_INFO[view].title}</h1>
          ${meta} ${main}
        </main>
      </body>
    </html> `;
  return page.value;
}

export function renderPage(d: ViewData, ctx: PageContext): string {
  const period = d.since ? `since ${day(d.since)}` : 'all time';
  const meta = html`<p class="meta">
    ${d.events} ${d.events === 1 ? 'event' : 'events'} ${period} · store: <code>${ctx.store}</code>
  </p>`;
  return layout(d.view, ctx, meta, body(d, ctx));
}

/** A page for a request the dashboard cannot answer (bad period, store failure). */
export function renderErrorPage(view: ViewName, ctx: PageContext, message: string, hint?: string): string {
  return layout(
    view,
    ctx,
    html``,
    html`<div class="error" role="alert">
      <p><strong>error:</strong> ${message}</p>
      ${hint ? html`<p>hint: ${hint}</p>` : ''}
    </div>`,
  );
}
