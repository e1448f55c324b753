import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Expectation, type Step } from '../plan/types.js';
import { planErrorBound } from './plan-error.js';
import { describePlanError } from '../report/format.js';

const at = { file: 'p.yaml' };
const exp = (reviews: Record<string, number>, alpha?: number): Expectation => ({
  user: 'anonymous',
  path: '/productpage',
  reviews,
  concurrency: 8,
  at,
  alpha,
});
const step = (name: string, expect: Expectation[], alpha = 0.01): Step => ({
  name,
  at,
  apply: [],
  objects: [],
  expect,
  gates: {},
  settings: { ...DEFAULT_SETTINGS, alpha },
});

describe('planErrorBound', () => {
  it('sums weighted expectations’ alphas (exact ones never fail a correct split), largest for false pass', () => {
    const b = planErrorBound({
      steps: [
        step('v1', [exp({ v1: 100 })]),
        ...Array.from({ length: 10 }, (_, i) => step(`w${i}`, [exp({ v1: 80, v3: 20 })])),
      ],
    });
    expect(b).toMatchObject({ method: 'bonferroni', weightedExpectations: 10, falsePass: 0.01 });
    // Each weighted expectation's connection check spends a tenth of its alpha on top.
    expect(b.falseFail).toBeCloseTo(0.11, 12);
    expect(b.falseFailIfIndependent).toBeCloseTo(1 - 0.989 ** 10, 12);
    expect(describePlanError(b)).toBe(
      'a correct plan fails with probability ≤ 11 % (Bonferroni: ' +
        'the sum of alpha over 10 weighted expectations, a tenth more for each connection check; ' +
        '10.5 % if independent); ' +
        'a plan with an expectation off by the tolerance passes with probability ≤ 1 %',
    );
  });

  it('uses each expectation’s own share of planAlpha, and says 0 where nothing is weighted', () => {
    const b = planErrorBound({
      planAlpha: 0.01,
      steps: [
        step('a', [exp({ v1: 50, v3: 50 }, 0.01 / 2.2), exp({ v1: 50, v3: 50 }, 0.01 / 2.2)]),
        step('b', [exp({ v3: 100 })]),
      ],
    });
    expect(b).toMatchObject({ weightedExpectations: 2, planAlpha: 0.01 });
    expect(b.falseFail).toBeCloseTo(0.01, 12);
    expect(describePlanError(planErrorBound({ steps: [step('a', [exp({ v3: 100 })])] }))).toMatch(
      /^a correct plan fails with probability 0 \(no weighted expectation/,
    );
  });
});
