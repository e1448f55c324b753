import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../core/errors.js';
import type { RunEvent } from '../report/events.js';
import { FakeTarget, fakeClassifier } from '../targets/testing/fake-target.js';
import type { Plan } from '../plan/types.js';
import { runPlan } from './run-plan.js';
import { expectation, plan, reviewsRoute, step } from './testing/plans.js';

let target: FakeTarget;
afterEach(() => target.close());

async function run(p: Plan, opts: ConstructorParameters<typeof FakeTarget>[0] = {}) {
  target = new FakeTarget(opts);
  const events: RunEvent[] = [];
  const never = new AbortController().signal;
  const results = await runPlan({
    plan: p,
    target,
    classifier: fakeClassifier,
    base: [],
    emit: async (e) => void events.push(e),
    reportDir: await mkdtemp(join(tmpdir(), 'meshproof-run-')),
    seed: 1,
    signal: never,
    hardSignal: never,
    readyTimeoutMs: 2_000,
  });
  return { results, events, types: events.filter((e) => e.type !== 'request' && e.type !== 'progress').map((e) => e.type) };
}

const canary = () =>
  plan([step('baseline', [], [expectation({ v1: 100 })]), step('shift', [reviewsRoute({ v3: 100 })], [expectation({ v3: 100 })])], step('rollback', [reviewsRoute({ v1: 100 })], [expectation({ v1: 100 })]));

describe('runPlan', () => {
  it('runs every step in order and ends with complete results', async () => {
    const { results, types } = await run(canary());
    expect(results).toMatchObject({ outcome: 'passed', exitCode: ExitCode.ok, message: 'all 2 steps passed', rollback: null, interrupted: false, target: 'local', seed: 1 });
    expect(results.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['baseline', 'passed'],
      ['shift', 'passed'],
    ]);
    expect(types[0]).toBe('run-start');
    expect(types.at(-1)).toBe('run-end');
    expect(types.filter((t) => t === 'step-start')).toHaveLength(2);
    expect(target.calls.slice(0, 2)).toEqual(['up', 'apply']);
  });

  it('rolls back after a failed step, verifies the rollback and stops there', async () => {
    const p = canary();
    p.steps[1]!.expect = [expectation({ v1: 100 })]; // the routes send everything to v3: this step fails
    const { results, types } = await run(p);
    expect(results.outcome).toBe('failed');
    expect(results.exitCode).toBe(ExitCode.failed);
    expect(results.steps.map((s) => s.outcome)).toEqual(['passed', 'failed']);
    expect(results.rollback).toMatchObject({ name: 'rollback', kind: 'rollback', outcome: 'passed' });
    expect(results.message).toMatch(/ — rollback passed$/);
    expect(types).toContain('rollback');
    expect(target.calls).toContain('diagnostics');
  });

  it('an environment that does not come up ends the run with exit 3, no steps and no rollback', async () => {
    const { results } = await run(canary(), { phases: ['create the cluster', 'install Istio'], failUpAt: 'install Istio' });
    expect(results).toMatchObject({ outcome: 'error', exitCode: ExitCode.environment, steps: [], rollback: null });
    expect(results.message).toBe('fake target: install Istio failed');
  });
});
