/** Image rewrite (`optimize-images --apply`) and the recommendations of `optimize-images`. */
export { optimizeImage } from './optimize.js';
export type {
  OptimizeOptions,
  OptimizeResult,
  PlatformOutcome,
  ImageSizes,
  StripSummary,
} from './optimize.js';
export { recommend } from './recommend.js';
export type { Recommendation } from './recommend.js';
export { STRIP_RULES, stripRules, stripRuleFor } from './strip.js';
export type { StripRule } from './strip.js';
export { parseCompression, formatCompression, compressToFile } from './compress.js';
export type { CompressionSpec, CompressedBlob } from './compress.js';
export { planSquash } from './plan.js';
export type { SquashPlan, PlannedEntry, StrippedPath } from './plan.js';
export { normalTree, compareTrees, describeDifference } from './tree-compare.js';
export type { NormalEntry, TreeDifference } from './tree-compare.js';
export { encodeHeader } from './tar-format.js';
export type { TarHeader } from './tar-format.js';
