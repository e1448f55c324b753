/**
 * Completion order under concurrency (a seeded simulated stream; the real sampler against the
 * local mesh is in src/runner/send-order.test.ts). Fed as answers complete, the check under-counts
 * the slow version while its requests are in flight; fed in send order, what it sees is a plain
 * sample of the split, so its error rates are the exact ones of exact-rates.ts whatever the
 * latencies. Each case: 2,000 seeded runs, the rate printed with its one-sided 95 % upper bound.
 */
import { describe, expect, it } from 'vitest';
import { rateUpperBound } from '../binomial.js';
import { exactBinaryRates } from '../exact-rates.js';
import { simulateStream, type StreamCase } from './simulate-stream.js';

const alpha = 0.01;
const opts = { alpha, tolerance: 0.1, maxRequests: 3000 };
const RUNS = 2000;

function rate(c: Omit<StreamCase, 'opts' | 'runs' | 'seed'>, label: string, which: 'pass' | 'fail'): number {
  const r = simulateStream({ ...c, opts, runs: RUNS, seed: `stream:${label}:${c.order}` });
  const x = which === 'pass' ? r.passRate : r.failRate;
  const bound = rateUpperBound(Math.round(x * RUNS), RUNS);
  console.log(
    `${label}, ${c.order} order: ${which} ${(x * 100).toFixed(2)} % (≤ ${(bound * 100).toFixed(2)} % at ` +
      `95 %, ${RUNS} runs), mean requests ${r.meanN.toFixed(1)}`,
  );
  return x;
}

describe('a concurrent sampler’s answers, fed to the check', () => {
  const slow10 = { expected: { v1: 90, v3: 10 }, truth: { v1: 90, v3: 10 }, latency: { v3: 10 } };

  it('in completion order, fail a correct 90/10 with v3 ten times slower far more often than alpha', () => {
    expect(
      rate({ ...slow10, concurrency: 8, order: 'completion' }, '90/10 right, v3 10x, concurrency 8', 'fail'),
    ).toBeGreaterThan(0.1);
    expect(
      rate({ ...slow10, concurrency: 44, order: 'completion' }, '90/10 right, v3 10x, concurrency 44', 'fail'),
    ).toBeGreaterThan(0.8);
  });

  it.each([8, 44])(
    'in send order, fail a correct 90/10 with v3 ten times slower at most alpha of the time (concurrency %i)',
    (concurrency) => {
      const fail = rate(
        { ...slow10, concurrency, order: 'send' },
        `90/10 right, v3 10x, concurrency ${concurrency}`,
        'fail',
      );
      const exact = exactBinaryRates(0.9, 0.9, opts).fail;
      expect(exact).toBeLessThanOrEqual(alpha);
      expect(fail).toBeLessThanOrEqual(alpha);
      expect(Math.abs(fail - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / RUNS));
    },
  );

  it.each([8, 44])(
    'in send order, pass 40/60 as 50/50 with v3 twice as slow at most alpha of the time (concurrency %i)',
    (concurrency) => {
      const c = {
        expected: { v1: 50, v3: 50 },
        truth: { v1: 40, v3: 60 },
        latency: { v3: 2 },
        concurrency,
        order: 'send' as const,
      };
      const pass = rate(c, `40/60 as 50/50, v3 2x, concurrency ${concurrency}`, 'pass');
      const exact = exactBinaryRates(0.5, 0.4, opts).pass;
      expect(exact).toBeLessThanOrEqual(alpha);
      expect(pass).toBeLessThanOrEqual(alpha);
    },
  );

  it('in send order, cost what the plain sample costs: a correct 50/50 with v3 twice as slow', () => {
    const r = simulateStream({
      expected: { v1: 50, v3: 50 },
      truth: { v1: 50, v3: 50 },
      latency: { v3: 2 },
      concurrency: 8,
      order: 'send',
      opts,
      runs: 500,
      seed: 'stream:cost',
    });
    expect(Math.abs(r.meanN / exactBinaryRates(0.5, 0.5, opts).meanN - 1)).toBeLessThan(0.05);
  });

  it('in send order, send at most concurrency requests beyond the answers the verdict used (uncapped: more)', () => {
    const c = { ...slow10, concurrency: 128, order: 'send' as const, opts, runs: 100, seed: 'stream:cap' };
    const capped = simulateStream(c);
    const uncapped = simulateStream({ ...c, cap: false });
    expect(capped.maxExcess).toBeLessThanOrEqual(128);
    expect(capped.meanSent).toBeLessThanOrEqual(capped.meanN + 128);
    expect(uncapped.maxExcess).toBeGreaterThan(4 * 128);
    expect(capped.failRate).toBeLessThanOrEqual(0.05);
  });
});
