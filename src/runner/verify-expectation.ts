/**
 * Decides one expectation, once (README, "How a step is decided"): a fresh check after settling, fed with every
 * response in send order (the sampler's in-order buffer says why) until it reaches a verdict or
 * the budget runs out. No retries. Errors are not answers about routing: they count for maxErrorRate
 * only. An answer whose version can't be read (unclassified, or a degraded page that hides it) is
 * fed as unknown: it counts against every test (verify/strays.ts), and degraded pages also count for
 * maxDegradedRate.
 */
import { expectedSplit, type Expectation, type Step } from '../plan/types.js';
import { effectiveTolerance } from '../plan/effective-tolerance.js';
import type { ConnectionClustering, ExpectationResult } from '../model/results.js';
import { isError, isUnclassified, versionOf } from '../model/record.js';
import type { RecordTable } from '../traffic/record-table.js';
import type { SampleSpec } from '../traffic/sampler.js';
import { describeVersionFrom } from '../model/version-from.js';
import { createCheck, createRatingsCheck, combine } from '../verify/check.js';
import type { Check } from '../verify/types.js';
import type { RunContext } from './context.js';
import { connectionClusteringMessage, expectationMessage } from '../report/messages.js';
import { checkMessage } from '../report/check-messages.js';
import { CLUSTERING_ALPHA_SHARE, ConnectionTable } from '../verify/connection-clustering.js';
import { hash32 } from '../core/random.js';

/** Errors tolerated before giving up on a verdict whose error gate is already lost. */
const MIN_ERRORS_BEFORE_STOP = 5;

export async function verifyExpectation(
  ctx: RunContext,
  step: Step,
  index: number,
  exp: Expectation,
): Promise<{ result: ExpectationResult; records: RecordTable }> {
  const s = step.settings;
  const alpha = exp.alpha ?? s.alpha;
  const opts = {
    alpha,
    tolerance: effectiveTolerance(s, exp),
    maxRequests: s.maxRequests,
    fixedRequests: exp.requests || undefined,
    strict: exp.strict,
  };
  const split = expectedSplit(exp);
  const reviews = split ? createCheck(split, opts) : null;
  const ratings = exp.ratings ? createRatingsCheck(exp.ratings, opts) : null;
  const check = combine([reviews, ratings].filter((c): c is Check => c !== null));
  const allowedErrors = (step.gates.maxErrorRate ?? 0) * (exp.requests ?? s.maxRequests);
  const pods: Record<string, number> = {};
  let errors = 0;
  let unclassified = 0;
  let hidden = 0;
  let window: { from: number; to: number } | undefined;
  let lastProgress = 0;
  // The versions counted, by the socket that carried them: do they cluster by connection?
  const byConnection = new ConnectionTable();
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
      window = { from: window?.from ?? r.t, to: r.t };
      const version = versionOf(r, split ?? null);
      if (isUnclassified(r)) unclassified++;
      else if (version === null) hidden++;
      if (r.pod) pods[r.pod] = (pods[r.pod] ?? 0) + 1;
      if (reviews) {
        if (version === null) reviews.observeUnknown();
        else {
          reviews.observe(version);
          byConnection.add(r.conn, version);
        }
      }
      if (ratings) {
        if (r.ratings === null) ratings.observeUnknown();
        else ratings.observe(r.ratings);
      }
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
  // Only a split can cluster; with no socket known (a client that does not number them) there is nothing to test.
  const clustering =
    reviews && byConnection.answers
      ? byConnection.test(alpha * CLUSTERING_ALPHA_SHARE, hash32(`connections:${step.name}:${index}`))
      : undefined;
  return {
    result: toResult(exp, check, reviews, ratings, pods, errors, { unclassified, hidden, window, clustering }),
    records,
  };
}

function toResult(
  exp: Expectation,
  check: Check,
  reviews: Check | null,
  ratings: Check | null,
  pods: Record<string, number>,
  errors: number,
  {
    unclassified,
    hidden,
    window,
    clustering,
  }: {
    unclassified: number;
    hidden: number;
    window?: ExpectationResult['window'];
    clustering: ConnectionClustering | undefined;
  },
): ExpectationResult {
  const verdict = check.verdict();
  // Answers that cluster by connection are not the independent sample the verdict rests on: whatever it said, the
  // expectation fails, saying why (README, "How a step is decided").
  const clustered = clustering?.outcome === 'failed';
  const expected: Record<string, number | string> = {
    ...(expectedSplit(exp) ?? {}),
    ...(exp.ratings ? { ratings: exp.ratings } : {}),
  };
  const outcome = clustered ? 'failed' : (verdict ?? 'inconclusive');
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
    hidden: hidden || undefined,
    ...(window && { window }),
    alpha: exp.alpha,
    pods,
    ...(clustering && { connections: clustering }),
    ...(exp.splitPer === 'connection' && { splitPer: 'connection' as const }),
    message: expectationMessage({
      who: exp,
      explanations: [
        ...[reviews, ratings].filter((c): c is Check => c !== null).map((c) => checkMessage(c.explanation())),
        ...(clustered ? [connectionClusteringMessage(clustering)] : []),
      ],
      outcome,
      stoppedAfterErrors: verdict === null ? errors : 0,
      pods,
      window,
    }),
  };
}

/**
 * What a request for an expectation carries beyond user and path: for a service of the user's, Host,
 * headers and where the version is read; where the mesh splits per connection, a connection of its
 * own (settling by traffic reads answers as independent too).
 */
export function requestOf(
  exp: Pick<Expectation, 'host' | 'headers' | 'versionFrom' | 'splitPer'>,
): Pick<SampleSpec, 'host' | 'headers' | 'versionFrom' | 'freshConnections'> {
  return {
    ...(exp.host !== undefined && { host: exp.host }),
    ...(exp.headers !== undefined && { headers: exp.headers }),
    ...(exp.versionFrom !== undefined && { versionFrom: exp.versionFrom }),
    ...(exp.splitPer === 'connection' && { freshConnections: true }),
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
