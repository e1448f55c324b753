/**
 * How few requests *any* test can average with both guarantees, for a two-outcome target: the
 * yardstick for the sequential check's cost in the benchmark.
 *
 * Any test T that passes a correct split p after N requests on average, and satisfies
 * P_{p+tol}(pass) ≤ alpha, P_{p−tol}(pass) ≤ alpha and P_p(fail) ≤ alpha, also satisfies, for
 * every λ⁺, λ⁻, μ ≥ 0 (Lagrangian weak duality):
 *   E_p[N_T] ≥ min over all tests T' { E_p[N] + λ⁺ P_{p+tol}(pass) + λ⁻ P_{p−tol}(pass) + μ P_p(fail) }
 *              − (λ⁺ + λ⁻ + μ)·alpha.
 * By a change of measure P_{edge}(pass) = E_p[LR_edge(at stop); pass], so the minimum is an optimal
 * stopping problem on (n, S) under p, solved exactly by backward induction: at each state, pay
 * λ⁺LR⁺ + λ⁻LR⁻ to pass, μ to fail, or 1 to see one more response. The horizon H (no test may run
 * longer) and states more than 8 sd from the mean (valued at 0, which only lowers the minimum)
 * keep it fast; both keep it a valid lower bound. The best multipliers are found by a coordinate
 * search in log space. Only the three points p, p ± tol are constrained, so this bounds tests for
 * the full (composite) guarantee from below.
 */

export interface LowerBoundOptions {
  alpha: number;
  tolerance: number;
  /** Longest test considered, in requests. */
  horizon?: number;
}

/** A lower bound on the mean requests to a verdict, under the correct split, of any valid test. */
export function meanRequestsLowerBound(p: number, opts: LowerBoundOptions): number {
  const { tolerance } = opts;
  const hi = p + tolerance;
  const lo = p - tolerance;
  const useHi = hi < 1 + 1e-12;
  const useLo = lo > -1e-12;
  let x = [useHi ? 8 : -Infinity, useLo ? 8 : -Infinity, 6];
  let best = dualValue(p, x, opts);
  for (const step of [1, 0.5, 0.25, 0.1]) {
    let improved = true;
    while (improved) {
      improved = false;
      for (let k = 0; k < 3; k++) {
        if (!Number.isFinite(x[k]!)) continue;
        for (const dir of [step, -step]) {
          const y = [...x];
          y[k] = y[k]! + dir;
          const v = dualValue(p, y, opts);
          if (v > best + 1e-9) {
            best = v;
            x = y;
            improved = true;
          }
        }
      }
    }
  }
  return best;
}

/** The dual function at log-multipliers [ln λ⁺, ln λ⁻, ln μ]. */
export function dualValue(p: number, logMultipliers: number[], opts: LowerBoundOptions): number {
  const { alpha, tolerance } = opts;
  const H = opts.horizon ?? 2000;
  const [lh, ll, lm] = logMultipliers.map(Math.exp) as [number, number, number];
  const hi = Math.min(p + tolerance, 1);
  const lo = Math.max(p - tolerance, 0);
  // log LR(edge vs p) = s·a + (n−s)·b, with 0·(−∞) read as 0.
  const coef = (e: number) => [Math.log(e / p), Math.log((1 - e) / (1 - p))] as const;
  const [ah, bh] = coef(hi);
  const [al, bl] = coef(lo);
  const term = (c: number, k: number) => (k > 0 ? k * c : 0);
  const passCost = (n: number, s: number) =>
    (lh > 0 ? lh * Math.exp(term(ah, s) + term(bh, n - s)) : 0) + (ll > 0 ? ll * Math.exp(term(al, s) + term(bl, n - s)) : 0);
  const window = (n: number) => {
    const w = 8 * Math.sqrt(n * p * (1 - p)) + 5;
    return [Math.max(0, Math.floor(p * n - w)), Math.min(n, Math.ceil(p * n + w))] as const;
  };
  let next = new Float64Array(H + 2);
  let [from, to] = window(H);
  for (let s = from; s <= to; s++) next[s] = Math.min(passCost(H, s), lm, 0);
  for (let n = H - 1; n >= 0; n--) {
    const cur = new Float64Array(H + 2);
    [from, to] = window(n);
    for (let s = from; s <= to; s++) {
      const go = 1 + p * next[s + 1]! + (1 - p) * next[s]!;
      cur[s] = Math.min(go, passCost(n, s), lm);
    }
    next = cur;
  }
  return next[0]! - (lh + ll + lm) * alpha;
}
