/**
 * Commands record what they did into the insights store. Recording never fails a command (the
 * store may be off, locked or unreachable), and the store code loads only when it is needed.
 */
import type { InsightsStore } from '../store/types.js';
import type { Context } from './context.js';

export async function record(ctx: Context, fn: (store: InsightsStore) => Promise<unknown>): Promise<void> {
  try {
    const { withStore } = await import('../store/open.js');
    await withStore(ctx, fn);
  } catch (err) {
    if (ctx.globals.debug)
      process.stderr.write(`debug: insights store: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
