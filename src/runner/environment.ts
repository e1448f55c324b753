/**
 * The environment under a step: a target that can say whether its control plane stands
 * (Target.health) is watched while a step settles and asked again when a step does not pass, so a
 * control plane that dies mid-step (API server, etcd, istiod) ends the run as an environment
 * failure (exit 3) instead of a step that "did not settle" or failed its check.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError, ExitCode } from '../core/errors.js';
import { withDeadline } from '../core/wait.js';
import type { StepResult } from '../model/results.js';
import { environmentFailureMessage } from '../report/messages.js';
import type { Target } from '../targets/target.js';
import type { RunContext } from './context.js';

/** How often settling asks whether the environment stands. */
export const ENVIRONMENT_CHECK_MS = 2_000;
/** Longest wait for one answer: a health check that hangs says as much as one that fails. */
export const ENVIRONMENT_ANSWER_MS = 15_000;
/** A problem is looked at again after this, and counts only if it is still there (a blip is not a failure). */
const CONFIRM_MS = 1_000;

/** The environment failed during a step; `result` is that step's, already reported, when it got that far. */
export class EnvironmentFailure extends EnvironmentError {
  constructor(
    readonly problem: string,
    readonly result?: StepResult,
    options?: { cause?: unknown },
  ) {
    super(result ? result.message : `the environment failed: ${problem}`, options);
  }
}

/** One answer from the target, within ENVIRONMENT_ANSWER_MS; never throws. */
async function ask(target: Target): Promise<string | null> {
  if (!target.health) return null;
  return withDeadline(target.health(), ENVIRONMENT_ANSWER_MS, 'the health check').catch(
    (err: Error) => `the health check failed: ${err.message}`,
  );
}

/**
 * What is wrong with the environment, seen twice CONFIRM_MS apart (in the later words); null when
 * it stands or the target cannot tell.
 */
export async function environmentProblem(target: Target): Promise<string | null> {
  if (!(await ask(target))) return null;
  await sleep(CONFIRM_MS);
  return ask(target);
}

/**
 * Runs `work` (settling) with a signal that also aborts when the environment fails, asking every
 * ENVIRONMENT_CHECK_MS; a problem seen twice in a row aborts `work` and rejects at once with an
 * EnvironmentFailure saying what it was, without waiting for a call `work` has in flight (an API
 * request to a server whose etcd is gone answers only at its own timeout). An interrupt stays an
 * interrupt.
 */
export async function watchingEnvironment<T>(ctx: RunContext, work: (ctx: RunContext) => Promise<T>): Promise<T> {
  if (!ctx.target.health) return work(ctx);
  const broken = new AbortController();
  const done = new AbortController();
  const watched: RunContext = { ...ctx, signal: AbortSignal.any([ctx.signal, broken.signal]) };
  let problem: string | null = null;
  const watch = async () => {
    let seen: string | null = null;
    while (!done.signal.aborted && !ctx.signal.aborted) {
      const slept = await sleep(ENVIRONMENT_CHECK_MS, true, { signal: done.signal }).catch(() => false);
      if (!slept) return;
      const now = await ask(ctx.target);
      if (now && seen && !done.signal.aborted) {
        problem = now;
        broken.abort(new EnvironmentFailure(now));
        return;
      }
      seen = now;
    }
  };
  void watch();
  const failed = new Promise<never>((_, reject) =>
    broken.signal.addEventListener('abort', () => reject(broken.signal.reason as Error), { once: true }),
  );
  const working = work(watched);
  // Once the environment failed, what `work` does later is of no interest.
  working.catch(() => undefined);
  try {
    return await Promise.race([working, failed]);
  } catch (err) {
    if (problem !== null && !ctx.signal.aborted) throw new EnvironmentFailure(problem, undefined, { cause: err });
    throw err;
  } finally {
    done.abort();
  }
}

/**
 * An environment error during step `step` (exit 3): what the target says is wrong with its
 * environment, put at the head of the run's message (`the environment failed during step shift:
 * etcd (pid 7) is not running (failed to apply …)`). null when the target cannot tell or finds
 * nothing wrong, or the run was interrupted.
 */
export async function environmentDuringStep(
  target: Target,
  signal: AbortSignal,
  err: unknown,
  failure: { message: string; exitCode: number },
  step: string | undefined,
): Promise<string | null> {
  if (signal.aborted || failure.exitCode !== ExitCode.environment || step === undefined) return null;
  const problem = err instanceof EnvironmentFailure ? err.problem : await environmentProblem(target);
  if (!problem) return null;
  failure.message = environmentFailureMessage(
    step,
    problem,
    err instanceof EnvironmentFailure ? undefined : failure.message.split('\n')[0],
  );
  return problem;
}
