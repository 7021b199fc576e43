// One import path for everything a test needs to build and seed images.
export * from './images.js';
export { FIXED_MTIME, makeTar } from './tar.js';
export type { TarEntry } from './tar.js';
export { pushImage } from './push.js';
export type { PushAuth, PushOptions } from './push.js';
export { writeOciLayout } from './oci-layout.js';
export type { OciLayoutEntry } from './oci-layout.js';
