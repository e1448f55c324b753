/**
 * Shared by the kwok e2e suites: whether the control plane binaries are built, and, when they are
 * not, one loud line saying why the suites are skipped. With MESHPROOF_REQUIRE_KWOK=1 (set by
 * .ci/run, which builds them first) their absence fails the suite instead.
 */
import { it } from 'vitest';
import { paths } from '../../src/core/paths.js';
import { staleBinaries, toolModules } from '../../src/targets/kwok/control-plane/binaries.js';

export const missing = toolModules().flatMap((m) => staleBinaries(paths.cache, m));
export const built = missing.length === 0;
export const required = process.env.MESHPROOF_REQUIRE_KWOK === '1';

export const SKIP_REASON =
  `kwok e2e SKIPPED: control plane binaries not built (${missing.join(', ')}); ` +
  'run `npm run controlplane:build` (Go ≥ 1.26)';

/** Call at the top of a suite file: prints the reason when skipping, fails when the binaries are required. */
export function announce(): void {
  if (built) return;
  if (required) {
    it('has its control plane binaries (MESHPROOF_REQUIRE_KWOK=1)', () => {
      throw new Error(SKIP_REASON);
    });
    return;
  }
  console.warn(`\n*** ${SKIP_REASON} ***\n`);
}
