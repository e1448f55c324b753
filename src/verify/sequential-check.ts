/**
 * Weighted targets (`{ v1: 80, v3: 20 }`), decided sequentially and valid at every sample size
 * (README, "How a step is decided").
 *
 * Model: after settling, each response independently comes from outcome i with probability q_i
 * (Envoy draws the weighted destination per request). For outcome i with target share p, let S be
 * its count among n responses.
 *
 * One family of one-sided tests per outcome, indexed by a candidate share q, with d = 0.9·tol:
 *   Λ⁺_n(q) = log LR(q−d against q) = S·log((q−d)/q) + (n−S)·log((1−q+d)/(1−q))
 *   "the share is below q" is shown once Λ⁺_n(q) ≥ a(q); Λ⁻ is the mirror image (q+d against q).
 * Under a true share q, exp Λ⁺_n(q) is a likelihood ratio: a non-negative martingale with mean 1, so
 * by Ville's inequality P(it ever reaches e^a) ≤ e^−a — at all n at once, which is what makes
 * stopping as soon as the evidence is clear safe. Λ⁺_n(q) increases with q (∂/∂q = S·d/(q(q−d)) +
 * (n−S)·d/((1−q)(1−q+d)) > 0), so the shares shown too high form [u_n, 1]; and it decreases with S,
 * so a true share above q crosses even less often. u_n and its mirror l_n give the reported
 * interval [l_n, u_n] at the n of the verdict: every bound holds at every n with probability ≥ 1 − e^−a.
 *
 * Levels: a(q) = ln(1/alpha) at and beyond the band edges p ± tol; a(q) = ln(m/alpha) inside the band.
 *
 *  pass ⇔ at one n, for every outcome u_n ≤ p+tol and l_n ≥ p−tol (every band edge refuted by
 *        the evidence at that n, all at once), and n ≥ n₀.
 *        If outcome i's real share is ≥ p_i+tol, passing needs Λ⁺_n(p_i+tol) ≥ ln(1/alpha) at some
 *        n under such a share: probability ≤ alpha. Likewise below. No union bound: each
 *        wrong split is refuted by one particular edge test, and the other edges only make passing
 *        harder. Outcomes the target gives 0 % are pooled into one stray share with its own band
 *        edge at tol (strays.ts): refuting it is one more edge, which takes 49 answers when none
 *        strays.
 *  A split that moves during the step (responses independent, share q_t at response t): the pass
 *        says the *average* share over the n responses it rests on was inside the band. With
 *        X_t ∈ {0, 1} and Λ⁺_n = Σ(b + λX_t) (λ = a − b < 0), E[exp(b + λX_t)] = exp f(q_t) with
 *        f(q) = b + ln(1 − q(1 − e^λ)) concave and f(edge) = 0, so exp(Λ⁺_n − Σf(q_t)) is a mean-1
 *        martingale for any sequence q_t (Ville again), and Σf(q_t) ≤ n·f(q̄_n) ≤ 0 whenever the
 *        average q̄_n ≥ edge (Jensen). Hence P(some n has Λ⁺_n ≥ a while q̄_n ≥ edge) ≤ e^−a: a
 *        pass at an n where the average split is off by ≥ tol has probability ≤ alpha (per edge;
 *        a split that drifts one way meets one edge). This needs the edges refuted *at the same
 *        n*: with each edge's refutation kept once reached (a running extremum), early responses
 *        could refute an edge that the split later moved past, and later ones the other edge
 *        (50/50 for 100 responses then 70/30 passed 12 % of the time that way; now 0.03 %).
 *        A split that moves late cannot be told from one that stays: no test can hold "50/50 for
 *        100 responses, then 60/40" to alpha and still average under 100 + 310 requests on a
 *        correct 50/50 (the first 100 responses say nothing, lower-bound.ts bounds the rest).
 *  fail ⇔ some outcome's own target is refuted (U ≤ p_i or L ≥ p_i) at level alpha/m, or the stray
 *        share is shown above what misreads explain (strays.ts; under `strict`, one stray fails).
 *        With the real split equal to the target, that takes one of m one-sided tests to fire:
 *        probability ≤ alpha. m = 2 for two outcomes (their tests mirror each other), else 2K, plus
 *        one for the strays (which can only fire on misread answers: weight 0 is never routed).
 *  Unknown answers (unreadable, or a degraded page that hides its version) count in n and, for
 *        each test, on the side that weakens it (strays.ts says why every guarantee still holds).
 *
 * The two guarantees concern different real splits, so each gets the whole alpha. (Pass and fail
 * evidence can both build up for a split well inside the band but off its target, where neither
 * guarantee speaks; whichever is complete first decides, and fail wins a tie.)
 *
 * The geometry: to pass, every share must be shown to lie strictly inside its band, i.e. both of
 * its edges refuted. Each edge's evidence grows at rate KL(p ‖ edge) per response (0.0204 for
 * 0.5 vs 0.6, 0.0257 for 0.8 vs 0.7), so no valid test can pass sooner on average than about
 * ln(1/alpha)/KL (226 and 179 responses), and a random walk of the observed share toward one edge
 * delays the refutation of that edge. The alternative in each ratio sits a tenth of the way from
 * target to edge (d = 0.9·tol): at alpha 0.01 and tol 0.10, the mean requests to decide a correct
 * 50/50 are 336.9 (exact, exact-rates.ts; 325.6 if each edge stayed refuted once reached, which
 * drift defeats), and 80/20 218.4 (211.6); 0.8·tol, 0.85·tol and 1.0·tol were no better. For
 * comparison, a pair of one-sided Wald SPRTs with a Bonferroni split needs about 370 and 240, a
 * fixed-sample test with the same guarantees 596 and 446 (fixed-sample.ts), and no
 * test at all with both guarantees can average below 310.5 and 200.8 (lower-bound.ts).
 */
import type { SequentialExplanation } from '../model/check-explanation.js';
import { BaseCheck } from './base-check.js';
import type { CheckOptions, Verdict } from './types.js';
import type { ExpectedSplit } from './expected-split.js';
import { band, upperBoundOf } from './bounds.js';
import { ALTERNATIVE_DISTANCE, downCoef, evidence, upCoef } from './likelihood-ratio.js';
import { strayEvidence, strayTests, type StrayTests } from './strays.js';

export { ALTERNATIVE_DISTANCE, evidence } from './likelihood-ratio.js';

export class SequentialCheck extends BaseCheck {
  private readonly d: number;
  private readonly aOut: number;
  private readonly aIn: number;
  private readonly strayTests: StrayTests;
  /** Outcomes with a positive target share, and per outcome the four edge statistics' coefficients. */
  private readonly active: number[];
  private readonly coef: Float64Array;
  /** Per pass slot: an edge outside [0, 1], which needs no refuting. */
  private readonly moot: Uint8Array;
  private passing = false;
  private failure: { i: number; dir: 'below' | 'above' } | null = null;
  /** The stray share was shown above what misreads explain (strays.ts). */
  private strayFailure = false;
  /** Counts when the verdict came (a deferred check keeps counting; its intervals stay those of the verdict). */
  private atVerdict: { count: number[]; total: number; unknown: number } | null = null;

  constructor(target: ExpectedSplit, opts: CheckOptions) {
    super(target, opts);
    const { alpha, tolerance } = opts;
    this.d = ALTERNATIVE_DISTANCE * tolerance;
    this.active = target.shares.flatMap((p, i) => (p > 0 ? [i] : []));
    if (this.active.length < 2) throw new Error('a weighted target needs two or more outcomes above 0%');
    ({ aOut: this.aOut, aIn: this.aIn } = testLevels(alpha, this.active.length));
    this.strayTests = strayTests(tolerance);
    // Per active outcome: [pass-high a,b | pass-low a,b | fail-below a,b | fail-above a,b].
    this.coef = new Float64Array(8 * this.active.length);
    this.moot = new Uint8Array(4 * this.active.length);
    this.active.forEach((i, k) => {
      outcomeTests(target.shares[i]!, tolerance).forEach((c, slot) => {
        if (c === null) this.moot[4 * k + slot] = 1;
        else {
          this.coef[8 * k + 2 * slot] = c[0];
          this.coef[8 * k + 2 * slot + 1] = c[1];
        }
      });
    });
  }

  /**
   * Fail tests stay crossed once crossed (a verdict of "off target" at any n is valid at level
   * alpha/m); the pass tests are read afresh at every n: every band edge must be refuted by the
   * evidence at this n, all at once (see the header: this is what keeps a pass honest when the
   * split moves during the step). Unknown answers go to the side that weakens each test: with the
   * outcome for edges whose evidence falls as its count rises (slots 0 and 2), against it otherwise.
   */
  protected afterObserve(): void {
    const n = this.total;
    const u = this.unknown;
    const c = this.coef;
    const [strayPass, strayFail] = strayEvidence(this.strayTests, n, this.strays, u);
    let passing = strayPass >= this.aOut;
    if (strayFail >= this.aIn) this.strayFailure = true;
    for (let k = 0; k < this.active.length; k++) {
      const s = this.count[this.active[k]!]!;
      const f = n - s - u;
      for (let slot = 0; slot < 4; slot++) {
        const at = 4 * k + slot;
        if (this.moot[at]) continue;
        const e =
          slot % 2 === 0
            ? evidence(c[2 * at]!, c[2 * at + 1]!, s + u, f)
            : evidence(c[2 * at]!, c[2 * at + 1]!, s, f + u);
        if (slot < 2) {
          if (e < this.aOut) passing = false;
        } else if (!this.failure && e >= this.aIn) {
          this.failure = { i: this.active[k]!, dir: slot === 2 ? 'below' : 'above' };
        }
      }
    }
    this.passing = passing;
  }

  protected override straysFail(): boolean {
    return super.straysFail() || this.strayFailure;
  }

  protected decide(): Verdict | null {
    const v =
      this.straysFail() || this.failure
        ? 'failed'
        : this.passing
          ? 'passed'
          : this.total >= this.opts.maxRequests
            ? 'inconclusive'
            : null;
    if (v !== null && this.atVerdict === null)
      this.atVerdict = { count: [...this.count], total: this.total, unknown: this.unknown };
    return v;
  }

  /** [L, U] per outcome from the counts at the verdict (or now, while undecided): see the header. */
  intervals(): Record<string, [number, number]> {
    const { tolerance } = this.opts;
    const count = this.atVerdict?.count ?? this.count;
    const n = this.atVerdict?.total ?? this.total;
    const unknown = this.atVerdict?.unknown ?? this.unknown;
    return Object.fromEntries(
      this.names.map((name, j) => {
        const s = count[j] ?? 0;
        const p = this.shares[j]!;
        // The unknown answers widen both ends: as this outcome for the upper, as another for the lower.
        const u = upperBound(s + unknown, n - s - unknown, p, tolerance, this.d, this.aIn, this.aOut);
        const l = 1 - upperBound(n - s, s, 1 - p, tolerance, this.d, this.aIn, this.aOut);
        return [name, [l, u] as [number, number]];
      }),
    );
  }

  explanation(): SequentialExplanation {
    const iv = this.intervals();
    const f = this.failure;
    return {
      kind: 'sequential',
      ...this.basis(),
      shares: this.active.map((i) => this.shareEvidence(i, iv)),
      offTarget: f && { outcome: this.names[f.i]!, expected: this.shares[f.i]!, direction: f.dir },
    };
  }
}

/**
 * The levels: ln(1/alpha) at and beyond the band edges, ln(m/alpha) for the fail tests inside
 * (the targets' one-sided tests, and the strays' test).
 */
export function testLevels(alpha: number, activeOutcomes: number): { aOut: number; aIn: number } {
  const m = (activeOutcomes === 2 ? 2 : 2 * activeOutcomes) + 1;
  return { aOut: Math.log(1 / alpha), aIn: Math.log(m / alpha) };
}

/**
 * The four tests of one outcome with target share p, as coefficients [a, b] of s·a + (n−s)·b:
 * pass-high (share ≥ p+tol refuted), pass-low, fail-below (share ≥ p refuted), fail-above.
 * null for an edge outside [0, 1], which needs no refuting.
 */
export function outcomeTests(p: number, tolerance: number): ([number, number] | null)[] {
  const d = ALTERNATIVE_DISTANCE * tolerance;
  const { lo, hi } = band(p, tolerance);
  return [hi <= 1 ? downCoef(hi, d) : null, lo >= 0 ? upCoef(lo, d) : null, downCoef(p, d), upCoef(p, d)];
}

/** Λ⁺(q) for s of s+f; −∞ at q = 0, where no share can be below. */
function down(q: number, d: number, s: number, f: number): number {
  if (q <= 0) return -Infinity;
  const [a, b] = downCoef(q, d);
  return evidence(a, b, s, f);
}

/** u for s of s+f: the upper end of the shares the Λ⁺ family has not ruled out. */
export function upperBound(s: number, f: number, p: number, tol: number, d: number, aIn: number, aOut: number): number {
  return upperBoundOf((q) => down(q, d, s, f), p, tol, aIn, aOut);
}
