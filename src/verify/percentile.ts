/**
 * Percentiles by the nearest-rank method: the p-th percentile of N values is the smallest value
 * with at least p % of the values at or below it, i.e. the ceil(p/100 · N)-th smallest. It always
 * returns an observed value (no interpolation between two latencies that never happened), and p99
 * of fewer than 100 values is their maximum, which is the honest answer for a small sample.
 */

/** Nearest-rank percentile of `values` (any order); null when there are none. */
export function percentile(values: ArrayLike<number>, p: number): number | null {
  return percentiles(values, [p])[0]!;
}

/** Several percentiles with one sort. */
export function percentiles(values: ArrayLike<number>, ps: number[]): (number | null)[] {
  for (const p of ps) if (!(p > 0 && p <= 100)) throw new Error(`percentile must be within (0, 100] (got ${p})`);
  if (values.length === 0) return ps.map(() => null);
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length - 1e-9)) - 1]!);
}
