/**
 * The plan's rollback after a failed, interrupted or environment-stopped run, verified like a step.
 * A rollback that cannot run or complete is still a result, saying why and where the routes were
 * left.
 */
import type { Outcome, StepResult } from '../model/results.js';
import type { Plan } from '../plan/types.js';
import type { RunEvent } from '../model/events.js';
import {
  rollbackFailedReason,
  rollbackNotAttemptedReason,
  rollbackSkippedReason,
  rollbackStoppedReason,
} from '../report/messages.js';
import type { RunContext } from './context.js';
import { EnvironmentFailure } from './environment.js';
import { executeStep } from './execute-step.js';
import { notRunStep } from './not-run.js';

export interface RollbackRun {
  plan: Plan;
  emit: (e: RunEvent) => Promise<void>;
  /** Aborted on a second signal: the rollback stops, or never begins. */
  hardSignal: AbortSignal;
  /** The rollback's context: the run's, with hardSignal as its signal. */
  ctx: RunContext;
}

/**
 * The plan's rollback. After an environment failure (`environment`, what is wrong) it is not
 * attempted. `routes` says where the routes were left, for a rollback that does not restore them;
 * `environment` in the answer says whether the environment was what stopped it.
 */
export async function runRollback(
  o: RollbackRun,
  reason: string,
  routes: string,
  opts: { environment: string | null },
): Promise<{ result: StepResult; environment: boolean }> {
  await o.emit({ type: 'rollback', reason });
  const rollback = o.plan.rollback!;
  const notRun = async (why: string, outcome: Outcome = 'skipped') => ({
    result: await endRollback(o, notRunStep(rollback, 'rollback', why, outcome)),
    environment: false,
  });
  // A second signal before the rollback began: it never ran, and the routes stay where they are.
  if (o.hardSignal.aborted) return notRun(rollbackSkippedReason(String(o.hardSignal.reason ?? 'signal'), routes));
  if (opts.environment)
    return { ...(await notRun(rollbackNotAttemptedReason(opts.environment, routes))), environment: true };
  try {
    const result = await executeStep(o.ctx, rollback, o.plan.steps.length, 'rollback');
    return { result, environment: false };
  } catch (err) {
    if (err instanceof EnvironmentFailure && err.result) return { result: err.result, environment: true };
    if (o.hardSignal.aborted)
      return notRun(rollbackStoppedReason(String(o.hardSignal.reason ?? 'signal'), routes), 'error');
    return notRun(rollbackFailedReason((err as Error).message.split('\n')[0]!, routes), 'error');
  }
}

/** A rollback that did not run or finish, reported: it says why (and where the routes stand). */
async function endRollback(o: RollbackRun, result: StepResult): Promise<StepResult> {
  await o.emit({ type: 'step-end', result });
  return result;
}
