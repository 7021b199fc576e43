/** The `ghcr-optimize` program: global options, commands, and the top-level error boundary. */
import { Command, Option } from '@commander-js/extra-typings';
import { CommanderError } from 'commander';
import { COMMANDS, commandName } from './commands/index.js';
import type { GlobalOptions } from './context.js';
import { makeRunner, printError } from './run.js';
import { VERSION } from '../version.js';
import { collect } from './options.js';

/**
 * The program with the commands `args` needs: just the one it names (when it names a known one),
 * else all of them (for help and for unknown-command errors).
 */
export async function buildProgram(args: readonly string[] = []): Promise<Command> {
  const program = new Command('ghcr-optimize')
    .description(
      'Fast, safe publishing, pulling, cleaning, securing and monitoring of images on GHCR and any OCI registry',
    )
    .version(VERSION, '-V, --version')
    .option('--json', 'machine-readable output on stdout (errors as JSON on stderr)')
    .option('-q, --quiet', 'print only results and errors')
    .option('--debug', 'log each HTTP request (secrets redacted) and show stack traces')
    .option('--no-color', 'disable colour (also: NO_COLOR=1)')
    .option(
      '--config-file <file>',
      'config file (default: ./ghcr-optimize.yaml when present, or $GHCR_OPTIMIZE_CONFIG)',
    )
    .option('--insecure', 'allow plain HTTP / unverified TLS for the registries of this command')
    .option('--ca-file <pem>', 'trust this CA certificate (repeatable)', collect)
    .option('-u, --username <name>', 'registry username (with --password-stdin)')
    .addOption(
      new Option('--password <secret>', 'registry password or token (prefer --password-stdin)').hideHelp(),
    )
    .option('--password-stdin', 'read the registry password or token from standard input')
    .option('--concurrency <n>', 'parallel connections per registry (default 8)')
    .option('--timeout <seconds>', 'network timeout per request phase (default 60)')
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 unexpected, 2 usage, 3 auth, 4 not found, 5 network/TLS, 6 registry protocol,
7 unhealthy, 8 integrity (digest/size mismatch), 9 policy gate failed, 10 required tool missing,
11 local file system (permissions, disk full), 130 interrupted.

Examples:
  ghcr-optimize demo
  ghcr-optimize inspect ghcr.io/OWNER/IMAGE:latest
  ghcr-optimize tags ghcr.io/OWNER/IMAGE --json
  ghcr-optimize health ghcr.io`,
    );
  program.exitOverride();
  program.configureOutput({ outputError: () => undefined });
  const run = makeRunner(() => program.opts());
  const named = commandName(args);
  // Only help for the whole program needs every command; `--version` needs none.
  const versionOnly = named === undefined && args.some((a) => a === '-V' || a === '--version');
  const wanted =
    named !== undefined && named in COMMANDS ? [named] : versionOnly ? [] : Object.keys(COMMANDS);
  const factories = await Promise.all(wanted.map((name) => COMMANDS[name]!()));
  for (const factory of factories) program.addCommand(factory(run));
  // Subcommands share the parent's error handling (exitOverride) and silence.
  const quiet = (cmd: Command): void => {
    for (const sub of cmd.commands as Command[]) {
      sub.exitOverride();
      sub.configureOutput({ outputError: () => undefined });
      quiet(sub);
    }
  };
  quiet(program);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  const program = await buildProgram(argv.slice(2));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (
      err instanceof CommanderError &&
      (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
    ) {
      process.exitCode = 0;
      return;
    }
    if (err instanceof CommanderError && err.code === 'commander.help') {
      process.exitCode = 0;
      return;
    }
    const opts = program.opts() as GlobalOptions;
    process.exitCode = printError(err, { json: opts.json === true, debug: opts.debug === true });
  }
}
