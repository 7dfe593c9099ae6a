import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // the heavy tests share one generated district per worker; two cores here
    pool: 'forks',
    maxWorkers: 2,
  },
});
