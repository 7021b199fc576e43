import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Command, Option } from '@commander-js/extra-typings';
import { UsageError, fileSystemError } from '../../errors.js';
import { writeFileAtomic } from '../../content/atomic-file.js';
import { defaultCacheDir } from '../../transfer/blob-cache.js';
import { computeMeta, type MetaResult } from '../../meta/meta.js';
import { CONTEXT_MODES, loadContext } from '../../meta/load-context.js';
import { InputListError, parseInputList } from '../../meta/parse-inputs.js';
import { readSwitches } from '../../meta/switches.js';
import {
  actionOutputs,
  bakeDefinition,
  bakeFileContent,
  cliJson,
  fileCommandRecord,
  outputEnvName,
  type BakeKind,
} from '../../meta/outputs.js';
import type { Runner } from '../context.js';

type Env = Readonly<Record<string, string | undefined>>;

function collectLines(value: string, previous: string | undefined): string {
  return previous === undefined ? value : `${previous}\n${value}`;
}

/** `\n`, `\t`, `\r` and `\\` in separators, so a shell can pass them. */
function unescapeSeparator(s: string): string {
  return s.replace(/\\([ntr\\])/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[c] ?? c);
}

function entries(value: string | undefined, input: string, keepQuotes = false): string[] {
  try {
    return parseInputList(value, input, { keepQuotes });
  } catch (err) {
    if (err instanceof InputListError)
      throw new UsageError(err.message, { hint: 'quote a field that holds a comma: "key=a,b"' });
    throw err;
  }
}

/**
 * Where the `bake-file-*` outputs go. On a runner, a fresh directory in $RUNNER_TEMP as the action
 * makes (the runner empties it after the job). Elsewhere (act aside, which sets RUNNER_TEMP: a
 * local run or a script faking $GITHUB_OUTPUT) one fixed directory in our cache, overwritten each
 * run, so runs do not pile up docker-metadata-action-* directories in /tmp.
 */
async function bakeFilesDir(env: Env): Promise<string> {
  if (env.RUNNER_TEMP) return mkdtemp(join(env.RUNNER_TEMP, 'docker-metadata-action-'));
  const dir = join(dirname(defaultCacheDir(env)), 'metadata-bake-files');
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Writes `text` to `file` atomically, in an existing directory only: the action creates no
 * directories for its bake file, and a typo in a path should not make a tree of them.
 */
async function writeBakeFile(file: string, text: string): Promise<void> {
  try {
    const dir = await stat(dirname(resolve(file)));
    if (!dir.isDirectory()) {
      throw Object.assign(new Error('not a directory'), {
        code: 'ENOTDIR',
        syscall: 'open',
        path: dirname(resolve(file)),
      });
    }
    await writeFileAtomic(file, text);
  } catch (err) {
    throw fileSystemError(err);
  }
}

async function writeGithubOutputs(
  result: MetaResult,
  env: Env,
  opts: {
    sepTags: string;
    sepLabels: string;
    sepAnnotations: string;
    levels: string[];
    target: string;
    setEnv: boolean;
  },
): Promise<number> {
  const outputFile = env.GITHUB_OUTPUT;
  if (!outputFile) {
    throw new UsageError('--github-output needs $GITHUB_OUTPUT (set by GitHub Actions)', {
      hint: 'outside Actions, use --json or --bake-file FILE',
    });
  }
  const dir = await bakeFilesDir(env).catch((err: unknown) => {
    throw fileSystemError(err);
  });
  const files = {
    tags: join(dir, 'docker-metadata-action-bake-tags.json'),
    labels: join(dir, 'docker-metadata-action-bake-labels.json'),
    annotations: join(dir, 'docker-metadata-action-bake-annotations.json'),
    tagsLabels: join(dir, 'docker-metadata-action-bake.json'),
  };
  const kinds: [string, BakeKind][] = [
    [files.tags, 'tags'],
    [files.labels, 'labels'],
    [files.annotations, 'annotations'],
    [files.tagsLabels, 'tags-labels'],
  ];
  for (const [file, kind] of kinds) {
    await writeFileAtomic(
      file,
      bakeFileContent(bakeDefinition(result, kind, { target: opts.target, levels: opts.levels })),
    ).catch((err: unknown) => {
      throw fileSystemError(err);
    });
  }
  const outputs = actionOutputs(result, { ...opts, bakeFiles: files });
  const records = (name: (n: string) => string): string =>
    outputs.map(([n, v]) => fileCommandRecord(name(n), v, `ghadelimiter_${randomUUID()}`)).join('');
  await appendFile(
    outputFile,
    records((n) => n),
  );
  if (opts.setEnv && env.GITHUB_ENV) await appendFile(env.GITHUB_ENV, records(outputEnvName));
  return outputs.length;
}

export function metaCommand(run: Runner, env: Env = process.env) {
  return new Command('meta')
    .description(
      'compute Docker tags, OCI labels and annotations from the Git context, exactly as docker/metadata-action does',
    )
    .option(
      '--images <lines>',
      'image names, one per line (name=IMAGE,enable=BOOL); repeatable',
      collectLines,
    )
    .option(
      '--tags <lines>',
      'tag rules, one per line (type=semver,pattern={{version}}, …); repeatable',
      collectLines,
    )
    .option(
      '--flavor <lines>',
      'latest=auto|true|false, prefix=…[,onlatest=true], suffix=…[,onlatest=true]',
      collectLines,
    )
    .option('--labels <lines>', 'extra or overriding labels, key=value per line; repeatable', collectLines)
    .option(
      '--annotations <lines>',
      'extra or overriding annotations, key=value per line; repeatable',
      collectLines,
    )
    .option(
      '--sep-tags <sep>',
      'separator between tags in the text and GitHub outputs (default newline; \\n, \\t understood)',
    )
    .option('--sep-labels <sep>', 'separator between labels in the GitHub output (default newline)')
    .option('--sep-annotations <sep>', 'separator between annotations in the GitHub output (default newline)')
    .option(
      '--github-output',
      "append the action's outputs to $GITHUB_OUTPUT (and $GITHUB_ENV) and write the bake files",
    )
    .option('--bake-file <file>', 'write a bake definition with tags, labels, annotations and args')
    .option('--bake-target <name>', 'bake target name (default docker-metadata-action)')
    .addOption(
      new Option(
        '--context <source>',
        'where the Git context comes from (auto: GitHub Actions when GITHUB_* is set, else git)',
      )
        .choices(CONTEXT_MODES)
        .default('auto' as const),
    )
    .option('--workdir <dir>', 'the local git checkout (default: current directory)')
    .addHelpText(
      'after',
      `
Inputs are the action's: newline-separated entries, CSV-quoted fields ("pattern=\\d{1,3}"), lines
starting with # are comments. Without --tags the action's defaults apply (schedule, branch, tag, pr).

Tag types: schedule (pattern: nightly, or {{date 'YYYYMMDD' tz='Asia/Tokyo'}}), semver and pep440
(pattern {{version}} {{major}} {{minor}} {{patch}} {{raw}}, value, match), match (pattern, group, value),
edge (branch), ref (event=branch|tag|pr), raw (value), sha (format=short|long). Every rule also takes
enable, priority, prefix and suffix. Expressions: {{branch}} {{tag}} {{sha}} {{base_ref}}
{{is_default_branch}} {{is_not_default_branch}} {{date 'FORMAT'}} {{commit_date 'FORMAT'}}.

Context: in GitHub Actions GITHUB_EVENT_NAME, GITHUB_REF, GITHUB_SHA and the GITHUB_EVENT_PATH payload;
elsewhere the local checkout (branch or tag, commit, commit date, origin URL). SOURCE_DATE_EPOCH pins
"now"; DOCKER_METADATA_PR_HEAD_SHA, DOCKER_METADATA_SHORT_SHA_LENGTH, DOCKER_METADATA_ANNOTATIONS_LEVELS
and DOCKER_METADATA_SET_OUTPUT_ENV work as in the action.

Examples:
  ghcr-optimize meta --images ghcr.io/OWNER/APP
  ghcr-optimize meta --images ghcr.io/OWNER/APP --tags 'type=semver,pattern={{version}}
  type=semver,pattern={{major}}.{{minor}}
  type=sha' --json
  ghcr-optimize meta --images ghcr.io/OWNER/APP --tags 'type=ref,event=branch' --flavor 'latest=false
  suffix=-alpine,onlatest=true'
  ghcr-optimize meta --images ghcr.io/OWNER/APP --labels 'org.opencontainers.image.title=App'
  ghcr-optimize meta --images ghcr.io/OWNER/APP --annotations 'org.opencontainers.image.vendor=ACME' --json
  ghcr-optimize meta --images ghcr.io/OWNER/APP --sep-tags ','
  ghcr-optimize meta --images ghcr.io/OWNER/APP --github-output          # in a workflow step
  ghcr-optimize meta --images ghcr.io/OWNER/APP --bake-file meta.json && docker buildx bake -f docker-bake.hcl -f meta.json
  ghcr-optimize meta --images ghcr.io/OWNER/APP --context git --workdir ./src`,
    )
    .action((opts) =>
      run(async (ctx) => {
        const switches = readSwitches(env);
        const now = switches.now ?? new Date();
        const inputs = {
          images: entries(opts.images, 'images', true),
          tags: entries(opts.tags, 'tags', true),
          flavor: entries(opts.flavor, 'flavor', true),
          labels: entries(opts.labels, 'labels'),
          annotations: entries(opts.annotations, 'annotations'),
        };
        const metaContext = await loadContext(env, {
          mode: opts.context,
          cwd: resolve(opts.workdir ?? process.cwd()),
          prHeadSha: switches.prHeadSha,
        });
        const result = computeMeta(inputs, metaContext, { now, shortShaLength: switches.shortShaLength });
        for (const w of result.warnings) ctx.out.warn(w);

        const sepTags = unescapeSeparator(opts.sepTags ?? '\n');
        const target = opts.bakeTarget || 'docker-metadata-action';
        const levels = switches.annotationLevels;
        if (opts.bakeFile) {
          const def = bakeDefinition(result, 'all', { target, levels });
          await writeBakeFile(opts.bakeFile, `${bakeFileContent(def)}\n`);
          ctx.out.info(`wrote bake definition to ${opts.bakeFile}`);
        }
        if (opts.githubOutput) {
          const n = await writeGithubOutputs(result, env, {
            sepTags,
            sepLabels: unescapeSeparator(opts.sepLabels ?? '\n'),
            sepAnnotations: unescapeSeparator(opts.sepAnnotations ?? '\n'),
            levels,
            target,
            setEnv: switches.setOutputEnv,
          });
          ctx.out.info(`wrote ${n} outputs to $GITHUB_OUTPUT`);
        }
        ctx.out.result(cliJson(result, levels), () => result.tags.join(sepTags));
      }),
    );
}
