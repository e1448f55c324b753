/**
 * The likelihood ratios every sequential test here is made of (sequential-check.ts has the
 * argument): for a candidate share q and an alternative a fixed distance away, log LR of one answer
 * is `a` when it is the outcome and `b` when it is not, so n answers with s of them give s·a + (n−s)·b.
 */

/** How far the alternative in each likelihood ratio sits from the candidate share, in tolerances. */
export const ALTERNATIVE_DISTANCE = 0.9;

/** s·a + f·b, where a term with a zero count is 0 even if its coefficient is infinite. */
export function evidence(a: number, b: number, s: number, f: number): number {
  return (s > 0 ? s * a : 0) + (f > 0 ? f * b : 0);
}

/** Coefficients of log LR(max(q − d, 0) against q): evidence that the share is below q. */
export function downCoef(q: number, d: number): [number, number] {
  const r = q - d > 0 ? q - d : 0;
  return [Math.log(r / q), Math.log((1 - r) / (1 - q))];
}

/** Coefficients of log LR(min(q + d, 1) against q): evidence that the share is above q. */
export function upCoef(q: number, d: number): [number, number] {
  const r = q + d < 1 ? q + d : 1;
  return [Math.log(r / q), Math.log((1 - r) / (1 - q))];
}
