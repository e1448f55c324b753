/**
 * Settling by traffic between two splits, measured: a seeded stream that serves the old split and
 * switches to the new one after `switchAt` answers; settling decides when to start, then a fresh
 * check decides the step. 4,000 runs a case, each rate printed with its one-sided 95 % bound.
 */
import { describe, expect, it } from 'vitest';
import { hash32, seededRandom } from '../core/random.js';
import { rateUpperBound } from './binomial.js';
import { exactBinaryRates } from './exact-rates.js';
import { settleDetector, settleRule } from './settle-test.js';
import { draw, simulateSettle, type SettleCase } from './simulation/simulate-settle.js';
import { settleRefusalText } from '../report/settle-messages.js';

const alpha = 0.01;
const settleOpts = { alpha: alpha / 10, tolerance: 0.1, maxAnswers: 3000 };
const checkOpts = { alpha, tolerance: 0.1, maxRequests: 3000 };
const RUNS = 4000;

function step(
  previous: Record<string, number>,
  next: Record<string, number>,
  switchAt: number,
  rule: SettleCase['rule'],
  label: string,
): number {
  const r = simulateSettle({
    previous,
    next,
    switchAt,
    rule,
    settle: settleOpts,
    check: checkOpts,
    runs: RUNS,
    seed: `settle:${label}:${rule}`,
  });
  const rate = r.failed / RUNS;
  console.log(
    `${label}, ${rule} settling: step fails ${(rate * 100).toFixed(2)} % (≤ ` +
      `${(rateUpperBound(r.failed, RUNS) * 100).toFixed(2)} % at 95 %, ${RUNS} runs), ` +
      `${r.meanSettleAnswers.toFixed(1)} settle answers on average`,
  );
  return rate;
}

describe('settling by traffic between two weighted splits', () => {
  it('chooses a sequential test where a run of answers cannot tell the splits apart', () => {
    expect(settleRule({ v1: 75, v3: 25 }, { v1: 50, v3: 50 }, settleOpts)).toMatchObject({ kind: 'cusum' });
    expect(settleRule({ v3: 100 }, { v1: 50, v3: 50 }, settleOpts)).toMatchObject({ kind: 'run', length: 22 });
    expect(settleRule({ v1: 50, v3: 50 }, { v1: 90, v2: 10 }, settleOpts)).toMatchObject({ kind: 'run', length: 142 });
    expect(settleRule({ v1: 50, v3: 50 }, { v1: 50, v3: 50 }, settleOpts)).toMatchObject({ kind: 'same' });
    expect(settleRule({ v1: 100 }, undefined, settleOpts)).toMatchObject({ kind: 'run', length: 142 });
    const refused = settleRule({ v1: 40, v2: 30, v3: 30 }, undefined, settleOpts);
    expect(refused).toMatchObject({ kind: 'refused' });
    expect(refused.kind === 'refused' && settleRefusalText(refused)).toMatch(
      /routes to every version, so no run of answers can tell it/,
    );
  });

  it(
    '50/50 → 75/25 switching 100 answers late: ' +
      'the run of consistent answers settles on the old split and the step fails; ' +
      'the sequential test keeps the step within alpha',
    () => {
      const prev = { v1: 50, v3: 50 };
      const next = { v1: 75, v3: 25 };
      expect(step(prev, next, 100, 'run of 10', '50/50 → 75/25 after 100')).toBeGreaterThan(0.5);
      // Once settled after the switch, the check sees a plain sample of 75/25: it fails with the exact
      // probability below. So P(step fails) ≤ P(settled on the old split) + that ≤ alpha/10 + 0.897 %
      // ≤ alpha; the Monte Carlo has to agree with the exact part.
      const verdictFails = exactBinaryRates(0.75, 0.75, checkOpts).fail;
      expect(settleOpts.alpha + verdictFails).toBeLessThanOrEqual(alpha);
      const se = Math.sqrt((verdictFails * (1 - verdictFails)) / RUNS);
      for (const [at, label] of [
        [100, 'after 100'],
        [0, 'at once'],
      ] as const) {
        expect(Math.abs(step(prev, next, at, 'sequential', `50/50 → 75/25 ${label}`) - verdictFails)).toBeLessThan(
          4 * se + settleOpts.alpha,
        );
      }
    },
  );

  it('keeps a late switch within alpha: the run carries the union over where it may start', () => {
    // 50/50 → all v3, the config landing 2,000 answers late: a run long enough for one window (10)
    // settled on the old split often; one long enough for every window (22) does not.
    const prev = { v1: 50, v3: 50 };
    const next = { v3: 100 };
    expect(step(prev, next, 2000, 'single-window run', '50/50 → v3 after 2000')).toBeGreaterThan(0.3);
    expect(step(prev, next, 2000, 'sequential', '50/50 → v3 after 2000')).toBeLessThanOrEqual(settleOpts.alpha * 3);
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
