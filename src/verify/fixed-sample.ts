/**
 * The fixed-sample decision for weighted targets, and the sample size at which it always decides.
 *
 * With n responses and S of them from an outcome with target share p, per outcome:
 *   pass range  [passMin, passMax]: S ≤ passMax ⇔ P(S' ≤ S | share p+tol) ≤ alpha, and
 *               S ≥ passMin ⇔ P(S' ≥ S | share p−tol) ≤ alpha (exact binomial tails), so a share
 *               off by tol or more lands in its pass range with probability ≤ alpha;
 *   fail region S ≤ failBelow or S ≥ failAbove, each tail holding ≤ alpha/m under share p, so the
 *               right split fails with probability ≤ alpha (m one-sided tests, as in the
 *               sequential check: 2 for two outcomes, else 2K).
 * Pass needs every outcome in its pass range; otherwise any outcome in its fail region fails;
 * anything else is inconclusive. Both guarantees hold for every n; what n buys is decisiveness.
 *
 * fixedSampleSize is the smallest n at which no count is left inconclusive: the non-fail range
 * (failBelow, failAbove) lies inside [passMin, passMax] for every outcome. In normal terms that is
 * sqrt(n)·tol ≥ z(1 − alpha/m)·sqrt(p(1−p)) + z(1 − alpha)·sqrt(q(1−q)) with q the nearer-to-½
 * edge: 590 for 50/50 at alpha 0.01, tol 0.10 (596 with exact tails, which can only be ≤ alpha). The research notes'
 * 664 is the size at which a 99 % interval has half-width tol/2 (z(0.995)·0.5/0.05, squared): it uses the two-sided
 * quantile on both sides and the worst-case variance, so it is conservative; 596 keeps the same two guarantees.
 */
import { largestLowerTail, smallestUpperTail } from './binomial.js';
import { band } from './bounds.js';
import { exactSampleSize, parseExpectedSplit, type ExpectedSplit } from './expected-split.js';

export interface AcceptanceRange {
  passMin: number;
  passMax: number;
  /** Fails at or below this count (−1: never). */
  failBelow: number;
  /** Fails at or above this count (n + 1: never). */
  failAbove: number;
}

/** Number of one-sided fail tests the Bonferroni split is over. */
export function failTests(activeOutcomes: number): number {
  return activeOutcomes === 2 ? 2 : 2 * activeOutcomes;
}

export function acceptanceRange(n: number, p: number, alpha: number, tolerance: number, m: number): AcceptanceRange {
  const { lo, hi } = band(p, tolerance);
  return {
    passMin: lo >= 0 ? smallestUpperTail(n, lo, alpha) : 0,
    passMax: hi <= 1 ? largestLowerTail(n, hi, alpha) : n,
    failBelow: largestLowerTail(n, p, alpha / m),
    failAbove: smallestUpperTail(n, p, alpha / m),
  };
}

/** True when every possible count at size n gets a pass or a fail. */
export function decisiveAt(n: number, target: ExpectedSplit, alpha: number, tolerance: number): boolean {
  const active = target.shares.filter((p) => p > 0);
  const m = failTests(active.length);
  return active.every((p) => {
    const r = acceptanceRange(n, p, alpha, tolerance, m);
    return r.failBelow + 1 >= r.passMin && r.failAbove - 1 <= r.passMax;
  });
}

/**
 * Size of a fixed-sample test with the same two guarantees as the sequential check (see header).
 * Exact targets: ceil(ln alpha / ln(1 − tol)). Weighted: the smallest decisive n, never below the
 * exact rule's n (which guards unlisted outcomes). Exact tails make decisiveness not quite
 * monotone in n (50/50 is decisive at 596, 598, 601, 603, 605, then from 607 on), so the search
 * doubles and bisects to a decisive size, then scans the 10 % below it for an earlier one.
 */
export function fixedSampleSize(
  target: ExpectedSplit | Record<string, number>,
  alpha: number,
  tolerance: number,
): number {
  const t = isExpectedSplit(target) ? target : parseExpectedSplit(target);
  const floor = exactSampleSize(alpha, tolerance);
  if (t.kind === 'exact') return floor;
  const decisive = (n: number) => decisiveAt(n, t, alpha, tolerance);
  let hi = Math.max(floor, 16);
  while (!decisive(hi)) {
    hi *= 2;
    if (hi > 1 << 22)
      throw new Error(`no fixed sample size up to ${1 << 22} decides at alpha ${alpha}, tolerance ${tolerance}`);
  }
  let lo = floor - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (decisive(mid)) hi = mid;
    else lo = mid;
  }
  for (let n = Math.max(floor, Math.floor(hi * 0.9)); n < hi; n++) if (decisive(n)) return n;
  return hi;
}

function isExpectedSplit(t: ExpectedSplit | Record<string, number>): t is ExpectedSplit {
  return Array.isArray((t as ExpectedSplit).names) && Array.isArray((t as ExpectedSplit).shares);
}
