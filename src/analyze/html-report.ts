/**
 * `analyze --html`: the analysis as one self-contained HTML page that opens offline. Inline CSS,
 * an inline SVG bar chart of the layers, `<details>` for long lists: no script, no external URL,
 * and a Content-Security-Policy that forbids loading anything, so a report mailed around or
 * opened from an air-gapped disk looks the same and cannot phone home.
 *
 * Every string that comes from the image (paths, commands, digests, lint alerts) is escaped:
 * file names are attacker-chosen and may well be `<script>…`. Pure: analysis in, string out.
 */
import { formatBytes } from '../cli/output.js';
import type { ImageAnalysis, LayerSummary } from './analyze.js';
import type { CiEvaluation } from './ci.js';
import type { LintResult } from './lint.js';
import { zstdFor } from './zstd-estimate.js';

export interface HtmlReportOptions {
  /** Rows per list (largest files, inefficient files, items per category). Default 20. */
  top?: number;
  ci?: CiEvaluation;
  lint?: LintResult;
  /** Shown in the footer; omitted when absent (keeps the output reproducible in tests). */
  generatedAt?: Date;
  /** Shown in the footer, e.g. "ghcr-optimize 1.2.0". */
  generator?: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text and attribute values alike. C0 controls (other than tab and newline) and lone surrogates
 * are not allowed in an HTML document; they become U+FFFD rather than breaking the page.
 */
export function escapeHtml(value: string | number): string {
  return (
    String(value)
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
      .replace(/[&<>"']/g, (c) => ESCAPES[c]!)
  );
}

/** Tagged template: interpolated values are escaped unless wrapped in `raw()`. */
class Raw {
  constructor(readonly html: string) {}
}
const raw = (html: string): Raw => new Raw(html);

function h(strings: TemplateStringsArray, ...values: (string | number | Raw | Raw[])[]): Raw {
  let out = strings[0]!;
  values.forEach((v, i) => {
    if (Array.isArray(v)) out += v.map((x) => x.html).join('');
    else out += v instanceof Raw ? v.html : escapeHtml(v);
    out += strings[i + 1]!;
  });
  return new Raw(out);
}

const percent = (n: number): string => (Number.isFinite(n) ? `${(n * 100).toFixed(2)} %` : 'n/a');

const shortDigest = (digest: string): string => {
  const [alg, hex] = digest.split(':');
  return hex ? `${alg}:${hex.slice(0, 12)}` : digest;
};

const CSS = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--card:#f6f8fa;--line:#d1d9e0;
--stored:#0969da;--unc:#9ecbff;--bad:#cf222e;--warn:#9a6700;--good:#1a7f37}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#151b23;
--line:#3d444d;--stored:#4493f8;--unc:#1f4a80;--bad:#f85149;--warn:#d29922;--good:#3fb950}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px;word-break:break-all}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
.muted{color:var(--muted)}code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px;margin:16px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.card .v{font-size:19px;font-weight:600}.card .k{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;background:var(--card)}td.n,th.n{text-align:right;white-space:nowrap;width:1%}
td.path{word-break:break-all}
svg text{fill:var(--fg);font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.bar-unc{fill:var(--unc)}.bar-stored{fill:var(--stored)}
.legend span{display:inline-block;width:12px;height:12px;vertical-align:middle;margin:0 4px 0 12px;border-radius:2px}
.fail{color:var(--bad);font-weight:600}.pass{color:var(--good);font-weight:600}.warnc{color:var(--warn);font-weight:600}
.hint{color:var(--muted);margin:2px 0 6px}
details{margin:4px 0}summary{cursor:pointer}
footer{margin-top:32px;color:var(--muted);font-size:12px}
`;

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function card(value: string, key: string, title?: string): Raw {
  return title
    ? h`<div class="card" title="${title}"><div class="v">${value}</div><div class="k">${key}</div></div>`
    : h`<div class="card"><div class="v">${value}</div><div class="k">${key}</div></div>`;
}

function table(headers: (string | [string, 'n'])[], rows: Raw[]): Raw {
  const head = headers.map((c) => (Array.isArray(c) ? h`<th class="n">${c[0]}</th>` : h`<th>${c}</th>`));
  return h`<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function oneLine(text: string, width: number): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > width ? `${s.slice(0, width - 1)}…` : s;
}

/** Horizontal bars, one row per layer: uncompressed size (light) with the stored size over it. */
export function layerChart(layers: readonly LayerSummary[]): string {
  const rowH = 24;
  const labelW = 48;
  const barW = 640;
  const valueW = 300;
  const width = labelW + barW + valueW;
  const height = Math.max(1, layers.length) * rowH + 4;
  const max = Math.max(1, ...layers.map((l) => Math.max(l.uncompressedBytes, l.storedBytes)));
  const scale = (n: number): number => (n <= 0 ? 0 : Math.max(1, Math.round((n / max) * barW)));
  const rows = layers.map((l, i) => {
    const y = i * rowH + 2;
    const unc = scale(l.uncompressedBytes);
    const stored = scale(l.storedBytes);
    const label = `${formatBytes(l.storedBytes)} stored / ${formatBytes(l.uncompressedBytes)}`;
    const tip = `layer ${l.index + 1}: ${label}, ${l.entries} entries\n${oneLine(l.command, 300)}`;
    return h`<g><title>${tip}</title><text x="0" y="${y + 15}">#${l.index + 1}</text><rect class="bar-unc" x="${labelW}" y="${y + 2}" width="${unc}" height="${rowH - 6}" rx="2"/><rect class="bar-stored" x="${labelW}" y="${y + 2}" width="${stored}" height="${rowH - 6}" rx="2"/><text x="${labelW + Math.max(unc, stored) + 6}" y="${y + 15}">${label}</text></g>`;
  });
  return h`<svg role="img" aria-label="layer sizes" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">${rows}</svg>`
    .html;
}

function layersSection(a: ImageAnalysis): Raw {
  const rows = a.layers.map((l) => {
    const comp = l.compression === 'gzip' ? '' : ` (${l.compression === 'none' ? 'tar' : l.compression})`;
    const mismatch = l.compressionMismatch
      ? h`<div class="warnc">media type ${l.mediaType} but the bytes are ${l.compression}</div>`
      : raw('');
    return h`<tr><td class="n">${l.index + 1}</td><td class="mono" title="${l.digest}">${shortDigest(l.digest)}</td><td class="n">${formatBytes(l.storedBytes)}${comp}</td><td class="n">${formatBytes(l.uncompressedBytes)}</td><td class="n">${l.entries}</td><td class="mono path">${l.command}${mismatch}</td></tr>`;
  });
  return h`<h2 id="layers">Layers</h2>
<div class="legend muted"><span style="background:var(--stored)"></span>stored (compressed)<span style="background:var(--unc)"></span>uncompressed tar</div>
${raw(layerChart(a.layers))}
${table(['#', 'digest', ['stored', 'n'], ['uncompressed', 'n'], ['entries', 'n'], 'command'], rows)}`;
}

function largestSection(a: ImageAnalysis, top: number): Raw {
  const files = a.tree.files
    .filter((f) => f.entry.type === 'file')
    .sort((x, y) => y.entry.size - x.entry.size || (x.path < y.path ? -1 : 1))
    .slice(0, top);
  if (files.length === 0) return h`<h2 id="largest">Largest files</h2><p class="muted">No regular files.</p>`;
  const rows = files.map(
    (f) =>
      h`<tr><td class="n">${formatBytes(f.entry.size)}</td><td class="n">${f.layer + 1}</td><td class="mono path">/${f.path}</td></tr>`,
  );
  return h`<h2 id="largest">Largest files</h2><p class="muted">The ${files.length} largest regular files in the final filesystem.</p>
${table([['size', 'n'], ['layer', 'n'], 'path'], rows)}`;
}

function wasteSection(a: ImageAnalysis, top: number): Raw {
  const ineff = a.dive.inefficiencies;
  if (ineff.length === 0) {
    return h`<h2 id="waste">Inefficient files</h2><p class="muted">No path is written by more than one layer.</p>`;
  }
  const shown = ineff.slice(0, top);
  const rows = shown.map(
    (x) =>
      h`<tr><td class="n">${x.count}</td><td class="n">${formatBytes(x.cumulativeSize)}</td><td class="n">${formatBytes(x.cumulativeSize - x.minSize)}</td><td class="n">${x.layers.map((i) => i + 1).join(',')}</td><td class="mono path">${x.path}</td></tr>`,
  );
  const more = ineff.length > shown.length ? ` (top ${shown.length} of ${ineff.length})` : '';
  return h`<h2 id="waste">Inefficient files${more}</h2>
<p class="muted">Paths written by two or more layers. Wasted counts every copy (dive's figure); reclaimable only the extra copies.</p>
${table([['count', 'n'], ['wasted', 'n'], ['reclaimable', 'n'], ['layers', 'n'], 'path'], rows)}`;
}

function reclaimableSection(a: ImageAnalysis, top: number): Raw {
  const r = a.reclaimable;
  const parts: Raw[] = [];
  if (r.categories.length === 0) {
    parts.push(h`<h2 id="reclaimable">Reclaimable space</h2><p class="muted">Nothing found.</p>`);
  } else {
    parts.push(
      h`<h2 id="reclaimable">Reclaimable space: ${formatBytes(r.totalBytes)}</h2><p class="muted">Uncompressed bytes; a file in two categories is counted once in the total.</p>`,
    );
    const summary = r.categories.map(
      (g) =>
        h`<tr><td>${g.title}</td><td class="n">${formatBytes(g.bytes)}</td><td class="n">${g.files}</td></tr>`,
    );
    parts.push(table(['category', ['bytes', 'n'], ['files', 'n']], summary));
    for (const g of r.categories) {
      const items = g.items
        .slice(0, top)
        .map(
          (item) =>
            h`<tr><td class="n">${formatBytes(item.size)}</td><td class="n">${item.layer + 1}</td><td class="mono path">${item.path}</td><td>${item.detail ?? ''}</td></tr>`,
        );
      const more = g.files > items.length ? ` — largest ${items.length} of ${g.files}` : '';
      parts.push(
        h`<details${g === r.categories[0] ? raw(' open') : raw('')}><summary><b>${g.title}</b>: ${formatBytes(g.bytes)} in ${g.files} file${g.files === 1 ? '' : 's'}${more}</summary>
<p class="hint">Hint: ${g.hint}</p>
${table([['size', 'n'], ['layer', 'n'], 'path', 'detail'], items)}</details>`,
      );
    }
  }
  if (r.compression.length > 0) {
    const z = a.zstd;
    const zstdCell = (layer: number): string => {
      const e = zstdFor(z, layer);
      return e ? formatBytes(e.estimatedBytes) : 'unavailable';
    };
    const rows = r.compression.map(
      (f) =>
        h`<tr><td class="n">${f.layer + 1}</td><td>${f.compression === 'none' ? 'uncompressed' : f.compression}</td><td class="n">${formatBytes(f.storedBytes)}</td><td class="n">${formatBytes(f.estimatedGzip9Bytes)}</td><td class="n">${formatBytes(f.savingBytes)}</td><td class="n">${zstdCell(f.layer)}</td><td>${f.exact ? 'whole layer' : `${formatBytes(f.sampledBytes)} sample`}</td></tr>`,
    );
    const zstdNote = z?.available ? `, ~${formatBytes(z.savingBytes)} with zstd -${z.level}` : '';
    parts.push(
      h`<h3>Compression: ~${formatBytes(r.compressionSavingBytes)} smaller with gzip -9${zstdNote}</h3>
${z && !z.available ? h`<p class="muted">zstd estimate unavailable: ${z.reason}</p>` : raw('')}
${table([['layer', 'n'], 'stored as', ['stored', 'n'], ['gzip -9', 'n'], ['saving', 'n'], [`zstd -${z?.level ?? 19}`, 'n'], 'measured on'], rows)}`,
    );
  }
  return raw(parts.map((p) => p.html).join('\n'));
}

function ciSection(ci: CiEvaluation): Raw {
  const rows = [...ci.rules]
    .sort((x, y) => (x.rule < y.rule ? -1 : 1))
    .map((r) => {
      const cls = r.status === 'PASS' ? 'pass' : r.status === 'FAIL' ? 'fail' : 'muted';
      return h`<tr><td class="${cls}">${r.status}</td><td class="mono">${r.rule}</td><td>${r.threshold}</td><td>${r.message}</td></tr>`;
    });
  return h`<h2 id="ci">CI evaluation: <span class="${ci.pass ? 'pass' : 'fail'}">${ci.pass ? 'PASS' : 'FAIL'}</span></h2>
${table(['status', 'rule', 'threshold', 'message'], rows)}`;
}

function lintSection(lint: LintResult): Raw {
  const found = lint.checks.filter((c) => c.level !== 'PASS' && c.level !== 'IGNORE');
  const s = lint.report.summary;
  const head = h`<h2 id="lint">Lint findings</h2><p class="muted">fatal ${s.fatal} · warn ${s.warn} · info ${s.info} · skip ${s.skip} · pass ${s.pass}</p>`;
  if (found.length === 0) return h`${head}<p class="pass">Every check passed.</p>`;
  const rows = found.map((c) => {
    const cls = c.level === 'FATAL' ? 'fail' : c.level === 'WARN' ? 'warnc' : 'muted';
    const alerts = c.alerts.map((x) => h`<div class="mono path">${x}</div>`);
    return h`<tr><td class="${cls}">${c.level}</td><td class="mono">${c.code}</td><td>${c.title}${alerts}</td></tr>`;
  });
  return h`${head}${table(['level', 'code', 'finding'], rows)}`;
}

/** The whole page. `name` is the reference as the user wrote it. */
export function renderHtmlReport(name: string, a: ImageAnalysis, opts: HtmlReportOptions = {}): string {
  const top = opts.top ?? 20;
  const d = a.dive;
  const stored = a.layers.reduce((n, l) => n + l.storedBytes, 0);
  const uncompressed = a.layers.reduce((n, l) => n + l.uncompressedBytes, 0);
  const cards = [
    card(formatBytes(stored), 'stored (compressed layers)'),
    card(formatBytes(d.sizeBytes), 'file content, all layers'),
    card(String(a.layers.length), `layer${a.layers.length === 1 ? '' : 's'}`),
    card(percent(d.efficiency), 'efficiency (dive)'),
    card(formatBytes(d.wastedBytes), 'wasted bytes (dive)', 'every copy of paths written by 2+ layers'),
    card(formatBytes(d.reclaimableBytes), 'reclaimable by a rebuild', 'the extra copies only'),
    card(percent(d.userWastedPercent), 'user wasted percent (dive)'),
    card(formatBytes(a.reclaimable.totalBytes), 'reclaimable by cause'),
  ];
  const sections: Raw[] = [
    layersSection(a),
    largestSection(a, top),
    wasteSection(a, top),
    reclaimableSection(a, top),
  ];
  if (opts.ci) sections.push(ciSection(opts.ci));
  if (opts.lint) sections.push(lintSection(opts.lint));
  const footer = [
    opts.generator ? `Generated by ${opts.generator}` : 'Generated by ghcr-optimize analyze',
    opts.generatedAt ? `on ${opts.generatedAt.toISOString()}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const page = h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${raw(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Image analysis: ${name}</title>
<style>${raw(CSS)}</style>
</head>
<body>
<header>
<h1>${name}</h1>
<div class="muted">${a.platform ?? ''}${a.platform ? ' · ' : ''}${uncompressed > 0 ? `${formatBytes(uncompressed)} of uncompressed tar` : ''}</div>
<div class="mono muted">manifest ${a.digest}</div>
<div class="mono muted">config ${a.configDigest}</div>
</header>
<div class="cards">${cards}</div>
${sections}
<footer>${footer}. This page is self-contained: no scripts, nothing loaded from the network.</footer>
</body>
</html>
`;
  return page.html;
}
