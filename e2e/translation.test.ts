/** Istio translation the shipped plans do not exercise, run as a user runs a plan: delegate VirtualServices. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { meshproof, results, root } from './cli.js';

describe('a plan with a delegate VirtualService on the local target', () => {
  it('settles on the merged routes the proxies hold and verifies them, no disagreement between layers', async () => {
    const run = await meshproof([
      'run',
      join(root, 'e2e', 'plans', 'delegate.yaml'),
      '--target',
      'local',
      '--seed',
      '5',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = await results(run);
    const step = r.steps[0]!;
    expect(step.outcome).toBe('passed');
    expect(step.layers!.proxies.summary.reviews).toBe('reviews: [end-user=jason] v2 100%; v1 100%');
    expect(step.layers!.intended.summary.reviews).toBe(step.layers!.proxies.summary.reviews);
    expect(step.layers!.disagreements).toEqual([]);
  });
});
