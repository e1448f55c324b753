/** The contract of a statistical check over a stream of classified responses (README, "How a step is decided"). */

export type Verdict = 'passed' | 'failed' | 'inconclusive';

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
  /** One sentence on why the verdict is what it is (or what is still missing). */
  explain(): string;
}
