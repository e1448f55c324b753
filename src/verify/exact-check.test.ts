import { describe, expect, it } from 'vitest';
import { combine, createCheck, createRatingsCheck } from './check.js';
import { ExactCheck } from './exact-check.js';
import { exactSampleSize } from './expected-split.js';
import { straySampleSize } from './strays.js';
import { exactStrayRates } from './exact-rates.js';
import type { Check } from './types.js';
import { checkMessage } from '../report/check-messages.js';

const opts = { alpha: 0.01, tolerance: 0.1, maxRequests: 3000 };

function feed(check: Check, outcome: string, times: number): Check {
  for (let i = 0; i < times; i++) check.observe(outcome);
  return check;
}

describe('exact targets', () => {
  it('need ceil(ln alpha / ln(1 − tol)) clean responses: 44 at the defaults', () => {
    expect(exactSampleSize(0.01, 0.1)).toBe(44);
    expect(exactSampleSize(0.05, 0.1)).toBe(29);
    expect(exactSampleSize(0.01, 0.05)).toBe(90);
    // (1 − 0.9)^2 = 0.01 exactly: two clean responses suffice, not three.
    expect(exactSampleSize(0.01, 0.9)).toBe(2);
  });

  it('pass once strays taking 10 % or more are refuted: the 49th clean response and not before', () => {
    expect(straySampleSize(0.01, 0.1)).toBe(49);
    const c = createCheck({ v1: 100 }, opts);
    expect(c).toBeInstanceOf(ExactCheck);
    feed(c, 'v1', 48);
    expect(c.verdict()).toBeNull();
    expect(checkMessage(c.explanation())).toBe('v1 on all 48 responses so far; at least 1 more responses needed');
    c.observe('v1');
    expect(c.verdict()).toBe('passed');
    expect(checkMessage(c.explanation())).toBe(
      'v1 on all 49 responses after settling; a misroute share of 10% or more passes with probability ≤ 0.01',
    );
    const [lo, hi] = c.intervals().v1!;
    expect(lo).toBeCloseTo(Math.pow(0.01, 1 / 49), 12);
    expect(lo).toBeGreaterThan(0.9);
    expect(hi).toBe(1);
  });

  it('take one stray (a misread page) in their stride: it costs 25 more responses, not the step', () => {
    const c = feed(createCheck({ v1: 0, v3: 100 }, opts), 'v3', 9);
    c.observe('v1');
    expect(c.verdict()).toBeNull();
    feed(c, 'v3', 63);
    expect(c.verdict()).toBeNull();
    c.observe('v3');
    expect(c.verdict()).toBe('passed');
    expect(c.n).toBe(74);
    expect(checkMessage(c.explanation())).toMatch(
      /^v3 on 73 of 74 responses after settling; v1 seen 1 time \(expected 0%\);/,
    );
  });

  it('fail once strays are more than misreads explain: two in a row, or a share of 10 % within about 20', () => {
    const c = feed(createCheck({ v1: 0, v3: 100 }, opts), 'v3', 9);
    feed(c, 'v1', 2);
    expect(c.verdict()).toBe('failed');
    expect(c.n).toBe(11);
    expect(checkMessage(c.explanation())).toBe(
      'v1 seen 2 times in 11 responses after settling, expected 0%: more than misread answers explain ' +
        '(weight 0 is never routed): the target is v3 on every response',
    );
    // Final: later responses are not evidence.
    feed(c, 'v3', 100);
    expect(c.n).toBe(11);
    expect(c.verdict()).toBe('failed');
    // Every tenth response on v2: failed well before a pass could come.
    const d = createCheck({ v1: 100 }, opts);
    for (let i = 1; d.verdict() === null; i++) d.observe(i % 10 === 0 ? 'v2' : 'v1');
    expect(d.verdict()).toBe('failed');
    expect(d.n).toBeLessThanOrEqual(30);
  });

  it('with strict: true fail at the first response from a weight-0 version', () => {
    const c = feed(createCheck({ v1: 0, v3: 100 }, { ...opts, strict: true }), 'v3', 9);
    c.observe('v1');
    expect(c.verdict()).toBe('failed');
    expect(checkMessage(c.explanation())).toBe(
      'v1 seen 1 time in 10 responses after settling, expected 0% (weight 0 is never routed): ' +
        'the target is v3 on every response',
    );
  });

  it('count an answer with no readable outcome against the pass, as a possible stray', () => {
    const c = createCheck({ v2: 100 }, opts);
    c.observeUnknown();
    feed(c, 'v2', 72);
    expect(c.verdict()).toBeNull();
    c.observe('v2');
    expect(c.verdict()).toBe('passed');
    expect(c.counts()).toEqual({ v2: 73 });
    expect(checkMessage(c.explanation())).toMatch(
      /^v2 on 73 of 74 responses after settling; 1 answer with no readable outcome, counted against every test;/,
    );
    // Unknown answers alone never fail: they could all have been v2.
    const u = createCheck({ v2: 100 }, { ...opts, maxRequests: 20 });
    for (let i = 0; i < 20; i++) u.observeUnknown();
    expect(u.verdict()).toBe('inconclusive');
  });

  it('count an outcome the plan did not list as expected at 0%', () => {
    const c = feed(createCheck({ v2: 100 }, opts), 'v2', 3);
    feed(c, 'unavailable', 2);
    expect(c.verdict()).toBe('failed');
    expect(c.counts()).toEqual({ v2: 3, unavailable: 2 });
    expect(checkMessage(c.explanation())).toBe(
      'unavailable seen 2 times in 5 responses after settling, expected 0%: more than misread answers explain: ' +
        'the target is v2 on every response',
    );
  });

  it('are inconclusive when maxRequests is below the 49 needed', () => {
    const c = feed(createCheck({ v1: 100 }, { ...opts, maxRequests: 30 }), 'v1', 30);
    expect(c.verdict()).toBe('inconclusive');
    expect(checkMessage(c.explanation())).toMatch(/49 clean responses are needed .* maxRequests is 30/);
  });

  it('with fixedRequests decide after exactly that many, and say what a short sample guarantees', () => {
    const short = createCheck({ v1: 100 }, { ...opts, fixedRequests: 10 });
    feed(short, 'v1', 9);
    expect(short.verdict()).toBeNull();
    short.observe('v1');
    expect(short.verdict()).toBe('passed');
    expect(checkMessage(short.explanation())).toMatch(
      new RegExp(
        /fixed sample below the 44 needed for alpha 0\.01: a misroute share of 10% would have gone unseen /.source +
          /with probability up to 0\.349/.source,
      ),
    );

    const bad = createCheck({ v1: 100 }, { ...opts, fixedRequests: 60 });
    feed(bad, 'v1', 5);
    feed(bad, 'v2', 3);
    expect(bad.verdict()).toBeNull();
    feed(bad, 'v1', 52);
    expect(bad.verdict()).toBe('failed');
    expect(checkMessage(bad.explanation())).toBe(
      'v2 seen 3 times in 60 responses after settling, expected 0% (weight 0 is never routed): ' +
        'the target is v1 on every response',
    );
  });
});

describe('the stray test of exact targets, exactly (every path)', () => {
  it('passes a stray share of tol at most alpha of the time, fails misreads at tol/50 at most alpha', () => {
    const edge = exactStrayRates(0.1, opts);
    const misread = exactStrayRates(0.002, opts);
    const clean = exactStrayRates(0, opts);
    console.log(
      `stray share 10 %: P(pass) ${edge.pass.toFixed(5)}; misreads 0.2 %: P(fail) ${misread.fail.toFixed(5)}, ` +
        `mean ${misread.meanN.toFixed(1)}; clean: mean ${clean.meanN}`,
    );
    expect(edge.pass).toBeLessThanOrEqual(opts.alpha);
    expect(misread.fail).toBeLessThanOrEqual(opts.alpha);
    expect(clean).toMatchObject({ pass: 1, fail: 0, meanN: 49 });
  });
});

describe('ratings that must hold for every response', () => {
  it('follow the exact rule and say "ratings"', () => {
    const c = feed(createRatingsCheck('unavailable', opts), 'unavailable', 49);
    expect(c.verdict()).toBe('passed');
    expect(checkMessage(c.explanation())).toMatch(/^ratings "unavailable" on all 49 responses/);
    const d = feed(createRatingsCheck('stars', opts), 'stars', 2);
    feed(d, 'none', 2);
    expect(d.verdict()).toBe('failed');
    expect(checkMessage(d.explanation())).toBe(
      'ratings "none" seen 2 times in 4 responses after settling, expected 0%: more than misread answers explain: ' +
        'the target is ratings "stars" on every response',
    );
  });
});

describe('combine', () => {
  it('passes when all parts pass', () => {
    const reviews = createCheck({ v2: 100 }, opts);
    const ratings = createRatingsCheck('stars', opts);
    const both = combine([reviews, ratings]);
    for (let i = 0; i < 49; i++) {
      expect(both.verdict()).toBeNull();
      reviews.observe('v2');
      ratings.observe('stars');
    }
    expect(both.verdict()).toBe('passed');
    expect(both.n).toBe(49);
    expect(both.counts()).toEqual({ v2: 49, stars: 49 });
    expect(checkMessage(both.explanation())).toMatch(/^v2 on all 49 responses .*; ratings "stars" on all 49 responses/);
  });

  it('keeps a "every response" rule watching until the whole combination decides', () => {
    const reviews = createCheck({ v1: 50, v3: 50 }, opts);
    const ratings = createRatingsCheck('stars', opts);
    const both = combine([reviews, ratings]);
    for (let i = 0; i < 100; i++) {
      reviews.observe(i % 2 ? 'v1' : 'v3');
      ratings.observe('stars');
    }
    // The ratings part alone would have passed at 49; wrong pages later still fail the whole.
    expect(ratings.verdict()).toBe('passed');
    expect(both.verdict()).toBeNull();
    // Two stray pages among 102 are what misreads could do; four in a row are not.
    for (let i = 0; i < 4; i++) {
      expect(both.verdict()).toBeNull();
      reviews.observe('v1');
      ratings.observe('none');
    }
    expect(both.verdict()).toBe('failed');
    expect(checkMessage(both.explanation())).toMatch(/ratings "none" seen 4 times in 104 responses/);
    // Decided: the parts are frozen with it.
    ratings.observe('stars');
    expect(ratings.n).toBe(104);
  });

  it('fails as soon as any part fails, and is inconclusive when a part runs out without a fail', () => {
    const a = createCheck({ v1: 100 }, opts);
    const b = createCheck({ v1: 50, v3: 50 }, { ...opts, strict: true });
    const both = combine([a, b]);
    a.observe('v1');
    b.observe('v2');
    expect(both.verdict()).toBe('failed');

    const c = createCheck({ v1: 100 }, { ...opts, maxRequests: 60 });
    const d = createCheck({ v1: 50, v3: 50 }, { ...opts, maxRequests: 60 });
    const cd = combine([c, d]);
    for (let i = 0; i < 60; i++) {
      c.observe('v1');
      d.observe(i % 2 ? 'v1' : 'v3');
    }
    expect(c.verdict()).toBe('passed');
    expect(d.verdict()).toBe('inconclusive');
    expect(cd.verdict()).toBe('inconclusive');
  });

  it('is the check itself for one part, and refuses none', () => {
    const a = createCheck({ v1: 100 }, opts);
    expect(combine([a])).toBe(a);
    expect(() => combine([])).toThrow(/at least one/);
  });
});
