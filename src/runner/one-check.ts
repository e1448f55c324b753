/**
 * One check, no plan (`meshproof verify`, `meshproof serve`): the routes are taken as already in place — nothing is
 * applied and nothing settles (README, "Argo Rollouts and Flagger") — and one expectation is decided by the same code
 * a plan's step uses (verifyExpectation), with the same sequential test, settings and refusal of budgets that could
 * only end inconclusive. A CheckSession holds the target, its ingress client and sampler across checks, so a serving
 * process pays for `up` once.
 */
import type { ExpectationResult } from '../model/results.js';
import { DEFAULT_SETTINGS, type Expectation, type Plan, type Settings, type Step } from '../plan/types.js';
import type { LoadedObject } from '../kube/manifest.js';
import type { Target } from '../targets/target.js';
import type { RunEvent } from '../model/events.js';
import { DEFAULT_VERSION_FROM } from '../model/version-from.js';
import { bookinfoClassifier } from '../bookinfo/classifier/index.js';
import { IngressClient } from '../traffic/client.js';
import { MAX_CONCURRENCY } from '../plan/limits.js';
import { Sampler } from '../traffic/sampler.js';
import { INGRESS_READY_PACE, waitForHttpReady } from '../targets/readiness.js';
import { InputError, wrap } from '../core/errors.js';
import { settle } from './settle.js';
import { stepIntent } from './step-intent.js';
import { unreachableInSteps } from './reachable-verdicts.js';
import { verifyExpectation } from './verify-expectation.js';
import { VerifiedSplits } from './verified-splits.js';
import { WrittenConfig } from './written-config.js';
import type { RunContext } from './context.js';

/** The one Bookinfo service whose version the pages show: checked through productpage, as plans check it. */
export const BOOKINFO_REVIEWS = 'reviews';

export interface CheckSpec {
  /** `reviews`: Bookinfo's, read from productpage; else the Host header sent, the version read from x-version. */
  host: string;
  split: Record<string, number>;
  user: string;
  path: string;
  settings: Settings;
}

export interface CheckVerdict {
  outcome: ExpectationResult['outcome'];
  expected: Record<string, number>;
  observed: Record<string, number>;
  /** Each version's confidence interval on its share, as the reports give it. */
  intervals: ExpectationResult['intervals'];
  requests: number;
  alpha: number;
  reason: string;
}

const NAMESPACE = 'default';

export class CheckSession {
  private checks = 0;
  private constructor(
    private readonly target: Target,
    private readonly client: IngressClient,
    private readonly sampler: Sampler,
    private readonly emit: (e: RunEvent) => Promise<void>,
  ) {}

  /** Brings the target up (reusing what runs), then waits for the ingress to serve productpage. */
  static async open(
    target: Target,
    o: { base: LoadedObject[]; signal: AbortSignal; emit?: (e: RunEvent) => Promise<void>; readyTimeoutMs?: number },
  ): Promise<CheckSession> {
    await target.up({ namespace: NAMESPACE, base: o.base, signal: o.signal });
    const url = await target.ingressUrl();
    await waitForHttpReady(url, {
      paths: ['/productpage'],
      ...INGRESS_READY_PACE,
      timeoutMs: o.readyTimeoutMs ?? 120_000,
      signal: o.signal,
    });
    // As many connections as any check's --concurrency may use: the pool opens them only as requests need them.
    const client = new IngressClient({
      baseUrl: url,
      connections: MAX_CONCURRENCY,
      timeoutMs: DEFAULT_SETTINGS.requestTimeoutMs,
    });
    const sampler = new Sampler(client, bookinfoClassifier, performance.now(), () => undefined);
    return new CheckSession(target, client, sampler, o.emit ?? (async () => undefined));
  }

  /** Decides `spec` once with fresh traffic; refuses (InputError) a budget that could only end inconclusive. */
  async check(spec: CheckSpec, signal: AbortSignal): Promise<CheckVerdict> {
    const { step, exp } = oneStep(spec, `verify-${++this.checks}`);
    const unreachable = unreachableInSteps([step]);
    if (unreachable.length) throw new InputError(unreachable);
    const { result } = await verifyExpectation(this.context(step, signal), step, 0, exp);
    return {
      outcome: result.outcome,
      expected: spec.split,
      observed: result.observed,
      intervals: result.intervals,
      requests: result.requests,
      alpha: spec.settings.alpha,
      reason: result.message,
    };
  }

  /**
   * `verify --apply` on the local mesh, whose routes live in this process: applies `objects` and settles them the way
   * a plan's setup is settled, so the check that follows sees them in place.
   */
  async applyAndSettle(objects: LoadedObject[], signal: AbortSignal): Promise<void> {
    await this.target.apply(objects, { signal }).catch((err) => Promise.reject(wrap('failed to apply --apply', err)));
    const settings = DEFAULT_SETTINGS;
    const at = { file: '<command line>', field: '--apply' };
    const step: Step = { name: 'apply', at, apply: [], objects, expect: [], gates: {}, settings };
    const ctx = this.context(step, signal);
    await settle(ctx, step, stepIntent(ctx.plan, step), performance.now());
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** What verifyExpectation reads of a run: the sampler, the signal and the event sink; nothing is applied. */
  private context(step: Step, signal: AbortSignal): RunContext {
    const plan: Plan = {
      name: step.name,
      file: step.at.file,
      namespace: NAMESPACE,
      defaults: step.settings,
      setup: [],
      steps: [step],
      rollback: null,
    };
    return {
      plan,
      target: this.target,
      sampler: this.sampler,
      emit: this.emit,
      signal,
      settlePollMs: this.target.traits.settlePollMs,
      noted: new Set(),
      verifiedSplits: new VerifiedSplits(),
      written: new WrittenConfig(),
      intendedRoutes: new Map(),
    };
  }
}

/** The in-memory step a check is: one expectation, no objects, no gates beyond the defaults. */
export function oneStep(spec: CheckSpec, name: string): { step: Step; exp: Expectation } {
  const at = { file: '<command line>', field: name };
  const reviews = spec.host === BOOKINFO_REVIEWS;
  const exp: Expectation = {
    user: spec.user,
    path: spec.path,
    ...(reviews
      ? { reviews: spec.split }
      : { versions: spec.split, host: spec.host, versionFrom: DEFAULT_VERSION_FROM }),
    concurrency: spec.settings.concurrency,
    at,
  };
  const step: Step = { name, at, apply: [], objects: [], expect: [exp], gates: {}, settings: spec.settings };
  return { step, exp };
}
