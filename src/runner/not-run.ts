/**
 * Results for what the plan named but the run never did: steps after a failure, an interrupt or
 * an environment error (skipped, with the reason), and a rollback a second signal skipped or cut
 * short. Every planned step thereby appears in every report, as the README promises.
 */
import { expectedSplit, type Expectation, type Step } from '../plan/types.js';
import { ownServiceFields } from './verify-expectation.js';
import type { ExpectationResult, Outcome, StepResult } from '../model/results.js';
import { interruptedExpectationMessage, notRunStepMessage } from '../report/messages.js';

export function notRunStep(
  step: Step,
  kind: 'step' | 'rollback',
  reason: string,
  outcome: Outcome = 'skipped',
): StepResult {
  const expectations = step.expect.map((e) => notRunExpectation(e, reason, outcome));
  return {
    name: step.name,
    kind,
    outcome,
    message: notRunStepMessage(kind, step.name, outcome, reason),
    notRun: reason,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    propagationMs: null,
    settledBy: null,
    requests: 0,
    settleRequests: 0,
    applied: [],
    expectations,
    gates: [],
    latencyMs: { p50: null, p90: null, p99: null },
    latencyByVersion: {},
    errors: { total: 0, byKind: {}, byPod: {} },
    layers: null,
  };
}

/** An expectation that never reached a verdict: not run (`skipped`), or stopped before it (`error`). */
export function notRunExpectation(e: Expectation, reason: string, outcome: Outcome = 'skipped'): ExpectationResult {
  return {
    user: e.user,
    path: e.path,
    ...ownServiceFields(e),
    expected: { ...(expectedSplit(e) ?? {}), ...(e.ratings ? { ratings: e.ratings } : {}) },
    observed: {},
    outcome,
    intervals: {},
    requests: 0,
    pods: {},
    message: reason,
  };
}

/**
 * An expectation cut short by a signal: a verdict reached before it stands; otherwise it is
 * "interrupted" (an error, with the evidence so far) or, when it never sent a request, skipped —
 * never "no verdict within the request budget", which would blame the budget.
 */
export function interruptedExpectation(r: ExpectationResult, signal: AbortSignal): ExpectationResult {
  if (r.outcome === 'passed' || r.outcome === 'failed') return r;
  const message = interruptedExpectationMessage(r, String(signal.reason ?? 'a signal'));
  return { ...r, outcome: r.requests === 0 ? 'skipped' : 'error', message };
}
