/**
 * Seeded Monte Carlo of settling by traffic followed by the verdict: a stream serves the old split
 * for `switchAt` answers, then the new one; settling (the rule of settle-test.ts, or a rule used
 * before it: the plain run of 10 consistent answers, or a run sized for one window only) decides
 * when the verdict's fresh check starts.
 */
import { hash32, seededRandom } from '../../core/random.js';
import { createCheck } from '../check.js';
import { settleDetector, type SettleOptions } from '../settle-test.js';
import type { CheckOptions } from '../types.js';

export interface SettleCase {
  previous: Record<string, number>;
  next: Record<string, number>;
  switchAt: number;
  /** `single-window run`: max(10, ceil(ln alpha_s / ln(1 − w))), with no union over where the run starts. */
  rule: 'sequential' | 'run of 10' | 'single-window run';
  /** Whether settling is told the old split (false: the rule for an unknown one). Default true. */
  previousKnown?: boolean;
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
      const d = settleDetector(c.next, c.previousKnown === false ? undefined : c.previous, c.settle);
      while (!d.settled() && n < c.settle.maxAnswers) d.observe(answer());
    } else {
      const support = new Set(Object.keys(c.next).filter((k) => c.next[k]! > 0));
      const seen = new Set<string>();
      const length = c.rule === 'run of 10' ? 10 : singleWindowRun(c);
      let run = 0;
      while (!(run >= length && seen.size === support.size)) {
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

/** The run the rule used before the union over start positions: sized for one window of answers. */
function singleWindowRun(c: SettleCase): number {
  const t = Object.values(c.previous).reduce((a, b) => a + b, 0);
  const outside =
    c.previousKnown === false
      ? c.settle.tolerance
      : Object.keys(c.previous).reduce((s, k) => s + ((c.next[k] ?? 0) > 0 ? 0 : c.previous[k]!), 0) / t;
  return Math.max(10, Math.ceil(Math.log(c.settle.alpha) / Math.log(1 - outside) - 1e-12));
}

/** The outcome a uniform draw u in [0, 1) picks from a split (weights normalised by their sum). */
export function draw(split: Record<string, number>, u: number): string {
  const names = Object.keys(split);
  const t = names.reduce((s, k) => s + split[k]!, 0);
  let x = u * t;
  for (const k of names) if ((x -= split[k]!) < 0) return k;
  return names[names.length - 1]!;
}
