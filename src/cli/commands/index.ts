/**
 * Every command, loaded on demand: a run imports only the module of the command it executes
 * (Node 20 has no compile cache, so parsing every command's dependencies would cost every run
 * ~100 ms). Help for the whole program loads them all.
 */
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import type { Runner } from '../context.js';

type Loader = () => Promise<(run: Runner) => CommandUnknownOpts>;

/** In the order `--help` lists them. */
export const COMMANDS: Record<string, Loader> = {
  inspect: async () => (await import('./inspect.js')).inspectCommand,
  tags: async () => (await import('./tags.js')).tagsCommand,
  copy: async () => (await import('./copy.js')).copyCommand,
  pull: async () => (await import('./pull.js')).pullCommand,
  push: async () => (await import('./push.js')).pushCommand,
  index: async () => (await import('./index-create.js')).indexCommand,
  'cache-warm': async () => (await import('./cache.js')).cacheWarmCommand,
  cache: async () => (await import('./cache.js')).cacheCommand,
  config: async () => (await import('./config.js')).configCommand,
  meta: async () => (await import('./meta.js')).metaCommand,
  changed: async () => (await import('./changed.js')).changedCommand,
  build: async () => (await import('./build.js')).buildCommand,
  init: async () => (await import('./init.js')).initCommand,
  analyze: async () => (await import('./analyze.js')).analyzeCommand,
  lint: async () => (await import('./lint.js')).lintCommand,
  sbom: async () => (await import('./sbom.js')).sbomCommand,
  'optimize-images': async () => (await import('./optimize-images.js')).optimizeImagesCommand,
  scan: async () => (await import('./scan.js')).scanCommand,
  clean: async () => (await import('./clean.js')).cleanCommand,
  stats: async () => (await import('./stats.js')).statsCommand,
  'setup-retention': async () => (await import('./setup-retention.js')).setupRetentionCommand,
  'generate-key-pair': async () => (await import('./sign.js')).generateKeyPairCommand,
  sign: async () => (await import('./sign.js')).signCommand,
  verify: async () => (await import('./sign.js')).verifyCommand,
  restore: async () => (await import('./restore.js')).restoreCommand,
  memory: async () => (await import('./memory.js')).memoryCommand,
  insights: async () => (await import('./insights.js')).insightsCommand,
  compose: async () => (await import('./compose.js')).composeCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  token: async () => (await import('./token.js')).tokenCommand,
  health: async () => (await import('./health.js')).healthCommand,
  dashboard: async () => (await import('./dashboard.js')).dashboardCommand,
  exporter: async () => (await import('./exporter.js')).exporterCommand,
  generate: async () => (await import('./generate.js')).generateCommand,
  auth: async () => (await import('./auth.js')).authCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
};

/** Global options that take a value, so the scan for the command name can skip that value. */
const VALUE_OPTIONS = new Set([
  '--config-file',
  '--ca-file',
  '-u',
  '--username',
  '--password',
  '--concurrency',
  '--timeout',
]);

/** The command a command line names (`ghcr-optimize --json tags x` → `tags`), if any. */
export function commandName(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return args[i + 1];
    if (a.startsWith('-')) {
      if (!a.includes('=') && VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}
