import { defineConfig } from 'vitest/config';

const shared = {
  setupFiles: ['./vitest.setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // the heavy tests share one generated district per worker; two cores here
  pool: 'forks' as const,
  maxWorkers: 2,
};

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'wangge', include: ['src/**/*.test.ts'], exclude: ['src/store/postgis/**'], sequence: { groupOrder: 0 } } },
      // after the rest, not beside it: real PostgreSQL and replicas load both cores, and the
      // timing tests (write stall, load, event-loop bounds) then measure the machine, not wangge
      { test: { ...shared, name: 'postgis', include: ['src/store/postgis/**/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
