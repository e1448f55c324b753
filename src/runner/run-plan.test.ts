import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvironmentError, ExitCode } from '../core/errors.js';
import type { RunEvent } from '../model/events.js';
import { FakeTarget, fakeClassifier } from '../targets/testing/fake-target.js';
import type { Plan } from '../plan/types.js';
import { runPlan } from './run-plan.js';
import { expectation, plan, reviewsRoute, step } from './testing/plans.js';

let target: FakeTarget;
afterEach(() => target.close());

async function run(
  p: Plan,
  opts: ConstructorParameters<typeof FakeTarget>[0] = {},
  adjust: (t: FakeTarget) => void = () => {},
) {
  target = new FakeTarget(opts);
  adjust(target);
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
  return {
    results,
    events,
    types: events.filter((e) => e.type !== 'request' && e.type !== 'progress').map((e) => e.type),
  };
}

const canary = () =>
  plan(
    [
      step('baseline', [], [expectation({ v1: 100 })]),
      step('shift', [reviewsRoute({ v3: 100 })], [expectation({ v3: 100 })]),
    ],
    step('rollback', [reviewsRoute({ v1: 100 })], [expectation({ v1: 100 })]),
  );

describe('runPlan', () => {
  it('runs every step in order and ends with complete results', async () => {
    const { results, types } = await run(canary());
    expect(results).toMatchObject({
      outcome: 'passed',
      exitCode: ExitCode.ok,
      message: 'all 2 steps passed',
      rollback: null,
      interrupted: false,
      target: 'local',
      seed: 1,
    });
    expect(results.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['baseline', 'passed'],
      ['shift', 'passed'],
    ]);
    expect(types[0]).toBe('run-start');
    expect(types.at(-1)).toBe('run-end');
    expect(types.filter((t) => t === 'step-start')).toHaveLength(2);
    expect(target.calls.slice(0, 2)).toEqual(['up', 'apply']);
  });

  it("lists the plan's allowNamespaces and what they let through, and warns of them before anything runs", async () => {
    const p = canary();
    const beyond = {
      ref: 'ConfigMap coredns.kube-system',
      file: '/m.yaml',
      line: 2,
      allowedBy: 'kube-system',
      crosses: ['in kube-system'],
    };
    p.fence = {
      allowNamespaces: ['kube-system'],
      beyond: [beyond],
      warnings: [{ file: '/m.yaml', line: 9, field: 'spec.template.spec.hostPID', message: 'hostPID, allowed' }],
    };
    const { results, events } = await run(p);
    expect(results).toMatchObject({ allowNamespaces: ['kube-system'], beyondFence: [beyond] });
    expect(events[0]).toMatchObject({ type: 'run-start', allowNamespaces: ['kube-system'], beyondFence: [beyond] });
    expect(events.slice(1, 3)).toEqual([
      {
        type: 'log',
        level: 'warn',
        message:
          'allowNamespaces lets this plan write outside its namespace default: ' +
          'kube-system — ConfigMap coredns.kube-system (in kube-system)',
      },
      { type: 'log', level: 'warn', message: '/m.yaml:9 (spec.template.spec.hostPID): hostPID, allowed' },
    ]);
    expect(target.calls[0]).toBe('up');
    // A plan without allowNamespaces says nothing of it.
    const plain = await run(canary());
    expect(plain.results).not.toHaveProperty('allowNamespaces');
    expect(plain.results).not.toHaveProperty('beyondFence');
  });

  it('rolls back after a failed step, verifies the rollback and stops there', async () => {
    const p = canary();
    p.steps[1]!.expect = [expectation({ v1: 100 })]; // the routes send everything to v3: this step fails
    const { results, types } = await run(p, { diagnostics: ['events.txt'] });
    expect(results.outcome).toBe('failed');
    expect(results.exitCode).toBe(ExitCode.failed);
    expect(results.steps.map((s) => s.outcome)).toEqual(['passed', 'failed']);
    expect(results.rollback).toMatchObject({ name: 'rollback', kind: 'rollback', outcome: 'passed' });
    expect(results.message).toMatch(/ — rollback passed$/);
    expect(types).toContain('rollback');
    // Complete results: why the rollback ran and where the diagnostics went, without reporters filling them in.
    expect(results.rollbackReason).toBe(results.steps[1]!.message);
    expect(results.diagnostics).toEqual({ dir: expect.stringMatching(/diagnostics$/), files: ['events.txt'] });
  });

  it('lists the steps after a failed one as not run, with the reason, and emits them', async () => {
    const p = canary();
    p.steps[1]!.expect = [expectation({ v1: 100 })];
    p.steps.push(step('promote', [reviewsRoute({ v3: 100 })], [expectation({ v3: 100 })]));
    const { results, events } = await run(p);
    expect(results.steps.map((s) => [s.name, s.outcome, s.notRun])).toEqual([
      ['baseline', 'passed', undefined],
      ['shift', 'failed', undefined],
      ['promote', 'skipped', 'step shift failed before it'],
    ]);
    expect(results.steps[2]!.expectations).toEqual([
      expect.objectContaining({ outcome: 'skipped', expected: { v3: 100 }, requests: 0 }),
    ]);
    const ends = events
      .filter((e) => e.type === 'step-end')
      .map((e) => (e as { result: { name: string } }).result.name);
    expect(ends).toEqual(['baseline', 'shift', 'promote', 'rollback']);
  });

  // Where proxies can't be read, settling by traffic tells the new split from the one last verified
  // (src/verify/settle-test.ts): v1 100 % after v3 100 % takes a run of 10 answers, after an unknown split 66.
  it('gives the rollback the splits the run verified, for settling it by traffic', async () => {
    const p = canary();
    // anonymous passes, jason fails
    p.steps[1]!.expect = [expectation({ v3: 100 }), expectation({ v1: 100 }, { user: 'jason' })];
    const { results } = await run(p, { readableProxies: false });
    expect(results.steps.map((s) => [s.name, s.outcome, s.expectations.map((e) => e.outcome)])).toEqual([
      ['baseline', 'passed', ['passed']],
      ['shift', 'failed', ['passed', 'failed']],
    ]);
    expect(results.rollback).toMatchObject({ outcome: 'passed', settledBy: 'traffic', settleRequests: 10 });
  });

  it('forgets them after a step whose routes never settled: what served before is unknown then', async () => {
    const p = canary();
    p.steps[1]!.expect = [expectation({ v2: 100 })]; // the routes send everything to v3: settling waits for v2 in vain
    const { results } = await run(p, { readableProxies: false });
    expect(results.steps[1]).toMatchObject({ outcome: 'failed', settledBy: null });
    // Baseline's v1 100 % would make the rollback's v1 100 % settled at once, while v3 may still serve.
    expect(results.rollback).toMatchObject({ outcome: 'passed', settledBy: 'traffic', settleRequests: 123 });
  });

  it('a step the environment breaks mid-way is reported as stopped, the later ones as not run', async () => {
    const p = canary();
    p.steps.push(step('promote', [reviewsRoute({ v3: 100 })], [expectation({ v3: 100 })]));
    const { results } = await run(p, {}, (t) => {
      const apply = t.apply.bind(t);
      let calls = 0;
      t.apply = async (...args) => {
        if (++calls === 1) throw new EnvironmentError('the API server went away');
        return apply(...args);
      };
    });
    expect(results.exitCode).toBe(ExitCode.environment);
    expect(results.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['baseline', 'passed'],
      ['shift', 'error'],
      ['promote', 'skipped'],
    ]);
    expect(results.steps[1]!.notRun).toMatch(/^failed to apply step shift: the API server went away/);
    expect(results.steps[2]!.notRun).toMatch(/^the run stopped before this step: failed to apply step shift/);
  });

  it('an environment that does not come up ends the run with exit 3, every step not run and no rollback', async () => {
    const plan = canary();
    const { results } = await run(plan, { phases: ['create the cluster', 'install Istio'], failUpAt: 'install Istio' });
    expect(results).toMatchObject({ outcome: 'error', exitCode: ExitCode.environment, rollback: null });
    // Every planned step is still in the results, as skipped with the reason.
    expect(results.steps.map((s) => [s.name, s.outcome, s.notRun])).toEqual(
      plan.steps.map((s) => [s.name, 'skipped', 'the run stopped before this step: fake target: install Istio failed']),
    );
    expect(results.message).toBe('fake target: install Istio failed');
  });
});
