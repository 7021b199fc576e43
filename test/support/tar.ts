/** The product's deterministic tar writer, re-exported for fixtures. */
export { FIXED_MTIME, entriesFromFiles, makeTar } from '../../src/content/tar-writer.js';
export type { TarEntry } from '../../src/content/tar-writer.js';
