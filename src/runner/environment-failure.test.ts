import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../model/events.js';
import type { LoadedObject } from '../kube/manifest.js';
import { FakeTarget, fakeClassifier, type FakeTargetOptions } from '../targets/testing/fake-target.js';
import { runPlan } from './run-plan.js';
import { SETTINGS, expectation, plan, reviewsRoute, step } from './testing/plans.js';
import type { Plan } from '../plan/types.js';

/** A fake target whose control plane can break: `health()` then says so. */
class BreakingTarget extends FakeTarget {
  problem: string | null = null;
  healthChecks = 0;
  failApplyWhenBroken = false;
  constructor(opts: FakeTargetOptions = {}) {
    super(opts);
  }
  async health(): Promise<string | null> {
    this.healthChecks++;
    return this.problem;
  }
  override async apply(objects: LoadedObject[]) {
    if (this.failApplyWhenBroken && this.problem) throw new Error(`fake API: ${this.problem}`);
    return super.apply(objects);
  }
}

let target: BreakingTarget;
afterEach(() => target?.close());

/** v1 verified, then a 75/25 shift that never reaches the proxy (settleTimeout 60 s), then a rollback to v1. */
function shiftPlan(): Plan {
  const slow = { ...SETTINGS, settleTimeoutMs: 60_000 };
  return plan(
    [
      step('v1', [reviewsRoute({ v1: 100 })], [expectation({ v1: 100 })]),
      step('shift', [reviewsRoute({ v1: 75, v3: 25 })], [expectation({ v1: 75, v3: 25 })], { settings: slow }),
      step('after', [], [expectation({ v1: 75, v3: 25 })]),
    ],
    step('rollback', [reviewsRoute({ v1: 100 })], [expectation({ v1: 100 })]),
  );
}

async function run(p: Plan, t: BreakingTarget, onEvent: (e: RunEvent) => void = () => undefined) {
  const never = new AbortController().signal;
  const started = performance.now();
  const results = await runPlan({
    plan: p,
    target: t,
    classifier: fakeClassifier,
    base: [],
    emit: async (e) => onEvent(e),
    reportDir: await mkdtemp(join(tmpdir(), 'meshproof-env-')),
    seed: 1,
    signal: never,
    hardSignal: never,
    readyTimeoutMs: 2_000,
  });
  return { results, ms: performance.now() - started };
}

describe('the environment breaking during a step', () => {
  it('while the step settles: exit 3 within seconds, the rollback not attempted, the routes left said', async () => {
    target = new BreakingTarget({ deliverAfterReads: Infinity });
    const { results, ms } = await run(shiftPlan(), target, (e) => {
      // The shift is applied and waits for a proxy that never gets it; then istiod dies.
      if (e.type === 'applied' && e.step === 'shift') target.problem = 'pilot-discovery (pid 42) is not running';
      if (e.type === 'applied' && e.step === 'v1') target.deliver();
    });
    expect(ms).toBeLessThan(20_000); // not the step's 60 s settleTimeout
    expect(results.exitCode).toBe(3);
    expect(results.outcome).toBe('error');
    expect(results.message).toMatch(
      /^the environment failed during step shift: pilot-discovery \(pid 42\) is not running — rollback not run: /,
    );
    const [v1, shift, after] = results.steps;
    expect(v1!.outcome).toBe('passed');
    expect(shift).toMatchObject({
      outcome: 'error',
      message: 'step shift stopped: the environment failed during the step: pilot-discovery (pid 42) is not running',
    });
    expect(shift!.applied.map((a) => a.ref)).toEqual(['VirtualService reviews.default']);
    expect(after).toMatchObject({ outcome: 'skipped' });
    expect(results.rollback).toMatchObject({
      kind: 'rollback',
      outcome: 'skipped',
      notRun:
        'not attempted: the environment does not stand (pilot-discovery (pid 42) is not running); ' +
        'the routes were left as step shift applied them (reviews: v1 75%, v3 25%)',
    });
    expect(results.rollbackReason).toBe(
      'the environment failed during step shift: pilot-discovery (pid 42) is not running',
    );
    expect(target.calls).toContain('diagnostics');
  }, 30_000);

  it('a step that fails its check is held against the environment: broken, it is exit 3, not 1', async () => {
    target = new BreakingTarget();
    const p = plan(
      [step('wrong', [reviewsRoute({ v3: 100 })], [expectation({ v1: 100 })])],
      step('rollback', [reviewsRoute({ v1: 100 })], [expectation({ v1: 100 })]),
    );
    const { results } = await run(p, target, (e) => {
      if (e.type === 'verdict') target.problem = 'kube-apiserver is not ready: [-]etcd failed';
    });
    expect(results.exitCode).toBe(3);
    expect(results.steps[0]).toMatchObject({ outcome: 'error' });
    expect(results.steps[0]!.message).toMatch(
      /^step wrong stopped: the environment failed during the step: kube-apiserver is not ready: \[-\]etcd failed \(/,
    );
    expect(results.rollback!.notRun).toMatch(/^not attempted: the environment does not stand/);
  }, 30_000);

  it('the same failure with the environment standing stays a verdict: exit 1, the rollback run', async () => {
    target = new BreakingTarget();
    const p = plan(
      [step('wrong', [reviewsRoute({ v3: 100 })], [expectation({ v1: 100 })])],
      step('rollback', [reviewsRoute({ v1: 100 })], [expectation({ v1: 100 })]),
    );
    const { results } = await run(p, target);
    expect(results.exitCode).toBe(1);
    expect(results.steps[0]!.outcome).toBe('failed');
    expect(results.rollback).toMatchObject({ outcome: 'passed' });
    expect(target.healthChecks).toBeGreaterThan(0);
  }, 30_000);

  it('a blip (one bad answer, then fine) is not a failure', async () => {
    target = new BreakingTarget();
    let answers = 0;
    target.health = async () => (answers++ === 0 ? 'a blip' : null);
    const p = plan([step('wrong', [reviewsRoute({ v3: 100 })], [expectation({ v1: 100 })])]);
    const { results } = await run(p, target);
    expect(results.exitCode).toBe(1);
  }, 30_000);
});

describe('a rollback that cannot complete', () => {
  it('is a result saying why and where the routes may be left, not a line on stderr', async () => {
    target = new BreakingTarget();
    target.failApplyWhenBroken = true;
    const p = plan(
      [step('wrong', [reviewsRoute({ v1: 75, v3: 25 })], [expectation({ v1: 100 })])],
      step('rollback', [reviewsRoute({ v1: 100 })], [expectation({ v1: 100 })]),
    );
    // The environment stands (health says so), but the API refuses the rollback's apply: a webhook that timed out.
    target.health = async () => null;
    const { results } = await run(p, target, (e) => {
      if (e.type === 'verdict') target.problem = 'webhook timed out';
    });
    expect(results.exitCode).toBe(1);
    expect(results.rollback).toMatchObject({
      kind: 'rollback',
      outcome: 'error',
      notRun:
        'could not complete: failed to apply step rollback: fake API: webhook timed out; ' +
        'the routes may be left as step wrong applied them (reviews: v1 75%, v3 25%), or partly restored',
    });
    expect(results.message).toMatch(/ — rollback not finished: could not complete: /);
  }, 30_000);
});
