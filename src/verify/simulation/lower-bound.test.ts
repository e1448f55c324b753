import { describe, expect, it } from 'vitest';
import { dualValue, meanRequestsLowerBound } from './lower-bound.js';
import { simulate } from './simulate.js';

const opts = { alpha: 0.01, tolerance: 0.1 };

describe('lower bound on the requests any valid test needs', () => {
  it('sits between Wald’s one-edge bound and what the sequential check achieves', () => {
    const bound = meanRequestsLowerBound(0.5, { ...opts, horizon: 1200 });
    // Wald's bound for refuting one edge alone: E[N] ≥ [(1−a)·ln((1−a)/a) + a·ln(a/(1−a))] / KL(0.5 ‖ 0.6).
    const kl = 0.5 * Math.log(0.5 / 0.6) + 0.5 * Math.log(0.5 / 0.4);
    const wald = (0.99 * Math.log(0.99 / 0.01) + 0.01 * Math.log(0.01 / 0.99)) / kl;
    const achieved = simulate({
      expected: { v1: 50, v3: 50 },
      truth: { v1: 50, v3: 50 },
      opts: { ...opts, maxRequests: 3000 },
      runs: 2000,
      seed: 'lower-bound',
    });
    console.log(
      `50/50: Wald one-edge ${wald.toFixed(1)} ≤ bound ${bound.toFixed(1)} ≤ sequential check ` +
        `${achieved.meanN.toFixed(1)}`,
    );
    expect(bound).toBeGreaterThan(wald);
    expect(bound).toBeLessThan(achieved.meanN);
    // The goal of 300 in BENCHMARKS.md is out of reach for any test with both guarantees.
    expect(bound).toBeGreaterThan(300);
  });

  it('is weak duality: any multipliers give a bound no higher than the best', () => {
    const best = meanRequestsLowerBound(0.8, { ...opts, horizon: 800 });
    for (const x of [
      [5, 5, 5],
      [8, 7, 6],
      [10, 10, 3],
    ])
      expect(dualValue(0.8, x, { ...opts, horizon: 800 })).toBeLessThanOrEqual(best + 1e-9);
    expect(best).toBeGreaterThan(195);
  });
});
