/**
 * The verdicts each shipped plan is written to give, on every target: which step, if any, is meant
 * to fail (the rest before it pass, the rest after it are skipped, and the plan's rollback passes).
 * The local suites and the kwok suite each hold their runs to this, so one target's verdicts
 * equal the other's without running both side by side.
 */
import type { RunResults } from '../src/model/results.js';
import type { Plan } from '../src/plan/types.js';

/** Keyed by the plan's file under plans/; the step named is the one meant to fail. */
const FAILING_STEP: Record<string, string> = {
  'failing-canary.yaml': 'bad-canary-50',
};

export interface Verdicts {
  outcome: string;
  steps: string[];
  rollback: string | null;
}

export function verdictsOf(r: RunResults): Verdicts {
  return {
    outcome: r.outcome,
    steps: r.steps.map((s) => `${s.name}: ${s.outcome}`),
    rollback: r.rollback?.outcome ?? null,
  };
}

/**
 * `file` as under plans/ ("canary.yaml", "gateway-api/canary.yaml"): a twin is meant to fail where its Istio-API plan
 * does.
 */
export function intendedVerdicts(file: string, plan: Plan): Verdicts {
  const failing = FAILING_STEP[file.replace(/^gateway-api\//, '')];
  const at = failing === undefined ? -1 : plan.steps.findIndex((s) => s.name === failing);
  if (failing !== undefined && at < 0) throw new Error(`${file}: no step named ${failing}, the one meant to fail`);
  const outcome = (i: number) => (at < 0 || i < at ? 'passed' : i === at ? 'failed' : 'skipped');
  return {
    outcome: at < 0 ? 'passed' : 'failed',
    steps: plan.steps.map((s, i) => `${s.name}: ${outcome(i)}`),
    rollback: at >= 0 && plan.rollback ? 'passed' : null,
  };
}
