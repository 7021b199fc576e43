/**
 * The static files the pages load: uPlot's IIFE build and stylesheet, read from the installed
 * `uplot` package (nothing from a CDN: the dashboard works offline), plus our own script and CSS.
 * Resolution goes through createRequire from this module's URL, which also holds when the CLI
 * runs as the esbuild bundle in dist/bin: Node walks up from there to the package's node_modules.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { CLIENT_JS } from './client.js';
import { DASHBOARD_CSS } from './style.js';

export interface Asset {
  type: string;
  body: string;
}

export type Assets = Record<string, Asset>;

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** Every asset by its file name under /assets/. Throws when the uplot package is missing. */
export async function loadAssets(): Promise<Assets> {
  const require = createRequire(import.meta.url);
  const [uplotJs, uplotCss] = await Promise.all([
    readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  ]);
  return {
    'uPlot.iife.min.js': { type: JS, body: uplotJs },
    'uPlot.min.css': { type: CSS, body: uplotCss },
    'dashboard.js': { type: JS, body: CLIENT_JS },
    'dashboard.css': { type: CSS, body: DASHBOARD_CSS },
  };
}
