/** The contract of a statistical check over a stream of classified responses (README, "How a step is decided"). */
import type { CheckExplanation, CheckVerdict } from '../model/check-explanation.js';

export type Verdict = CheckVerdict;

export interface CheckOptions {
  alpha: number;
  tolerance: number;
  /** Past this many observations without a verdict: inconclusive. */
  maxRequests: number;
  /** Decide after exactly this many observations instead of sequentially. */
  fixedRequests?: number;
}

export interface Check {
  /** Adds one observed outcome (`v1`, `v3`, `unavailable`, `stars` …). */
  observe(outcome: string): void;
  /** The verdict once reached; null while more evidence is needed. Final once non-null. */
  verdict(): Verdict | null;
  /** Observations so far. */
  readonly n: number;
  counts(): Record<string, number>;
  /** Interval for each outcome's share, as fractions [low, high]. */
  intervals(): Record<string, [number, number]>;
  /** Why the verdict is what it is (or what is still missing), as numbers; report/check-messages.ts says it. */
  explanation(): CheckExplanation;
}
