/**
 * Settling by traffic between two splits, measured: a seeded stream that serves the old split and
 * switches to the new one after `switchAt` answers; settling decides when to start, then a fresh
 * check decides the step. 2,000 runs a case, each rate printed with its one-sided 95 % bound.
 */
import { describe, expect, it } from 'vitest';
import { hash32, seededRandom } from '../core/random.js';
import { rateUpperBound } from './binomial.js';
import { createCheck } from './check.js';
import { settleDetector, settleRule } from './settle-test.js';

const alpha = 0.01;
const settleOpts = { alpha: alpha / 10, tolerance: 0.1, maxAnswers: 3000 };
const checkOpts = { alpha, tolerance: 0.1, maxRequests: 3000 };
const RUNS = 2000;

function draw(split: Record<string, number>, u: number): string {
  const names = Object.keys(split);
  const t = names.reduce((s, k) => s + split[k]!, 0);
  let x = u * t;
  for (const k of names) if ((x -= split[k]!) < 0) return k;
  return names[names.length - 1]!;
}

/** Runs settle (the new rule, or the old "10 consistent answers") then the check; rates of each outcome. */
function step(previous: Record<string, number>, next: Record<string, number>, switchAt: number, rule: 'new' | 'old-run', label: string) {
  const rng = seededRandom(hash32(`settle:${label}:${rule}`));
  let failed = 0;
  let settleAnswers = 0;
  for (let r = 0; r < RUNS; r++) {
    let n = 0;
    const answer = () => draw(n++ < switchAt ? previous : next, rng.next());
    if (rule === 'new') {
      const d = settleDetector(next, previous, settleOpts);
      while (!d.settled() && n < settleOpts.maxAnswers) d.observe(answer());
    } else {
      const support = new Set(Object.keys(next).filter((k) => next[k]! > 0));
      const seen = new Set<string>();
      let run = 0;
      while (!(run >= 10 && seen.size === support.size)) {
        const o = answer();
        if (support.has(o)) {
          run++;
          seen.add(o);
        } else {
          run = 0;
          seen.clear();
        }
      }
    }
    settleAnswers += n;
    const check = createCheck(next, checkOpts);
    while (check.verdict() === null) check.observe(answer());
    if (check.verdict() !== 'passed') failed++;
  }
  const rate = failed / RUNS;
  console.log(`${label}, ${rule} settling: step fails ${(rate * 100).toFixed(2)} % (≤ ${(rateUpperBound(failed, RUNS) * 100).toFixed(2)} % at 95 %, ${RUNS} runs), ${(settleAnswers / RUNS).toFixed(1)} settle answers on average`);
  return rate;
}

describe('settling by traffic between two weighted splits', () => {
  it('chooses a sequential test where a run of answers cannot tell the splits apart', () => {
    expect(settleRule({ v1: 75, v3: 25 }, { v1: 50, v3: 50 }, settleOpts)).toMatchObject({ kind: 'cusum' });
    expect(settleRule({ v3: 100 }, { v1: 50, v3: 50 }, settleOpts)).toMatchObject({ kind: 'run', length: 10 });
    expect(settleRule({ v1: 50, v3: 50 }, { v1: 90, v2: 10 }, settleOpts)).toMatchObject({ kind: 'run', length: 66 });
    expect(settleRule({ v1: 50, v3: 50 }, { v1: 50, v3: 50 }, settleOpts)).toMatchObject({ kind: 'same' });
    expect(settleRule({ v1: 100 }, undefined, settleOpts)).toMatchObject({ kind: 'run', length: 66 });
    expect(settleRule({ v1: 40, v2: 30, v3: 30 }, undefined, settleOpts)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/routes to every version, so no run of answers can tell it/) });
  });

  it('50/50 → 75/25 switching 100 answers late: the run of consistent answers settles on the old split and the step fails; the sequential test keeps it within alpha', () => {
    const prev = { v1: 50, v3: 50 };
    const next = { v1: 75, v3: 25 };
    expect(step(prev, next, 100, 'old-run', '50/50 → 75/25 after 100')).toBeGreaterThan(0.5);
    expect(step(prev, next, 100, 'new', '50/50 → 75/25 after 100')).toBeLessThanOrEqual(alpha);
    expect(step(prev, next, 0, 'new', '50/50 → 75/25 at once')).toBeLessThanOrEqual(alpha);
  });

  it('never settles on the old split alone more often than its alpha', () => {
    const rng = seededRandom(hash32('settle:never'));
    let settled = 0;
    for (let r = 0; r < RUNS; r++) {
      const d = settleDetector({ v1: 75, v3: 25 }, { v1: 50, v3: 50 }, { ...settleOpts, maxAnswers: 500 });
      for (let n = 0; n < 500 && !d.settled(); n++) d.observe(draw({ v1: 50, v3: 50 }, rng.next()));
      if (d.settled()) settled++;
    }
    console.log(`old split only, 500 answers: settled in ${settled} of ${RUNS} runs (bound ${settleOpts.alpha})`);
    expect(settled / RUNS).toBeLessThanOrEqual(settleOpts.alpha);
  });
});
