/**
 * `npm run bench [metadata|transfer|analyze]`: ghcr-optimize against skopeo in the same run, on
 * registries started here on 127.0.0.1, and `analyze` against `gzip -dc | tar -t` over the same
 * layers. Prints a table per suite and writes bench-results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { whichTool } from '../test/support/tools.js';
import { analyzeSuite, printAnalyze, type AnalyzeResults } from './analyze.js';
import { RUNS, printRows, type Row } from './lib.js';
import { metadataSuite } from './metadata.js';
import { transferSuite } from './transfer.js';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const all = wanted.length === 0;
  const needsRegistry = all || wanted.includes('metadata') || wanted.includes('transfer');
  if (needsRegistry && (!whichTool('skopeo') || !whichTool('docker-registry'))) {
    console.error('error: the benchmark needs skopeo and docker-registry (npm run test:all installs them)');
    process.exitCode = 1;
    return;
  }
  const results: Record<string, { rows: Row[]; notes?: string[] } | AnalyzeResults> = {};
  if (all || wanted.includes('metadata')) {
    results.metadata = { rows: await metadataSuite() };
    printRows('Metadata commands, one process per command', results.metadata.rows);
  }
  if (all || wanted.includes('transfer')) {
    const t = await transferSuite();
    results.transfer = t;
    printRows('Transfers', t.rows);
    t.notes.forEach((n) => console.log(`\n${n}`));
  }
  if (all || wanted.includes('analyze')) {
    results.analyze = await analyzeSuite();
    printAnalyze(results.analyze);
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
  console.log(`\nmachine: ${machine}`);
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(
    'bench-results/latest.json',
    `${JSON.stringify({ date: new Date().toISOString(), machine, runs: RUNS, results }, null, 2)}\n`,
  );
}

await main();
