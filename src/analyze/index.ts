/** Image analysis: layer streams → file tree → dive metrics, waste, lint findings. */
export { analyzeImage, analysisSummary, DEFAULT_MAX_TOTAL_BYTES } from './analyze.js';
export type { AnalyzeOptions, ImageAnalysis, LayerSummary } from './analyze.js';
export {
  scanLayer,
  ByteBudget,
  DEFAULT_LIMITS,
  defaultCapture,
  layerLabel,
  EMPTY_SHA256,
} from './layer-reader.js';
export type {
  LayerEntry,
  LayerRef,
  LayerScan,
  ScanLimits,
  ScanOptions,
  WhiteoutEntry,
  EntryType,
  EntryVisit,
  ContentSink,
} from './layer-reader.js';
export { detectCompression, createDecompressor, zstdWindowSize } from './decompress.js';
export { GzipSampler } from './gzip-estimate.js';
export type { Gzip9Estimate } from './gzip-estimate.js';
export { mergeLayers } from './file-tree.js';
export type { MergedTree, MergedFile, HiddenVersion, PathEvent, Change } from './file-tree.js';
export { buildDiveTrees, diveMetrics, goFileMode } from './efficiency.js';
export type { DiveMetrics, DiveTree, DiveFileInfo, Inefficiency, DiveLayerInput } from './efficiency.js';
export { diveExport, layerCommands } from './dive-export.js';
export type { DiveExport } from './dive-export.js';
export { findReclaimable, wasteCategoriesOf } from './waste.js';
export type { ReclaimableReport, WasteGroup, WasteItem, WasteCategory, CompressionFinding } from './waste.js';
export { evaluateCi, parseDiveCi, validateCiRules, DEFAULT_CI_RULES, CI_RULE_NAMES } from './ci.js';
export type { CiEvaluation, CiRuleResult, CiRuleName, CiRuleValues } from './ci.js';
export { lintImage, reachesLevel, parseIgnoreFile, CHECKPOINTS, goModeString } from './lint.js';
export type { LintInput, LintOptions, LintResult, LintReport, CheckResult, Level } from './lint.js';
export { parseHumanBytes } from './bytes.js';
export { PolicyError, POLICY_EXIT_CODE } from './errors.js';
