import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The app's test controls (vite.config.ts) are on in unit tests: tests/app-engine-supervisor.test.ts uses them.
  define: { __LEED_TEST_HOOKS__: 'true' },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Real models on the tfjs CPU backend: keep files in separate processes but few at a time (2-core CI).
    pool: 'forks',
    maxWorkers: 2,
  },
});
