/**
 * The seed tutorial, walked on MESHPROOF_TARGET: deploy Bookinfo, route all traffic to v1, switch
 * reviews to v3, and see the page change — each step checked with real requests.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { meshproof, results, root, target } from './cli.js';

/** The reviews versions actually seen (counts above zero). */
function seen(observed: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(observed).filter(([, v]) => v > 0));
}

describe(`tutorial on the ${target} target`, () => {
  it('passes both steps, each settled from the data plane and verified with at least 44 requests', async () => {
    const run = await meshproof(['tutorial', '--target', target, '--seed', '7']);
    expect(run.code, run.stderr).toBe(0);
    const r = await results(run);
    expect(r.outcome).toBe('passed');
    expect(r.target).toBe(target);
    expect(r.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['all-v1', 'passed'],
      ['reviews-v3', 'passed'],
    ]);
    for (const step of r.steps) {
      expect(step.propagationMs).toBeGreaterThan(0);
      const verification = step.expectations.reduce((n, e) => n + e.requests, 0);
      expect(verification).toBeGreaterThanOrEqual(44);
    }
    expect(seen(r.steps[0]!.expectations[0]!.observed)).toEqual({ v1: r.steps[0]!.expectations[0]!.requests });
    expect(seen(r.steps[1]!.expectations[0]!.observed)).toEqual({ v3: r.steps[1]!.expectations[0]!.requests });
    expect(Object.keys(r.steps[1]!.expectations[0]!.pods).every((p) => p.startsWith('reviews-v3-'))).toBe(true);
  });

  it('fails a step that expects v2 where v3 is routed, naming the step, versions and pods', async () => {
    const run = await meshproof([
      'run',
      join(root, 'e2e/plans/tutorial-expects-v2.yaml'),
      '--target',
      target,
      '--seed',
      '8',
    ]);
    expect(run.code, run.stderr).toBe(1);
    const r = await results(run);
    const step = r.steps.find((s) => s.name === 'reviews-v3')!;
    expect(step.outcome).toBe('failed');
    expect(step.message).toContain('reviews-v3');
    expect(step.message).toMatch(/v2/);
    expect(step.message).toMatch(/v3/);
    expect(step.message).toMatch(/reviews-v3-[a-z0-9]+-[a-z0-9]+/);
    expect(run.stderr).toMatch(/reviews-v3/);
  });

  it('fails at the second v3 response after settling when v1 is expected (two strays: not misreads)', async () => {
    const run = await meshproof([
      'run',
      join(root, 'e2e/plans/v3-expecting-v1.yaml'),
      '--target',
      target,
      '--seed',
      '9',
    ]);
    expect(run.code, run.stderr).toBe(1);
    const r = await results(run);
    const step = r.steps.find((s) => s.name === 'v3-but-expect-v1')!;
    expect(step.outcome).toBe('failed');
    const e = step.expectations[0]!;
    // Two observations, both v3: one could be a misread page, two in a row can't (verify/strays.ts).
    expect(e.requests).toBe(2);
    expect(seen(e.observed)).toEqual({ v3: 2 });
  });
});
