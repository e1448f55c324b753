/**
 * The end of a step, whatever ended it: its result built from the draft executeStep made, held
 * against the environment when it did not pass, and reported (step-end).
 */
import type { ExpectationResult, GateResult, StepResult } from '../model/results.js';
import { isDegraded, isError } from '../model/record.js';
import type { RecordTable } from '../traffic/record-table.js';
import type { StepFigures } from '../verify/gates.js';
import { environmentStepMessage, withUpstreamErrors } from '../report/messages.js';
import type { RunContext } from './context.js';
import { EnvironmentFailure, environmentProblem } from './environment.js';
import { versionShares } from './version-shares.js';

/** A step's result before it is reported. */
export interface StepDraft {
  name: string;
  kind: 'step' | 'rollback';
  startedAt: string;
  outcome: StepResult['outcome'];
  message: string;
  propagationMs: number | null;
  settledBy: StepResult['settledBy'];
  applied: StepResult['applied'];
  expectations: ExpectationResult[];
  gates: GateResult[];
  records: RecordTable;
  /** Gates and latency, read from `records` once. */
  figures: StepFigures;
  settleRecords: number;
  layers: StepResult['layers'];
  routingApis: NonNullable<StepResult['routingApis']>;
}

/** What decided a step besides its verdicts. */
export interface StepEnd {
  /** What the target said broke during the step: it is reported as stopped by that. */
  environment?: string;
  /**
   * Another writer changed the step's config (written-config.ts): the environment decided it, and
   * the read-back already said how, so the target's health is not asked (see wasDisturbed).
   */
  disturbed?: boolean;
}

/**
 * Reports the step. One that did not pass, and that no other writer disturbed, is first held
 * against the environment (environment.ts): when the target says its control plane broke, the step
 * is stopped by that, reported so, and an EnvironmentFailure carrying its result is thrown for the
 * run to end on (exit 3).
 */
export async function finish(ctx: RunContext, draft: StepDraft, begin: number, end: StepEnd = {}): Promise<StepResult> {
  let p = draft;
  const ask = p.outcome !== 'passed' && !ctx.signal.aborted && !end.disturbed;
  const problem = end.environment ?? (ask ? await environmentProblem(ctx.target) : null);
  if (problem && end.environment === undefined)
    p = { ...p, outcome: 'error', message: environmentStepMessage(p.name, problem, p.message) };
  let errors = 0;
  const byKind: Record<string, number> = {};
  const byPod: Record<string, number> = {};
  for (const r of p.records) {
    if (!isError(r)) continue;
    errors++;
    const k = r.status === null ? (r.error ?? 'transport') : `HTTP ${r.status}`;
    byKind[k] = (byKind[k] ?? 0) + 1;
    if (r.pod) byPod[r.pod] = (byPod[r.pod] ?? 0) + 1;
  }
  const upstreamErrors = await upstreamErrorsOf(ctx, p);
  const message =
    p.outcome !== 'passed' && upstreamErrors && Object.keys(upstreamErrors).length
      ? withUpstreamErrors(p.message, upstreamErrors)
      : p.message;
  const result: StepResult = {
    name: p.name,
    kind: p.kind,
    outcome: p.outcome,
    message,
    startedAt: p.startedAt,
    durationMs: Math.round(performance.now() - begin),
    propagationMs: p.propagationMs,
    settledBy: p.settledBy,
    requests: p.records.length,
    settleRequests: p.settleRecords,
    applied: p.applied,
    expectations: p.expectations,
    gates: p.gates,
    latencyMs: p.figures.latency(),
    latencyByVersion: p.figures.latencyByVersion(),
    errors: { total: errors, byKind, byPod, upstreamErrors },
    layers: p.layers,
    routingApis: p.routingApis.length ? p.routingApis : undefined,
  };
  const byVersion = versionShares(p.records);
  if (Object.keys(byVersion).length) result.byVersion = byVersion;
  if (end.disturbed) disturbedSteps.add(result);
  await ctx.emit({ type: 'step-end', result });
  if (problem) throw new EnvironmentFailure(problem, result);
  return result;
}

/**
 * Steps whose config another writer changed: the environment decided them, not the config, so the
 * run ends with exit 3 and no rollback (it would overwrite that writer's config). Kept beside the
 * results rather than in them: results.json says it in words.
 */
const disturbedSteps = new WeakSet<StepResult>();

/** Whether another writer's change to its config decided this step. */
export function wasDisturbed(step: StepResult): boolean {
  return disturbedSteps.has(step);
}

/**
 * A client never learns which pod behind a route failed; where the target can read the proxies'
 * access logs, a step that saw errors or degraded pages asks them. Never fails the step.
 */
async function upstreamErrorsOf(ctx: RunContext, p: StepDraft): Promise<Record<string, number> | undefined> {
  if (!ctx.target.upstreamErrors || !someOf(p.records, (r) => isError(r) || isDegraded(r))) return undefined;
  try {
    return (await ctx.target.upstreamErrors(ctx.plan.namespace, Date.parse(p.startedAt))) ?? undefined;
  } catch (err) {
    await ctx.emit({
      type: 'log',
      level: 'warn',
      message: `could not read upstream errors from proxy access logs: ${(err as Error).message}`,
    });
    return undefined;
  }
}

function someOf<T>(items: Iterable<T>, test: (x: T) => boolean): boolean {
  for (const x of items) if (test(x)) return true;
  return false;
}
