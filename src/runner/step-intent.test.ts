import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeTarget, fakeClassifier } from '../targets/testing/fake-target.js';
import { effectiveVirtualServices } from './effective-objects.js';
import { runPlan } from './run-plan.js';
import { expectation, plan, reviewsRoute, step } from './testing/plans.js';

// The real function, counted.
vi.mock('./effective-objects.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./effective-objects.js')>();
  return { ...real, effectiveVirtualServices: vi.fn(real.effectiveVirtualServices) };
});

let target: FakeTarget;
afterEach(() => target.close());

describe('a step’s intent', () => {
  it('is worked out once per step: setup, each step and the rollback, for settling and the layers alike', async () => {
    const routes = reviewsRoute({ v1: 100 });
    const p = plan(
      [
        step('baseline', [], [expectation({ v1: 100 })]),
        step('shift', [reviewsRoute({ v3: 100 })], [expectation({ v1: 100 })]),
      ],
      step('rollback', [routes], [expectation({ v1: 100 })]),
    );
    p.setup = [{ path: 'setup.yaml', declared: 'setup.yaml', at: { file: 'plan.yaml' }, objects: [routes] }];
    target = new FakeTarget();
    const never = new AbortController().signal;
    const results = await runPlan({
      plan: p,
      target,
      classifier: fakeClassifier,
      base: [],
      emit: async () => {},
      reportDir: await mkdtemp(join(tmpdir(), 'meshproof-intent-')),
      seed: 1,
      signal: never,
      hardSignal: never,
      readyTimeoutMs: 2_000,
    });
    // Each step settled by its proxies and has its layers: every use of the routes was made.
    expect([...results.steps, results.rollback!].map((s) => [s.name, s.settledBy, s.layers?.intended.summary])).toEqual(
      [
        ['baseline', 'none', {}],
        ['shift', 'proxies', { reviews: 'reviews: v3 100%' }],
        ['rollback', 'proxies', { reviews: 'reviews: v1 100%' }],
      ],
    );
    expect(vi.mocked(effectiveVirtualServices).mock.calls.map(([s]) => s.name)).toEqual([
      'setup',
      'baseline',
      'shift',
      'rollback',
    ]);
  });
});
