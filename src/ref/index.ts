/** Image references and locations: pure parsing and printing, no I/O. */

export {
  DOCKER_TRANSPORT_PREFIX,
  familiarReference,
  formatReference,
  formatRepository,
  parseReference,
  parseRepository,
  validateDigest,
  validateTag,
  withDigest,
  withTag,
} from './reference.js';
export type { ImageReference, ParseOptions, RepositoryName } from './reference.js';
export { DEFAULT_REGISTRY, DEFAULT_TAG } from './normalize.js';
export { MAX_NAME_LENGTH, MAX_TAG_LENGTH } from './grammar.js';
export { isLoopbackRegistry, registryKey, registryOrigin, sameRegistry } from './registry.js';
export type { RegistryOrigin } from './registry.js';
export { formatLocation, parseLocation } from './location.js';
export type { Location } from './location.js';
