import { Command } from '@commander-js/extra-typings';
import { NotFoundError, UsageError } from '../../errors.js';
import { openStore } from '../../store/open.js';
import { formatMemoryValue, memoryEntryJson, renderMemoryList } from '../../store/render.js';
import type { InsightsStore } from '../../store/types.js';
import { parseDuration } from '../../util/units.js';
import type { Context, Runner } from '../context.js';

const DEFAULT_NAMESPACE = 'default';

async function usingStore<T>(ctx: Context, fn: (store: InsightsStore) => Promise<T>): Promise<T> {
  // Unlike commands that only record, a store that cannot be opened is this command's error.
  const store = await openStore(ctx.config);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function parseTtl(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === 'forever') return undefined;
  if (ms <= 0) throw new UsageError(`--ttl must be longer than 0, got "${text}"`);
  return ms;
}

function parseValue(text: string, json: boolean | undefined): unknown {
  if (!json) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(
      `--json-value: "${text.length > 40 ? `${text.slice(0, 40)}…` : text}" is not valid JSON`,
      {
        hint: 'quote strings ("\\"text\\""), or leave out --json-value to store the text as it is',
      },
    );
  }
}

const where = (namespace: string, key: string): string =>
  namespace === DEFAULT_NAMESPACE ? key : `${namespace}/${key}`;

export function memoryCommand(run: Runner) {
  const memory = new Command('memory')
    .description('a small key/value memory in the insights store, with expiry (for CI scripts)')
    .addHelpText(
      'after',
      `
Values live in the insights store (SQLite by default, or the PostgreSQL of store.url, shared by
every runner). Expired entries are never returned and are purged on access.

Examples:
  ghcr-optimize memory set last-good-digest sha256:4a1c… --namespace app --ttl 7d
  ghcr-optimize memory get last-good-digest --namespace app
  ghcr-optimize memory set limits '{"maxSize":"500MB"}' --json-value
  ghcr-optimize memory list --json
  ghcr-optimize memory delete last-good-digest --namespace app`,
    );

  memory
    .command('set')
    .description('store VALUE under KEY (replacing any previous value)')
    .argument('<key>', 'key')
    .argument('<value>', 'value: text, or JSON with --json-value')
    .option('--namespace <name>', 'namespace', DEFAULT_NAMESPACE)
    .option('--ttl <duration>', 'forget the value after this long, e.g. 30m, 1h, 7d (default: never)')
    .option('--json-value', 'parse VALUE as JSON (number, object, array, …) instead of storing the text')
    .addHelpText(
      'after',
      `
Examples:
  ghcr-optimize memory set last-build 2024-05-01T10:00:00Z --ttl 1h
  ghcr-optimize memory set sizes '{"app":123456}' --json-value --namespace ci --json`,
    )
    .action((key, value, opts) =>
      run(async (ctx) => {
        const ttlMs = parseTtl(opts.ttl);
        const parsed = parseValue(value, opts.jsonValue);
        const entry = await usingStore(ctx, (s) =>
          s.memorySet(opts.namespace, key, parsed, ttlMs !== undefined ? { ttlMs } : {}),
        );
        ctx.out.result(
          memoryEntryJson(entry),
          () =>
            `stored ${where(entry.namespace, entry.key)}${entry.expiresAt ? ` (expires ${entry.expiresAt.toISOString()})` : ''}`,
        );
      }),
    );

  memory
    .command('get')
    .description('print the value of KEY (strings as they are, other values as JSON); exit 4 when absent')
    .argument('<key>', 'key')
    .option('--namespace <name>', 'namespace', DEFAULT_NAMESPACE)
    .addHelpText(
      'after',
      `
Examples:
  digest=$(ghcr-optimize memory get last-good-digest --namespace app)
  ghcr-optimize memory get sizes --namespace ci --json`,
    )
    .action((key, opts) =>
      run(async (ctx) => {
        const entry = await usingStore(ctx, (s) => s.memoryGet(opts.namespace, key));
        if (!entry)
          throw new NotFoundError(
            `no value for ${where(opts.namespace, key)} (never set, deleted, or expired)`,
            {
              hint: 'list what is stored with "ghcr-optimize memory list"',
            },
          );
        ctx.out.result(memoryEntryJson(entry), () => formatMemoryValue(entry.value));
      }),
    );

  memory
    .command('list')
    .description('list the live entries, of every namespace or of one')
    .option('--namespace <name>', 'only this namespace')
    .addHelpText(
      'after',
      `
Examples:
  ghcr-optimize memory list
  ghcr-optimize memory list --namespace ci --json`,
    )
    .action((opts) =>
      run(async (ctx) => {
        const entries = await usingStore(ctx, (s) => s.memoryList(opts.namespace));
        if (entries.length === 0)
          ctx.out.info(opts.namespace ? `no entries in namespace ${opts.namespace}` : 'no entries');
        ctx.out.result(entries.map(memoryEntryJson), () =>
          entries.length === 0 ? '' : renderMemoryList(entries),
        );
      }),
    );

  memory
    .command('delete')
    .description('remove KEY; exit 4 when it was not there')
    .argument('<key>', 'key')
    .option('--namespace <name>', 'namespace', DEFAULT_NAMESPACE)
    .addHelpText('after', '\nExample:\n  ghcr-optimize memory delete last-good-digest --namespace app')
    .action((key, opts) =>
      run(async (ctx) => {
        const deleted = await usingStore(ctx, (s) => s.memoryDelete(opts.namespace, key));
        if (!deleted)
          throw new NotFoundError(
            `no value for ${where(opts.namespace, key)} (never set, deleted, or expired)`,
          );
        ctx.out.result(
          { namespace: opts.namespace, key, deleted: true },
          () => `deleted ${where(opts.namespace, key)}`,
        );
      }),
    );
  return memory;
}
