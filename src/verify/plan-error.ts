/**
 * The plan's error, beside each expectation's: alpha holds per expectation, and a plan of k correct
 * weighted expectations fails one of them with probability up to k·alpha (Bonferroni: a union
 * bound, true whatever the dependence between steps; 1 − (1 − alpha)^k if they were independent,
 * 9.6 % for 10 at alpha 0.01, against the bound's 10 %). Exact targets add nothing: they fail only on a
 * sighting of a version a correct config never routes. The false-pass side needs no sum: a plan
 * with one wrong expectation passes only if that expectation passes, probability ≤ its alpha.
 * defaults.planAlpha turns this round: it is split evenly over the weighted expectations
 * (src/plan/load.ts), so the sum is at most planAlpha. A weighted expectation whose answers share
 * connections also runs the connection check (connection-clustering.ts) at a tenth of its alpha,
 * which a correct split can fail too: it counts 1.1·alpha.
 */
import { isWeighted, type Plan } from '../plan/types.js';
import type { PlanErrorBound } from '../model/results.js';
import { clusteringShare } from './connection-clustering.js';

export function planErrorBound(plan: Pick<Plan, 'steps' | 'planAlpha'>): PlanErrorBound {
  const weighted: number[] = [];
  let falsePass = 0;
  for (const step of plan.steps) {
    for (const e of step.expect) {
      const alpha = e.alpha ?? step.settings.alpha;
      falsePass = Math.max(falsePass, alpha);
      if (isWeighted(e)) weighted.push(alpha * (1 + clusteringShare(e)));
    }
  }
  return {
    method: 'bonferroni',
    weightedExpectations: weighted.length,
    falseFail: Math.min(
      1,
      weighted.reduce((s, a) => s + a, 0),
    ),
    falseFailIfIndependent: 1 - weighted.reduce((p, a) => p * (1 - a), 1),
    falsePass,
    planAlpha: plan.planAlpha,
  };
}
