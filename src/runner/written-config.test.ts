import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../core/errors.js';
import type { RunEvent } from '../model/events.js';
import { FakeTarget, fakeClassifier } from '../targets/testing/fake-target.js';
import type { Plan } from '../plan/types.js';
import { runPlan } from './run-plan.js';
import { expectation, plan, reviewsRoute, step } from './testing/plans.js';

const REF = 'VirtualService reviews.default';
let target: FakeTarget;
afterEach(() => target.close());

/** Runs `p`; `writer` sees each event and may change what the fake cluster holds, as another writer would. */
async function run(p: Plan, writer: (e: RunEvent, t: FakeTarget) => void, opts = {}) {
  target = new FakeTarget(opts);
  const never = new AbortController().signal;
  return runPlan({
    plan: p,
    target,
    classifier: fakeClassifier,
    base: [],
    emit: async (e) => writer(e, target),
    reportDir: await mkdtemp(join(tmpdir(), 'meshproof-written-')),
    seed: 1,
    signal: never,
    hardSignal: never,
    readyTimeoutMs: 2_000,
  });
}

/** What `kubectl apply` of another reviews route does to the stored object. */
function overwriteReviews(t: FakeTarget, weights: Record<string, number>): void {
  const other = reviewsRoute(weights).object;
  t.objects.set(REF, { ...other, metadata: { ...t.objects.get(REF)!.metadata } });
}

const canary = () =>
  plan(
    [
      step('baseline', [], [expectation({ v1: 100 })]),
      step('canary', [reviewsRoute({ v3: 100 })], [expectation({ v3: 100 })]),
      step('back', [reviewsRoute({ v1: 100 })], [expectation({ v1: 100 })]),
    ],
    step('rollback', [reviewsRoute({ v1: 100 })], [expectation({ v1: 100 })]),
  );

describe('a step whose config another writer changed', () => {
  it(
    'changed while it is verified: not passed (error, exit 3), the object named, no rollback, the rest not ' + 'run',
    async () => {
      let verifying = false;
      let changed = false;
      const results = await run(canary(), (e, t) => {
        if (e.type === 'settle' && e.step === 'canary' && e.state === 'settled') verifying = true;
        if (e.type === 'request' && verifying && !changed) {
          changed = true;
          overwriteReviews(t, { v1: 100 });
        }
      });
      expect(changed).toBe(true);
      expect(results.steps.map((s) => `${s.name}: ${s.outcome}`)).toEqual([
        'baseline: passed',
        'canary: error',
        'back: skipped',
      ]);
      const canaryStep = results.steps[1]!;
      expect(canaryStep.message).toBe(
        `step canary: another writer changed its config while it was verified: ${REF} changed — traffic did not see ` +
          `only this step's config, so the step is not passed; the rollback is not run, which would overwrite that ` +
          `writer's config`,
      );
      // What traffic showed is kept as evidence; the gates are not judged.
      expect(canaryStep.expectations).toHaveLength(1);
      expect(canaryStep.gates).toEqual([]);
      expect(results).toMatchObject({ outcome: 'error', exitCode: ExitCode.environment, rollback: null });
      expect(results.message).toMatch(/^step canary: another writer changed its config/);
    },
  );

  it('changed between settling and verifying: not verified at all', async () => {
    const results = await run(canary(), (e, t) => {
      if (e.type === 'settle' && e.step === 'canary' && e.state === 'settled') overwriteReviews(t, { v1: 100 });
    });
    const canaryStep = results.steps[1]!;
    expect(canaryStep.outcome).toBe('error');
    expect(canaryStep.message).toMatch(/^step canary: another writer changed its config before it was verified: /);
    expect(canaryStep.expectations).toEqual([]);
    expect(results.exitCode).toBe(ExitCode.environment);
  });

  it('deleted while the step settled: the deletion is the reason, not "did not settle"', async () => {
    const results = await run(
      plan([step('canary', [reviewsRoute({ v1: 50, v3: 50 })], [expectation({ v1: 50, v3: 50 })])]),
      (e, t) => {
        if (e.type === 'applied' && e.step === 'canary') t.objects.delete(REF);
      },
      { deliverAfterReads: Infinity },
    );
    expect(results.steps[0]!.outcome).toBe('error');
    expect(results.steps[0]!.message).toMatch(
      new RegExp(`^step canary: another writer changed its config while it settled: ${REF} deleted — `),
    );
  });

  it('a controller writing status or annotations is no change: the step passes', async () => {
    const results = await run(canary(), (e, t) => {
      if (e.type === 'settle' && e.step === 'canary' && e.state === 'settled') {
        const held = t.objects.get(REF)!;
        t.objects.set(REF, {
          ...held,
          metadata: { ...held.metadata, annotations: { 'controller/seen': 'yes' } },
          status: { conditions: [{ type: 'Reconciled', status: 'True' }] },
        });
      }
    });
    expect(results.outcome, results.message).toBe('passed');
  });
});
