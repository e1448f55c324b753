/**
 * Two ways a step ends with exit 3 and what each does about the rollback: a step another writer
 * disturbed runs none (it would overwrite that writer's config), while an environment failure
 * tries it where the environment stands again, and records what became of it either way.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvironmentError, ExitCode } from '../core/errors.js';
import type { LoadedObject } from '../kube/manifest.js';
import type { RunEvent } from '../model/events.js';
import type { Plan } from '../plan/types.js';
import { FakeTarget, fakeClassifier } from '../targets/testing/fake-target.js';
import { runPlan } from './run-plan.js';
import { expectation, plan, reviewsRoute, step } from './testing/plans.js';

const REF = 'VirtualService reviews.default';

/** A fake target with a health answer, and an apply that can be refused as a broken API server would. */
class HealthTarget extends FakeTarget {
  problem: string | null = null;
  refuseApplyOf: string | null = null;
  async health(): Promise<string | null> {
    return this.problem;
  }
  override async apply(objects: LoadedObject[]) {
    if (this.refuseApplyOf && objects.some((o) => o.source.file === this.refuseApplyOf)) {
      this.refuseApplyOf = null;
      throw new EnvironmentError('the API server refused the connection');
    }
    return super.apply(objects);
  }
}

let target: HealthTarget;
afterEach(() => target.close());

async function run(p: Plan, onEvent: (e: RunEvent) => void) {
  const never = new AbortController().signal;
  return runPlan({
    plan: p,
    target,
    classifier: fakeClassifier,
    base: [],
    emit: async (e) => onEvent(e),
    reportDir: await mkdtemp(join(tmpdir(), 'meshproof-env-writer-')),
    seed: 1,
    signal: never,
    hardSignal: never,
    readyTimeoutMs: 2_000,
  });
}

function shiftPlan(): Plan {
  const shift = reviewsRoute({ v1: 75, v3: 25 });
  shift.source = { ...shift.source, file: 'shift.yaml' };
  return plan(
    [
      step('v1', [reviewsRoute({ v1: 100 })], [expectation({ v1: 100 })]),
      step('shift', [shift], [expectation({ v1: 75, v3: 25 })]),
    ],
    step('rollback', [reviewsRoute({ v1: 100 })], [expectation({ v1: 100 })]),
  );
}

describe('exit 3 from another writer or from the environment', () => {
  it('a step another writer disturbed runs no rollback, even when the control plane is unwell too', async () => {
    target = new HealthTarget();
    let verifying = false;
    let changed = false;
    const results = await run(shiftPlan(), (e) => {
      if (e.type === 'settle' && e.step === 'shift' && e.state === 'settled') verifying = true;
      if (e.type === 'request' && verifying && !changed) {
        changed = true;
        target.objects.set(REF, { ...reviewsRoute({ v3: 100 }).object, metadata: target.objects.get(REF)!.metadata });
        target.problem = 'pilot-discovery (pid 42) is not running';
      }
    });
    expect(changed).toBe(true);
    expect(results).toMatchObject({ exitCode: ExitCode.environment, outcome: 'error', rollback: null });
    expect(results.rollbackReason).toBeUndefined();
    expect(results.steps[1]!.message).toMatch(/^step shift: another writer changed its config while it was verified/);
    // The other writer's config stays: a rollback would have put v1 back over it.
    expect(target.objects.get(REF)!.spec).toEqual(reviewsRoute({ v3: 100 }).object.spec);
  });

  it('an environment error, the environment standing again: exit 3, the rollback run and recorded', async () => {
    target = new HealthTarget();
    target.refuseApplyOf = 'shift.yaml';
    const results = await run(shiftPlan(), () => undefined);
    expect(results.exitCode).toBe(ExitCode.environment);
    expect(results.steps.map((s) => `${s.name}: ${s.outcome}`)).toEqual(['v1: passed', 'shift: error']);
    expect(results.rollbackReason).toMatch(/^failed to apply step shift: the API server refused the connection/);
    expect(results.rollback).toMatchObject({ kind: 'rollback', outcome: 'passed' });
    expect(results.message).toMatch(/ — rollback passed/);
  });

  it('the same error, the environment still down: exit 3, the rollback not attempted, the routes said', async () => {
    target = new HealthTarget();
    target.refuseApplyOf = 'shift.yaml';
    const results = await run(shiftPlan(), (e) => {
      if (e.type === 'step-start' && e.step === 'shift') target.problem = 'kube-apiserver (pid 7) is not running';
    });
    expect(results.exitCode).toBe(ExitCode.environment);
    expect(results.message).toMatch(
      /^the environment failed during step shift: kube-apiserver \(pid 7\) is not running \(failed to apply step shift/,
    );
    expect(results.rollback).toMatchObject({
      kind: 'rollback',
      outcome: 'skipped',
      notRun:
        'not attempted: the environment does not stand (kube-apiserver (pid 7) is not running); ' +
        'the routes were left as step v1 applied them (reviews: v1 100%)',
    });
  });
});
