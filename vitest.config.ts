import { defineConfig } from 'vitest/config';

const KWOK = 'e2e/kwok/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'reports/vitest.json' },
    projects: [
      { extends: true, test: { name: 'main', include: ['src/**/*.test.ts', 'e2e/**/*.test.ts', 'scripts/**/*.test.ts'], exclude: [KWOK] } },
      // The kwok suites share one control plane on this machine: one file at a time.
      { extends: true, test: { name: 'kwok', include: [KWOK], fileParallelism: false } },
    ],
  },
});
