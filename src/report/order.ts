/** The order reports show steps in: failures first (in run order), then the rest (in run order). */
import type { RunResults, StepResult } from '../model/results.js';

export function isFailure(s: Pick<StepResult, 'outcome'>): boolean {
  return s.outcome !== 'passed' && s.outcome !== 'skipped';
}

/** Every step of the run, the rollback last, then stably sorted so failing ones come first. */
export function orderFailuresFirst(r: Pick<RunResults, 'steps' | 'rollback'>): StepResult[] {
  const all = [...r.steps, ...(r.rollback ? [r.rollback] : [])];
  return [...all.filter(isFailure), ...all.filter((s) => !isFailure(s))];
}
