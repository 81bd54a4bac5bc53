import { defineConfig } from 'vitest/config';

export default defineConfig({
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
