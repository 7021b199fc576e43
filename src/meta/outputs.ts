/**
 * The action's outputs from a MetaResult (no I/O): the `json` object, annotation levels, bake
 * definitions, and the `$GITHUB_OUTPUT` / `$GITHUB_ENV` file-command records.
 */
import type { MetaResult } from './meta.js';
import { keyValuesToObject } from './labels.js';

export const DEFAULT_BAKE_TARGET = 'docker-metadata-action';

/** `manifest:key=value` for every level, level by level. */
export function leveledAnnotations(result: MetaResult, levels: readonly string[]): string[] {
  return levels.flatMap((level) => result.annotations.map((a) => `${level}:${a}`));
}

/** The action's `json` output. */
export interface MetaJson {
  tags: string[];
  'tag-names': string[];
  labels: Record<string, string>;
  annotations: string[];
}

export function metaJson(result: MetaResult, levels: readonly string[]): MetaJson {
  return {
    tags: result.tags,
    'tag-names': result.tagNames,
    labels: keyValuesToObject(result.labels),
    annotations: leveledAnnotations(result, levels),
  };
}

/** `meta --json`: the `json` output with the version first. */
export function cliJson(result: MetaResult, levels: readonly string[]): { version: string } & MetaJson {
  return { version: result.version.main ?? '', ...metaJson(result, levels) };
}

export type BakeKind = 'tags' | 'labels' | 'annotations' | 'tags-labels' | 'all';

export interface BakeDefinition {
  target: Record<string, Record<string, unknown>>;
}

/**
 * A bake definition: `tags` (tags + args), `labels`, `annotations`, `tags-labels` (the action's
 * `bake-file` output) or `all` (tags, labels, annotations and args).
 */
export function bakeDefinition(
  result: MetaResult,
  kind: BakeKind,
  opts: { target?: string; levels?: readonly string[] } = {},
): BakeDefinition {
  const args = {
    DOCKER_META_IMAGES: result.images.join(','),
    DOCKER_META_VERSION: result.version.main,
  };
  const labels = keyValuesToObject(result.labels);
  const annotations = leveledAnnotations(result, opts.levels ?? ['manifest']);
  let body: Record<string, unknown>;
  switch (kind) {
    case 'tags':
      body = { tags: result.tags, args };
      break;
    case 'labels':
      body = { labels };
      break;
    case 'annotations':
      body = { annotations };
      break;
    case 'tags-labels':
      body = { tags: result.tags, labels, args };
      break;
    case 'all':
      body = { tags: result.tags, labels, annotations, args };
      break;
  }
  return { target: { [opts.target ?? DEFAULT_BAKE_TARGET]: body } };
}

/** As written to disk by the action (two-space JSON; an undefined version is left out). */
export function bakeFileContent(def: BakeDefinition): string {
  return JSON.stringify(def, null, 2);
}

export interface OutputOptions {
  sepTags?: string;
  sepLabels?: string;
  sepAnnotations?: string;
  levels: readonly string[];
  /** Paths of the bake files written for this run. */
  bakeFiles: { tags: string; labels: string; annotations: string; tagsLabels: string };
}

/** Every output of the action, in the order it sets them. */
export function actionOutputs(result: MetaResult, opts: OutputOptions): [string, string][] {
  const sepTags = opts.sepTags ?? '\n';
  return [
    ['version', result.version.main ?? ''],
    ['tags', result.tags.join(sepTags)],
    ['tag-names', result.tagNames.join(sepTags)],
    ['labels', result.labels.join(opts.sepLabels ?? '\n')],
    ['annotations', leveledAnnotations(result, opts.levels).join(opts.sepAnnotations ?? '\n')],
    ['json', JSON.stringify(metaJson(result, opts.levels))],
    ['bake-file-tags', opts.bakeFiles.tags],
    ['bake-file-labels', opts.bakeFiles.labels],
    ['bake-file-annotations', opts.bakeFiles.annotations],
    ['bake-file', opts.bakeFiles.tagsLabels],
  ];
}

/** `DOCKER_METADATA_OUTPUT_TAG_NAMES` for `tag-names`. */
export function outputEnvName(name: string): string {
  return `DOCKER_METADATA_OUTPUT_${name.replace(/\W/g, '_').toUpperCase()}`;
}

/**
 * One `$GITHUB_OUTPUT` / `$GITHUB_ENV` record in the heredoc form the runner reads:
 * `name<<DELIM\nvalue\nDELIM\n`. The delimiter must not occur in the name or the value.
 */
export function fileCommandRecord(name: string, value: string, delimiter: string): string {
  if (name.includes(delimiter) || value.includes(delimiter)) {
    throw new Error(`the output delimiter ${delimiter} occurs in ${name}`);
  }
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}
