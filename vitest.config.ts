import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The kwok and kind e2e files run for minutes each on a worker of their own while the rest share
 * the third: started last (where a clean clone's file order puts them) their whole length would add
 * to the run's. They go first; the rest keep vitest's own order.
 */
class LongFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = (f: TestSpecification) => /[\\/]e2e[\\/](kwok|kind)[\\/]/.test(f.moduleId);
    return [...sorted.filter(long), ...sorted.filter((f) => !long(f))];
  }
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'e2e/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is a worker per CPU but one, so one on 2 CPUs: every file in turn. Most files
    // wait on sockets and timers more than they compute, and the kwok file waits on its control
    // plane (and the kind file on its cluster) for minutes, so at least three.
    maxWorkers: Math.max(3, availableParallelism() - 1),
    sequence: { sequencer: LongFirst },
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
