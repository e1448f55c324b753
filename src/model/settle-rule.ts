/**
 * How settling by traffic decides that the new routes took effect (verify/settle-test.ts chooses
 * the rule), as facts; report/settle-messages.ts says them.
 */

/** Splits in percent by outcome (`{ v1: 50, v3: 50 }`), as the plan wrote them. */
export type Split = Record<string, number>;

export type SettleRule =
  /** Old and new split are the same: nothing in the answers can change. */
  | { kind: 'same' }
  /** `length` answers in a row from the new split's outcomes (`support`), every one among them. */
  | { kind: 'run'; length: number; support: string[]; basis: RunBasis }
  /** A CUSUM of the new split against the previous one, settled at `threshold`. */
  | { kind: 'cusum'; threshold: number; next: Split; previous: Split }
  /** No rule can tell `next` from an earlier split among the same versions. */
  | { kind: 'refused'; next: Split };

/** Why the run is as long as it is. */
export type RunBasis =
  /** The previous split sent `share` (a fraction) to outcomes the new one never routes to. */
  | { kind: 'previous'; share: number }
  /**
   * No previous split is known: the run holds against any that sent `share` or more elsewhere — the
   * tolerance, or less where a split the run applied for this user and path sent less (`applied`).
   */
  | { kind: 'unknown-previous'; tolerance: number; share: number; applied: boolean };

/** What settling has seen so far, for the timeout message. */
export interface SettleProgress {
  /** The last answer's outcome; null for an answer that is no version; absent before any answer. */
  last?: string | null;
  /** The current run of consistent answers (run rule). */
  run: number;
  /** The CUSUM's evidence for the new split (cusum rule). */
  evidence: number;
}
