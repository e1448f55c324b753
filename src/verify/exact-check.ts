/**
 * Exact targets: one outcome expected on every response (`{ v1: 100 }`, or a ratings state that must
 * hold for every response). Everything else is a stray, tested as a share (strays.ts): passing
 * refutes "strays take tol or more" (49 answers at the defaults when none strays; a real stray
 * share ≥ tol passes with probability ≤ alpha, Ville's inequality), failing shows the strays above
 * what misreads explain (a real share of tol fails in about 20 answers). Envoy never routes a
 * weight-0 destination, so a correct split fails only through misread answers, and then with
 * probability ≤ alpha while they stay under tol/50. `strict: true` fails on one stray instead.
 * With `fixedRequests` the verdict comes after exactly that many, by the single-sighting rule:
 * any stray fails, no stray passes (P(no sighting | a share ≥ tol) ≤ (1 − tol)^N, stated).
 */
import type { ExactExplanation } from '../model/check-explanation.js';
import { BaseCheck } from './base-check.js';
import type { CheckOptions, Verdict } from './types.js';
import { binomialSf } from './binomial.js';
import { exactSampleSize, type ExpectedSplit } from './expected-split.js';
import { straySampleSize, strayEvidence, strayTests } from './strays.js';

export class ExactCheck extends BaseCheck {
  /** Index of the outcome expected on every response. */
  private readonly expectedIndex: number;
  private readonly needed: number;
  /** Evidence against "strays take tol or more", and for "strays exceed misreads" (strays.ts). */
  private strayPass = 0;
  private strayFailure = false;
  private readonly strayTests = strayTests(this.opts.tolerance);

  constructor(
    target: ExpectedSplit,
    opts: CheckOptions,
    /** `ratings` for a ratings state that must hold on every response. */
    private readonly service: ExactExplanation['service'] = 'reviews',
  ) {
    super(target, opts);
    this.expectedIndex = target.shares.indexOf(1);
    if (this.expectedIndex < 0) throw new Error('an exact target needs one outcome at 100%');
    this.needed = opts.fixedRequests ?? straySampleSize(opts.alpha, opts.tolerance);
  }

  protected afterObserve(): void {
    const [pass, fail] = strayEvidence(this.strayTests, this.total, this.strays, this.unknown);
    this.strayPass = pass;
    // One fail test (the strays'), at the whole alpha.
    if (fail >= Math.log(1 / this.opts.alpha)) this.strayFailure = true;
  }

  protected override straysFail(): boolean {
    if (this.opts.fixedRequests !== undefined) return this.firstForbidden >= 0;
    return super.straysFail() || this.strayFailure;
  }

  protected decide(): Verdict | null {
    const fixed = this.opts.fixedRequests;
    if (fixed !== undefined) {
      if (this.total < fixed) return null;
      // An unknown answer could have been a stray: the sample can't say.
      return this.firstForbidden >= 0 ? 'failed' : this.unknown > 0 ? 'inconclusive' : 'passed';
    }
    if (this.straysFail()) return 'failed';
    if (this.strayPass >= Math.log(1 / this.opts.alpha)) return 'passed';
    if (this.total >= this.opts.maxRequests) return 'inconclusive';
    return null;
  }

  /**
   * Exact one-sided bounds at level alpha: with k of n responses on the expected outcome, its share
   * is at least the q where P(≥ k | q) = alpha; for the k = n case that is alpha^(1/n). Others get
   * the matching upper bound. These are the bounds the pass rule uses (the share of everything else
   * is below tol exactly when n clean responses reach the rule's n).
   */
  intervals(): Record<string, [number, number]> {
    const out: Record<string, [number, number]> = {};
    const n = this.total;
    const { alpha } = this.opts;
    // The lower end counts the unknown answers as another outcome, the upper end as this one.
    const low = (k: number) => (k === 0 ? 0 : k === n ? Math.pow(alpha, 1 / n) : lowerBound(k, n, alpha));
    this.names.forEach((name, i) => {
      const k = this.count[i]!;
      out[name] = n === 0 ? [0, 1] : [low(k), 1 - low(n - k - this.unknown)];
    });
    return out;
  }

  explanation(): ExactExplanation {
    const { alpha, tolerance } = this.opts;
    return {
      kind: 'exact',
      ...this.basis(),
      service: this.service,
      expected: this.names[this.expectedIndex]!,
      needed: this.needed,
      sampleSize:
        this.opts.fixedRequests === undefined ? straySampleSize(alpha, tolerance) : exactSampleSize(alpha, tolerance),
      // Fixed: P(a share of tol unseen in n); sequential: the stray share's pass-edge bound at this n.
      unseenBound:
        this.opts.fixedRequests === undefined
          ? Math.min(1, Math.exp(-this.strayPass))
          : Math.pow(1 - tolerance, this.total),
    };
  }
}

/** The q where P(S ≥ k | n, q) = level (exact one-sided lower bound), by bisection on the monotone tail. */
function lowerBound(k: number, n: number, level: number): number {
  let lo = 0;
  let hi = 1;
  for (let it = 0; it < 50; it++) {
    const mid = (lo + hi) / 2;
    if (binomialSf(k, n, mid) > level) hi = mid;
    else lo = mid;
  }
  return lo;
}
