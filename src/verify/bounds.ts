/**
 * Interval bounds by inverting a family of one-sided tests, shared by the sequential and the
 * fixed-sample checks. The level is piecewise: ln(1/alpha) at and beyond the band edges p ± tol,
 * a stricter ln(m/alpha) inside the band (see sequential-check.ts), so that the interval shown is
 * inside the band exactly when the check passed and excludes the target exactly when it failed.
 */

/** The band [p − tol, p + tol], snapped to exactly 0 or 1 where float noise lands next to them. */
export function band(p: number, tol: number): { lo: number; hi: number } {
  const snap = (x: number) => (Math.abs(x) < 1e-9 ? 0 : Math.abs(x - 1) < 1e-9 ? 1 : x);
  return { lo: snap(p - tol), hi: snap(p + tol) };
}

/**
 * u = inf{q : every share ≥ q is ruled out}, where share ≥ q is ruled out when stat(q) ≥ level(q).
 * `stat` must increase with q (the evidence that the share is below q grows as q grows); the level
 * is constant on each of three pieces, so each piece is one bisection, walked from the top down.
 */
export function upperBoundOf(stat: (q: number) => number, p: number, tol: number, aIn: number, aOut: number): number {
  const { lo, hi } = band(p, tol);
  const pieces: [number, number, number][] = [];
  if (hi < 1) pieces.push([hi, 1, aOut]);
  pieces.push([Math.max(lo, 0), Math.min(hi, 1), aIn]);
  if (lo > 0) pieces.push([0, lo, aOut]);
  for (const [x0, x1, a] of pieces) {
    if (stat(x1) < a) return x1;
    if (stat(x0) >= a) continue;
    let l = x0;
    let h = x1;
    for (let it = 0; it < 44; it++) {
      const mid = (l + h) / 2;
      if (stat(mid) >= a) h = mid;
      else l = mid;
    }
    return h;
  }
  return 0;
}
