/**
 * Seeded Monte Carlo runs of a check against a known real split: how the tests prove the
 * verifier's error rates and the benchmark measures its cost. No HTTP, and nothing allocated per
 * observation: outcomes are drawn from a cumulative table and fed as constant strings.
 */
import { seededRandom, hash32 } from '../../core/random.js';
import { createCheck } from '../check.js';
import { percentiles } from '../percentile.js';
import type { CheckOptions, Verdict } from '../types.js';

export interface SimulationCase {
  /** The expectation, percent by outcome. */
  expected: Record<string, number>;
  /** The real split the simulated mesh routes by, percent by outcome. */
  truth: Record<string, number>;
  opts: CheckOptions;
  runs: number;
  /** Seed label; the same label gives the same runs. */
  seed: string;
  /** Imperfect answers: a share `rate` of them (of those from `from`, if set) read as `as`, or unreadable (null). */
  noise?: { rate: number; from?: string; as: string | null };
}

export interface SimulationResult {
  runs: number;
  passRate: number;
  failRate: number;
  inconclusiveRate: number;
  /** Requests to a verdict, over all runs. */
  meanN: number;
  p95N: number;
  maxN: number;
}

export function simulate(c: SimulationCase): SimulationResult {
  const names = Object.keys(c.truth);
  const total = names.reduce((s, k) => s + c.truth[k]!, 0);
  const cumulative = new Float64Array(names.length);
  let acc = 0;
  names.forEach((k, i) => (cumulative[i] = acc += c.truth[k]! / total));
  cumulative[names.length - 1] = 1;
  const rng = seededRandom(hash32(c.seed));
  const cap = (c.opts.fixedRequests ?? c.opts.maxRequests) + 1;
  const ns = new Float64Array(c.runs);
  const tally: Record<Verdict, number> = { passed: 0, failed: 0, inconclusive: 0 };
  for (let r = 0; r < c.runs; r++) {
    const check = createCheck(c.expected, c.opts);
    let v = check.verdict();
    while (v === null) {
      if (check.n >= cap) throw new Error(`check gave no verdict after ${check.n} observations`);
      const u = rng.next();
      let i = 0;
      while (u >= cumulative[i]!) i++;
      const noise = c.noise;
      // One more draw per answer only when there is noise, so noiseless runs stay as they were.
      if (noise && (noise.from === undefined || noise.from === names[i]) && rng.next() < noise.rate) {
        if (noise.as === null) check.observeUnknown();
        else check.observe(noise.as);
      } else check.observe(names[i]!);
      v = check.verdict();
    }
    ns[r] = check.n;
    tally[v]++;
  }
  return summarize(ns, tally);
}

/** Rates from the verdicts tallied, and requests to a verdict from each run's count. */
export function summarize(ns: Float64Array, tally: Record<Verdict, number>): SimulationResult {
  const runs = ns.length;
  const [p95, max] = percentiles(ns, [95, 100]);
  return {
    runs,
    passRate: tally.passed / runs,
    failRate: tally.failed / runs,
    inconclusiveRate: tally.inconclusive / runs,
    meanN: mean(ns),
    p95N: p95!,
    maxN: max!,
  };
}

export function mean(xs: Float64Array): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Takes the answer that completes first out of those in flight (a handful: a linear scan will do). */
export function takeEarliest<T extends { at: number }>(flight: T[]): T {
  let k = 0;
  for (let j = 1; j < flight.length; j++) if (flight[j]!.at < flight[k]!.at) k = j;
  const done = flight[k]!;
  flight[k] = flight[flight.length - 1]!;
  flight.pop();
  return done;
}
