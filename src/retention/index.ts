/** Retention: policy model, inventory, and the pure planner (inventory + policy + now → plan). */
export * from './policy.js';
export * from './inventory.js';
export * from './planner.js';
