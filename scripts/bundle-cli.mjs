// Bundles the CLI into dist/bin/ with code splitting: Node 20 has no compile cache, so start-up
// time is dominated by resolving and parsing modules. Our own code becomes one entry chunk plus
// lazily loaded chunks, so a command only loads the dependencies it uses (the HTTP stack, YAML).
//
// GHCR_OPTIMIZE_BUNDLE_ENTRY / GHCR_OPTIMIZE_BUNDLE_OUT choose another entry (e.g.
// src/cli/main.ts: esbuild strips the types, no tsc run needed) and output directory, so a
// benchmark can build its own bundle without touching dist/.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const entry = process.env.GHCR_OPTIMIZE_BUNDLE_ENTRY || 'dist/cli/main.js';
const outdir = process.env.GHCR_OPTIMIZE_BUNDLE_OUT || 'dist/bin';

// Chunk names carry content hashes: without a clean slate old chunks pile up.
await rm(outdir, { recursive: true, force: true });

// The layer scanner's worker thread (src/analyze/layer-pool.ts looks for it next to the chunks).
const workerEntry = entry.replace(/cli\/main\.([cm]?[jt]s)$/, 'analyze/layer-worker.$1');

await build({
  entryPoints: { 'ghcr-optimize': entry, 'layer-worker': workerEntry },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  // zod and commander are bundled (zod's ESM build is hundreds of small files). The large
  // CommonJS packages that only some commands need stay in node_modules and load lazily.
  external: ['yaml', 'better-sqlite3', 'pg'],
  // Bundled CommonJS (commander) calls require() for Node built-ins.
  banner: {
    js: "import { createRequire as __ghcrRequire } from 'node:module'; const require = __ghcrRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
