/**
 * An expectation's target split, normalised: shares as fractions, and which rule decides it.
 * Exact targets (every share 0 or 100 %) follow the weight-0 rule; anything else is weighted.
 */

export interface ExpectedSplit {
  /** Outcomes in the order the plan listed them. */
  names: string[];
  /** Share of each outcome as a fraction, same order as `names`; 0 for listed zero-weight outcomes. */
  shares: number[];
  kind: 'exact' | 'weighted';
}

/** Reads a `{ v1: 80, v3: 20 }` expectation (percent, summing to 100). Throws on anything else. */
export function parseExpectedSplit(expected: Record<string, number>): ExpectedSplit {
  const names = Object.keys(expected);
  if (names.length === 0) throw new Error('an expectation needs at least one outcome');
  let total = 0;
  for (const name of names) {
    const v = expected[name]!;
    if (!Number.isFinite(v) || v < 0 || v > 100)
      throw new Error(`expected share of ${name} must be within 0..100 (got ${v})`);
    total += v;
  }
  // Plans use integer percentages; allow for float noise in computed targets.
  if (Math.abs(total - 100) > 1e-9) throw new Error(`expected shares must sum to 100 (got ${total})`);
  const shares = names.map((n) => expected[n]! / 100);
  const kind = shares.every((s) => s === 0 || s === 1) ? 'exact' : 'weighted';
  return { names, shares, kind };
}

/**
 * Clean observations needed to rule out a misroute share of `tolerance` or more at level alpha:
 * with a wrong share q ≥ tol, n clean responses in a row happen with probability (1−q)^n ≤
 * (1−tol)^n, which is ≤ alpha from n = ceil(ln alpha / ln(1 − tol)) on (44 at 0.01 / 0.10).
 */
export function exactSampleSize(alpha: number, tolerance: number): number {
  checkLevels(alpha, tolerance);
  return Math.ceil(Math.log(alpha) / Math.log(1 - tolerance) - 1e-12);
}

export function checkLevels(alpha: number, tolerance: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha must be within (0, 1) (got ${alpha})`);
  if (!(tolerance > 0 && tolerance < 1)) throw new Error(`tolerance must be within (0, 1) (got ${tolerance})`);
}
