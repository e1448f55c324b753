/**
 * Exact error rates and cost of the sequential check for a two-outcome target: the same rule as
 * SequentialCheck (same coefficients, same `evidence` arithmetic, same order of fail / pass /
 * inconclusive), evaluated for every path at once by dynamic programming over (n, S, which pass
 * tests have crossed) instead of sampled. It backs the Monte Carlo numbers with exact ones where
 * the state space is small enough: two outcomes, up to a few thousand requests.
 */
import { exactSampleSize } from './target.js';
import { evidence, outcomeTests, testLevels } from './sequential-check.js';
import type { CheckOptions } from './types.js';

export interface ExactRates {
  pass: number;
  fail: number;
  inconclusive: number;
  /** Requests to a verdict. */
  meanN: number;
  p95N: number;
}

/**
 * Outcome A has target share `p` (B has 1 − p); the mesh really sends share `q` to A, the rest
 * to B. Only sequential decisions (no fixedRequests).
 */
export function exactBinaryRates(p: number, q: number, opts: Omit<CheckOptions, 'fixedRequests'>): ExactRates {
  const { alpha, tolerance, maxRequests: N } = opts;
  const { aOut, aIn } = testLevels(alpha, 2);
  const minN = exactSampleSize(alpha, tolerance);
  const testsA = outcomeTests(p, tolerance);
  const testsB = outcomeTests(1 - p, tolerance);
  // Pass-test bits: A-high, A-low, B-high, B-low; an edge outside [0, 1] starts as crossed.
  const passTests = [testsA[0], testsA[1], testsB[0], testsB[1]];
  const start = passTests.reduce((bits, t, k) => (t === null ? bits | (1 << k) : bits), 0);
  const ALL = 15;
  const none: [number, number] = [0, 0];
  const [ph, pl, qh, ql] = passTests.map((t) => t ?? none) as [[number, number], [number, number], [number, number], [number, number]];
  const [fa, fb, ga, gb] = [testsA[2]!, testsA[3]!, testsB[2]!, testsB[3]!];
  let cur = Array.from({ length: 16 }, () => new Float64Array(N + 2));
  let nxt = Array.from({ length: 16 }, () => new Float64Array(N + 2));
  cur[start]![0] = 1;
  // Bit f set: pass-test state f holds some probability; the others are skipped.
  let live = 1 << start;
  let pass = 0;
  let fail = 0;
  let inconclusive = 0;
  const decidedAt = new Float64Array(N + 1);
  for (let n = 1; n <= N; n++) {
    for (let f = 0; f < 16; f++) {
      const out = nxt[f]!.fill(0, 0, n + 1);
      if (!(live & (1 << f))) continue;
      const m = cur[f]!;
      for (let s = 0; s < n; s++) {
        const x = m[s]!;
        if (x === 0) continue;
        out[s + 1]! += q * x;
        out[s]! += (1 - q) * x;
      }
    }
    let reached = live;
    for (let s = 0; s <= n; s++) {
      let any = false;
      for (let f = 0; f < 16 && !any; f++) any = (live & (1 << f)) !== 0 && nxt[f]![s]! !== 0;
      if (!any) continue;
      const b = n - s;
      let crossed = 0;
      if (!(start & 1) && evidence(ph[0], ph[1], s, b) >= aOut) crossed |= 1;
      if (!(start & 2) && evidence(pl[0], pl[1], s, b) >= aOut) crossed |= 2;
      if (!(start & 4) && evidence(qh[0], qh[1], b, s) >= aOut) crossed |= 4;
      if (!(start & 8) && evidence(ql[0], ql[1], b, s) >= aOut) crossed |= 8;
      const failed =
        evidence(fa[0], fa[1], s, b) >= aIn || evidence(fb[0], fb[1], s, b) >= aIn || evidence(ga[0], ga[1], b, s) >= aIn || evidence(gb[0], gb[1], b, s) >= aIn;
      // Descending, so that mass moved to a state with more bits (g > f) is not visited twice.
      for (let f = 15; f >= 0; f--) {
        if (!(live & (1 << f))) continue;
        const x = nxt[f]![s]!;
        if (x === 0) continue;
        const g = f | crossed;
        if (failed) fail += x;
        else if (g === ALL && n >= minN) pass += x;
        else if (n >= N) inconclusive += x;
        else {
          nxt[f]![s] = 0;
          nxt[g]![s]! += x;
          reached |= 1 << g;
          continue;
        }
        nxt[f]![s] = 0;
        decidedAt[n]! += x;
      }
    }
    live = reached;
    [cur, nxt] = [nxt, cur];
  }
  let meanN = 0;
  let cumulative = 0;
  let p95N = N;
  for (let n = 1; n <= N; n++) {
    meanN += n * decidedAt[n]!;
    cumulative += decidedAt[n]!;
    if (cumulative >= 0.95 && p95N === N) p95N = n;
  }
  return { pass, fail, inconclusive, meanN, p95N };
}
