import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, logGamma } from './chi-square.js';

describe('chiSquareSurvival', () => {
  it.each([
    // Critical values from the standard tables, and the closed form for 2 degrees of freedom.
    [3.841459, 1, 0.05],
    [6.634897, 1, 0.01],
    [18.475307, 7, 0.01],
    [14.06714, 7, 0.05],
    [124.342113, 100, 0.05],
    [2 * Math.log(20), 2, 0.05],
    [40, 2, Math.exp(-20)],
  ])('P(χ² ≥ %f | df %i) = %f', (x, df, p) => {
    expect(chiSquareSurvival(x, df) / p).toBeCloseTo(1, 5);
  });

  it('is 1 at 0 and refuses no degrees of freedom', () => {
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(() => chiSquareSurvival(1, 0)).toThrow(/degrees of freedom/);
  });

  it('logGamma matches ln((n−1)!) and ln Γ(1/2) = ln √π', () => {
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });
});
