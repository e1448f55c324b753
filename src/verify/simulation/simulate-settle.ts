/**
 * Seeded Monte Carlo of settling by traffic followed by the verdict: a stream serves the old split
 * for `switchAt` answers, then the new one; settling (the rule of settle-test.ts, or the plain run
 * of 10 consistent answers used before it) decides when the verdict's fresh check starts.
 */
import { hash32, seededRandom } from '../../core/random.js';
import { createCheck } from '../check.js';
import { settleDetector, type SettleOptions } from '../settle-test.js';
import type { CheckOptions } from '../types.js';

export interface SettleCase {
  previous: Record<string, number>;
  next: Record<string, number>;
  switchAt: number;
  rule: 'sequential' | 'run of 10';
  settle: SettleOptions;
  check: CheckOptions;
  runs: number;
  seed: string;
}

export interface SettleSimulation {
  runs: number;
  /** Runs whose verdict was not `passed` (the new split is right, so every one is a false failure). */
  failed: number;
  meanSettleAnswers: number;
}

export function simulateSettle(c: SettleCase): SettleSimulation {
  const rng = seededRandom(hash32(c.seed));
  let failed = 0;
  let settleAnswers = 0;
  for (let r = 0; r < c.runs; r++) {
    let n = 0;
    const answer = () => draw(n++ < c.switchAt ? c.previous : c.next, rng.next());
    if (c.rule === 'sequential') {
      const d = settleDetector(c.next, c.previous, c.settle);
      while (!d.settled() && n < c.settle.maxAnswers) d.observe(answer());
    } else {
      const support = new Set(Object.keys(c.next).filter((k) => c.next[k]! > 0));
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
    const check = createCheck(c.next, c.check);
    while (check.verdict() === null) check.observe(answer());
    if (check.verdict() !== 'passed') failed++;
  }
  return { runs: c.runs, failed, meanSettleAnswers: settleAnswers / c.runs };
}

/** The outcome a uniform draw u in [0, 1) picks from a split (weights normalised by their sum). */
export function draw(split: Record<string, number>, u: number): string {
  const names = Object.keys(split);
  const t = names.reduce((s, k) => s + split[k]!, 0);
  let x = u * t;
  for (const k of names) if ((x -= split[k]!) < 0) return k;
  return names[names.length - 1]!;
}
