/**
 * The sentences a run's results carry as `message`, disagreements and notes: the runner decides,
 * these words say it, so results.json and every view speak from report/ (format.ts holds the
 * shared pieces: shares, intervals, gate values). A check's explanation is worded by
 * check-messages.ts and passed in.
 */
import type { ConfigChange } from '../model/config-change.js';
import type { BeyondFence, ConnectionClustering, ExpectationResult, GateResult, StepResult } from '../model/results.js';
import { allowNamespacesText, describeWho, formatExpected, formatObserved, gateValue } from './format.js';

/** `reviews-v3-… ×12, reviews-v1-… ×1`: pods with counts, most first, at most `limit` named. */
export function formatPodCounts(counts: Record<string, number>, limit = Infinity): string {
  const list = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = list
    .slice(0, limit)
    .map(([pod, n]) => `${pod} ×${n}`)
    .join(', ');
  return list.length > limit ? `${shown} and ${list.length - limit} more` : shown;
}

/**
 * What decided one expectation: each check's explanation (answers with no readable outcome among them), then why it
 * stopped early and (unless it passed) the pods that served.
 */
export function expectationMessage(a: {
  who: Pick<ExpectationResult, 'user' | 'path' | 'host' | 'headers'>;
  explanations: string[];
  outcome: ExpectationResult['outcome'];
  stoppedAfterErrors: number;
  pods: Record<string, number>;
  /** The answers the verdict rests on (ExpectationResult.window). */
  window?: { from: number; to: number };
}): string {
  const why = a.stoppedAfterErrors
    ? ` (stopped after ${a.stoppedAfterErrors} errors: the error gate can no longer pass)`
    : '';
  // A pass speaks of the average split over its answers, not of each moment (README, "A split that moves").
  const rests =
    a.outcome === 'passed' && a.window
      ? `; the pass rests on the answers sent from ${seconds(a.window.from)} to ${seconds(a.window.to)}: ` +
        'their average split was within the band'
      : '';
  const servedBy =
    a.outcome !== 'passed' && Object.keys(a.pods).length ? `; served by ${formatPodCounts(a.pods, 4)}` : '';
  return `${describeWho(a.who)}: ${a.explanations.join('; ')}${why}${rests}${servedBy}`;
}

/**
 * `answers cluster by connection (X² 301.2, 7 df, p < 0.0001 over 8 connections, alpha 0.01): …`: why
 * an expectation failed whose answers share a version per connection.
 */
export function connectionClusteringMessage(c: ConnectionClustering): string {
  const p = c.pValue < 0.0001 ? 'p < 0.0001' : `p ${Number(c.pValue.toPrecision(2))}`;
  const how = c.method === 'permutation' ? ', by permutation' : '';
  return (
    `answers cluster by connection (X² ${c.statistic.toFixed(1)}, ${c.df} df, ${p}${how} over ` +
    `${c.connections} connections, alpha ${c.alpha}): the mesh seems to split per connection, not per request, ` +
    'so answers on one connection are not independent and the verdict does not hold; ' +
    'set splitPer: connection on this expectation to send each request on a connection of its own'
  );
}

/** An expectation a signal cut short: never sent a request, or stopped before its verdict. */
export function interruptedExpectationMessage(
  r: Pick<ExpectationResult, 'user' | 'path' | 'host' | 'headers' | 'requests'>,
  by: string,
): string {
  return r.requests === 0
    ? `${describeWho(r)}: not run: interrupted by ${by}`
    : `${describeWho(r)}: interrupted by ${by} after ${r.requests} verification requests, before a verdict`;
}

/** `gate maxErrorRate for v3 failed: observed 6% against a limit of 1%` */
export function gateMessage(g: GateResult): string {
  const who = g.version ? ` for ${g.version}` : '';
  return (
    `gate ${g.name}${who} ${g.outcome}: observed ${g.observed === null ? 'nothing' : gateValue(g, g.observed)} ` +
    `against a limit of ${gateValue(g, g.limit)}`
  );
}

/** A step's one line: passed with every expectation's message, or what did not pass. */
export function stepMessage(
  name: string,
  outcome: StepResult['outcome'],
  expectations: ExpectationResult[],
  gates: GateResult[],
): string {
  if (outcome === 'passed') return `step ${name} passed: ${expectations.map((e) => e.message).join('; ')}`;
  const failed = [
    ...expectations.filter((e) => e.outcome !== 'passed').map((e) => e.message),
    ...gates.filter((g) => g.outcome !== 'passed').map(gateMessage),
  ];
  return `step ${name} ${outcome}: ${failed.join('; ')}`;
}

export function unsettledStepMessage(name: string, error: string): string {
  return `step ${name}: new config did not settle: ${error}`;
}

/** One object another writer changed: `VirtualService ratings.default changed (generation 3 → 4)`. */
export function configChangeLine(c: ConfigChange): string {
  const how = c.generations ? `${c.change} (generation ${c.generations[0]} → ${c.generations[1]})` : c.change;
  return `${c.ref} ${c.change === 'created' ? 'created again after this run deleted it' : how}`;
}

/** When, in a step, its config was found changed. */
export type DisturbedAt = 'settling' | 'before-verifying' | 'verifying';

const DISTURBED_AT: Record<DisturbedAt, string> = {
  settling: 'while it settled',
  'before-verifying': 'before it was verified',
  verifying: 'while it was verified',
};

/**
 * A step whose config another writer changed under it (a second run sharing the cluster, kubectl):
 * never passed, since what traffic showed was not only this step's config.
 */
export function disturbedStepMessage(name: string, at: DisturbedAt, changes: ConfigChange[]): string {
  const what = changes.map(configChangeLine).join('; ');
  return (
    `step ${name}: another writer changed its config ${DISTURBED_AT[at]}: ${what} — traffic did not see only ` +
    "this step's config, so the step is not passed; the rollback is not run, which would overwrite that writer's config"
  );
}

/** A step whose requests could not be sent (the client refused them): it ends at once, with no verdict. */
export function stoppedStepMessage(name: string, reason: string): string {
  return `step ${name} stopped: ${reason}`;
}

/** The expectations of a stopped step after the one that stopped it. */
export function notReachedExpectationReason(name: string): string {
  return `not run: step ${name} stopped before this expectation`;
}

export function interruptedStepMessage(name: string, by: string, verificationRequests: number): string {
  return `step ${name} interrupted by ${by} after ${verificationRequests} verification requests: no verdict`;
}

/** The step's message with the pods the proxies' access logs blame for 5xx. */
export function withUpstreamErrors(message: string, upstreamErrors: Record<string, number>): string {
  return `${message}; upstream errors by pod (proxy access logs): ${formatPodCounts(upstreamErrors)}`;
}

/** A step or rollback that never ran (`skipped`) or was stopped before its verdict. */
export function notRunStepMessage(
  kind: StepResult['kind'],
  name: string,
  outcome: StepResult['outcome'],
  reason: string,
): string {
  return (
    `${kind === 'rollback' ? 'rollback' : `step ${name}`} ` +
    `${outcome === 'skipped' ? 'not run' : 'not finished'}: ${reason}`
  );
}

/** Why the steps after a failed step, an interrupt or an error did not run, in a few words. */
export function notRunReason(
  failure: { message: string; exitCode: number },
  interrupted: boolean,
  failedStep: string | undefined,
): string {
  if (interrupted) return 'the run was interrupted before this step';
  if (failedStep && failure.exitCode === 1) return `step ${failedStep} failed before it`;
  const first = failure.message.split('\n')[0]!;
  return `the run stopped before this step: ${first.length > 300 ? `${first.slice(0, 299)}…` : first}`;
}

/**
 * Where the routes stand when no rollback restores them: who applied them last, and what that
 * step's routes say (`reviews: v1 75%, v3 25%`) when it applied any.
 */
export function routesLeftBy(step: string | undefined, routes: string[] = []): string {
  const who = step ? `step ${step} applied them` : 'the setup applied them';
  const shown = routes.slice(0, 4);
  const more = routes.length > shown.length ? `; ${routes.length - shown.length} more` : '';
  return shown.length ? `${who} (${shown.join('; ')}${more})` : who;
}

/** A step during which the environment failed (its control plane died): no verdict stands. */
export function environmentStepMessage(name: string, problem: string, before?: string): string {
  const had = before ? ` (the step had: ${before})` : '';
  return `step ${name} stopped: the environment failed during the step: ${problem}${had}`;
}

/** The run's failure when the environment broke during a step (and the error it ended on, when not the check's own). */
export function environmentFailureMessage(step: string, problem: string, error?: string): string {
  return `the environment failed during step ${step}: ${problem}${error ? ` (${error})` : ''}`;
}

export function rollbackNotAttemptedReason(problem: string, routes: string): string {
  return `not attempted: the environment does not stand (${problem}); the routes were left as ${routes}`;
}

export function rollbackFailedReason(error: string, routes: string): string {
  return `could not complete: ${error}; the routes may be left as ${routes}, or partly restored`;
}

export function rollbackSkippedReason(signal: string, routes: string): string {
  return `skipped by a second ${signal}; the routes were left as ${routes}`;
}

export function rollbackStoppedReason(signal: string, routes: string): string {
  const left = `the routes may be left as ${routes}, or partly restored`;
  return `stopped by a second ${signal} before it was verified; ${left}`;
}

/** Said as a run starts whose plan has allowNamespaces: where it writes beyond its own namespace. */
export function allowNamespacesMessage(
  namespace: string,
  allow: readonly string[],
  beyond: readonly Pick<BeyondFence, 'ref' | 'crosses'>[],
): string {
  const what = allowNamespacesText(allow, beyond);
  return `allowNamespaces lets this plan write outside its namespace ${namespace}: ${what}`;
}

/** The run's one line: the failure with what the rollback did, or that every step passed. */
export function runMessage(failure: string | null, steps: number, rollback: StepResult | null): string {
  if (failure === null) return `all ${steps} steps passed`;
  if (!rollback) return failure;
  const after = rollback.notRun !== undefined ? rollback.message : `rollback ${rollback.outcome}`;
  return `${failure} — ${after}`;
}

/** What traffic showed for one expectation, as the observed layer: `v1 78.1% [71.2–84%] (n=44)`. */
export function trafficSummary(e: Pick<ExpectationResult, 'observed' | 'intervals' | 'requests'>): string {
  return `${formatObserved(e)} (n=${e.requests})`;
}

export function clusterDisagreement(key: string, readBack: string, intended: string): string {
  return `${key}: the cluster holds "${readBack}" but the step applied "${intended}"`;
}

export function proxiesDisagreement(key: string, held: string, readBack: string): string {
  return `${key}: proxies hold "${held}" but the cluster holds "${readBack}"`;
}

export function trafficDisagreement(key: string, observed: string, expected: ExpectationResult['expected']): string {
  return `traffic for ${key} showed ${observed}, expected ${formatExpected(expected)}`;
}

/**
 * `route status read back: reviews.default.svc.cluster.local — Service reviews: Accepted=True, ResolvedRefs=True`,
 * per view.
 */
export function routeStatusNote(status: Record<string, string[]>): string {
  return `route status read back: ${Object.entries(status)
    .map(([k, v]) => `${k} — ${v.join('; ') || 'no status yet'}`)
    .join(' · ')}`;
}

/**
 * Why the cluster's HTTPRoute does not show that the gateway controller took it: absent, a condition not True, or no
 * status.
 */
export function routeAbsent(name: string): string {
  return `HTTPRoute ${name} is absent from the cluster`;
}

export function routeConditionNotTrue(name: string, condition: string): string {
  return `the cluster reports HTTPRoute ${name} ${condition}`;
}

export function routeWithoutStatus(name: string): string {
  return `HTTPRoute ${name} has no status from Istio's gateway controller`;
}

export const SETTLED_FROM_TRAFFIC = 'proxies not readable on this target: settled from traffic';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
