/**
 * Results for what the plan named but the run never did: steps after a failure, an interrupt or
 * an environment error (skipped, with the reason), and a rollback a second signal skipped or cut
 * short. Every planned step thereby appears in every report, as the README promises.
 */
import type { Step } from '../plan/types.js';
import type { ExpectationResult, Outcome, StepResult } from '../model/results.js';

export function notRunStep(step: Step, kind: 'step' | 'rollback', reason: string, outcome: Outcome = 'skipped'): StepResult {
  const expectations: ExpectationResult[] = step.expect.map((e) => ({
    user: e.user,
    path: e.path,
    expected: { ...(e.reviews ?? {}), ...(e.ratings ? { ratings: e.ratings } : {}) },
    observed: {},
    outcome,
    intervals: {},
    requests: 0,
    pods: {},
    message: reason,
  }));
  return {
    name: step.name,
    kind,
    outcome,
    message: `${kind === 'rollback' ? 'rollback' : `step ${step.name}`} ${outcome === 'skipped' ? 'not run' : 'not finished'}: ${reason}`,
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

/** Why the steps after a failed step, an interrupt or an error did not run, in a few words. */
export function notRunReason(failure: { message: string; exitCode: number }, interrupted: boolean, failedStep: string | undefined): string {
  if (interrupted) return 'the run was interrupted before this step';
  if (failedStep && failure.exitCode === 1) return `step ${failedStep} failed before it`;
  const first = failure.message.split('\n')[0]!;
  return `the run stopped before this step: ${first.length > 300 ? `${first.slice(0, 299)}…` : first}`;
}

/**
 * An expectation cut short by a signal: a verdict reached before it stands; otherwise it is
 * "interrupted" (an error, with the evidence so far) or, when it never sent a request, skipped —
 * never "no verdict within the request budget", which would blame the budget.
 */
export function interruptedExpectation(r: ExpectationResult, signal: AbortSignal): ExpectationResult {
  if (r.outcome === 'passed' || r.outcome === 'failed') return r;
  const by = String(signal.reason ?? 'a signal');
  if (r.requests === 0) return { ...r, outcome: 'skipped', message: `${r.user} GET ${r.path}: not run: interrupted by ${by}` };
  return { ...r, outcome: 'error', message: `${r.user} GET ${r.path}: interrupted by ${by} after ${r.requests} verification requests, before a verdict` };
}
