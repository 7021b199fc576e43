export * from './media-types.js';
export * from './digest.js';
export * from './schema.js';
export * from './platform.js';
export * from './content.js';
