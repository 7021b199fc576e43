#!/usr/bin/env node
/** The `ghcr-optimize` executable. */
import { setFlagsFromString } from 'node:v8';

// undici parses HTTP with WebAssembly (llhttp). By default V8 also optimises that module on a
// background thread, and Node waits for the job before exiting: ~100 ms on every command. The
// baseline compiler alone is plenty for parsing response heads (bodies pass through untouched).
setFlagsFromString('--liftoff-only');

const { main } = await import('./program.js');
await main();
