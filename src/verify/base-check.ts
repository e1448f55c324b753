/**
 * What every meshproof check shares: outcome bookkeeping, and a verdict that is final once reached.
 *
 * A check used alone freezes at its verdict: later observations (responses that were in flight)
 * are not evidence. Inside `combine` a check is *deferred* instead: it keeps taking evidence until
 * the combination decides, so a ratings rule that "must hold for every response" still sees every
 * response while the reviews check is still sampling.
 */
import type { CheckBasis, CheckExplanation, ShareEvidence } from '../model/check-explanation.js';
import type { Check, CheckOptions, Verdict } from './types.js';
import type { ExpectedSplit } from './expected-split.js';
import { checkLevels } from './expected-split.js';

export abstract class BaseCheck implements Check {
  protected readonly names: string[];
  /** Expected share per outcome index; 0 for outcomes not in the target. */
  protected readonly shares: number[];
  protected readonly index = new Map<string, number>();
  protected readonly count: number[];
  protected total = 0;
  /** Index of the first observed outcome whose expected share is 0, or −1. */
  protected firstForbidden = -1;
  /** Answers from outcomes the target gives 0 % (strays.ts), pooled. */
  protected strays = 0;
  /** Answers whose outcome is unknown (strays.ts): counted in n, placed by each test where they weaken it. */
  protected unknown = 0;
  private live: Verdict | null = null;
  private frozen = false;
  private deferred = false;

  constructor(
    target: ExpectedSplit,
    protected readonly opts: CheckOptions,
  ) {
    checkLevels(opts.alpha, opts.tolerance);
    if (!(opts.maxRequests >= 1)) throw new Error(`maxRequests must be at least 1 (got ${opts.maxRequests})`);
    if (opts.fixedRequests !== undefined && !(Number.isInteger(opts.fixedRequests) && opts.fixedRequests >= 1)) {
      throw new Error(`fixedRequests must be a positive integer (got ${opts.fixedRequests})`);
    }
    this.names = [...target.names];
    this.shares = [...target.shares];
    this.names.forEach((name, i) => this.index.set(name, i));
    this.count = this.names.map(() => 0);
  }

  get n(): number {
    return this.total;
  }

  observe(outcome: string): void {
    if (this.frozen) return;
    let i = this.index.get(outcome);
    if (i === undefined) i = this.addOutcome(outcome);
    this.count[i]!++;
    this.total++;
    if (this.shares[i] === 0) {
      this.strays++;
      if (this.firstForbidden < 0) this.firstForbidden = i;
    }
    this.afterObserve(i);
    this.settle();
  }

  observeUnknown(): void {
    if (this.frozen) return;
    this.unknown++;
    this.total++;
    this.afterObserve(-1);
    this.settle();
  }

  /** Takes the verdict the evidence now supports. */
  private settle(): void {
    const v = this.decide();
    // First verdict sticks, except that strays that fail the check later (deferred mode) still fail it.
    if (this.live === null || (v === 'failed' && this.straysFail())) this.live = v;
    if (this.live !== null && !this.deferred) this.frozen = true;
  }

  /** Whether the strays seen so far fail the check by themselves (one is enough under `strict`). */
  protected straysFail(): boolean {
    return this.opts.strict === true && this.firstForbidden >= 0;
  }

  verdict(): Verdict | null {
    return this.live;
  }

  /** Outcomes seen at least once, with their counts (the expectation itself lists the rest). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.names.flatMap((name, i) => (this.count[i]! > 0 ? [[name, this.count[i]!]] : [])));
  }

  /** What every explanation states: levels, n, verdict, the target's shares and the 0 % outcomes seen. */
  protected basis(): CheckBasis {
    const { alpha, tolerance, maxRequests } = this.opts;
    return {
      alpha,
      tolerance,
      maxRequests,
      n: this.total,
      unknown: this.unknown,
      // A fixed sample keeps the single-sighting rule (exact-check.ts, fixed-check.ts).
      strict: this.opts.strict === true || this.opts.fixedRequests !== undefined,
      straysFail: this.straysFail(),
      verdict: this.verdict(),
      target: this.names.flatMap((outcome, i) => (this.shares[i]! > 0 ? [{ outcome, share: this.shares[i]! }] : [])),
      forbidden: this.names.flatMap((outcome, i) =>
        this.shares[i] === 0 && this.count[i]! > 0 ? [{ outcome, count: this.count[i]! }] : [],
      ),
    };
  }

  /** Outcome i's count, target share and interval (from `intervals`). */
  protected shareEvidence(i: number, intervals: Record<string, [number, number]>): ShareEvidence {
    const outcome = this.names[i]!;
    return { outcome, count: this.count[i]!, expected: this.shares[i]!, interval: intervals[outcome]! };
  }

  abstract intervals(): Record<string, [number, number]>;
  abstract explanation(): CheckExplanation;

  /** Updates per-observation state (statistics) for the outcome just counted (−1: an unknown answer). */
  protected abstract afterObserve(i: number): void;
  /** The verdict the evidence so far supports, or null. */
  protected abstract decide(): Verdict | null;

  /** An outcome the target did not list: expected share 0. */
  protected addOutcome(name: string): number {
    const i = this.names.length;
    this.names.push(name);
    this.shares.push(0);
    this.count.push(0);
    this.index.set(name, i);
    this.onNewOutcome(i);
    return i;
  }

  protected onNewOutcome(_i: number): void {}

  /** Used by `combine`: keep taking evidence after this check's own verdict. */
  defer(): void {
    this.deferred = true;
  }

  /** Used by `combine` once the combination has decided. */
  freeze(): void {
    this.frozen = true;
  }
}
