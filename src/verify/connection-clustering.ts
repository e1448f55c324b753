/**
 * Do an expectation's answers cluster by the connection that carried them? The verdict's check
 * assumes each answer's version is drawn afresh for its request. A mesh that splits per connection
 * (TCP weights; a hop balancing by connection) pins every request on a pooled connection to one
 * version, and then a correct 50/50 over 8 connections fails 72.9 % of the time while a 60/40
 * passes as 50/50 23 % of the time (src/verify/simulation/simulate-connections.ts).
 *
 * The test: Pearson's X² of version against connection over the versions the check counted. Split
 * per request, a version is drawn when its request is sent, independently of the socket the pool
 * hands that request, so given the sockets the versions are exchangeable and the table's null
 * distribution is that of shuffled labels. With every expected count ≥ 5 (Cochran's rule) the
 * χ²((r−1)(c−1)) tail gives the p-value; below, a few answers per connection, it is not to be
 * trusted and the p-value is a permutation one, from shuffles seeded per expectation (the same
 * answers give the same p-value on every run): Besag and Clifford's sequential Monte Carlo p-value,
 * which shuffles until 10 shuffled tables reach X² (p = 10 / shuffles) or 1,999 have been drawn
 * (p = (1 + those reaching it) / 2,000). It is valid at any size (P(p ≤ alpha) ≤ alpha under
 * independence) and stops after a few dozen shuffles where the answers are far from clustering.
 * Pearson's X² rather than the G statistic: its χ² approximation holds better at moderate counts,
 * where G's runs liberal. Rejection at the expectation's alpha.
 */
import { seededRandom } from '../core/random.js';
import type { ConnectionClustering } from '../model/results.js';
import { chiSquareSurvival } from './chi-square.js';

/** Most shuffles for a permutation p-value: p can reach 1/2,000, fine enough for alpha ≥ 0.001. */
export const PERMUTATIONS = 1_999;

export { CLUSTERING_ALPHA_SHARE, clusteringShare } from '../plan/types.js';
/** Shuffled tables at least as extreme as the answers' after which the shuffling stops (Besag–Clifford). */
const ENOUGH_AS_EXTREME = 10;
/** Least expected count in every cell for the χ² tail (Cochran). */
const MIN_EXPECTED = 5;

/** Answers tested so far, by connection and version: fed one at a time, tested once. */
export class ConnectionTable {
  private readonly conns = new Map<number, number>();
  private readonly versions = new Map<string, number>();
  /** Per answer: row (connection) and column (version) index. */
  private readonly rows: number[] = [];
  private readonly cols: number[] = [];

  /** One answer the check counted; answers no socket is known for are left out. */
  add(conn: number | undefined, version: string): void {
    if (conn === undefined) return;
    this.rows.push(index(this.conns, conn));
    this.cols.push(index(this.versions, version));
  }

  get answers(): number {
    return this.rows.length;
  }

  /** The test at `alpha`; `seed` seeds the shuffles (the same seed, the same p-value). */
  test(alpha: number, seed: number): ConnectionClustering {
    const r = this.conns.size;
    const c = this.versions.size;
    const n = this.rows.length;
    const base = { connections: r, answers: n, alpha };
    // One connection or one version: nothing can cluster. Each answer on its own connection: every
    // shuffle gives the same table, so the answers say nothing about clustering.
    if (r < 2 || c < 2 || r === n)
      return { ...base, statistic: 0, df: 0, pValue: 1, method: 'none', outcome: 'skipped' };
    const rowTotals = totals(this.rows, r);
    const colTotals = totals(this.cols, c);
    const statistic = pearson(this.rows, this.cols, rowTotals, colTotals);
    const df = (r - 1) * (c - 1);
    const minExpected = (Math.min(...rowTotals) * Math.min(...colTotals)) / n;
    let pValue: number;
    let method: ConnectionClustering['method'];
    if (minExpected >= MIN_EXPECTED) {
      pValue = chiSquareSurvival(statistic, df);
      method = 'chi-square';
    } else {
      pValue = permutationP(this.rows, this.cols, rowTotals, colTotals, statistic, seed);
      method = 'permutation';
    }
    return { ...base, statistic, df, pValue, method, outcome: pValue < alpha ? 'failed' : 'passed' };
  }
}

function index<K>(m: Map<K, number>, k: K): number {
  let i = m.get(k);
  if (i === undefined) m.set(k, (i = m.size));
  return i;
}

function totals(of: number[], size: number): number[] {
  const t = new Array<number>(size).fill(0);
  for (const i of of) t[i]!++;
  return t;
}

/** Σ (O − E)² / E = n (Σ O² / (R C) − 1), over the cells; `cells` is scratch space, r × c long. */
function pearson(
  rows: number[],
  cols: number[],
  rowTotals: number[],
  colTotals: number[],
  cells = new Float64Array(rowTotals.length * colTotals.length),
): number {
  const c = colTotals.length;
  cells.fill(0);
  for (let i = 0; i < rows.length; i++) cells[rows[i]! * c + cols[i]!]!++;
  let sum = 0;
  for (let i = 0; i < rowTotals.length; i++)
    for (let j = 0; j < c; j++) {
      const o = cells[i * c + j]!;
      if (o) sum += (o * o) / (rowTotals[i]! * colTotals[j]!);
    }
  return Math.max(0, rows.length * (sum - 1));
}

function permutationP(
  rows: number[],
  cols: number[],
  rowTotals: number[],
  colTotals: number[],
  observed: number,
  seed: number,
): number {
  const rng = seededRandom(seed);
  const shuffled = cols.slice();
  // Ties count as at least as extreme; a relative margin keeps float noise from splitting them.
  const bar = observed * (1 - 1e-9);
  const cells = new Float64Array(rowTotals.length * colTotals.length);
  let atLeast = 0;
  for (let b = 1; b <= PERMUTATIONS; b++) {
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      const t = shuffled[i]!;
      shuffled[i] = shuffled[j]!;
      shuffled[j] = t;
    }
    if (pearson(rows, shuffled, rowTotals, colTotals, cells) >= bar && ++atLeast === ENOUGH_AS_EXTREME)
      return atLeast / b;
  }
  return (1 + atLeast) / (PERMUTATIONS + 1);
}
