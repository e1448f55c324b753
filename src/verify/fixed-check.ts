/**
 * A weighted target with `requests: N`: one decision after exactly N responses (fixed-sample.ts has
 * the rule and its guarantees). An outcome the target gives 0 % still fails the moment it is seen
 * in the sample (weight 0 is never routed), but the verdict waits for N like every fixed decision.
 */
import { percent } from '../core/numbers.js';
import { BaseCheck } from './base-check.js';
import { binomialCdf } from './binomial.js';
import { upperBoundOf } from './bounds.js';
import { acceptanceRange, decisiveAt, failTests, fixedSampleSize, type AcceptanceRange } from './fixed-sample.js';
import { f2, isVersion, plural, type Target } from './target.js';
import type { CheckOptions, Verdict } from './types.js';

export class FixedCheck extends BaseCheck {
  private readonly size: number;
  private readonly m: number;
  private readonly active: number[];
  private readonly ranges: AcceptanceRange[];
  private decisiveSize: number | null = null;

  constructor(
    private readonly target: Target,
    opts: CheckOptions,
  ) {
    super(target, opts);
    this.size = opts.fixedRequests!;
    this.active = target.shares.flatMap((p, i) => (p > 0 ? [i] : []));
    this.m = failTests(this.active.length);
    this.ranges = this.active.map((i) => acceptanceRange(this.size, target.shares[i]!, opts.alpha, opts.tolerance, this.m));
  }

  protected afterObserve(): void {}

  protected decide(): Verdict | null {
    if (this.total < this.size) return null;
    if (this.firstForbidden >= 0) return 'failed';
    const s = this.active.map((i) => this.count[i]!);
    if (this.ranges.every((r, k) => s[k]! >= r.passMin && s[k]! <= r.passMax)) return 'passed';
    if (this.ranges.some((r, k) => s[k]! <= r.failBelow || s[k]! >= r.failAbove)) return 'failed';
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
        const l = n === 0 ? 0 : 1 - upperBoundOf((q) => -Math.log(binomialCdf(n - s, n, q)), 1 - p, tolerance, aIn, aOut);
        return [name, [l, u] as [number, number]];
      }),
    );
  }

  explain(): string {
    const n = this.total;
    const v = this.verdict();
    const forbidden = this.names.flatMap((name, i) => (this.shares[i] === 0 && this.count[i]! > 0 ? [{ name, k: this.count[i]! }] : []));
    const iv = this.intervals();
    const shares = this.active
      .map((i, k) => {
        const [l, u] = iv[this.names[i]!]!;
        const r = this.ranges[k]!;
        return `${this.names[i]} ${f2(n ? this.count[i]! / n : 0)} [${f2(l)}, ${f2(u)}] (expected ${percent(this.shares[i]!)}, passes at ${r.passMin}–${r.passMax} of ${this.size})`;
      })
      .join(', ');
    const head = `fixed sample of ${this.size}`;
    if (v === null) return `${head}: ${plural(n, 'response')} so far: ${shares}`;
    const parts = [`${head}: ${v}`];
    if (forbidden.length) {
      parts.push(forbidden.map(({ name, k }) => `${name} seen ${plural(k, 'time')}, expected 0%${isVersion(name) ? ' (weight 0 is never routed)' : ''}`).join(', ') + `: the target is ${this.describeTarget()}`);
    }
    parts.push(shares);
    parts.push(this.guarantee());
    if (v === 'inconclusive') parts.push('the counts fall between the pass ranges and the fail regions');
    return parts.join('; ');
  }

  /** What this N guarantees, in words. */
  private guarantee(): string {
    const { alpha, tolerance } = this.opts;
    const points = `${+(tolerance * 100).toFixed(1)} points`;
    const base = `a share off by ${points} or more passes with probability ≤ ${alpha}, the right split fails with probability ≤ ${alpha}`;
    const unseen = Math.pow(1 - tolerance, this.size);
    const hidden = unseen > alpha ? `, but an unlisted outcome with a ${percent(tolerance)} share goes unseen with probability up to ${unseen.toFixed(3)}` : '';
    this.decisiveSize ??= fixedSampleSize(this.target, alpha, tolerance);
    const decisive = decisiveAt(this.size, this.target, alpha, tolerance)
      ? ''
      : `; at ${this.size} responses some counts can only be inconclusive (${this.decisiveSize} decides every count)`;
    return `${base}${hidden}${decisive}`;
  }
}

