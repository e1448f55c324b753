/**
 * How often a correct split ends undecided at its budget (undecided-rate.ts): the figures lint refuses with, the
 * least budgets it names, and the bound used for three or more outcomes checked against the real check.
 */
import { describe, expect, it } from 'vitest';
import { hash32, seededRandom } from '../core/random.js';
import { rateUpperBound } from './binomial.js';
import { createCheck } from './check.js';
import { exactBinaryRates } from './exact-rates.js';
import { leastBudget, undecidedAboveAlpha, undecidedBound } from './undecided-rate.js';
import type { CheckOptions } from './types.js';

const alpha = 0.01;
const at = (maxRequests: number, extra: Partial<CheckOptions> = {}): CheckOptions => ({
  alpha,
  tolerance: 0.1,
  maxRequests,
  ...extra,
});

/** Undecided runs of the real check fed a correct split, seeded. */
function simulatedUndecided(expected: Record<string, number>, opts: CheckOptions, runs: number): number {
  const rng = seededRandom(hash32(`undecided:${JSON.stringify([expected, opts])}`));
  const names = Object.keys(expected);
  let undecided = 0;
  for (let r = 0; r < runs; r++) {
    const check = createCheck(expected, opts);
    while (check.verdict() === null) {
      let u = rng.next() * 100;
      let i = 0;
      while (i < names.length - 1 && u >= expected[names[i]!]!) u -= expected[names[i++]!]!;
      check.observe(names[i]!);
    }
    if (check.verdict() === 'inconclusive') undecided++;
  }
  return undecided;
}

describe('the undecided rate of a correct split, two outcomes (exact)', () => {
  // The figures within a point or two: they are the check's own, which may be tuned (the least budgets are checked by
  // what makes them least, not by their value).
  it('50/50 at maxRequests 300: about half the correct runs end inconclusive (49.6 %; 50.2 % do not pass)', () => {
    const r = undecidedAboveAlpha({ v1: 50, v3: 50 }, at(300));
    expect(r).toEqual({ rate: expect.closeTo(0.496, 1), exact: true });
    expect(r!.rate).toBeCloseTo(exactBinaryRates(0.5, 0.5, at(300)).inconclusive, 12);
    expect(1 - exactBinaryRates(0.5, 0.5, at(300)).pass).toBeCloseTo(0.502, 1);
  });

  it('50/50 at 400 (21.8 %) and 80/20 at 200 (44.1 %) are above alpha too', () => {
    expect(undecidedAboveAlpha({ v1: 50, v3: 50 }, at(400))).toEqual({ rate: expect.closeTo(0.218, 1), exact: true });
    expect(undecidedAboveAlpha({ v1: 80, v3: 20 }, at(200))).toEqual({ rate: expect.closeTo(0.441, 1), exact: true });
  });

  it.each([
    [{ v1: 50, v3: 50 }, 0.1],
    [{ v1: 80, v3: 20 }, 0.1],
    [{ v1: 90, v3: 10 }, 0.1],
    [{ v1: 95, v3: 5 }, 0.025],
  ])('the default maxRequests 3000 leaves %j at tolerance %d within alpha', (expected, tolerance) => {
    expect(undecidedAboveAlpha(expected, at(3000, { tolerance }))).toBeNull();
  });

  it('names the least budget, exactly: 767 for 50/50, 520 for 80/20', () => {
    for (const [p, about] of [
      [0.5, 767],
      [0.8, 520],
    ] as const) {
      const least = leastBudget({ a: p * 100, b: 100 - p * 100 }, at(200));
      expect(Math.abs(least - about)).toBeLessThan(about * 0.05);
      expect(exactBinaryRates(p, p, at(least)).inconclusive).toBeLessThanOrEqual(alpha);
      expect(exactBinaryRates(p, p, at(least - 1)).inconclusive).toBeGreaterThan(alpha);
      expect(undecidedAboveAlpha({ a: p * 100, b: 100 - p * 100 }, at(least))).toBeNull();
    }
  });

  it('the bound at the last request is never below the exact rate', () => {
    for (const [p, n] of [
      [0.5, 300],
      [0.5, 600],
      [0.8, 200],
      [0.8, 520],
      [0.9, 350],
    ] as const)
      expect(undecidedBound({ a: p * 100, b: 100 - p * 100 }, at(n))).toBeGreaterThanOrEqual(
        exactBinaryRates(p, p, at(n)).inconclusive,
      );
  });

  it('keeps its answers for the process: the same target, alpha, tolerance and budget is computed once', () => {
    const first = undecidedAboveAlpha({ v1: 80, v3: 20 }, at(250));
    expect(undecidedAboveAlpha({ v3: 20, v1: 80 }, at(250))).toBe(first);
    expect(undecidedAboveAlpha({ v1: 80, v3: 20 }, at(250, { tolerance: 0.09 }))).not.toBe(first);
  });
});

describe('three or more outcomes: a bound from above', () => {
  it('40/30/30 at 600: refused with the bound, and the real check is undecided less often', () => {
    const opts = at(600);
    const r = undecidedAboveAlpha({ v1: 40, v2: 30, v3: 30 }, opts);
    expect(r).toEqual({ rate: expect.closeTo(0.171, 1), exact: false });
    const runs = 4000;
    const seen = simulatedUndecided({ v1: 40, v2: 30, v3: 30 }, opts, runs);
    expect(rateUpperBound(seen, runs)).toBeLessThan(r!.rate);
  });

  it('names a budget that is enough, and the default 3000 is', () => {
    const least = leastBudget({ v1: 40, v2: 30, v3: 30 }, at(600));
    expect(Math.abs(least - 996)).toBeLessThan(50);
    expect(undecidedBound({ v1: 40, v2: 30, v3: 30 }, at(least))).toBeLessThanOrEqual(alpha);
    expect(undecidedBound({ v1: 40, v2: 30, v3: 30 }, at(least - 1))).toBeGreaterThan(alpha);
    expect(undecidedAboveAlpha({ v1: 40, v2: 30, v3: 30 }, at(3000))).toBeNull();
    expect(undecidedAboveAlpha({ v1: 25, v2: 25, v3: 25, unavailable: 25 }, at(3000))).toBeNull();
  });
});

describe('a fixed number of requests: one decision at N', () => {
  it('50/50 with requests 300 is undecided 26.3 % of the time, exactly (as the fixed check itself shows)', () => {
    const opts = at(3000, { fixedRequests: 300 });
    const r = undecidedAboveAlpha({ v1: 50, v3: 50 }, opts);
    expect(r).toEqual({ rate: expect.closeTo(0.263, 1), exact: true });
    const runs = 4000;
    const seen = simulatedUndecided({ v1: 50, v3: 50 }, opts, runs);
    expect(Math.abs(seen / runs - r!.rate)).toBeLessThan(0.03);
  });

  it('names a size that does, and leaves the shipped fixed sizes alone', () => {
    const least = leastBudget({ v1: 50, v3: 50 }, at(3000, { fixedRequests: 300 }));
    expect(Math.abs(least - 542)).toBeLessThan(30);
    expect(undecidedBound({ v1: 50, v3: 50 }, at(3000, { fixedRequests: least }))).toBeLessThanOrEqual(alpha);
    for (const n of [6000, 50_000])
      expect(undecidedAboveAlpha({ v1: 50, v3: 50 }, at(3000, { fixedRequests: n }))).toBeNull();
  });
});

it('asks only about weighted targets: an exact one is never undecided on a correct split', () => {
  expect(() => undecidedAboveAlpha({ v1: 100 }, at(3000))).toThrow(/exact target/);
});
