/**
 * Settings that can never reach a verdict: an expectation whose check, fed traffic that matches
 * the expected split exactly, still has no pass within its request budget (an alpha and tolerance
 * that need more clean answers than maxRequests, `--max-requests 1`, a fixed `requests` too small).
 * Such a run could only end "inconclusive" after sending the whole budget, so `lint` reports it and
 * `run` refuses it before any traffic. The verifier itself is asked (not a formula copied from it),
 * so this stays true to whatever the checks require. A budget where a pass is within reach but a
 * correct split still ends undecided more often than alpha is refused the same way
 * (undecided-budgets.ts).
 */
import { expectedSplit, type Expectation, type Plan, type Step } from '../plan/types.js';
import type { InputIssue } from '../core/errors.js';
import { round } from '../core/numbers.js';
import { effectiveTolerance } from '../plan/effective-tolerance.js';
import { undecidedBudgetIssues } from './undecided-budgets.js';
import { combine, createCheck, createRatingsCheck } from '../verify/check.js';
import type { Check } from '../verify/types.js';

/** How far the ideal traffic is fed to say how many answers a pass would need. */
const SEARCH_LIMIT = 1_000_000;

export function unreachableVerdicts(plan: Plan): InputIssue[] {
  return unreachableInSteps([...plan.steps, ...(plan.rollback ? [plan.rollback] : [])]);
}

/** The same, for steps outside a plan (one check: runner/one-check.ts). */
export function unreachableInSteps(steps: Step[]): InputIssue[] {
  return steps.flatMap((step) => step.expect.flatMap((exp, i) => expectationIssue(step, exp, i)));
}

function expectationIssue(step: Step, exp: Expectation, index: number): InputIssue[] {
  const s = step.settings;
  const budget = exp.requests ?? s.maxRequests;
  // The alpha the expectation is decided at: its own share of planAlpha where it has one.
  const alpha = exp.alpha ?? s.alpha;
  const tolerance = effectiveTolerance(s, exp);
  const needed = answersToPass(exp, { alpha, tolerance }, exp.requests);
  if (needed !== null && needed <= budget) return undecidedBudgetIssues(step, exp, index);
  const what = `alpha ${alpha} and tolerance ${round(tolerance, 6)}`;
  const message =
    exp.requests !== undefined
      ? `with ${what}, ${exp.requests} fixed requests cannot pass even when every answer matches — ` +
        'raise requests, or loosen alpha or tolerance'
      : `with ${what}, a pass needs ${needed === null ? `more than ${SEARCH_LIMIT}` : needed} answers that ` +
        `match, more than maxRequests ${s.maxRequests}: this expectation could only end inconclusive — ` +
        'raise maxRequests (or --max-requests), or loosen alpha or tolerance';
  return [{ ...exp.at, field: exp.at.field ?? `${step.name}.expect[${index}]`, message }];
}

/**
 * Answers that match the expectation exactly (shares in proportion, ratings as expected) until the
 * check passes; how many it took, or null when it never does within the search limit.
 */
function answersToPass(
  exp: Expectation,
  levels: { alpha: number; tolerance: number },
  fixed: number | undefined,
): number | null {
  const opts = {
    ...levels,
    maxRequests: fixed ?? SEARCH_LIMIT,
    fixedRequests: fixed,
  };
  const split = expectedSplit(exp);
  const reviews = split ? createCheck(split, opts) : null;
  const ratings = exp.ratings ? createRatingsCheck(exp.ratings, opts) : null;
  const parts = [reviews, ratings].filter((c): c is Check => c !== null);
  if (!parts.length) return 0;
  const check = combine(parts);
  const next = split ? proportional(split) : () => '';
  for (let n = 0; n < opts.maxRequests && check.verdict() === null; n++) {
    reviews?.observe(next());
    ratings?.observe(exp.ratings!);
  }
  return check.verdict() === 'passed' ? check.n : null;
}

/**
 * Outcomes in the exact proportion of `shares` at every prefix, as far as whole answers allow (smooth weighted round
 * robin).
 */
function proportional(shares: Record<string, number>): () => string {
  const entries = Object.entries(shares).filter(([, w]) => w > 0);
  const total = entries.reduce((a, [, w]) => a + w, 0);
  const current = new Map(entries.map(([k]) => [k, 0]));
  return () => {
    let best = entries[0]![0];
    for (const [k, w] of entries) {
      current.set(k, current.get(k)! + w);
      if (current.get(k)! > current.get(best)!) best = k;
    }
    current.set(best, current.get(best)! - total);
    return best;
  };
}
