export { copyImage, copyRepository, GraphCopier, filterIndex } from './copy.js';
export type { CopyOptions, CopyResult } from './copy.js';
export { pullImage, pullToArchive } from './pull.js';
export { BlobCache, CachingSource, defaultCacheDir, planPrune } from './blob-cache.js';
export { createIndex } from './index-create.js';
export { warmCache } from './cache-warm.js';
export { convertGraph } from './convert.js';
export { SummaryCollector } from './events.js';
export type { TransferEvent, TransferListener, TransferSummary } from './events.js';
