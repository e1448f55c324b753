/**
 * Decides one expectation, once (README, "How a step is decided"): a fresh check after settling, fed with every
 * response in send order (the sampler's in-order buffer says why) until it reaches a verdict or
 * the budget runs out. No retries. Errors and unclassified answers are not versions: they are
 * counted for their own gates (maxErrorRate, maxUnclassifiedRate) and not fed to the check.
 */
import { expectedSplit, type Expectation, type Step } from '../plan/types.js';
import { effectiveTolerance } from '../plan/effective-tolerance.js';
import type { ExpectationResult } from '../model/results.js';
import { isError, isUnclassified, outcomeOf } from '../model/record.js';
import type { RecordTable } from '../traffic/record-table.js';
import type { SampleSpec } from '../traffic/sampler.js';
import { describeVersionFrom } from '../model/version-from.js';
import { createCheck, createRatingsCheck, combine } from '../verify/check.js';
import type { Check } from '../verify/types.js';
import type { RunContext } from './context.js';
import { expectationMessage } from '../report/messages.js';
import { checkMessage } from '../report/check-messages.js';

/** Errors tolerated before giving up on a verdict whose error gate is already lost. */
const MIN_ERRORS_BEFORE_STOP = 5;

export async function verifyExpectation(
  ctx: RunContext,
  step: Step,
  index: number,
  exp: Expectation,
): Promise<{ result: ExpectationResult; records: RecordTable }> {
  const s = step.settings;
  const opts = {
    alpha: exp.alpha ?? s.alpha,
    tolerance: effectiveTolerance(s, exp),
    maxRequests: s.maxRequests,
    fixedRequests: exp.requests || undefined,
  };
  const split = expectedSplit(exp);
  const reviews = split ? createCheck(split, opts) : null;
  const ratings = exp.ratings ? createRatingsCheck(exp.ratings, opts) : null;
  const check = combine([reviews, ratings].filter((c): c is Check => c !== null));
  const allowedErrors = (step.gates.maxErrorRate ?? 0) * (exp.requests ?? s.maxRequests);
  const pods: Record<string, number> = {};
  let errors = 0;
  let unclassified = 0;
  let lastProgress = 0;
  const records = await ctx.sampler.run({
    step: step.name,
    expectation: index,
    phase: 'verify',
    user: exp.user,
    path: exp.path,
    ...requestOf(exp),
    concurrency: exp.concurrency,
    maxRequests: exp.requests ?? s.maxRequests,
    signal: ctx.signal,
    shouldContinue: () => check.verdict() === null && !(errors > allowedErrors && errors >= MIN_ERRORS_BEFORE_STOP),
    onRecord: (r) => {
      if (check.verdict() !== null) return; // in flight when the verdict came: recorded, not evidence
      if (isError(r)) {
        errors++;
        return;
      }
      if (isUnclassified(r)) {
        unclassified++;
        return;
      }
      if (r.pod) pods[r.pod] = (pods[r.pod] ?? 0) + 1;
      if (reviews) reviews.observe(outcomeOf(r) ?? 'unclassified');
      if (ratings) ratings.observe(r.ratings ?? 'unclassified');
      if (check.n - lastProgress >= 25) {
        lastProgress = check.n;
        void ctx.emit({
          type: 'progress',
          step: step.name,
          expectation: index,
          n: check.n,
          counts: (reviews ?? check).counts(),
          intervals: (reviews ?? check).intervals(),
        });
      }
    },
  });
  return { result: toResult(exp, check, reviews, ratings, pods, errors, unclassified), records };
}

function toResult(
  exp: Expectation,
  check: Check,
  reviews: Check | null,
  ratings: Check | null,
  pods: Record<string, number>,
  errors: number,
  unclassified: number,
): ExpectationResult {
  const verdict = check.verdict();
  const expected: Record<string, number | string> = {
    ...(expectedSplit(exp) ?? {}),
    ...(exp.ratings ? { ratings: exp.ratings } : {}),
  };
  const outcome = verdict ?? 'inconclusive';
  return {
    user: exp.user,
    path: exp.path,
    ...ownServiceFields(exp),
    expected,
    observed: reviews?.counts() ?? {},
    outcome,
    intervals: reviews?.intervals() ?? {},
    ratings: ratings ? { observed: ratings.counts(), intervals: ratings.intervals() } : undefined,
    requests: check.n,
    unclassified: unclassified || undefined,
    alpha: exp.alpha,
    pods,
    message: expectationMessage({
      who: exp,
      explanations: [reviews, ratings].filter((c): c is Check => c !== null).map((c) => checkMessage(c.explanation())),
      outcome,
      stoppedAfterErrors: verdict === null ? errors : 0,
      unclassified,
      pods,
    }),
  };
}

/** What a request for an expectation about a service of the user's carries beyond user and path. */
export function requestOf(
  exp: Pick<Expectation, 'host' | 'headers' | 'versionFrom'>,
): Pick<SampleSpec, 'host' | 'headers' | 'versionFrom'> {
  return {
    ...(exp.host !== undefined && { host: exp.host }),
    ...(exp.headers !== undefined && { headers: exp.headers }),
    ...(exp.versionFrom !== undefined && { versionFrom: exp.versionFrom }),
  };
}

/** What a result says of a request to a service of the user's: Host and headers sent, where the version was read. */
export function ownServiceFields(
  exp: Pick<Expectation, 'host' | 'headers' | 'versionFrom'>,
): Pick<ExpectationResult, 'host' | 'headers' | 'versionFrom'> {
  return {
    ...(exp.host !== undefined && { host: exp.host }),
    ...(exp.headers !== undefined && { headers: exp.headers }),
    ...(exp.versionFrom !== undefined && { versionFrom: describeVersionFrom(exp.versionFrom) }),
  };
}
