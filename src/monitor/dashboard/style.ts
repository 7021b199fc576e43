/** The dashboard's stylesheet, served as static text next to uPlot's own. */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #f9fafb; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: center; padding: .6rem 1.5rem; background: #111827; color: #fff; }
header a { color: #d1d5db; text-decoration: none; padding: .2rem .5rem; border-radius: 4px; }
header a[aria-current] { color: #fff; background: #374151; }
header .brand { font-weight: 600; }
header .periods { margin-left: auto; font-size: 12px; }
main { padding: 1rem 1.5rem 3rem; max-width: 1400px; }
h1 { margin: .4rem 0; font-size: 1.5rem; }
h2 { font-size: 1.05rem; margin: 1.6rem 0 .5rem; }
.meta, .note { color: var(--muted); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #eef2f7; padding: 1px 4px; border-radius: 3px; }
.tiles { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; min-width: 9rem; }
.tile .value { font-size: 1.4rem; font-weight: 600; }
.tile .label { color: var(--muted); font-size: 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1rem; margin: 1rem 0; }
figure.chart { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem; min-width: 0; }
figure.chart figcaption { font-weight: 600; margin-bottom: .3rem; }
.plot { width: 100%; min-height: 220px; }
table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.ok { color: #15803d; font-weight: 600; }
td.bad { color: #b91c1c; font-weight: 600; }
.empty { background: #fff; border: 1px dashed #9ca3af; border-radius: 6px; padding: 1rem 1.25rem; margin: 1rem 0; }
.error { background: #fef2f2; border: 1px solid #fecaca; color: #991b1b; border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0; }
.recommendations { padding-left: 0; list-style: none; }
.recommendations li { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 4px; padding: .45rem .7rem; margin: .4rem 0; }
.recommendations li.warning { border-left-color: #d97706; }
.badge { font-size: 11px; text-transform: uppercase; color: var(--muted); margin-right: .3rem; }
`;
