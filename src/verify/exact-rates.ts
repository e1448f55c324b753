/**
 * Exact error rates and cost of the sequential check for a two-outcome target: the same rule as
 * SequentialCheck (same coefficients, same `evidence` arithmetic, same order of fail / pass /
 * inconclusive), evaluated for every path at once by dynamic programming over (n, S) instead of
 * sampled. Passing needs every band edge refuted at the same n, and a fail test that crossed has
 * ended the run, so the state is the count alone. The real share may change with n (a split that
 * moves during the step), which the DP follows exactly too.
 * Here rather than in simulation/ because lint asks it too: how often a budget leaves a correct
 * split undecided (undecided-rate.ts).
 */
import { strayEvidence, straySampleSize, strayTests } from './strays.js';
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
 * Outcome A has target share `p` (B has 1 − p); the mesh really sends share `q` to A (or `q(n)`
 * for the n-th response, counting from 1), the rest to B. Only sequential decisions.
 */
export function exactBinaryRates(
  p: number,
  q: number | ((n: number) => number),
  opts: Omit<CheckOptions, 'fixedRequests'>,
): ExactRates {
  const { alpha, tolerance } = opts;
  const { aOut, aIn } = testLevels(alpha, 2);
  // No answer strays here, so the strays' edge is refuted from this n on (strays.ts).
  const minN = straySampleSize(alpha, tolerance);
  const [ah, al, af, aa] = outcomeTests(p, tolerance);
  const [bh, bl, bf, ba] = outcomeTests(1 - p, tolerance);
  const passTests = [ah, al, bh, bl];
  return countDp(opts.maxRequests, typeof q === 'number' ? () => q : q, (n, s) => {
    const b = n - s;
    // A's count is s, B's is b: B's tests read the counts the other way round.
    const failed =
      evidence(af![0], af![1], s, b) >= aIn ||
      evidence(aa![0], aa![1], s, b) >= aIn ||
      evidence(bf![0], bf![1], b, s) >= aIn ||
      evidence(ba![0], ba![1], b, s) >= aIn;
    if (failed) return 'fail';
    const passed =
      n >= minN &&
      passTests.every((t, k) => !t || (k < 2 ? evidence(t[0], t[1], s, b) : evidence(t[0], t[1], b, s)) >= aOut);
    return passed ? 'pass' : null;
  });
}

/**
 * Exact error rates and cost of an exact target's stray test (strays.ts) when a share `q` of the
 * answers strays: dynamic programming over (n, strays) with the check's own arithmetic. q = 0 is a
 * correct split on clean answers, q = tol the edge a pass must refute.
 */
export function exactStrayRates(q: number, opts: Omit<CheckOptions, 'fixedRequests'>): ExactRates {
  const level = Math.log(1 / opts.alpha);
  const tests = strayTests(opts.tolerance);
  return countDp(
    opts.maxRequests,
    () => q,
    (n, s) => {
      const [passed, failed] = strayEvidence(tests, n, s, 0);
      return failed >= level ? 'fail' : passed >= level ? 'pass' : null;
    },
  );
}

/**
 * Every path of a stream of N answers at once, by the count S of one outcome (share q(n) for the
 * n-th answer): `decide` ends a path at (n, S) with a pass or a fail, and paths still open at N are
 * inconclusive. The state is the count alone because a verdict ends the path.
 */
function countDp(
  N: number,
  share: (n: number) => number,
  decide: (n: number, s: number) => 'pass' | 'fail' | null,
): ExactRates {
  let cur = new Float64Array(N + 2);
  let nxt = new Float64Array(N + 2);
  cur[0] = 1;
  let pass = 0;
  let fail = 0;
  let inconclusive = 0;
  const decidedAt = new Float64Array(N + 1);
  for (let n = 1; n <= N; n++) {
    const qn = share(n);
    nxt.fill(0, 0, n + 1);
    for (let s = 0; s < n; s++) {
      const x = cur[s]!;
      if (x === 0) continue;
      nxt[s + 1]! += qn * x;
      nxt[s]! += (1 - qn) * x;
    }
    for (let s = 0; s <= n; s++) {
      const x = nxt[s]!;
      if (x === 0) continue;
      const v = decide(n, s);
      if (v === 'fail') fail += x;
      else if (v === 'pass') pass += x;
      else if (n >= N) inconclusive += x;
      else continue;
      nxt[s] = 0;
      decidedAt[n]! += x;
    }
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
