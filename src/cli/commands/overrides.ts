import type { CliArgs } from '../args.js';
import type { Overrides } from '../../plan/settings.js';

/** The settings flags (`--alpha`, `--tolerance`, …) that override a plan's, or the defaults of a single check. */
export function overridesOf(a: CliArgs): Overrides {
  return {
    alpha: a.alpha,
    tolerance: a.tolerance,
    relativeTolerance: a.relativeTolerance,
    maxRequests: a.maxRequests,
    concurrency: a.concurrency,
  };
}
