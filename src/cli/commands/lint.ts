import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Command, Option } from '@commander-js/extra-typings';
import { formatLocation } from '../../ref/index.js';
import { parsePlatform } from '../../oci/platform.js';
import { analyzeImage } from '../../analyze/analyze.js';
import { PolicyError } from '../../analyze/errors.js';
import { UsageError } from '../../errors.js';
import {
  isKnownCode,
  lintImage,
  parseIgnoreFile,
  reachesLevel,
  type LintResult,
} from '../../analyze/lint.js';
import type { Output } from '../output.js';
import type { Runner } from '../context.js';
import { CACHE_HELP, NO_CACHE_HELP, cacheChoice, openImage } from './analyze.js';
import { collect } from '../options.js';

const EXIT_LEVELS = ['info', 'warn', 'fatal'] as const;

export function lintCommand(run: Runner) {
  return new Command('lint')
    .description("check an image against dockle's rules (CIS Docker Benchmark and dockle checkpoints)")
    .argument('<reference>', 'e.g. ghcr.io/OWNER/IMAGE:TAG, IMAGE@sha256:…, oci:DIR:TAG')
    .option('--platform <os/arch[/variant]>', 'lint one child of a multi-platform index')
    .option('--cache <dir>', CACHE_HELP)
    .option('--no-cache', NO_CACHE_HELP)
    .addOption(
      new Option(
        '--exit-level <level>',
        'exit code 9 when a checkpoint at or above this level fails',
      ).choices(EXIT_LEVELS),
    )
    .option(
      '--ignore <code>',
      'ignore a checkpoint, e.g. CIS-DI-0005 (repeatable; also read from .dockleignore)',
      collect,
    )
    .option('--accept-key <name>', 'an environment variable name that is not a secret (repeatable)', collect)
    .option('--accept-file <name>', 'a file name that is not a secret, e.g. id_rsa (repeatable)', collect)
    .option(
      '--accept-file-extension <ext>',
      'a file extension that is not a secret, e.g. pem (repeatable)',
      collect,
    )
    .option('--sarif', 'print SARIF 2.1.0 (one rule per checkpoint) instead of the text or JSON report')
    .addHelpText(
      'after',
      `
Checkpoints (dockle's codes and levels): CIS-DI-0001 user, 0005 content trust, 0006 HEALTHCHECK,
0007 apt-get update alone, 0008 setuid/setgid files, 0009 ADD, 0010 secrets in ENV/ARG/history and
secret files; DKL-DI-0001 sudo, 0002 sensitive VOLUMEs, 0003 dist-upgrade, 0004 apk --no-cache,
0005 apt lists, 0006 latest tag; DKL-LI-0001 empty passwords, 0002 duplicate UID/GID, 0003
unnecessary files. Levels: FATAL > WARN > INFO; SKIP when the needed file is absent.

Examples:
  ghcr-optimize lint ghcr.io/OWNER/IMAGE:1.2
  ghcr-optimize lint ghcr.io/OWNER/IMAGE:1.2 --json > dockle.json
  ghcr-optimize lint ghcr.io/OWNER/IMAGE:1.2 --sarif > lint.sarif
  ghcr-optimize lint oci:./layout:app --exit-level warn --ignore CIS-DI-0005 --ignore DKL-DI-0006`,
    )
    .action((reference, opts) =>
      run(async (ctx) => {
        if (opts.sarif && ctx.out.json) {
          throw new UsageError('--sarif and --json ask for two different documents', { hint: 'pick one' });
        }
        const ignore = [...(opts.ignore ?? [])];
        if (existsSync('.dockleignore'))
          ignore.push(...parseIgnoreFile(await readFile('.dockleignore', 'utf8')));
        for (const code of ignore)
          if (!isKnownCode(code)) ctx.out.warn(`--ignore ${code}: no such checkpoint`);
        const platform = opts.platform ? parsePlatform(opts.platform) : undefined;
        const { loc, opened, ref, tag } = await openImage(reference, ctx, { cache: cacheChoice(opts.cache) });
        const analysis = await analyzeImage(opened.target, ref, {
          ...(platform ? { platform } : {}),
          hashFiles: false,
          compressionSample: 0,
          signal: ctx.signal,
        });
        const name = formatLocation(loc);
        const result = lintImage(
          {
            image: name,
            ...(tag ? { tag } : {}),
            config: analysis.config,
            tree: analysis.tree,
            layers: analysis.scans,
          },
          {
            ignore,
            acceptKeys: opts.acceptKey ?? [],
            acceptFiles: opts.acceptFile ?? [],
            acceptFileExtensions: opts.acceptFileExtension ?? [],
            contentTrust: process.env.DOCKER_CONTENT_TRUST === '1',
          },
        );
        if (opts.sarif) {
          const { lintToSarif } = await import('../../analyze/sarif.js');
          const info = {
            image: name,
            digest: analysis.digest,
            ...(analysis.platform ? { platform: analysis.platform } : {}),
          };
          ctx.out.raw(`${JSON.stringify(lintToSarif(result, info), null, 2)}\n`);
        } else {
          ctx.out.result(result.report, () => renderLint(result, ctx.out));
        }
        if (opts.exitLevel) {
          const failing = reachesLevel(result, opts.exitLevel);
          if (failing.length > 0) {
            throw new PolicyError(
              `${failing.length} checkpoint${failing.length === 1 ? '' : 's'} at or above ${opts.exitLevel.toUpperCase()}: ${failing.map((f) => f.code).join(', ')}`,
              { hint: 'fix them, or accept them with --ignore CODE (or a .dockleignore file)' },
            );
          }
        }
      }),
    );
}

export function renderLint(result: LintResult, out: Output): string {
  const c = out.c;
  const color = (level: string): string => {
    switch (level) {
      case 'FATAL':
        return c.red(level);
      case 'WARN':
        return c.yellow(level);
      case 'INFO':
        return c.magenta(level);
      case 'PASS':
        return c.green(level);
      default:
        return c.blue(level);
    }
  };
  const rank: Record<string, number> = { FATAL: 0, WARN: 1, INFO: 2, SKIP: 3, PASS: 4 };
  const shown = result.checks
    .filter((check) => check.level !== 'IGNORE')
    .map((check, i) => ({ check, i }))
    .sort((a, b) => (rank[a.check.level] ?? 5) - (rank[b.check.level] ?? 5) || a.i - b.i)
    .map(({ check }) => check);
  const lines: string[] = [];
  for (const check of shown) {
    lines.push(`${color(check.level)}\t- ${c.cyan(check.code)}: ${check.title}`);
    if (check.level !== 'PASS') for (const a of check.alerts) lines.push(`\t* ${a}`);
  }
  const s = result.report.summary;
  lines.push(
    '',
    `${result.report.image}: fatal ${s.fatal}, warn ${s.warn}, info ${s.info}, skip ${s.skip}, pass ${s.pass}`,
  );
  return lines.join('\n');
}
