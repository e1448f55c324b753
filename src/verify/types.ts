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
  /** One answer from an outcome the target gives 0 % fails at once (strays.ts says why that is not the default). */
  strict?: boolean;
}

export interface Check {
  /** Adds one observed outcome (`v1`, `v3`, `unavailable`, `stars` …). */
  observe(outcome: string): void;
  /**
   * Adds one answer whose outcome can't be read (unreadable, or a degraded page that doesn't show
   * its version): counted, and placed by each test where it weakens that test most (strays.ts).
   */
  observeUnknown(): void;
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
