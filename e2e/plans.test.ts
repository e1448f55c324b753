/**
 * Every shipped plan walked on MESHPROOF_TARGET: each ends with the exit code and the verdicts it
 * intends (e2e/intended-verdicts.ts), and the results show the four layers of every step.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadPlan } from '../src/plan/load.js';
import { meshproof, results, root, target } from './cli.js';
import { intendedVerdicts, verdictsOf } from './intended-verdicts.js';

const PLANS: [string, number][] = [
  ['request-routing', 0],
  ['traffic-shifting', 0],
  ['fault-injection', 0],
  ['request-timeouts', 0],
  ['canary', 0],
  ['failing-canary', 1],
];

describe(`shipped plans on the ${target} target`, () => {
  it.each(PLANS)('%s exits %i with four layers per step', async (plan, code) => {
    const run = await meshproof(['run', join(root, 'plans', `${plan}.yaml`), '--target', target, '--seed', '11']);
    expect(run.code, run.stderr).toBe(code);
    const r = await results(run);
    expect(r.plan).toBe(plan);
    expect(verdictsOf(r), run.stderr).toEqual(
      intendedVerdicts(`${plan}.yaml`, await loadPlan(join(root, 'plans', `${plan}.yaml`))),
    );
    expect(r.steps.every((s) => (s.routingApis ?? ['istio']).every((x) => x === 'istio'))).toBe(true);
    for (const step of [...r.steps, ...(r.rollback ? [r.rollback] : [])]) {
      if (step.notRun !== undefined) continue; // never ran (after a failure): no layers to show
      expect(step.layers, `${step.name} has layers`).not.toBeNull();
      expect(Object.keys(step.layers!)).toEqual(
        expect.arrayContaining(['intended', 'readBack', 'proxies', 'observed', 'disagreements']),
      );
    }
    if (code === 0) expect(r.steps.every((s) => s.outcome === 'passed')).toBe(true);
  });

  it('failing-canary: the gate fails, the rollback to v1 is verified, exit 1', async () => {
    const run = await meshproof([
      'run',
      join(root, 'plans', 'failing-canary.yaml'),
      '--target',
      target,
      '--seed',
      '12',
    ]);
    expect(run.code, run.stderr).toBe(1);
    const r = await results(run);
    const bad = r.steps.find((s) => s.outcome === 'failed')!;
    expect(bad.gates.some((g) => g.outcome === 'failed')).toBe(true);
    // The ratings rule applies in reviews v3's proxy only: the layers show its view apart.
    const views = Object.entries(bad.layers!.proxies.summary).filter(([k]) => k.startsWith('ratings'));
    expect(views).toHaveLength(2);
    expect(views.find(([k]) => /^ratings via reviews-v3-/.test(k))?.[1]).toMatch(/abort 500 50%/);
    expect(views.find(([k]) => /reviews-v2-/.test(k))?.[1]).not.toMatch(/abort/);
    expect(Object.keys(bad.layers!.intended.summary)).toEqual(Object.keys(bad.layers!.proxies.summary));
    expect(bad.layers!.disagreements).toEqual([]);
    expect(r.rollback?.outcome).toBe('passed');
    const e = r.rollback!.expectations[0]!;
    expect(e.outcome).toBe('passed');
    expect(Object.keys(e.pods).every((p) => p.startsWith('reviews-v1-'))).toBe(true);
  });

  it('says once what the local mesh did not simulate, in console and reports; shows the mirror it did', async () => {
    const run = await meshproof([
      'run',
      join(root, 'e2e', 'plans', 'not-simulated.yaml'),
      '--target',
      'local',
      '--seed',
      '3',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = await results(run);
    expect(r.notes).toHaveLength(1);
    expect(r.notes![0]).toMatch(
      /^DestinationRule reviews\.default: spec\.trafficPolicy\.connectionPool \(http\.maxRetries\) is not simulated/,
    );
    expect(run.stderr.match(/\(http\.maxRetries\) is not simulated/g)).toHaveLength(1);
    expect(await readFile(join(run.reportDir, 'summary.md'), 'utf8')).toContain(
      'not simulated on this target: DestinationRule reviews.default',
    );
    // Mirroring is simulated: the proxies hold it, and the layers show it.
    expect(r.steps[0]!.layers!.proxies.summary.reviews).toBe('reviews: v1 100% (mirror v2 100%)');
  });
});
