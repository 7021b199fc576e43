/**
 * Retention: policy model, inventory, and the pure planner (inventory + policy + now → plan);
 * the back-end interface with its Distribution API implementation, the gatherer, the apply
 * engine, and repository statistics.
 */
export * from './policy.js';
export * from './inventory.js';
export * from './planner.js';
export * from './backend.js';
export * from './registry-backend.js';
export * from './gather.js';
export * from './apply.js';
export * from './stats.js';
export * from './targets.js';
