/**
 * Seeded Monte Carlo of a check fed by a concurrent sampler, as the tool runs it: `concurrency`
 * workers each keep one request in flight; the version serving a request is drawn from the real
 * split when it is sent, and its answer takes a time drawn uniformly between half and 1.5 times a
 * mean that depends on the version (Bookinfo's v2 and v3 call ratings, v1 does not). Answers reach the check either
 * as they complete (what the sampler did before) or in send order through the sampler's own
 * InOrder buffer; a worker sends its next request only while the check has no verdict and, as the
 * sampler does (`cap`, the default), only while fewer than `concurrency` answers are sent but not
 * yet handed to the check; uncapped, workers run on while answers queue behind a slow one, as the
 * sampler did before. The expected split may also change with the request number (a split that
 * moves during the step).
 */
import { seededRandom, hash32 } from '../../core/random.js';
import { InOrder } from '../../traffic/in-order.js';
import { createCheck } from '../check.js';
import type { CheckOptions, Verdict } from '../types.js';
import { mean, summarize, takeEarliest, type SimulationResult } from './simulate.js';
import { percentiles } from '../percentile.js';

export interface StreamCase {
  expected: Record<string, number>;
  /** The real split, percent by outcome; or one per request number (from 1), for a moving split. */
  truth: Record<string, number> | ((n: number) => Record<string, number>);
  /** Mean answer time per outcome, in any unit (1 where not listed). */
  latency?: Record<string, number>;
  concurrency: number;
  order: 'completion' | 'send';
  /** Requests sent but not yet handed to the check stay under `concurrency` (default true: the sampler now). */
  cap?: boolean;
  opts: CheckOptions;
  runs: number;
  seed: string;
}

export interface StreamResult extends SimulationResult {
  /** Requests sent per run (answers the check used are meanN…): what the verdict cost in traffic. */
  meanSent: number;
  p95Sent: number;
  maxSent: number;
  /** The most requests sent beyond the answers used, over all runs. */
  maxExcess: number;
}

export function simulateStream(c: StreamCase): StreamResult {
  const rng = seededRandom(hash32(c.seed));
  const truthAt = typeof c.truth === 'function' ? c.truth : () => c.truth as Record<string, number>;
  const draw = (n: number): string => {
    const split = truthAt(n);
    const names = Object.keys(split);
    const total = names.reduce((s, k) => s + split[k]!, 0);
    let u = rng.next() * total;
    for (const k of names) if ((u -= split[k]!) < 0) return k;
    return names[names.length - 1]!;
  };
  const ns = new Float64Array(c.runs);
  const sents = new Float64Array(c.runs);
  const workers = Math.max(1, c.concurrency);
  let maxExcess = 0;
  const tally: Record<Verdict, number> = { passed: 0, failed: 0, inconclusive: 0 };
  for (let r = 0; r < c.runs; r++) {
    const check = createCheck(c.expected, c.opts);
    const feed = (o: string) => {
      if (check.verdict() === null) check.observe(o);
    };
    const inOrder = new InOrder<string>(feed);
    // In flight: finish time, outcome, send index.
    const flight: { at: number; outcome: string; index: number }[] = [];
    let sent = 0;
    let now = 0;
    // Answers handed to the check (released in send order, or as they complete), and workers with nothing in flight.
    let handed = 0;
    let idle = workers;
    const dispatch = () => {
      const outcome = draw(++sent);
      const mean = c.latency?.[outcome] ?? 1;
      flight.push({ at: now + mean * (0.5 + rng.next()), outcome, index: inOrder.send() });
    };
    const fill = () => {
      while (
        idle > 0 &&
        check.verdict() === null &&
        sent < c.opts.maxRequests &&
        (c.cap === false || sent - handed < workers)
      ) {
        idle--;
        dispatch();
      }
    };
    fill();
    while (flight.length > 0) {
      const done = takeEarliest(flight);
      now = done.at;
      idle++;
      if (c.order === 'send') {
        inOrder.complete(done.index, done.outcome);
        handed = sent - inOrder.outstanding;
      } else {
        feed(done.outcome);
        handed++;
      }
      fill();
    }
    const v = check.verdict();
    if (v === null) throw new Error(`check gave no verdict after ${check.n} observations`);
    tally[v]++;
    ns[r] = check.n;
    sents[r] = sent;
    maxExcess = Math.max(maxExcess, sent - check.n);
  }
  const [p95Sent, maxSent] = percentiles(sents, [95, 100]);
  return { ...summarize(ns, tally), meanSent: mean(sents), p95Sent: p95Sent!, maxSent: maxSent!, maxExcess };
}
