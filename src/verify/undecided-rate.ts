/**
 * How often a weighted expectation ends inconclusive when the mesh routes exactly as expected, for
 * the budget it runs with, and the least budget that keeps that within alpha: lint and run refuse a
 * budget past which more than alpha of the correct runs are still undecided (README, "Plans"). 50/50
 * at maxRequests 300 can pass, so ideal traffic alone (reachable-verdicts.ts) lets it through, yet
 * half of the correct runs end inconclusive.
 *
 * - Sequential, two outcomes: exact, by exactBinaryRates (every path of the same rule).
 * - Sequential, three or more: an exact DP is over (n, s₁, …, s_{K−1}), N³/6 states for K = 3 at
 *   N = 3000, and a Monte Carlo precise enough to tell a 1 % rate from 2 % takes seconds; lint has
 *   well under one. So a bound from above, through the outcomes' own counts at the last request:
 *   a run still undecided after N has not passed at N (nor failed at any n ≤ N), so at n = N some
 *   outcome i is neither in its pass region (both its band edges refuted) nor in its fail region,
 *   and P(undecided) ≤ Σᵢ P(Sᵢ at N is in neither), each term a binomial sum over Sᵢ ~ Bin(N, pᵢ).
 *   It ignores every pass before N, so it asks for more budget than the least: for two outcomes,
 *   where the exact figure is known, 934 requests for 50/50 against 767 (80/20: 627 against 520);
 *   for 40/30/30 it asks 996 where the real check, by Monte Carlo (20,000 runs), ends undecided
 *   1.2 % of the time at 800 and 0.6 % at 900. About a fifth more budget than needed, then, and
 *   never less: a budget it accepts is enough, and one within that fifth is refused although it
 *   would do. The default maxRequests 3000 is far past all of these.
 * - Fixed `requests`: one decision at N, so the same event at N is the whole story: exact for two
 *   outcomes, the same union bound for more.
 *
 * Results are cached per (target, alpha, tolerance, budget) for the life of the process: lint and
 * run ask for every expectation, and plans repeat their splits.
 */
import { binomialPmf } from './binomial.js';
import { exactBinaryRates } from './exact-rates.js';
import { exactSampleSize, parseExpectedSplit } from './expected-split.js';
import { acceptanceRange, failTests, fixedSampleSize } from './fixed-sample.js';
import { evidence, outcomeTests, testLevels } from './sequential-check.js';
import type { CheckOptions } from './types.js';

export interface UndecidedRate {
  /** P(inconclusive | the real split is the target): exact, or a bound from above where `exact` is false. */
  rate: number;
  exact: boolean;
}

/** Past this budget the exact two-outcome DP (O(N²)) gives way to the bound. */
const EXACT_LIMIT = 10_000;
/** The largest budget the search for a sufficient one looks at. */
const SEARCH_LIMIT = 1 << 22;

const rates = new Map<string, UndecidedRate | null>();
const budgets = new Map<string, number>();

/**
 * The chance that a weighted expectation decided with `opts` ends inconclusive on a correct split,
 * when it may be above alpha; null when it is shown to be within alpha. The budget is
 * `fixedRequests` when set, else `maxRequests`.
 */
export function undecidedAboveAlpha(expected: Record<string, number>, opts: CheckOptions): UndecidedRate | null {
  const key = cacheKey(expected, opts);
  if (!rates.has(key)) rates.set(key, computeRate(active(expected), opts));
  return rates.get(key)!;
}

/**
 * The least budget (maxRequests, or requests with `fixedRequests`) whose undecided rate is within
 * alpha: exact for two outcomes decided sequentially (the rate falls as the budget grows, so a
 * bisection finds it), else the least found by bisection on the bound, which is sufficient.
 */
export function leastBudget(expected: Record<string, number>, opts: CheckOptions): number {
  const key = cacheKey(expected, opts);
  if (!budgets.has(key)) budgets.set(key, searchBudget(expected, opts));
  return budgets.get(key)!;
}

/**
 * The bound from above at the budget (see the header): P(some outcome's count at the last request
 * is in neither its pass nor its fail region). Exact for a fixed test of two outcomes.
 */
export function undecidedBound(expected: Record<string, number>, opts: CheckOptions): number {
  return undecidedAt(opts.fixedRequests ?? opts.maxRequests, active(expected), opts);
}

function computeRate(shares: number[], opts: CheckOptions): UndecidedRate | null {
  const { alpha, fixedRequests } = opts;
  const n = fixedRequests ?? opts.maxRequests;
  const bound = undecidedAt(n, shares, opts);
  if (bound <= alpha) return null;
  if (fixedRequests !== undefined) return { rate: bound, exact: shares.length === 2 };
  if (shares.length > 2 || n > EXACT_LIMIT) return { rate: bound, exact: false };
  const rate = sequentialExact(shares, opts, n);
  return rate <= alpha ? null : { rate, exact: true };
}

function searchBudget(expected: Record<string, number>, opts: CheckOptions): number {
  const { alpha, tolerance, fixedRequests } = opts;
  const shares = active(expected);
  const from = fixedRequests ?? opts.maxRequests;
  const boundOk = (n: number) => undecidedAt(n, shares, opts) <= alpha;
  // A fixed test's decisive size leaves no count undecided: the search starts there.
  let hi = Math.max(
    from + 1,
    fixedRequests !== undefined ? fixedSampleSize(expected, alpha, tolerance) : exactSampleSize(alpha, tolerance),
  );
  while (!boundOk(hi)) {
    if (hi > SEARCH_LIMIT) throw new Error(`no budget up to ${SEARCH_LIMIT} decides at alpha ${alpha}`);
    hi *= 2;
  }
  const byBound = bisect(from, hi, boundOk);
  if (fixedRequests !== undefined) {
    // Exact tails make a fixed test's rate wobble with n: look a little lower for an earlier size that does.
    for (let n = Math.max(from + 1, Math.floor(byBound * 0.9)); n < byBound; n++) if (boundOk(n)) return n;
    return byBound;
  }
  if (shares.length > 2 || byBound > EXACT_LIMIT) return byBound;
  // The exact rate only falls as the budget grows: a bisection finds the least.
  return bisect(from, byBound, (n) => sequentialExact(shares, opts, n) <= alpha);
}

/** The least n in (lo, hi] where `ok` holds, for an `ok` false at lo and true at hi that changes once. */
function bisect(lo: number, hi: number, ok: (n: number) => boolean): number {
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

function sequentialExact(shares: number[], opts: CheckOptions, maxRequests: number): number {
  return exactBinaryRates(shares[0]!, shares[0]!, { alpha: opts.alpha, tolerance: opts.tolerance, maxRequests })
    .inconclusive;
}

/**
 * P(at size n, some outcome is neither in its pass region nor in its fail region): exact over the
 * one count of two outcomes, the union over the outcomes for more (see the header).
 */
function undecidedAt(n: number, shares: number[], opts: CheckOptions): number {
  const regions = shares.map((p) =>
    (opts.fixedRequests !== undefined ? fixedRegions : sequentialRegions)(n, p, shares.length, opts),
  );
  if (shares.length === 2) {
    const [a, b] = regions as [Regions, Regions];
    const pmf = binomialPmf(n, shares[0]!);
    let sum = 0;
    for (let s = 0; s <= n; s++) {
      const passed = a.pass(s) && b.pass(n - s);
      const failed = a.fail(s) || b.fail(n - s);
      if (!passed && !failed) sum += pmf[s]!;
    }
    return Math.min(1, sum);
  }
  let sum = 0;
  shares.forEach((p, i) => {
    const pmf = binomialPmf(n, p);
    const r = regions[i]!;
    for (let s = 0; s <= n; s++) if (!r.pass(s) && !r.fail(s)) sum += pmf[s]!;
  });
  return Math.min(1, sum);
}

/** One outcome's verdict regions at size n, by its count. */
interface Regions {
  pass(s: number): boolean;
  fail(s: number): boolean;
}

/** SequentialCheck's rule at n: both band edges refuted at ln(1/alpha) (from n₀ on); a fail test crossed. */
function sequentialRegions(n: number, p: number, outcomes: number, opts: CheckOptions): Regions {
  const { aOut, aIn } = testLevels(opts.alpha, outcomes);
  const [high, low, below, above] = outcomeTests(p, opts.tolerance);
  const enough = n >= exactSampleSize(opts.alpha, opts.tolerance);
  const at = (t: [number, number] | null | undefined, s: number) => (t ? evidence(t[0], t[1], s, n - s) : -Infinity);
  return {
    pass: (s) => enough && (!high || at(high, s) >= aOut) && (!low || at(low, s) >= aOut),
    fail: (s) => at(below, s) >= aIn || at(above, s) >= aIn,
  };
}

/** FixedCheck's rule at n: the count in its pass range; in its fail region. */
function fixedRegions(n: number, p: number, outcomes: number, opts: CheckOptions): Regions {
  const r = acceptanceRange(n, p, opts.alpha, opts.tolerance, failTests(outcomes));
  return {
    pass: (s) => s >= r.passMin && s <= r.passMax,
    fail: (s) => s <= r.failBelow || s >= r.failAbove,
  };
}

/** The positive target shares, as fractions, in the plan's order; only weighted targets are asked about. */
function active(expected: Record<string, number>): number[] {
  const target = parseExpectedSplit(expected);
  if (target.kind === 'exact') throw new Error('an exact target is never undecided on a correct split');
  return target.shares.filter((p) => p > 0);
}

function cacheKey(expected: Record<string, number>, opts: CheckOptions): string {
  const shares = Object.values(expected)
    .filter((v) => v > 0)
    .sort((a, b) => a - b);
  const { alpha, tolerance, maxRequests, fixedRequests } = opts;
  return JSON.stringify([
    shares,
    alpha,
    tolerance,
    fixedRequests === undefined ? maxRequests : ['fixed', fixedRequests],
  ]);
}
