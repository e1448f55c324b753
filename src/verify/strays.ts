/**
 * Strays: answers from outcomes the target gives 0 % (a weight-0 version, a version the plan doesn't
 * list), pooled into one share that should be 0 — and answers whose outcome is unknown.
 *
 * Why not "one sighting fails": Envoy never routes weight 0, but a page can be misread (a v3 page
 * read as v2, a reviews page that failed while the route was right). At one misread in 1,000 a
 * single-sighting rule failed a correct exact step 4–5 % of the time, a correct 50/50 16 %. So the
 * stray share is tested like any other share, with the sequential check's likelihood ratios
 * (d = 0.9·tol, sequential-check.ts):
 * - pass edge: "stray share ≥ tol" refuted, Λ = log LR(tol − d against tol) ≥ ln(1/alpha). With
 *   no stray that takes `straySampleSize` answers (49 at 0.01/0.10; the n₀ = 44 of a single-sighting
 *   rule), one stray about 25 more. A real stray share ≥ tol passes with probability ≤ alpha
 *   (Ville's inequality, at every n at once).
 * - fail test: "stray share ≤ ε" refuted, log LR(ε + d against ε) at the check's fail level, with
 *   ε = tol/50 (2 in 1,000 at the default tolerance). A correct split whose answers are misread at
 *   up to ε fails through it with probability ≤ its share of alpha; a real stray share of tol fails
 *   in about 20 answers.
 * - `strict: true` keeps the single-sighting rule: one stray fails at once.
 *
 * Unknown answers (unreadable; a degraded page whose version the page doesn't show) could be any
 * outcome. Each test counts them on the side that weakens it most: as strays for the pass edge,
 * as non-strays for the fail test (and likewise for every share's tests, sequential-check.ts). Had
 * the versions behind them been seen, each test's evidence would be at least what it is here, so
 * a verdict reached here would have been reached on the complete answers: the guarantees hold
 * whichever versions the unknown answers came from, even if unreadability depends on the version.
 */
import { ALTERNATIVE_DISTANCE, downCoef, evidence, upCoef } from './likelihood-ratio.js';

/** ε as a fraction of the tolerance: the misread rate a correct split's false-fail bound allows. */
export const STRAY_ALLOWANCE = 1 / 50;

/** [a, b] of s·a + f·b: evidence that the stray share is below tol (pass edge). */
export function strayPassCoef(tolerance: number): [number, number] {
  return downCoef(tolerance, ALTERNATIVE_DISTANCE * tolerance);
}

/** [a, b] of s·a + f·b: evidence that the stray share is above ε (fail test). */
export function strayFailCoef(tolerance: number): [number, number] {
  return upCoef(tolerance * STRAY_ALLOWANCE, ALTERNATIVE_DISTANCE * tolerance);
}

/** Answers with no stray that refute "stray share ≥ tol" at level alpha (49 at 0.01 / 0.10). */
export function straySampleSize(alpha: number, tolerance: number): number {
  const [, b] = strayPassCoef(tolerance);
  return Math.ceil(Math.log(1 / alpha) / b - 1e-12);
}

/** The stray share's two tests, their coefficients worked out once per check (they are read on every answer). */
export interface StrayTests {
  pass: [number, number];
  fail: [number, number];
}

export function strayTests(tolerance: number): StrayTests {
  return { pass: strayPassCoef(tolerance), fail: strayFailCoef(tolerance) };
}

/**
 * The stray share's two tests over n answers, of which `strays` were strays and `unknown` could be
 * anything: [pass-edge evidence, fail-test evidence], each with the unknown answers where they
 * weaken it.
 */
export function strayEvidence(t: StrayTests, n: number, strays: number, unknown: number): [number, number] {
  const clean = n - strays - unknown;
  return [
    evidence(t.pass[0], t.pass[1], strays + unknown, clean),
    evidence(t.fail[0], t.fail[1], strays, clean + unknown),
  ];
}
