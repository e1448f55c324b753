/**
 * The verifier's error rates, measured (docs/architecture.md, Settling and verification): seeded Monte Carlo runs at the defaults
 * (alpha 0.01, tolerance 0.10, maxRequests 3000), each case run 4,000 times against a simulated
 * mesh that routes by a known split.
 *
 * Allowance for Monte Carlo error: a rate measured over R runs whose true value is alpha has
 * standard deviation sqrt(alpha(1−alpha)/R); the bound asserted is alpha + 3 of those (0.0147 at
 * R = 4,000). A verifier whose true rate is at alpha exceeds it in about 0.2 % of seeds (binomial
 * tail at +3 sd), so a failure here means a real excess, not bad luck; and because the runs are
 * seeded, the measured numbers are the same on every machine.
 */
import { describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from './simulate.js';

const alpha = 0.01;
const opts = { alpha, tolerance: 0.1, maxRequests: 3000 };
const RUNS = 4000;
const allowance = 3 * Math.sqrt((alpha * (1 - alpha)) / RUNS);
const bound = alpha + allowance;

function run(expected: Record<string, number>, truth: Record<string, number>, label: string): SimulationResult {
  const r = simulate({ expected, truth, opts, runs: RUNS, seed: `guarantees:${label}` });
  console.log(
    `${label.padEnd(28)} pass ${pctOf(r.passRate)}  fail ${pctOf(r.failRate)}  inconclusive ${pctOf(r.inconclusiveRate)}  ` +
      `requests mean ${r.meanN.toFixed(1)} p95 ${r.p95N} max ${r.maxN}`,
  );
  return r;
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
    expect(r.failRate).toBeLessThanOrEqual(bound);
    expect(r.inconclusiveRate).toBe(0);
    expect(r.passRate).toBeGreaterThanOrEqual(1 - bound);
  });

  it('exact targets never fail when right and pass after exactly 44 clean responses', () => {
    const r = run({ v1: 100 }, { v1: 100 }, '100/0 cost');
    expect(r.failRate).toBe(0);
    expect(r.meanN).toBe(44);
    expect(r.maxN).toBe(44);
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
    expect(r.passRate).toBeLessThanOrEqual(bound);
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
      expect(r.failRate).toBeGreaterThanOrEqual(1 - bound);
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

  it('mean requests to pass a correct split beat a Bonferroni pair of Wald SPRTs (≈370 and ≈240)', () => {
    // The goals BENCHMARKS.md states (300 and 200) lie below what any test with both guarantees can average
    // (≈310 and ≈201, lower-bound.ts), so the assertion is against the classical design instead.
    expect(run({ v1: 50, v3: 50 }, { v1: 50, v3: 50 }, '50/50 cost').meanN).toBeLessThan(340);
    expect(run({ v1: 80, v3: 20 }, { v1: 80, v3: 20 }, '80/20 cost').meanN).toBeLessThan(225);
  });
});
