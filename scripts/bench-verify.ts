/**
 * Verifier benchmark: what the statistical checks cost and how often they are wrong, measured by
 * seeded Monte Carlo runs against a simulated mesh (no cluster, no HTTP).
 *
 *   npx tsx scripts/bench-verify.ts [--runs N]
 *
 * Per target split: mean and p95 requests to a verdict when the split is right, the false-fail
 * rate there, the false-pass rate with a share moved to its tolerance edge (worst edge), the size
 * of a fixed-sample test with the same two guarantees, and a bound on the lowest mean any valid
 * test can reach (lower-bound.ts), each beside its goal. Writes
 * reports/bench/verifier.json; `benchVerifier()` returns the rows for a combined benchmark.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fixedSampleSize } from '../src/verify/fixed-sample.js';
import { meanRequestsLowerBound } from '../src/verify/simulation/lower-bound.js';
import { simulate } from '../src/verify/simulation/simulate.js';
import { band } from '../src/verify/bounds.js';
import { parseExpectedSplit } from '../src/verify/expected-split.js';
import { exactBinaryRates, exactStrayRates } from '../src/verify/exact-rates.js';
import { DEFAULT_SETTINGS } from '../src/plan/types.js';

export interface VerifierBenchRow {
  split: string;
  expected: Record<string, number>;
  kind: 'exact' | 'weighted';
  runs: number;
  meanRequests: number;
  p95Requests: number;
  /** Goal for the mean requests to a verdict on a correct split, where BENCHMARKS.md sets one. */
  goalMeanRequests: number | null;
  goalMet: boolean | null;
  /** The lowest mean any test with both guarantees can reach, as computed by lower-bound.ts. */
  bestPossibleMeanRequests: number;
  falseFailRate: number;
  /** Worst false-pass rate over the tolerance edges listed in `edges`. */
  falsePassRate: number;
  alpha: number;
  edges: { truth: Record<string, number>; passRate: number; meanRequests: number }[];
  fixedSampleSize: number;
  /**
   * The same figures computed exactly over every path (no sampling error), where that is feasible:
   * exact targets in closed form, two-outcome targets by dynamic programming (exact-rates.ts).
   */
  exact: { meanRequests: number; p95Requests: number; falseFailRate: number; falsePassRate: number } | null;
}

const SPLITS: { split: string; expected: Record<string, number>; goal: number | null }[] = [
  { split: '100/0', expected: { v1: 100 }, goal: 49 },
  { split: '50/50', expected: { v1: 50, v3: 50 }, goal: 300 },
  { split: '80/20', expected: { v1: 80, v3: 20 }, goal: 200 },
  { split: '80/10/10', expected: { v1: 80, v2: 10, v3: 10 }, goal: null },
  { split: '90/10', expected: { v1: 90, v3: 10 }, goal: null },
];

export interface BenchOptions {
  runs?: number;
  alpha?: number;
  tolerance?: number;
  maxRequests?: number;
}

export function benchVerifier(options: BenchOptions = {}): VerifierBenchRow[] {
  const runs = options.runs ?? 10_000;
  const alpha = options.alpha ?? DEFAULT_SETTINGS.alpha;
  const tolerance = options.tolerance ?? DEFAULT_SETTINGS.tolerance;
  const opts = { alpha, tolerance, maxRequests: options.maxRequests ?? DEFAULT_SETTINGS.maxRequests };
  // The problem for share p and for 1 − p is the same one mirrored.
  const bounds = new Map<number, number>();
  const bound = (p: number) => {
    const key = Math.min(p, 1 - p);
    if (!bounds.has(key)) bounds.set(key, meanRequestsLowerBound(key, { alpha, tolerance, horizon: opts.maxRequests }));
    return bounds.get(key)!;
  };
  return SPLITS.map(({ split, expected, goal }) => {
    const target = parseExpectedSplit(expected);
    const right = simulate({ expected, truth: expected, opts, runs, seed: `bench:${split}:right` });
    const edges = edgeSplits(expected, tolerance).map((truth) => {
      const r = simulate({ expected, truth, opts, runs, seed: `bench:${split}:${JSON.stringify(truth)}` });
      return { truth, passRate: r.passRate, meanRequests: round(r.meanN) };
    });
    const exact = exactFigures(expected, opts);
    const active = target.shares.filter((p) => p > 0);
    // Exact: 44 clean responses are the least that keeps a 10 % misroute under alpha (by one sighting;
    // the stray test meshproof runs takes 49, and tolerates misreads). Weighted: for
    // each outcome, moving only its share (the others scaled alike) leaves the rest of each response
    // pure noise, so the two-outcome bound for that share holds; the largest of them is a bound.
    const best =
      target.kind === 'exact' ? fixedSampleSize(target, alpha, tolerance) : Math.max(...active.map((p) => bound(p)));
    return {
      split,
      expected,
      kind: target.kind,
      runs,
      meanRequests: round(right.meanN),
      p95Requests: right.p95N,
      goalMeanRequests: goal,
      goalMet: goal === null ? null : (exact?.meanRequests ?? right.meanN) <= goal,
      bestPossibleMeanRequests: round(best),
      falseFailRate: right.failRate,
      falsePassRate: Math.max(...edges.map((e) => e.passRate)),
      alpha,
      edges,
      fixedSampleSize: fixedSampleSize(target, alpha, tolerance),
      exact,
    };
  });
}

function exactFigures(
  expected: Record<string, number>,
  opts: { alpha: number; tolerance: number; maxRequests: number },
): VerifierBenchRow['exact'] {
  const target = parseExpectedSplit(expected);
  if (target.kind === 'exact') {
    // The stray test (strays.ts): clean answers on a correct split, a stray share of tol at the edge.
    const right = exactStrayRates(0, opts);
    const edge = exactStrayRates(opts.tolerance, opts);
    return {
      meanRequests: round(right.meanN),
      p95Requests: right.p95N,
      falseFailRate: right.fail,
      falsePassRate: edge.pass,
    };
  }
  if (target.shares.length !== 2) return null;
  const p = target.shares[0]!;
  const right = exactBinaryRates(p, p, opts);
  const edges = edgeSplits(expected, opts.tolerance).map(
    (t) => exactBinaryRates(p, t[target.names[0]!]! / 100, opts).pass,
  );
  return {
    meanRequests: round(right.meanN),
    p95Requests: right.p95N,
    falseFailRate: right.fail,
    falsePassRate: Math.max(...edges),
  };
}

/**
 * Real splits at the tolerance edge: each listed outcome moved to p ± tol where that is a share,
 * the others scaled to fill the rest; for an exact target, tol of the traffic to an unlisted version.
 */
export function edgeSplits(expected: Record<string, number>, tolerance: number): Record<string, number>[] {
  const names = Object.keys(expected);
  const target = parseExpectedSplit(expected);
  if (target.kind === 'exact') {
    const main = names[target.shares.indexOf(1)]!;
    return [{ [main]: 100 * (1 - tolerance), other: 100 * tolerance }];
  }
  const out: Record<string, number>[] = [];
  names.forEach((name, i) => {
    const p = target.shares[i]!;
    const { lo, hi } = band(p, tolerance);
    for (const e of [lo, hi]) {
      if (e < 0 || e > 1) continue;
      const rest = 1 - p;
      const truth: Record<string, number> = {};
      names.forEach((other, j) => {
        const share = j === i ? e : rest > 0 ? (target.shares[j]! * (1 - e)) / rest : 0;
        if (share > 0) truth[other] = round(100 * share, 6);
      });
      if (!out.some((t) => JSON.stringify(t) === JSON.stringify(truth))) out.push(truth);
    }
  });
  return out;
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function printRows(rows: VerifierBenchRow[]): void {
  const pctS = (x: number) => `${(x * 100).toFixed(2)}%`;
  const header = [
    'split',
    'mean n',
    'goal',
    'best possible',
    'p95 n',
    'false fail',
    'false pass (edge)',
    'fixed-sample n',
    'figures',
  ];
  const lines = rows.map((r) => {
    const f = r.exact ?? {
      meanRequests: r.meanRequests,
      p95Requests: r.p95Requests,
      falseFailRate: r.falseFailRate,
      falsePassRate: r.falsePassRate,
    };
    return [
      r.split,
      String(f.meanRequests),
      r.goalMeanRequests === null ? '—' : `≤ ${r.goalMeanRequests} ${r.goalMet ? 'met' : 'not met'}`,
      `≥ ${r.bestPossibleMeanRequests}`,
      String(f.p95Requests),
      `${pctS(f.falseFailRate)} (≤ ${r.alpha})`,
      `${pctS(f.falsePassRate)} (≤ ${r.alpha})`,
      String(r.fixedSampleSize),
      r.exact
        ? `exact (Monte Carlo: mean ${r.meanRequests}, fail ${pctS(r.falseFailRate)}, pass ${pctS(r.falsePassRate)})`
        : `Monte Carlo, ${r.runs} runs per case`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--runs');
  const runs = at > 0 ? Number(process.argv[at + 1]) : undefined;
  if (runs !== undefined && !(Number.isInteger(runs) && runs > 0))
    throw new Error(`--runs needs a positive integer (got ${process.argv[at + 1]})`);
  const started = Date.now();
  const rows = benchVerifier(runs ? { runs } : {});
  printRows(rows);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const file = join(root, 'reports', 'bench', 'verifier.json');
  await mkdir(dirname(file), { recursive: true });
  const settings = {
    alpha: DEFAULT_SETTINGS.alpha,
    tolerance: DEFAULT_SETTINGS.tolerance,
    maxRequests: DEFAULT_SETTINGS.maxRequests,
  };
  await writeFile(
    file,
    JSON.stringify(
      { generatedAt: new Date().toISOString(), durationMs: Date.now() - started, settings, rows },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwrote ${file} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
