import { describe, expect, it } from 'vitest';
import { binomialCdf, binomialSf } from './binomial.js';
import { createCheck } from './check.js';
import { FixedCheck } from './fixed-check.js';
import { acceptanceRange, decisiveAt, fixedSampleSize } from './fixed-sample.js';
import { simulate } from './simulation/simulate.js';
import { parseExpectedSplit } from './expected-split.js';
import { checkMessage } from '../report/check-messages.js';

const alpha = 0.01;
const opts = { alpha, tolerance: 0.1, maxRequests: 3000 };
const RUNS = 2000;
const bound = alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / RUNS);

// Standard normal quantiles, for the closed-form cross-check of the exact search.
const z = { '0.995': 2.5758293035489, '0.99': 2.3263478740408 };

describe('fixedSampleSize', () => {
  it('is 44 for exact targets, as the exact rule', () => {
    expect(fixedSampleSize({ v1: 100 }, 0.01, 0.1)).toBe(44);
  });

  it('matches the normal-approximation formula within discreteness', () => {
    // sqrt(n)·tol = z(1 − alpha/m)·sqrt(p(1−p)) + z(1 − alpha)·sqrt(e(1−e)), e the edge nearer ½.
    const normal = (p: number, e: number, zFail: number) =>
      Math.pow((zFail * Math.sqrt(p * (1 - p)) + z['0.99'] * Math.sqrt(e * (1 - e))) / 0.1, 2);
    const n5050 = fixedSampleSize({ v1: 50, v3: 50 }, 0.01, 0.1);
    console.log(
      `fixed-sample size 50/50: ${n5050} (normal formula ${normal(0.5, 0.6, z['0.995']).toFixed(1)}; ` +
        "research notes' CI construction 664)",
    );
    expect(n5050).toBe(596);
    expect(Math.abs(n5050 / normal(0.5, 0.6, z['0.995']) - 1)).toBeLessThan(0.03);
    expect(n5050).toBeLessThan(664);
    const n8020 = fixedSampleSize({ v1: 80, v3: 20 }, 0.01, 0.1);
    console.log(`fixed-sample size 80/20: ${n8020} (normal formula ${normal(0.8, 0.7, z['0.995']).toFixed(1)})`);
    expect(Math.abs(n8020 / normal(0.8, 0.7, z['0.995']) - 1)).toBeLessThan(0.03);
  });

  it('is the size from which every count gets a verdict', () => {
    const t = parseExpectedSplit({ v1: 50, v3: 50 });
    const n = fixedSampleSize(t, alpha, 0.1);
    expect(decisiveAt(n, t, alpha, 0.1)).toBe(true);
    for (let m = n - 60; m < n; m++) expect(decisiveAt(m, t, alpha, 0.1)).toBe(false);
  });

  it('has acceptance ranges whose tails are the stated levels', () => {
    const n = 590;
    const r = acceptanceRange(n, 0.5, alpha, 0.1, 2);
    // Pass range: a share at the edge lands in it with probability ≤ alpha, and one count more would exceed it.
    expect(binomialCdf(r.passMax, n, 0.6)).toBeLessThanOrEqual(alpha);
    expect(binomialCdf(r.passMax + 1, n, 0.6)).toBeGreaterThan(alpha);
    expect(binomialSf(r.passMin, n, 0.4)).toBeLessThanOrEqual(alpha);
    expect(binomialSf(r.failAbove, n, 0.5) + binomialCdf(r.failBelow, n, 0.5)).toBeLessThanOrEqual(alpha);
  });
});

describe('fixed-sample decision for weighted targets', () => {
  it('is what createCheck builds with fixedRequests, and decides after exactly that many', () => {
    const c = createCheck({ v1: 50, v3: 50 }, { ...opts, fixedRequests: 610 });
    expect(c).toBeInstanceOf(FixedCheck);
    for (let i = 0; i < 609; i++) c.observe(i % 2 ? 'v1' : 'v3');
    expect(c.verdict()).toBeNull();
    c.observe('v1');
    expect(c.verdict()).toBe('passed');
    expect(checkMessage(c.explanation())).toMatch(
      /^fixed sample of 610: passed; v1 0\.50 \[0\.4\d, 0\.5\d\] \(expected 50%, passes at \d+–\d+ of 610\)/,
    );
    expect(checkMessage(c.explanation())).toMatch(
      new RegExp(
        /; a share off by 10 points or more passes with probability ≤ 0\.01, the right split fails with /.source +
          /probability ≤ 0\.01$/.source,
      ),
    );
  });

  it('keeps both guarantees at its decisive size', () => {
    const n = fixedSampleSize({ v1: 50, v3: 50 }, alpha, 0.1);
    const fixed = { ...opts, fixedRequests: n };
    const right = simulate({
      expected: { v1: 50, v3: 50 },
      truth: { v1: 50, v3: 50 },
      opts: fixed,
      runs: RUNS,
      seed: 'fixed:right',
    });
    const edge = simulate({
      expected: { v1: 50, v3: 50 },
      truth: { v1: 60, v3: 40 },
      opts: fixed,
      runs: RUNS,
      seed: 'fixed:edge',
    });
    console.log(
      `fixed ${n}, 50/50: false fail ${right.failRate}, false pass at 60/40 ${edge.passRate}, ` +
        `inconclusive ${right.inconclusiveRate}/${edge.inconclusiveRate}`,
    );
    expect(right.failRate).toBeLessThanOrEqual(bound);
    expect(edge.passRate).toBeLessThanOrEqual(bound);
    expect(right.inconclusiveRate + edge.inconclusiveRate).toBe(0);
  });

  it('keeps both guarantees with a short sample too, and says some counts are inconclusive', () => {
    const fixed = { ...opts, fixedRequests: 100 };
    const right = simulate({
      expected: { v1: 80, v3: 20 },
      truth: { v1: 80, v3: 20 },
      opts: fixed,
      runs: RUNS,
      seed: 'short:right',
    });
    const edge = simulate({
      expected: { v1: 80, v3: 20 },
      truth: { v1: 70, v3: 30 },
      opts: fixed,
      runs: RUNS,
      seed: 'short:edge',
    });
    console.log(
      `fixed 100, 80/20: false fail ${right.failRate}, false pass at 70/30 ${edge.passRate}, ` +
        `inconclusive ${right.inconclusiveRate}`,
    );
    expect(right.failRate).toBeLessThanOrEqual(bound);
    expect(edge.passRate).toBeLessThanOrEqual(bound);
    expect(right.inconclusiveRate).toBeGreaterThan(0.5);
    const c = createCheck({ v1: 80, v3: 20 }, fixed);
    for (let i = 0; i < 100; i++) c.observe(i % 5 ? 'v1' : 'v3');
    expect(c.verdict()).toBe('inconclusive');
    expect(checkMessage(c.explanation())).toMatch(
      /at 100 responses some counts can only be inconclusive \(\d+ decides every count\); the counts fall between/,
    );
  });

  it('fails a weight-0 version seen in the sample', () => {
    const c = createCheck({ v1: 50, v3: 50 }, { ...opts, fixedRequests: 20 });
    for (let i = 0; i < 19; i++) c.observe(i % 2 ? 'v1' : 'v3');
    c.observe('v2');
    expect(c.verdict()).toBe('failed');
    expect(checkMessage(c.explanation())).toMatch(/v2 seen 1 time, expected 0% \(weight 0 is never routed\)/);
  });
});
