import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The kwok e2e file runs for minutes on one worker while the rest share the others: started last
 * (where a clean clone's file order puts it) its whole length would add to the run's. It goes
 * first; the rest keep vitest's own order.
 */
class KwokFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const kwok = (f: TestSpecification) => /[\\/]e2e[\\/]kwok[\\/]/.test(f.moduleId);
    return [...sorted.filter(kwok), ...sorted.filter((f) => !kwok(f))];
  }
}

const KIND = 'e2e/kind/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is a worker per CPU but one, so one on 2 CPUs: every file in turn. Most files
    // wait on sockets and timers more than they compute, and the kwok file waits on its control
    // plane for minutes, so at least three.
    maxWorkers: Math.max(3, availableParallelism() - 1),
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'reports/vitest.json' },
    // Two groups, one after the other: a kind cluster (its API server, etcd, istiod and a proxy per
    // pod) beside the kwok control plane and the timed tests would take both cores from them, and
    // deadlines that hold on a quiet machine would not. One JSON report covers both.
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['src/**/*.test.ts', 'e2e/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: [KIND, '**/node_modules/**'],
          sequence: { sequencer: KwokFirst, groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'kind', include: [KIND], sequence: { groupOrder: 1 } } },
    ],
  },
});
