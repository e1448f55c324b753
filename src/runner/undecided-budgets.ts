/**
 * Budgets that a correct split outlasts too often: a weighted expectation whose check, fed traffic
 * from exactly the expected split, ends inconclusive with probability above its alpha at the budget
 * it really runs with (maxRequests, or its fixed `requests`). A pass may be within reach (so
 * reachable-verdicts.ts has no complaint) and still come too late in most runs: 50/50 at
 * maxRequests 300 ends undecided in 49.6 % of correct runs. Like an unreachable verdict, `lint`
 * reports it and `run` refuses it before any traffic; the figure and the least budget that would
 * do come from the verifier (verify/undecided-rate.ts).
 */
import type { InputIssue } from '../core/errors.js';
import { percent, round } from '../core/numbers.js';
import { effectiveTolerance } from '../plan/effective-tolerance.js';
import { expectedSplit, isWeighted, type Expectation, type Step } from '../plan/types.js';
import { leastBudget, undecidedAboveAlpha } from '../verify/undecided-rate.js';

export function undecidedBudgetIssues(step: Step, exp: Expectation, index: number): InputIssue[] {
  const split = expectedSplit(exp);
  if (!split || !isWeighted(exp)) return [];
  const s = step.settings;
  const alpha = exp.alpha ?? s.alpha;
  const tolerance = effectiveTolerance(s, exp);
  const opts = { alpha, tolerance, maxRequests: s.maxRequests, fixedRequests: exp.requests };
  const undecided = undecidedAboveAlpha(split, opts);
  if (!undecided) return [];
  const least = leastBudget(split, opts);
  // Three or more outcomes: a bound from above (undecided-rate.ts says why), said as one.
  const share = undecided.exact
    ? `${percent(undecided.rate)} of runs would`
    : `up to ${percent(undecided.rate)} of runs could`;
  const budget = exp.requests !== undefined ? `a fixed ${exp.requests} requests` : `maxRequests ${s.maxRequests}`;
  const remedy =
    exp.requests !== undefined
      ? `raise requests to ${least} (or leave requests out to decide sequentially)`
      : `raise maxRequests (or --max-requests) to ${least} or more`;
  const message =
    `with alpha ${alpha} and tolerance ${round(tolerance, 6)}, ${share} end inconclusive after ${budget} ` +
    `even when the split is exactly as expected, more than alpha: ${remedy}, or loosen alpha or tolerance`;
  return [{ ...exp.at, field: exp.at.field ?? `${step.name}.expect[${index}]`, message }];
}
