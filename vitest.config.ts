import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The kwok e2e file runs for minutes on one worker while the rest share the other: started last
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

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'e2e/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is a worker per CPU but one, so one on 2 CPUs: every file in turn. Most files
    // wait on sockets and timers more than they compute, and the kwok file waits on its control
    // plane for minutes, so at least three.
    maxWorkers: Math.max(3, availableParallelism() - 1),
    sequence: { sequencer: KwokFirst },
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
