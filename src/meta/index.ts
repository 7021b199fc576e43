/** Docker metadata (tags, labels, annotations) computed the way docker/metadata-action v5 does. */
export { computeMeta } from './meta.js';
export type { MetaInputs, MetaOptions, MetaResult, MetaVersion } from './meta.js';
export { parseInputList, InputListError } from './parse-inputs.js';
export {
  parseTagRule,
  parseTagRules,
  DEFAULT_PRIORITIES,
  DEFAULT_TAG_RULES,
  TAG_TYPES,
} from './tag-rules.js';
export type { TagRule, TagType } from './tag-rules.js';
export { parseFlavor, DEFAULT_FLAVOR } from './flavor.js';
export type { Flavor, LatestMode } from './flavor.js';
export { parseImages } from './images.js';
export type { ImageEntry } from './images.js';
export {
  contextFromWorkflow,
  contextFromGit,
  repoFromPayload,
  repoFromRemoteUrl,
  commitDateFromPayload,
  isActionsEnv,
} from './context.js';
export type { MetaContext, RepoInfo, GitFacts, WorkflowOptions } from './context.js';
export { readSwitches, shortSha, parseBool, DEFAULT_SHORT_SHA_LENGTH } from './switches.js';
export type { MetaSwitches } from './switches.js';
export { formatDate, checkTimeZone, DateFormatError } from './date-format.js';
export {
  isValidPep440,
  cleanPep440,
  explainPep440,
  parsePep440,
  pep440Major,
  pep440Minor,
  pep440Patch,
} from './pep440.js';
export type { Pep440Version, Pep440Explained } from './pep440.js';
export { renderSemver, renderPep440, checkVersionPattern } from './semver-pattern.js';
export { sanitizeTag, sanitizeImageName } from './sanitize.js';
export { mergeKeyValues, keyValuesToObject, ociDefaults } from './labels.js';
export {
  metaJson,
  cliJson,
  leveledAnnotations,
  bakeDefinition,
  bakeFileContent,
  actionOutputs,
  outputEnvName,
  fileCommandRecord,
  DEFAULT_BAKE_TARGET,
} from './outputs.js';
export type { MetaJson, BakeDefinition, BakeKind, OutputOptions } from './outputs.js';
export { loadContext, CONTEXT_MODES } from './load-context.js';
export type { ContextMode, LoadContextOptions } from './load-context.js';
export { readGitFacts, gitCommitDate } from './git-context.js';
export { readEventPayload, workflowContext } from './github-context.js';
export { renderTemplate, parseTemplate, isRawStatement, TemplateError } from './template.js';
