/**
 * Exact targets: one outcome expected on every response (`{ v1: 100 }`, or a ratings state that must
 * hold for every response). Envoy never routes a weight-0 destination, so a single response from
 * any other outcome after settling is proof of a wrong route: it fails at once, with no chance of a
 * false failure. Passing needs n = ceil(ln alpha / ln(1 − tol)) clean responses: if some other
 * outcome really took a share q ≥ tol, n clean responses in a row happen with probability
 * (1 − q)^n ≤ (1 − tol)^n ≤ alpha. With `fixedRequests`, the verdict comes after exactly that many.
 */
import type { ExactExplanation } from '../model/check-explanation.js';
import { BaseCheck } from './base-check.js';
import type { CheckOptions, Verdict } from './types.js';
import { binomialSf } from './binomial.js';
import { exactSampleSize, type ExpectedSplit } from './expected-split.js';

export class ExactCheck extends BaseCheck {
  /** Index of the outcome expected on every response. */
  private readonly expectedIndex: number;
  private readonly needed: number;

  constructor(
    target: ExpectedSplit,
    opts: CheckOptions,
    /** `ratings` for a ratings state that must hold on every response. */
    private readonly service: ExactExplanation['service'] = 'reviews',
  ) {
    super(target, opts);
    this.expectedIndex = target.shares.indexOf(1);
    if (this.expectedIndex < 0) throw new Error('an exact target needs one outcome at 100%');
    this.needed = opts.fixedRequests ?? exactSampleSize(opts.alpha, opts.tolerance);
  }

  protected afterObserve(): void {}

  protected decide(): Verdict | null {
    const fixed = this.opts.fixedRequests;
    if (fixed !== undefined) {
      if (this.total < fixed) return null;
      return this.firstForbidden >= 0 ? 'failed' : 'passed';
    }
    if (this.firstForbidden >= 0) return 'failed';
    if (this.total >= this.needed) return 'passed';
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
    this.names.forEach((name, i) => {
      const k = this.count[i]!;
      if (n === 0) out[name] = [0, 1];
      else if (k === 0) out[name] = [0, 1 - Math.pow(this.opts.alpha, 1 / n)];
      else if (k === n) out[name] = [Math.pow(this.opts.alpha, 1 / n), 1];
      else out[name] = [lowerBound(k, n, this.opts.alpha), 1 - lowerBound(n - k, n, this.opts.alpha)];
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
      sampleSize: exactSampleSize(alpha, tolerance),
      unseenBound: Math.pow(1 - tolerance, this.total),
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
