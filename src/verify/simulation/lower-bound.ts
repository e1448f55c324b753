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
  /** Longest test considered, in requests (default 3000, the default maxRequests). */
  horizon?: number;
  /**
   * `upper`: constrain only the upper edge p + tol (and the correct split's fail rate): the least any
   * test can average that holds one-directional drift past that edge to alpha.
   */
  edges?: 'both' | 'upper';
}

/** A lower bound on the mean requests to a verdict, under the correct split, of any valid test. */
export function meanRequestsLowerBound(p: number, opts: LowerBoundOptions): number {
  const { tolerance } = opts;
  const hi = p + tolerance;
  const lo = p - tolerance;
  const useHi = hi < 1 + 1e-12;
  const useLo = lo > -1e-12 && opts.edges !== 'upper';
  let x = [useHi ? 8 : -Infinity, useLo ? 8 : -Infinity, 6];
  let best = dualValue(p, x, opts);
  // Coordinate ascent; a step that helps is doubled while it keeps helping, so far optima are quick.
  for (const step of [0.5, 0.2]) {
    let improved = true;
    while (improved) {
      improved = false;
      for (let k = 0; k < 3; k++) {
        if (!Number.isFinite(x[k]!)) continue;
        for (const dir of [step, -step]) {
          let stride = dir;
          for (;;) {
            const y = [...x];
            y[k] = y[k]! + stride;
            const v = dualValue(p, y, opts);
            if (!(v > best + 1e-9)) break;
            best = v;
            x = y;
            improved = true;
            stride *= 2;
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
  const H = opts.horizon ?? 3000;
  const [lh, ll, lm] = logMultipliers.map(Math.exp) as [number, number, number];
  const edges = [
    { weight: lh, e: Math.min(p + tolerance, 1) },
    { weight: ll, e: Math.max(p - tolerance, 0) },
  ].filter((x) => x.weight > 0);
  const window = (n: number) => {
    const w = 8 * Math.sqrt(n * p * (1 - p)) + 5;
    return [Math.max(0, Math.floor(p * n - w)), Math.min(n, Math.ceil(p * n + w))] as const;
  };
  // Pass costs along one row n, s = from..to: λ·LR(edge vs p) = λ·exp(s·a + (n−s)·b), with 0·∞ as 0.
  const costs = new Float64Array(H + 2);
  const passCosts = (n: number, from: number, to: number) => {
    costs.fill(0, from, to + 1);
    for (const { weight, e } of edges) {
      const a = Math.log(e / p);
      const b = Math.log((1 - e) / (1 - p));
      if (Number.isFinite(a) && Number.isFinite(b)) {
        // Stepping s multiplies the ratio by e^(a−b): one exp per row instead of one per state.
        let lr = Math.exp(from * a + (n - from) * b);
        const step = Math.exp(a - b);
        for (let s = from; s <= to; s++, lr *= step) costs[s]! += weight * lr;
      } else {
        for (let s = from; s <= to; s++)
          costs[s]! += weight * Math.exp((s > 0 ? s * a : 0) + (n - s > 0 ? (n - s) * b : 0));
      }
    }
  };
  let next = new Float64Array(H + 2);
  let cur = new Float64Array(H + 2);
  let [from, to] = window(H);
  passCosts(H, from, to);
  for (let s = from; s <= to; s++) next[s] = Math.min(costs[s]!, lm, 0);
  for (let n = H - 1; n >= 0; n--) {
    [from, to] = window(n);
    passCosts(n, from, to);
    for (let s = from; s <= to; s++) {
      const go = 1 + p * next[s + 1]! + (1 - p) * next[s]!;
      cur[s] = Math.min(go, costs[s]!, lm);
    }
    // Outside the window a state is valued 0; clear what the next row may read of older values.
    if (from > 0) cur[from - 1] = 0;
    cur[to + 1] = 0;
    [next, cur] = [cur, next];
  }
  return next[0]! - (lh + ll + lm) * alpha;
}
