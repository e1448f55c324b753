import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadPlan } from '../plan/load.js';
import { paths } from '../core/paths.js';
import { unreachableVerdicts } from './reachable-verdicts.js';

describe('unreachableVerdicts', () => {
  it('finds nothing in the shipped canary at its own settings', async () => {
    expect(unreachableVerdicts(await loadPlan(join(paths.plans, 'canary.yaml')))).toEqual([]);
  });

  it('names every expectation a one-request budget cannot decide, with the count a pass needs', async () => {
    const issues = unreachableVerdicts(await loadPlan(join(paths.plans, 'tutorial.yaml'), { maxRequests: 1 }));
    expect(issues.map((i) => [i.line, i.field])).toEqual([
      [13, 'steps[0].expect[0]'],
      [18, 'steps[1].expect[0]'],
    ]);
    expect(issues[0]!.message).toContain('a pass needs 49 answers that match, more than maxRequests 1');
  });

  it('asks the verifier: a budget exactly at what a pass needs is enough', async () => {
    expect(unreachableVerdicts(await loadPlan(join(paths.plans, 'tutorial.yaml'), { maxRequests: 49 }))).toEqual([]);
    expect(unreachableVerdicts(await loadPlan(join(paths.plans, 'tutorial.yaml'), { maxRequests: 43 }))).toHaveLength(
      2,
    );
  });
});
