/**
 * The verifier's error rates, measured (README, "How a step is decided") at the defaults (alpha 0.01, tolerance 0.10,
 * maxRequests 3000), each held to alpha itself, not alpha plus an allowance:
 * - two-outcome targets by exact computation over every path (exact-rates.ts), which has no
 *   sampling error; the seeded Monte Carlo beside it checks the harness against it;
 * - three outcomes and unlisted versions by seeded Monte Carlo, 4,000 runs a case here: the rate
 *   measured must be ≤ alpha, and its one-sided 95 % Clopper–Pearson upper bound is printed.
 *   `npm run bench` repeats these with 20,000 runs a case, where the upper bound itself is ≤ alpha.
 * Runs are seeded, so the measured numbers are the same on every machine.
 */
import { describe, expect, it } from 'vitest';
import { rateUpperBound } from './binomial.js';
import { exactBinaryRates } from './exact-rates.js';
import { simulate, type SimulationResult } from './simulation/simulate.js';

const alpha = 0.01;
const opts = { alpha, tolerance: 0.1, maxRequests: 3000 };
const RUNS = 4000;

function run(expected: Record<string, number>, truth: Record<string, number>, label: string): SimulationResult {
  const r = simulate({ expected, truth, opts, runs: RUNS, seed: `guarantees:${label}` });
  const bound = (x: number) => pctOf(rateUpperBound(Math.round(x * RUNS), RUNS));
  console.log(
    `${label.padEnd(28)} pass ${pctOf(r.passRate)} (≤ ${bound(r.passRate)})  fail ${pctOf(r.failRate)} ` +
      `(≤ ${bound(r.failRate)})  inconclusive ${pctOf(r.inconclusiveRate)}  ` +
      `requests mean ${r.meanN.toFixed(1)} p95 ${r.p95N} max ${r.maxN}  [${RUNS} runs, 95 % upper bounds]`,
  );
  return r;
}

/**
 * Exact rates where they exist, else null: an exact target in closed form (it passes only after
 * 44 responses all from its version, probability share^44, and never fails a correct split), a
 * two-outcome one by dynamic programming (first listed outcome is A).
 */
function exact(expected: Record<string, number>, truth: Record<string, number>): { pass: number; fail: number } | null {
  const names = Object.keys(expected);
  if (names.length === 1) {
    const q = (truth[names[0]!] ?? 0) / 100;
    return { pass: q ** Math.ceil(Math.log(alpha) / Math.log(1 - opts.tolerance)), fail: q === 1 ? 0 : NaN };
  }
  if (names.length !== 2 || Object.keys(truth).some((k) => !names.includes(k))) return null;
  return exactBinaryRates(expected[names[0]!]! / 100, (truth[names[0]!] ?? 0) / 100, opts);
}

const pctOf = (x: number) => `${(x * 100).toFixed(2)}%`.padStart(7);

describe('a correct split fails at most alpha of the time', () => {
  it.each([
    ['50/50', { v1: 50, v3: 50 }],
    ['80/20', { v1: 80, v3: 20 }],
    ['80/10/10', { v1: 80, v2: 10, v3: 10 }],
    ['90/10', { v1: 90, v3: 10 }],
    ['100/0', { v1: 100 }],
  ])('%s', (label, split) => {
    const r = run(split, split, `${label} correct`);
    expect(r.failRate).toBeLessThanOrEqual(alpha);
    expect(r.inconclusiveRate).toBe(0);
    const e = exact(split, split);
    if (e) expect(e.fail).toBeLessThanOrEqual(alpha);
  });

  it('exact targets never fail when right and pass after exactly 49 clean responses', () => {
    const r = run({ v1: 100 }, { v1: 100 }, '100/0 cost');
    expect(r.failRate).toBe(0);
    expect(r.meanN).toBe(49);
    expect(r.maxN).toBe(49);
  });
});

describe('a split off by the tolerance passes at most alpha of the time', () => {
  it.each([
    ['60/40 vs 50/50', { v1: 50, v3: 50 }, { v1: 60, v3: 40 }],
    ['40/60 vs 50/50', { v1: 50, v3: 50 }, { v1: 40, v3: 60 }],
    ['70/30 vs 80/20', { v1: 80, v3: 20 }, { v1: 70, v3: 30 }],
    ['90/10 vs 80/20', { v1: 80, v3: 20 }, { v1: 90, v3: 10 }],
    ['70/20/10 vs 80/10/10', { v1: 80, v2: 10, v3: 10 }, { v1: 70, v2: 20, v3: 10 }],
    ['90/0/10 vs 80/10/10', { v1: 80, v2: 10, v3: 10 }, { v1: 90, v3: 10 }],
    ['90/10 vs 100/0', { v1: 100 }, { v1: 90, v3: 10 }],
    ['10% unlisted vs 50/50', { v1: 50, v3: 50 }, { v1: 45, v3: 45, v2: 10 }],
  ])('%s', (label, expected, truth) => {
    const r = run(expected, truth, label);
    const e = exact(expected, truth);
    if (e) {
      // Held to alpha exactly; the Monte Carlo only has to agree with it.
      expect(e.pass).toBeLessThanOrEqual(alpha);
      expect(Math.abs(r.passRate - e.pass)).toBeLessThan(4 * Math.sqrt((e.pass * (1 - e.pass)) / RUNS) + 1e-12);
    } else expect(r.passRate).toBeLessThanOrEqual(alpha);
  });
});

describe('cost and power', () => {
  it('stops early when the evidence is clear: 20 points off fails, and fast', () => {
    for (const [label, expected, truth] of [
      ['70/30 vs 50/50', { v1: 50, v3: 50 }, { v1: 70, v3: 30 }],
      ['60/40 vs 80/20', { v1: 80, v3: 20 }, { v1: 60, v3: 40 }],
      ['60/20/20 vs 80/10/10', { v1: 80, v2: 10, v3: 10 }, { v1: 60, v2: 20, v3: 20 }],
    ] as const) {
      const r = run(expected, truth, label);
      expect(r.failRate).toBeGreaterThanOrEqual(1 - alpha);
      expect(r.meanN).toBeLessThan(130);
    }
  });

  it('a split 2 points off the target passes in the large majority of runs', () => {
    for (const [label, expected, truth] of [
      ['52/48 vs 50/50', { v1: 50, v3: 50 }, { v1: 52, v3: 48 }],
      ['78/22 vs 80/20', { v1: 80, v3: 20 }, { v1: 78, v3: 22 }],
      ['82/9/9 vs 80/10/10', { v1: 80, v2: 10, v3: 10 }, { v1: 82, v2: 9, v3: 9 }],
    ] as const) {
      const r = run(expected, truth, label);
      expect(r.passRate).toBeGreaterThan(0.9);
    }
  });

  it('mean requests to decide a correct split stay within 340 (50/50) and 220 (80/20), exactly', () => {
    // No test with both guarantees can average below ≈310 and ≈201 (lower-bound.ts); a Bonferroni
    // pair of Wald SPRTs needs ≈370 and ≈240.
    const half = exactBinaryRates(0.5, 0.5, opts);
    const canary = exactBinaryRates(0.8, 0.8, opts);
    console.log(`mean requests, exact: 50/50 ${half.meanN.toFixed(1)}, 80/20 ${canary.meanN.toFixed(1)}`);
    expect(half.meanN).toBeLessThanOrEqual(340);
    expect(canary.meanN).toBeLessThanOrEqual(220);
    expect(run({ v1: 50, v3: 50 }, { v1: 50, v3: 50 }, '50/50 cost').meanN / half.meanN).toBeCloseTo(1, 1);
  });
});
