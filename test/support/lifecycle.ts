import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Last-resort cleanup for everything a test process starts. Suites normally stop what they start,
 * but a failed `beforeAll`, a timeout or an uncaught error would otherwise leave registries running
 * and temp dirs behind, and the next run would inherit them.
 */

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
let hooked = false;

function cleanupSync(): void {
  for (const child of children) {
    // SIGKILL: an 'exit' handler cannot wait for a graceful shutdown.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupSync();
  // Only re-raise when nobody else (e.g. the test runner) handles the signal, so that the
  // default behaviour (terminating) still happens and other handlers keep control otherwise.
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
}

/** Kill `child` with SIGKILL if it is still running when the test process exits. */
export function trackChild(child: ChildProcess): void {
  hook();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** A fresh directory under os.tmpdir(), removed on test-process exit unless released earlier. */
export function makeTempDir(prefix: string): string {
  hook();
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  dirs.add(dir);
  return dir;
}

/** Remove a directory made by makeTempDir now. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** Ask `child` to stop (SIGTERM), escalating to SIGKILL after `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
