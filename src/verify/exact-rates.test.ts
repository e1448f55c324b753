/**
 * The guarantees again, computed exactly for two-outcome targets (every path at once, no sampling
 * error), and the Monte Carlo harness checked against them.
 */
import { describe, expect, it } from 'vitest';
import { exactBinaryRates } from './exact-rates.js';
import { simulate } from './simulation/simulate.js';

const alpha = 0.01;
const opts = { alpha, tolerance: 0.1, maxRequests: 3000 };

describe('exact rates of the sequential check (two outcomes, defaults)', () => {
  it.each([
    ['50/50', 0.5],
    ['80/20', 0.8],
    ['90/10', 0.9],
  ])('a correct %s fails with probability ≤ alpha', (label, p) => {
    const r = exactBinaryRates(p, p, opts);
    console.log(`${label} correct: P(fail) = ${r.fail.toFixed(5)}, mean requests ${r.meanN.toFixed(1)}, p95 ${r.p95N}`);
    expect(r.fail).toBeLessThanOrEqual(alpha);
    expect(r.inconclusive).toBeLessThan(1e-9);
  });

  it.each([
    ['60/40 vs 50/50', 0.5, 0.6],
    ['70/30 vs 80/20', 0.8, 0.7],
    ['90/10 vs 80/20', 0.8, 0.9],
    ['80/20 vs 90/10', 0.9, 0.8],
  ])('%s passes with probability ≤ alpha', (label, p, q) => {
    const r = exactBinaryRates(p, q, opts);
    console.log(`${label}: P(pass) = ${r.pass.toFixed(5)}, mean requests ${r.meanN.toFixed(1)}`);
    expect(r.pass).toBeLessThanOrEqual(alpha);
  });

  it('agrees with the Monte Carlo harness within sampling error', () => {
    const exact = exactBinaryRates(0.8, 0.75, opts);
    const mc = simulate({
      expected: { v1: 80, v3: 20 },
      truth: { v1: 75, v3: 25 },
      opts,
      runs: 4000,
      seed: 'exact-vs-mc',
    });
    const se = Math.sqrt((exact.pass * (1 - exact.pass)) / 4000);
    console.log(
      `75/25 vs 80/20: exact P(pass) ${exact.pass.toFixed(4)} mean ${exact.meanN.toFixed(1)}; ` +
        `Monte Carlo ${mc.passRate.toFixed(4)} mean ${mc.meanN.toFixed(1)}`,
    );
    expect(Math.abs(mc.passRate - exact.pass)).toBeLessThan(4 * se);
    expect(Math.abs(mc.meanN / exact.meanN - 1)).toBeLessThan(0.05);
  });
});
