#!/usr/bin/env node
/** The `ghcr-optimize` executable. */
import { setFlagsFromString } from 'node:v8';

// undici parses HTTP with WebAssembly (llhttp). By default V8 also optimises that module on a
// background thread, and Node waits for the job before exiting: ~100 ms on every command. The
// baseline compiler alone is plenty for parsing response heads (bodies pass through untouched).
setFlagsFromString('--liftoff-only');

// `ghcr-optimize tags … | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const { main } = await import('./program.js');
await main();
