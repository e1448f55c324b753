/**
 * A whole run: environment up, setup applied, then each step in order; on a failed step the
 * plan's rollback, verified like a step. An interrupt stops traffic, rolls back where the plan
 * says how, and still ends with results (the partial report).
 */
import { planErrorBound } from '../verify/plan-error.js';
import { warnApplyNotes } from './apply-notes.js';
import { join } from 'node:path';
import type { Plan, Step } from '../plan/types.js';
import { phaseResult, type RunEvent } from '../model/events.js';
import type { Outcome, PhaseResult, RunResults, StepResult } from '../model/results.js';
import type { LoadedObject } from '../kube/manifest.js';
import type { Target, UpEvent } from '../targets/target.js';
import type { Classifier } from '../bookinfo/classification.js';
import { IngressClient } from '../traffic/client.js';
import { Sampler } from '../traffic/sampler.js';
import { EnvironmentError, ExitCode, exitCodeOf, formatLocation, wrap, InterruptedError } from '../core/errors.js';
import type { RunContext } from './context.js';
import { executeStep } from './execute-step.js';
import { wasDisturbed } from './finish-step.js';
import { INGRESS_READY_PACE, waitForHttpReady } from '../targets/readiness.js';
import { DIAGNOSTICS_MS } from '../targets/diagnostics.js';
import { withDeadline } from '../core/wait.js';
import { settle } from './settle.js';
import { stepIntent } from './step-intent.js';
import { VerifiedSplits } from './verified-splits.js';
import { WrittenConfig } from './written-config.js';
import { notRunStep } from './not-run.js';
import { allowNamespacesMessage, notRunReason, runMessage } from '../report/messages.js';
import { EnvironmentFailure, environmentDuringStep } from './environment.js';
import { runRollback } from './rollback.js';
import { routesLeft } from './routes-left.js';

export interface RunOptions {
  plan: Plan;
  target: Target;
  classifier: Classifier;
  /** Manifests that make the base environment on targets that deploy it (Bookinfo, gateway). */
  base: LoadedObject[];
  emit: (e: RunEvent) => Promise<void>;
  reportDir: string;
  seed: number;
  /** Aborted on the first SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Aborted on the second: stops a rollback in progress too. */
  hardSignal: AbortSignal;
  readyTimeoutMs?: number;
}

export async function runPlan(o: RunOptions): Promise<RunResults> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const settings = {
    alpha: o.plan.defaults.alpha,
    tolerance: o.plan.defaults.tolerance,
    ...(o.plan.defaults.relativeTolerance !== undefined && { relativeTolerance: o.plan.defaults.relativeTolerance }),
    maxRequests: o.plan.defaults.maxRequests,
  };
  await o.emit({
    type: 'run-start',
    plan: o.plan.name,
    planFile: o.plan.file,
    target: o.target.name,
    targetDescription: o.target.describe(),
    startedAt,
    reportDir: o.reportDir,
    seed: o.seed,
    settings,
    ...fenceFields(o.plan),
  });
  for (const n of o.plan.notes ?? [])
    await o.emit({ type: 'log', level: 'warn', message: `${n.file}${n.line ? `:${n.line}` : ''}: ${n.message}` });
  await warnBeyondFence(o);
  const steps: StepResult[] = [];
  let rollback: StepResult | null = null;
  let failure: { message: string; exitCode: number } | null = null;
  let client: IngressClient | null = null;
  // One sampler for the whole run, rollback included, so request numbers are unique in the run.
  let sampler: Sampler | null = null;
  // What the target said it did not act on, the splits verified, each step's routes and what the run wrote: shared by
  // the run and its rollback.
  const shared: Shared = {
    noted: new Set(),
    verifiedSplits: new VerifiedSplits(),
    intendedRoutes: new Map(),
    written: new WrittenConfig(),
  };
  const phases: PhaseResult[] = [];
  // The step in progress when something threw: it ran, so it is reported as stopped, not as never run.
  let running = -1;
  // What the target said was wrong with its environment when a step ended on an environment error.
  let environment: string | null = null;
  // Whether another writer changed the config of the step the run ended on: then no rollback, which would overwrite it.
  let disturbed = false;
  try {
    await o.target.up({
      namespace: o.plan.namespace,
      base: o.base,
      signal: o.signal,
      emit: (e) => void o.emit(record(e, phases)),
    });
    const url = await o.target.ingressUrl();
    const d = o.plan.defaults;
    client = new IngressClient({
      baseUrl: url,
      connections: Math.max(d.concurrency, ...o.plan.steps.flatMap((s) => s.expect.map((e) => e.concurrency))),
      timeoutMs: d.requestTimeoutMs,
    });
    sampler = new Sampler(client, o.classifier, t0, (record) => void o.emit({ type: 'request', record }));
    const ctx = makeContext(o, sampler, o.signal, shared);
    // Refusals and 5xx are expected for a while after `up`: wait with backoff and a deadline.
    await waitForHttpReady(url, {
      paths: ['/productpage'],
      ...INGRESS_READY_PACE,
      timeoutMs: o.readyTimeoutMs ?? 120_000,
      signal: o.signal,
    });
    await applySetup(ctx);
    if (o.plan.ingressGateway) await throughGatewayApi(o, client);
    for (const [i, step] of o.plan.steps.entries()) {
      running = i;
      const r = await executeStep(ctx, step, i, 'step').catch((err: unknown) => {
        // The environment broke during the step: its result is reported; the run ends on it (exit 3).
        if (!(err instanceof EnvironmentFailure) || !err.result) throw err;
        steps.push(err.result);
        throw new EnvironmentFailure(err.problem, undefined, { cause: err });
      });
      steps.push(r);
      if (o.signal.aborted) throw new InterruptedError(String(o.signal.reason ?? 'signal'));
      if (r.outcome !== 'passed') {
        // Another writer changed the step's config (written-config.ts): the environment's doing.
        disturbed = wasDisturbed(r);
        failure = { message: r.message, exitCode: disturbed ? ExitCode.environment : ExitCode.failed };
        break;
      }
    }
  } catch (err) {
    failure = o.signal.aborted
      ? { message: `interrupted: ${String(o.signal.reason ?? 'signal')}`, exitCode: ExitCode.interrupted }
      : { message: withHint(err), exitCode: exitCodeOf(err) };
    environment = await environmentDuringStep(o.target, o.signal, err, failure, o.plan.steps[running]?.name);
  }
  if (failure) await skipTheRest(o, steps, failure, running);
  // The environment may break during a step (exit 3): the rollback is then tried if it still stands, and either way
  // the results say what became of it and where the routes were left. A step another writer disturbed is exit 3 too,
  // but its rollback would overwrite that writer's config: it is not tried.
  const brokeDuringStep = failure?.exitCode === ExitCode.environment && running >= 0 && !disturbed;
  const mayRollBack =
    failure &&
    (failure.exitCode === ExitCode.failed || failure.exitCode === ExitCode.interrupted || brokeDuringStep) &&
    o.plan.rollback &&
    sampler;
  if (mayRollBack) {
    const ctx = makeContext(o, sampler!, o.hardSignal, shared);
    const routes = routesLeft(steps, shared.intendedRoutes);
    const ended = await runRollback({ ...o, ctx }, failure!.message, routes, { environment });
    rollback = ended.result;
    if (ended.environment) failure!.exitCode = ExitCode.environment;
  }
  const diagnostics = failure && failure.exitCode !== ExitCode.interrupted ? await collectDiagnostics(o) : null;
  await client?.close();
  const outcome: Outcome = failure ? (failure.exitCode === ExitCode.failed ? 'failed' : 'error') : 'passed';
  const results: RunResults = {
    schemaVersion: 1,
    plan: o.plan.name,
    planFile: o.plan.file,
    description: o.plan.description,
    target: o.target.name,
    targetDescription: o.target.describe(),
    outcome,
    message: runMessage(failure?.message ?? null, steps.length, rollback),
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    seed: o.seed,
    settings,
    planError: planErrorBound(o.plan),
    interrupted: failure?.exitCode === ExitCode.interrupted,
    phases,
    steps,
    rollback,
    exitCode: failure?.exitCode ?? ExitCode.ok,
    rollbackReason: mayRollBack ? failure!.message : undefined,
    diagnostics: diagnostics ?? undefined,
    notes: shared.noted.size ? [...shared.noted] : undefined,
    ...fenceFields(o.plan),
  };
  await o.emit({ type: 'run-end', results });
  return results;
}

/** The plan's allowNamespaces and what they let through, for run-start and the results; none without them. */
function fenceFields(plan: Plan): Pick<RunResults, 'allowNamespaces' | 'beyondFence'> {
  if (!plan.fence) return {};
  const { allowNamespaces, beyond } = plan.fence;
  return { allowNamespaces, beyondFence: beyond.length ? beyond : undefined };
}

/**
 * Where allowNamespaces lets the plan write beyond its namespace, and any access to a node: said before anything
 * runs.
 */
async function warnBeyondFence(o: RunOptions): Promise<void> {
  const fence = o.plan.fence;
  if (!fence) return;
  const message = allowNamespacesMessage(o.plan.namespace, fence.allowNamespaces, fence.beyond);
  await o.emit({ type: 'log', level: 'warn', message });
  for (const w of fence.warnings)
    await o.emit({ type: 'log', level: 'warn', message: `${formatLocation(w)}: ${w.message}` });
}

/** Keeps each ended phase of `up` for the results, and passes the event on. */
function record(e: UpEvent, phases: PhaseResult[]): UpEvent {
  if (e.type === 'phase-end') phases.push(phaseResult(e));
  return e;
}

/**
 * The plan's setup is applied once and settled like a step, so that a first step which applies
 * nothing is still verified against the routes the setup put in place.
 */
async function applySetup(ctx: RunContext): Promise<void> {
  const objects = ctx.plan.setup.flatMap((m) => m.objects);
  if (!objects.length) return;
  const outcomes = await ctx.target
    .apply(objects, { signal: ctx.signal })
    .catch((err) => Promise.reject(wrap('failed to apply the plan setup', err)));
  await ctx.written.record(ctx.target, objects, ctx.plan.namespace);
  await warnApplyNotes(ctx, outcomes);
  const step: Step = {
    name: 'setup',
    at: { file: ctx.plan.file },
    apply: ctx.plan.setup,
    objects,
    expect: [],
    gates: {},
    settings: ctx.plan.defaults,
  };
  await settle(ctx, step, stepIntent(ctx.plan, step), performance.now());
}

/**
 * A plan whose setup applies a Gateway API Gateway sends its traffic through the gateway Istio
 * deploys for it, not the Istio ingress gateway (see the README).
 */
async function throughGatewayApi(o: RunOptions, client: IngressClient): Promise<void> {
  const gw = o.plan.ingressGateway!;
  if (!o.target.gatewayUrl)
    throw new EnvironmentError(
      `the ${o.target.name} target cannot reach the gateway of Gateway API Gateway ${gw.namespace}/${gw.name}`,
    );
  const url = await o.target.gatewayUrl(gw, o.signal);
  await client.retarget(url);
  await o.emit({
    type: 'log',
    level: 'info',
    message: `traffic goes through Gateway ${gw.namespace}/${gw.name} (Gateway API) at ${url}`,
  });
  // A plan about services of its own only: its Gateway need not serve Bookinfo, only answer (its routes come later).
  const ownOnly = [...o.plan.steps, ...(o.plan.rollback ? [o.plan.rollback] : [])].every((s) =>
    s.expect.every((e) => e.versions !== undefined),
  );
  await waitForHttpReady(url, {
    paths: ownOnly ? ['/'] : ['/productpage'],
    ...(ownOnly && { ready: () => true }),
    ...INGRESS_READY_PACE,
    timeoutMs: o.readyTimeoutMs ?? 120_000,
    signal: o.signal,
  });
}

/** What the run and its rollback share: notes said once, splits verified, each step's routes, what the run wrote. */
interface Shared {
  noted: Set<string>;
  verifiedSplits: VerifiedSplits;
  intendedRoutes: Map<string, string[]>;
  written: WrittenConfig;
}

function makeContext(o: RunOptions, sampler: Sampler, signal: AbortSignal, shared: Shared): RunContext {
  return {
    plan: o.plan,
    target: o.target,
    sampler,
    emit: o.emit,
    signal,
    settlePollMs: o.target.traits.settlePollMs,
    ...shared,
  };
}

/** Every planned step that did not run is reported as skipped, with the reason. */
async function skipTheRest(
  o: RunOptions,
  steps: StepResult[],
  failure: { message: string; exitCode: number },
  running: number,
): Promise<void> {
  const last = steps[steps.length - 1];
  const reason = notRunReason(failure, o.signal.aborted, last && last.outcome !== 'passed' ? last.name : undefined);
  for (const [i, step] of o.plan.steps.entries()) {
    if (i < steps.length) continue;
    const stopped = i === running && !o.signal.aborted;
    const r = stopped
      ? notRunStep(step, 'step', failure.message.split('\n')[0]!, 'error')
      : notRunStep(step, 'step', reason);
    steps.push(r);
    await o.emit({ type: 'step-end', result: r });
  }
}

/**
 * The error's message and, where the error says what to do about it, that too: a run's report is all a CI user sees.
 */
export function withHint(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  const hint = err instanceof EnvironmentError ? err.hint : undefined;
  return hint ? `${message} — hint: ${hint}` : message;
}

/**
 * The target's diagnostics bundle, within a deadline: its parts have their own (targets/diagnostics.ts), and this
 * one bounds whatever a target does around them, so the run always gets to its results.
 */
async function collectDiagnostics(o: RunOptions): Promise<RunResults['diagnostics'] | null> {
  const dir = join(o.reportDir, 'diagnostics');
  const files = await withDeadline(o.target.diagnostics(dir), DIAGNOSTICS_MS + 30_000, 'the diagnostics bundle').catch(
    async (err: Error) => {
      await o.emit({ type: 'log', level: 'warn', message: `diagnostics not collected: ${err.message}` });
      return [];
    },
  );
  if (!files.length) return null;
  await o.emit({ type: 'diagnostics', dir, files });
  return { dir, files };
}
