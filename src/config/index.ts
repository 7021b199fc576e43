export { loadConfig, DEFAULT_CONFIG_FILE } from './config.js';
export type { Config, RegistryConfig } from './config.js';
export { checkConfigText, formatProblem } from './validate.js';
export type { ConfigCheck, ConfigProblem } from './validate.js';
export { configJsonSchema } from './json-schema.js';
export * from './services.js';
