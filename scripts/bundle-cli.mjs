// Bundles the CLI into dist/bin/ with code splitting: Node 20 has no compile cache, so start-up
// time is dominated by resolving and parsing modules. Our own code becomes one entry chunk plus
// lazily loaded chunks, so a command only loads the dependencies it uses (the HTTP stack, YAML).
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

// Chunk names carry content hashes: without a clean slate old chunks pile up.
await rm('dist/bin', { recursive: true, force: true });

await build({
  entryPoints: { 'ghcr-optimize': 'dist/cli/main.js' },
  outdir: 'dist/bin',
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
