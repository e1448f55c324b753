/**
 * One step: apply → settle → decide each expectation → gates → the four layers. What the run wrote
 * is read back before and after verifying: a step whose config another writer changed is not
 * passed (outcome `error`, written-config.ts). Returns the step's result; throws only when
 * interrupted or when the environment breaks mid-step (an EnvironmentFailure with the step's
 * result, once reported, when the target says so: finish-step.ts).
 */
import { stringify } from 'yaml';
import type { Expectation, Step } from '../plan/types.js';
import { effectiveTolerance } from '../plan/effective-tolerance.js';
import type { ExpectationResult, GateResult, StepResult } from '../model/results.js';
import { RecordTable } from '../traffic/record-table.js';
import { SamplingStoppedError } from '../traffic/sampler.js';
import { StepFigures } from '../verify/gates.js';
import { objectRef } from '../kube/manifest.js';
import { wrap } from '../core/errors.js';
import type { RunContext } from './context.js';
import { SettleTimeoutError, settle, type SettleResult } from './settle.js';
import { verifyExpectation } from './verify-expectation.js';
import { buildLayers } from './layers.js';
import {
  disturbedStepMessage,
  environmentStepMessage,
  interruptedStepMessage,
  notReachedExpectationReason,
  stepMessage,
  stoppedStepMessage,
  unsettledStepMessage,
  type DisturbedAt,
} from '../report/messages.js';
import type { ConfigChange } from '../model/config-change.js';
import { warnApplyNotes } from './apply-notes.js';
import { routingApisOf } from './effective-objects.js';
import { stepIntent } from './step-intent.js';
import { routeSummaries } from './routes-left.js';
import { interruptedExpectation, notRunExpectation } from './not-run.js';
import { EnvironmentFailure, watchingEnvironment } from './environment.js';
import { finish, type StepDraft } from './finish-step.js';

export async function executeStep(
  ctx: RunContext,
  step: Step,
  index: number,
  kind: 'step' | 'rollback',
): Promise<StepResult> {
  const startedAt = new Date();
  const begin = performance.now();
  await ctx.emit({ type: 'step-start', step: step.name, index, kind, total: ctx.plan.steps.length });
  const applied = await applyStep(ctx, step);
  const appliedAt = performance.now();
  const intent = stepIntent(ctx.plan, step);
  if (kind === 'step') ctx.intendedRoutes.set(step.name, routeSummaries(intent.routes));

  const base = {
    name: step.name,
    kind,
    startedAt: startedAt.toISOString(),
    applied,
    gates: [] as GateResult[],
    expectations: [] as ExpectationResult[],
    routingApis: routingApisOf(step),
  };
  let settled: SettleResult;
  // From now on this step's routes may serve, whether or not they are ever seen to (settle-test.ts).
  ctx.verifiedSplits.applied(step.expect);
  try {
    settled = await watchingEnvironment(ctx, (watched) => settle(watched, step, intent, appliedAt));
  } catch (err) {
    // This step's routes may or may not serve now: the splits verified before it no longer say what does.
    ctx.verifiedSplits.forgetAll();
    if (ctx.signal.aborted) throw err;
    if (err instanceof EnvironmentFailure) {
      const message = environmentStepMessage(step.name, err.problem);
      return finish(
        ctx,
        {
          ...base,
          outcome: 'error',
          message,
          expectations: step.expect.map((e) => notRunExpectation(e, message, 'error')),
          propagationMs: null,
          settledBy: null,
          records: new RecordTable(),
          figures: new StepFigures([]),
          settleRecords: 0,
          layers: null,
        },
        begin,
        { environment: err.problem },
      );
    }
    const stopped = err instanceof SamplingStoppedError;
    // Config another writer changed may be why the proxies never held this step's.
    const changed = stopped ? [] : await ctx.written.changes(ctx.target);
    const message = stopped
      ? stoppedStepMessage(step.name, err.message)
      : changed.length
        ? disturbedStepMessage(step.name, 'settling', changed)
        : unsettledStepMessage(step.name, (err as Error).message);
    // A timed-out settle by traffic sent requests: they count for the step (requests.ndjson has them too).
    const sent = err instanceof SettleTimeoutError || stopped ? err.records : new RecordTable();
    return finish(
      ctx,
      {
        ...base,
        outcome: stopped || changed.length ? 'error' : 'failed',
        ...(stopped ? { expectations: step.expect.map((e) => notRunExpectation(e, message, 'error')) } : {}),
        message,
        propagationMs: null,
        settledBy: null,
        records: sent,
        figures: new StepFigures([]),
        settleRecords: sent.length,
        layers: null,
      },
      begin,
      { disturbed: changed.length > 0 },
    );
  }

  const records = new RecordTable();
  records.append(settled.settleRecords);
  const changedBefore = await ctx.written.changes(ctx.target);
  if (changedBefore.length) {
    ctx.verifiedSplits.forgetAll();
    return disturbed(ctx, base, settled, records, begin, 'before-verifying', changedBefore);
  }
  for (const [i, exp] of step.expect.entries()) {
    let verified;
    try {
      verified = await verifyExpectation(ctx, step, i, exp);
    } catch (err) {
      if (!(err instanceof SamplingStoppedError)) throw err;
      records.append(err.records);
      return stoppedStep(ctx, { ...base, records, settled, begin }, step, i, err);
    }
    const result = withTolerance(
      ctx,
      step,
      exp,
      ctx.signal.aborted ? interruptedExpectation(verified.result, ctx.signal) : verified.result,
    );
    records.append(verified.records);
    base.expectations.push(result);
    ctx.verifiedSplits.remember(exp, result.outcome);
    await ctx.emit({ type: 'verdict', step: step.name, expectation: i, result });
  }
  const changedWhile = ctx.signal.aborted ? [] : await ctx.written.changes(ctx.target);
  if (changedWhile.length) {
    ctx.verifiedSplits.forgetAll();
    return disturbed(ctx, base, settled, records, begin, 'verifying', changedWhile);
  }
  const figures = new StepFigures(records);
  // Gates are judged on a whole step's traffic: an interrupted step's gates are not judged at all.
  base.gates = figures.gates(step.gates).map((g) => (ctx.signal.aborted ? { ...g, outcome: 'skipped' as const } : g));
  for (const gate of base.gates) await ctx.emit({ type: 'gate', step: step.name, gate });
  const layers = await buildLayers(ctx, step, intent, settled, base.expectations);
  const failedExp = base.expectations.filter((e) => e.outcome !== 'passed');
  const failedGates = base.gates.filter((g) => g.outcome !== 'passed');
  const interrupted = ctx.signal.aborted;
  const outcome = interrupted
    ? 'error'
    : failedExp.some((e) => e.outcome === 'failed') || failedGates.length
      ? 'failed'
      : failedExp.length
        ? 'inconclusive'
        : 'passed';
  const message = interrupted
    ? interruptedStepMessage(
        step.name,
        String(ctx.signal.reason ?? 'a signal'),
        records.length - settled.settleRecords.length,
      )
    : stepMessage(step.name, outcome, base.expectations, base.gates);
  return finish(
    ctx,
    {
      ...base,
      outcome,
      message,
      propagationMs: settled.propagationMs,
      settledBy: settled.by,
      records,
      figures,
      settleRecords: settled.settleRecords.length,
      layers,
    },
    begin,
  );
}

/**
 * A step whose config another writer changed: its expectations are kept as evidence, its gates
 * are not judged, and it is not passed (outcome `error`: the environment, not the config, decided).
 */
async function disturbed(
  ctx: RunContext,
  base: Pick<StepDraft, 'name' | 'kind' | 'startedAt' | 'applied' | 'gates' | 'expectations' | 'routingApis'>,
  settled: SettleResult,
  records: RecordTable,
  begin: number,
  at: DisturbedAt,
  changes: ConfigChange[],
): Promise<StepResult> {
  return finish(
    ctx,
    {
      ...base,
      gates: [],
      outcome: 'error',
      message: disturbedStepMessage(base.name, at, changes),
      propagationMs: settled.propagationMs,
      settledBy: settled.by,
      records,
      figures: new StepFigures(records),
      settleRecords: settled.settleRecords.length,
      layers: null,
    },
    begin,
    { disturbed: true },
  );
}

/**
 * The client refused to send an expectation's requests (a path undici cannot send): the step ends
 * at once with the reason, that expectation as an error and the ones after it not run.
 */
async function stoppedStep(
  ctx: RunContext,
  draft: Omit<
    StepDraft,
    'outcome' | 'message' | 'propagationMs' | 'settledBy' | 'figures' | 'settleRecords' | 'layers'
  > & {
    settled: SettleResult;
    begin: number;
  },
  step: Step,
  index: number,
  err: SamplingStoppedError,
): Promise<StepResult> {
  const { settled, begin, ...base } = draft;
  const message = stoppedStepMessage(step.name, err.message);
  const rest = step.expect.slice(index + 1).map((e) => notRunExpectation(e, notReachedExpectationReason(step.name)));
  const expectations = [...base.expectations, notRunExpectation(step.expect[index]!, err.message, 'error'), ...rest];
  for (const [i, result] of expectations.entries())
    if (i >= base.expectations.length) await ctx.emit({ type: 'verdict', step: step.name, expectation: i, result });
  return finish(
    ctx,
    {
      ...base,
      expectations,
      outcome: 'error',
      message,
      propagationMs: settled.propagationMs,
      settledBy: settled.by,
      figures: new StepFigures(base.records),
      settleRecords: settled.settleRecords.length,
      layers: null,
    },
    begin,
  );
}

async function applyStep(ctx: RunContext, step: Step): Promise<StepResult['applied']> {
  if (!step.objects.length) return [];
  let outcomes;
  try {
    outcomes = await ctx.target.apply(step.objects, { signal: ctx.signal });
  } catch (err) {
    throw wrap(`failed to apply step ${step.name}`, err);
  }
  await ctx.written.record(ctx.target, step.objects, ctx.plan.namespace);
  await warnApplyNotes(ctx, outcomes);
  const objects = step.objects.map((o, i) => ({
    ref: objectRef(o.object, ctx.plan.namespace),
    file: o.source.file,
    yaml: stringify(o.object),
    action: outcomes[i]?.action ?? 'configured',
  }));
  await ctx.emit({ type: 'applied', step: step.name, objects });
  return objects.map(({ ref, file, action }) => ({ ref, file, action }));
}

/**
 * The tolerance an expectation was decided with, on its result where it is not the run's (a step's
 * own, or a relativeTolerance): the reports draw its band and the message states it.
 */
function withTolerance(ctx: RunContext, step: Step, exp: Expectation, result: ExpectationResult): ExpectationResult {
  const tolerance = effectiveTolerance(step.settings, exp);
  return tolerance === ctx.plan.defaults.tolerance ? result : { ...result, tolerance };
}
