#!/usr/bin/env node
/** The `ghcr-optimize` executable. */
import { main } from './program.js';

await main();
