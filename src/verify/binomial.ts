/**
 * Exact binomial tails for the fixed-sample decision and its sample size. Written out here rather
 * than taken from a statistics library: none is installed, and the few lines below are exact to
 * double precision for the sizes meshproof uses (n up to tens of thousands), which is all we need.
 */

/** P(S = k) for k = 0..n, S ~ Binomial(n, p), computed in log space so that nothing underflows early. */
export function binomialPmf(n: number, p: number): Float64Array {
  const pmf = new Float64Array(n + 1);
  if (p <= 0) {
    pmf[0] = 1;
    return pmf;
  }
  if (p >= 1) {
    pmf[n] = 1;
    return pmf;
  }
  const logRatio = Math.log(p) - Math.log1p(-p);
  const logs = new Float64Array(n + 1);
  logs[0] = n * Math.log1p(-p);
  let max = logs[0];
  for (let k = 0; k < n; k++) {
    logs[k + 1] = logs[k]! + Math.log((n - k) / (k + 1)) + logRatio;
    if (logs[k + 1]! > max) max = logs[k + 1]!;
  }
  // Normalise against the mode so that the largest terms are exact and the sum is 1 up to rounding.
  let sum = 0;
  for (let k = 0; k <= n; k++) sum += pmf[k] = Math.exp(logs[k]! - max);
  for (let k = 0; k <= n; k++) pmf[k] = pmf[k]! / sum;
  return pmf;
}

/** P(S ≤ k). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const pmf = binomialPmf(n, p);
  let s = 0;
  for (let i = 0; i <= k; i++) s += pmf[i]!;
  return Math.min(1, s);
}

/** P(S ≥ k). */
export function binomialSf(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const pmf = binomialPmf(n, p);
  let s = 0;
  for (let i = n; i >= k; i--) s += pmf[i]!;
  return Math.min(1, s);
}

/** The largest k with P(S ≤ k) ≤ level, or −1 when even P(S = 0) is above it. */
export function largestLowerTail(n: number, p: number, level: number): number {
  const pmf = binomialPmf(n, p);
  let s = 0;
  for (let k = 0; k <= n; k++) {
    s += pmf[k]!;
    if (s > level) return k - 1;
  }
  return n;
}

/** The smallest k with P(S ≥ k) ≤ level, or n + 1 when even P(S = n) is above it. */
export function smallestUpperTail(n: number, p: number, level: number): number {
  const pmf = binomialPmf(n, p);
  let s = 0;
  for (let k = n; k >= 0; k--) {
    s += pmf[k]!;
    if (s > level) return k + 1;
  }
  return 0;
}

/**
 * One-sided Clopper–Pearson upper confidence bound for a rate seen k times in n trials: the p
 * with P(S ≤ k | n, p) = 1 − confidence. How the Monte Carlo proofs state their sampling error.
 */
export function rateUpperBound(k: number, n: number, confidence = 0.95): number {
  if (k >= n) return 1;
  let lo = k / n;
  let hi = 1;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(k, n, mid) > 1 - confidence) lo = mid;
    else hi = mid;
  }
  return hi;
}
