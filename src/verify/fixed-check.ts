/**
 * A weighted target with `requests: N`: one decision after exactly N responses (fixed-sample.ts has
 * the rule and its guarantees). An outcome the target gives 0 % still fails the moment it is seen
 * in the sample (weight 0 is never routed), but the verdict waits for N like every fixed decision.
 */
import type { FixedExplanation } from '../model/check-explanation.js';
import { BaseCheck } from './base-check.js';
import { binomialCdf } from './binomial.js';
import { upperBoundOf } from './bounds.js';
import { acceptanceRange, decisiveAt, failTests, fixedSampleSize, type AcceptanceRange } from './fixed-sample.js';
import type { ExpectedSplit } from './expected-split.js';
import type { CheckOptions, Verdict } from './types.js';

export class FixedCheck extends BaseCheck {
  private readonly size: number;
  private readonly m: number;
  private readonly active: number[];
  private readonly ranges: AcceptanceRange[];
  /** The N that decides every count, where this N does not: found once, when first explained. */
  private decisiveSize: number | null = null;

  constructor(
    private readonly target: ExpectedSplit,
    opts: CheckOptions,
  ) {
    super(target, opts);
    this.size = opts.fixedRequests!;
    this.active = target.shares.flatMap((p, i) => (p > 0 ? [i] : []));
    this.m = failTests(this.active.length);
    this.ranges = this.active.map((i) =>
      acceptanceRange(this.size, target.shares[i]!, opts.alpha, opts.tolerance, this.m),
    );
  }

  protected afterObserve(): void {}

  protected decide(): Verdict | null {
    if (this.total < this.size) return null;
    if (this.firstForbidden >= 0) return 'failed';
    const s = this.active.map((i) => this.count[i]!);
    const u = this.unknown;
    // An unknown answer could be any outcome, a weight-0 one included: it never helps a pass, and a
    // count fails only if it would whichever outcome the unknown answers were.
    if (u === 0 && this.ranges.every((r, k) => s[k]! >= r.passMin && s[k]! <= r.passMax)) return 'passed';
    if (this.ranges.some((r, k) => s[k]! + u <= r.failBelow || s[k]! >= r.failAbove)) return 'failed';
    return 'inconclusive';
  }

  /**
   * Exact binomial bounds with the check's own levels (alpha at the band edges, alpha/m inside):
   * inside the band exactly when the counts are in their pass ranges, excluding the target exactly
   * when they are in a fail region. Valid as stated at n = N; shown earlier only as progress.
   */
  intervals(): Record<string, [number, number]> {
    const { alpha, tolerance } = this.opts;
    const aOut = Math.log(1 / alpha);
    const aIn = Math.log(this.m / alpha);
    const n = this.total;
    return Object.fromEntries(
      this.names.map((name, j) => {
        const s = this.count[j]!;
        const p = this.shares[j]!;
        // Evidence that the share is below q: −ln P(S' ≤ s | q), increasing in q.
        const u = n === 0 ? 1 : upperBoundOf((q) => -Math.log(binomialCdf(s, n, q)), p, tolerance, aIn, aOut);
        const l =
          n === 0 ? 0 : 1 - upperBoundOf((q) => -Math.log(binomialCdf(n - s, n, q)), 1 - p, tolerance, aIn, aOut);
        return [name, [l, u] as [number, number]];
      }),
    );
  }

  explanation(): FixedExplanation {
    const { alpha, tolerance } = this.opts;
    const iv = this.intervals();
    if (!decisiveAt(this.size, this.target, alpha, tolerance))
      this.decisiveSize ??= fixedSampleSize(this.target, alpha, tolerance);
    return {
      kind: 'fixed',
      ...this.basis(),
      size: this.size,
      shares: this.active.map((i, k) => ({
        ...this.shareEvidence(i, iv),
        passMin: this.ranges[k]!.passMin,
        passMax: this.ranges[k]!.passMax,
      })),
      unseenBound: Math.pow(1 - tolerance, this.size),
      decisiveSize: this.decisiveSize,
    };
  }
}
