/**
 * Builds the check for one expectation (README, "How a step is decided"): exact targets follow the weight-0 rule,
 * weighted targets the anytime-valid sequential test, or a fixed-sample decision with `requests`.
 */
import { BaseCheck } from './base-check.js';
import { ExactCheck } from './exact-check.js';
import { FixedCheck } from './fixed-check.js';
import { SequentialCheck } from './sequential-check.js';
import { parseExpectedSplit } from './expected-split.js';
import type { Check, CheckOptions, Verdict } from './types.js';

/** `expected`: percent by outcome, summing to 100; outcomes not listed are expected at 0 %. */
export function createCheck(expected: Record<string, number>, opts: CheckOptions): Check {
  const target = parseExpectedSplit(expected);
  if (target.kind === 'exact') return new ExactCheck(target, opts);
  return opts.fixedRequests !== undefined ? new FixedCheck(target, opts) : new SequentialCheck(target, opts);
}

/**
 * A state that must hold for every response (`ratings: unavailable`): the exact rule. Any other
 * state fails at once; n = ceil(ln alpha / ln(1 − tol)) clean responses pass.
 */
export function createRatingsCheck(expected: string, opts: CheckOptions): Check {
  return new ExactCheck(parseExpectedSplit({ [expected]: 100 }), opts, 'ratings');
}

/**
 * All of `checks` over the same responses: failed as soon as any fails, passed when all pass,
 * inconclusive once every check has a verdict and neither of those holds. Checks built here keep
 * taking evidence after their own verdict until the combination decides, so a rule that must hold
 * for every response covers every response the combination counted. counts() and intervals()
 * merge the parts' records; where two parts name the same outcome (`unavailable` is both a reviews
 * outcome and a ratings state) the later part's entry wins, so ask the parts for their own.
 */
export function combine(checks: Check[]): Check {
  if (checks.length === 0) throw new Error('combine needs at least one check');
  if (checks.length === 1) return checks[0]!;
  for (const c of checks) if (c instanceof BaseCheck) c.defer();
  let decided: Verdict | null = null;
  // Decided lazily: callers feed the parts directly, then ask the combination.
  const verdict = (): Verdict | null => {
    if (decided !== null) return decided;
    const vs = checks.map((c) => c.verdict());
    if (vs.includes('failed')) decided = 'failed';
    else if (vs.every((v) => v === 'passed')) decided = 'passed';
    else if (vs.every((v) => v !== null)) decided = 'inconclusive';
    if (decided !== null) for (const c of checks) if (c instanceof BaseCheck) c.freeze();
    return decided;
  };
  return {
    observe(): void {
      throw new Error('a combined check has no single outcome per response: observe each of its parts');
    },
    observeUnknown(): void {
      throw new Error('a combined check has no single outcome per response: observe each of its parts');
    },
    verdict,
    get n() {
      return Math.max(...checks.map((c) => c.n));
    },
    counts: () => merge(checks.map((c) => c.counts())),
    intervals: () => merge(checks.map((c) => c.intervals())),
    explanation: () => ({ kind: 'combined', parts: checks.map((c) => c.explanation()) }),
  };
}

function merge<T>(records: Record<string, T>[]): Record<string, T> {
  return Object.assign({}, ...records) as Record<string, T>;
}
