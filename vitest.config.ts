import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites each start their own registries on port 0; two workers keep a 2-core box responsive.
    maxWorkers: 2,
  },
});
