/**
 * What a statistical check did, as facts: verify/ states them, report/check-messages.ts says them.
 * Each kind carries the numbers its sentence is made from, so the words can change without
 * touching a check, and a check can be tested on its numbers.
 */

export type CheckVerdict = 'passed' | 'failed' | 'inconclusive';

/** An outcome and how often it was seen (after settling). */
export interface OutcomeCount {
  outcome: string;
  count: number;
}

/** One outcome the target gives a share above 0, as the check saw it. */
export interface ShareEvidence extends OutcomeCount {
  /** The target share, a fraction. */
  expected: number;
  /** The share's interval [low, high], fractions, as the check decides with it. */
  interval: [number, number];
}

/** What every check states: its levels, its verdict so far and the target's shares. */
export interface CheckBasis {
  alpha: number;
  tolerance: number;
  maxRequests: number;
  /** Observations counted, the unknown ones included. */
  n: number;
  /** Answers whose outcome could not be read, counted where they weaken each test. */
  unknown: number;
  /** One stray (an outcome the target gives 0 %) fails at once. */
  strict: boolean;
  /** The strays seen fail the check: one under `strict`, else more than misreads explain (verify/strays.ts). */
  straysFail: boolean;
  /** null while more evidence is needed. */
  verdict: CheckVerdict | null;
  /** Outcomes the target gives more than 0 %, in the plan's order, with their shares (fractions). */
  target: { outcome: string; share: number }[];
  /** Outcomes seen although the target gives them 0 %: the plan's order, then the order first seen. */
  forbidden: OutcomeCount[];
}

/** Weighted target, decided sequentially (verify/sequential-check.ts). */
export interface SequentialExplanation extends CheckBasis {
  kind: 'sequential';
  shares: ShareEvidence[];
  /**
   * The first share shown off its target, and which way (it fails the check if it came before a pass); null while none
   * is.
   */
  offTarget: { outcome: string; expected: number; direction: 'below' | 'above' } | null;
}

/** Weighted target with a fixed sample (verify/fixed-check.ts). */
export interface FixedExplanation extends CheckBasis {
  kind: 'fixed';
  /** The sample size N the verdict waits for. */
  size: number;
  /** Each share with the counts that pass it: passMin..passMax of N. */
  shares: (ShareEvidence & { passMin: number; passMax: number })[];
  /** P(an unlisted outcome with a share of `tolerance` goes unseen in N responses) = (1 − tol)^N. */
  unseenBound: number;
  /** null when every possible count at N decides; otherwise the smallest N that does. */
  decisiveSize: number | null;
}

/** One outcome on every response (verify/exact-check.ts). */
export interface ExactExplanation extends CheckBasis {
  kind: 'exact';
  /** `ratings` for a ratings state that must hold on every response (named `ratings "none"`). */
  service: 'reviews' | 'ratings';
  /** The outcome expected on every response. */
  expected: string;
  /** Clean responses that pass: `requests` when set, else `sampleSize`. */
  needed: number;
  /** Clean responses that rule out a misroute share of `tolerance` at `alpha`. */
  sampleSize: number;
  /** P(a misroute share of `tolerance` goes unseen in n responses) = (1 − tol)^n. */
  unseenBound: number;
}

/** Several checks over the same responses (verify/check.ts, `combine`). */
export interface CombinedExplanation {
  kind: 'combined';
  parts: CheckExplanation[];
}

export type CheckExplanation = SequentialExplanation | FixedExplanation | ExactExplanation | CombinedExplanation;
