/**
 * The verifier as the tool runs it, beyond the idealised stream of row 3: send order under
 * concurrency (1), unclassified answers (2), a split that moves during the step (3), settling by
 * traffic between two weighted splits (4), a mesh that splits per connection (5), shares below the
 * tolerance (6), budgets a correct split outlasts (7). Each case: the rate that must stay within
 * alpha, by exact computation where one exists, else seeded Monte Carlo with its one-sided 95 %
 * upper bound, beside what the construction it replaced did; or, where lint now refuses the case,
 * that refusal (asked of the same functions lint and run ask) beside the rate it had when it was
 * accepted. Then what a verdict costs in requests sent under concurrency, with the sampler's cap
 * and without it.
 *
 *   npx tsx scripts/bench-robustness.ts [--runs N]
 */
import { pathToFileURL } from 'node:url';
import { hash32, seededRandom } from '../src/core/random.js';
import { rateUpperBound } from '../src/verify/binomial.js';
import { createCheck } from '../src/verify/check.js';
import { exactBinaryRates } from '../src/verify/exact-rates.js';
import { meanRequestsLowerBound } from '../src/verify/simulation/lower-bound.js';
import { simulateSettle } from '../src/verify/simulation/simulate-settle.js';
import { simulateStream } from '../src/verify/simulation/simulate-stream.js';
import { simulateConnections, type ConnectionCase } from '../src/verify/simulation/simulate-connections.js';
import { DEFAULT_SETTINGS } from '../src/plan/types.js';
import { effectiveTolerance } from '../src/plan/effective-tolerance.js';
import { sharesBelowTolerance } from '../src/plan/small-shares.js';
import { leastBudget, undecidedAboveAlpha } from '../src/verify/undecided-rate.js';
import type { BenchRow } from './bench-table.js';

export interface Rate {
  rate: number;
  /** Monte Carlo runs; null for an exact figure. */
  runs: number | null;
  /** One-sided 95 % upper bound (Monte Carlo), or the rate itself (exact). */
  upper: number;
}

export interface RobustnessRow {
  point: 1 | 2 | 3 | 4 | 5 | 6 | 7;
  case: string;
  /**
   * What must stay within alpha: `false fail` of a correct split, `false pass` of a wrong one, or `undecided`: a
   * correct split still without a verdict when the budget runs out.
   */
  kind: 'false fail' | 'false pass' | 'undecided';
  /** The rate now, or why lint (and run) refuse the case before any traffic. */
  now: Rate | { refused: string };
  before: Rate | null;
  beforeWhat: string;
  alpha: number;
  note: string;
}

const opts = {
  alpha: DEFAULT_SETTINGS.alpha,
  tolerance: DEFAULT_SETTINGS.tolerance,
  maxRequests: DEFAULT_SETTINGS.maxRequests,
};
const mc = (k: number, runs: number): Rate => ({ rate: k / runs, runs, upper: rateUpperBound(k, runs) });
const exact = (x: number): Rate => ({ rate: x, runs: null, upper: x });

export function benchRobustness(runs = 20_000): RobustnessRow[] {
  const rows: RobustnessRow[] = [];
  const { alpha } = opts;
  // 1. Send order: the same simulated concurrent sampler, the check fed as answers complete (before) or in send order
  // (now).
  for (const [label, expected, truth, latency, concurrency, kind] of [
    [
      '90/10 correct, v3 10× slower, concurrency 8',
      { v1: 90, v3: 10 },
      { v1: 90, v3: 10 },
      { v3: 10 },
      8,
      'false fail',
    ],
    [
      '90/10 correct, v3 10× slower, concurrency 44',
      { v1: 90, v3: 10 },
      { v1: 90, v3: 10 },
      { v3: 10 },
      44,
      'false fail',
    ],
    [
      '40/60 expected as 50/50, v3 2× slower, concurrency 8',
      { v1: 50, v3: 50 },
      { v1: 40, v3: 60 },
      { v3: 2 },
      8,
      'false pass',
    ],
  ] as const) {
    const sim = (order: 'completion' | 'send') => {
      const r = simulateStream({
        expected,
        truth,
        latency,
        concurrency,
        order,
        opts,
        runs,
        seed: `bench-robust:${label}:${order}`,
      });
      return mc(Math.round((kind === 'false fail' ? r.failRate : r.passRate) * runs), runs);
    };
    const plain = exactBinaryRates(expected.v1 / 100, truth.v1 / 100, opts);
    const note =
      'latency uniform in [0.5, 1.5] × the version’s mean; ' +
      'in send order the check sees a plain sample of the split, ' +
      `whose exact rate is ${pct(kind === 'false fail' ? plain.fail : plain.pass)}`;
    rows.push({
      point: 1,
      case: label,
      kind,
      now: sim('send'),
      before: sim('completion'),
      beforeWhat: 'answers fed as they complete',
      alpha,
      note,
    });
  }
  // 2. Unclassified answers in a correct 50/50: a weight-0 outcome (before), or unknown answers counted against every
  // test (now; bench-imperfect.ts has the fixed 1 % gate that came between).
  for (const u of [1e-4, 1e-3]) {
    const sim = (how: 'outcome' | 'unknown') => {
      const rng = seededRandom(hash32(`bench-robust:unclassified:${u}:${how}`));
      let failed = 0;
      for (let r = 0; r < runs; r++) {
        const check = createCheck({ v1: 50, v3: 50 }, how === 'outcome' ? { ...opts, strict: true } : opts);
        while (check.verdict() === null) {
          const unreadable = rng.next() < u;
          const o = rng.next() < 0.5 ? 'v1' : 'v3';
          if (!unreadable) check.observe(o);
          else if (how === 'outcome') check.observe('unclassified');
          else check.observeUnknown();
        }
        if (check.verdict() !== 'passed') failed++;
      }
      return mc(failed, runs);
    };
    rows.push({
      point: 2,
      case: `50/50 correct, 1 answer in ${Math.round(1 / u).toLocaleString('en-US')} unreadable`,
      kind: 'false fail',
      now: sim('unknown'),
      before: sim('outcome'),
      beforeWhat: 'an unreadable answer counted as a weight-0 outcome',
      alpha,
      note: 'an unknown answer, counted where it weakens each test (verify/strays.ts)',
    });
  }
  // 3. A split that moves during the step: exact, over every path.
  const lb = meanRequestsLowerBound(0.5, {
    alpha,
    tolerance: opts.tolerance,
    horizon: opts.maxRequests,
    edges: 'upper',
  });
  for (const [label, q, before, note] of [
    [
      '50/50 for 100 answers, then 70/30',
      (n: number) => (n <= 100 ? 0.5 : 0.7),
      0.1216,
      'the average split leaves the band: caught',
    ],
    [
      '50/50 for 100 answers, then 60/40',
      (n: number) => (n <= 100 ? 0.5 : 0.6),
      0.2149,
      'a pass here still says the average split over its answers was within the band; ' +
        `holding this case to alpha would need a mean of at least 100 + ${lb.toFixed(1)} = ` +
        `${(100 + lb).toFixed(1)} requests on a correct 50/50 (the first 100 answers say nothing of the upper ` +
        'edge; lower-bound.ts with that edge and the fail rate constrained, for the rest), against 338',
    ],
    [
      'linear drift 50 → 65 % over 500 answers',
      (n: number) => 0.5 + (0.15 * Math.min(n, 500)) / 500,
      0.3427,
      'the split is still inside the band (below 60 %) for the first 333 answers, where most passes come; ' +
        'a pass says the average was',
    ],
  ] as const) {
    rows.push({
      point: 3,
      case: label,
      kind: 'false pass',
      now: exact(exactBinaryRates(0.5, q, opts).pass),
      before: exact(before),
      beforeWhat: 'each edge kept once refuted; exact, computed with that rule before it was replaced',
      alpha,
      note,
    });
  }
  // 4. Settling by traffic, 50/50 → 75/25, the switch landing 100 answers after the apply.
  const settle = (rule: 'sequential' | 'run of 10') => {
    const r = simulateSettle({
      previous: { v1: 50, v3: 50 },
      next: { v1: 75, v3: 25 },
      switchAt: 100,
      rule,
      settle: { alpha: alpha / 10, tolerance: opts.tolerance, maxAnswers: opts.maxRequests },
      check: opts,
      runs,
      seed: `bench-robust:settle:${rule}`,
    });
    return mc(r.failed, runs);
  };
  const verdict = exactBinaryRates(0.75, 0.75, opts).fail;
  rows.push({
    point: 4,
    case: 'settling by traffic, 50/50 → 75/25, switch 100 answers late',
    kind: 'false fail',
    now: settle('sequential'),
    before: settle('run of 10'),
    beforeWhat: 'a run of 10 consistent answers',
    alpha,
    note:
      `bound: alpha/10 for settling on the old split + ${(verdict * 100).toFixed(2)} % for the verdict (exact) ` +
      `= ${((alpha / 10 + verdict) * 100).toFixed(2)} %`,
  });
  rows.push(...splitPerConnection(runs), ...smallShareRows(), ...budgetRows());
  return rows;
}

/**
 * 5. A mesh that splits per connection (TCP weights, a hop balancing by connection), seen through 8
 * pooled connections each pinned to the version drawn when it opened: the verdict alone (before),
 * and now with a fresh connection per request (`splitPer: connection`) or, left pooled, the
 * connection clustering test failing the expectation.
 */
function splitPerConnection(runs: number): RobustnessRow[] {
  const { alpha } = opts;
  const fifty = { v1: 50, v3: 50 };
  const sim = (c: Omit<ConnectionCase, 'opts' | 'runs' | 'seed'>, label: string) =>
    simulateConnections({ ...c, opts, runs, seed: `bench-robust:connections:${label}` });
  const rate = (x: number) => mc(Math.round(x * runs), runs);
  const rows: RobustnessRow[] = [];
  for (const [label, truth, kind] of [
    ['50/50 correct, 8 pooled connections pinned to a version', fifty, 'false fail'],
    ['60/40 expected as 50/50, 8 pooled connections pinned to a version', { v1: 60, v3: 40 }, 'false pass'],
  ] as const) {
    const pinned = { expected: fifty, truth, meshSplitsPer: 'connection' as const, connections: 8 };
    const pooled = sim(pinned, `${label}:pooled`);
    const fresh = sim({ ...pinned, recycleEvery: 1 }, `${label}:fresh`);
    const step = (r: typeof pooled) => (kind === 'false fail' ? r.stepFailRate : r.stepPassRate);
    const plain = exactBinaryRates(0.5, truth.v1 / 100, opts);
    rows.push({
      point: 5,
      case: `${label}, splitPer: connection (a fresh connection per request)`,
      kind,
      now: rate(step(fresh)),
      before: rate(kind === 'false fail' ? pooled.failRate : pooled.passRate),
      beforeWhat: 'pooled connections, the verdict alone',
      alpha,
      note:
        'fresh connections make the answers a plain sample ' +
        `(exact rate ${pct(kind === 'false fail' ? plain.fail : plain.pass)}); ` +
        `left pooled, the connection clustering test fires in ${pct(pooled.clusterRate)} of runs and the ` +
        `expectation ${kind === 'false fail' ? 'fails' : 'passes'} in ${pct(step(pooled))}`,
    });
  }
  const slow = sim(
    { expected: fifty, truth: fifty, meshSplitsPer: 'request', connections: 8, latency: { v3: 10 } },
    'independent',
  );
  rows.push({
    point: 5,
    case: '50/50 correct, split per request, 8 pooled connections, v3 10× slower: the clustering test alone',
    kind: 'false fail',
    now: rate(slow.clusterRate),
    before: null,
    beforeWhat: 'no such test',
    alpha,
    note:
      'the pool hands a connection out when it is free, so which connection carries a request depends on ' +
      `earlier latencies, not on its version; the verdict's own false fail beside it: ${pct(slow.failRate)}, ` +
      `so the expectation fails a correct split in ${pct(slow.stepFailRate)} (≤ 2 alpha: two tests)`,
  });
  return rows;
}

/** 6. Shares below the tolerance: refused by lint now; decided at a relativeTolerance, the canary getting nothing. */
function smallShareRows(): RobustnessRow[] {
  const { alpha } = opts;
  const rows: RobustnessRow[] = [];
  const canaryGetsNothing = (p: number, tolerance: number) =>
    exact(exactBinaryRates(p, 1, { ...opts, tolerance }).pass);
  for (const canary of [5, 2, 1]) {
    const expected = { reviews: { v1: 100 - canary, v3: canary } };
    const [small] = sharesBelowTolerance(expected, opts);
    rows.push({
      point: 6,
      case: `${100 - canary}/${canary} expected, the canary gets 0 %`,
      kind: 'false pass',
      now: small
        ? { refused: `v3's share ${canary} % is below the tolerance ${small.tolerance}` }
        : canaryGetsNothing(1 - canary / 100, opts.tolerance),
      before: canaryGetsNothing(1 - canary / 100, opts.tolerance),
      beforeWhat: `accepted by lint, decided at ±${opts.tolerance * 100} points`,
      alpha,
      note: 'the band reaches below 0 %, an edge that needs no refuting: nothing requires the canary to be seen',
    });
  }
  const relative = { ...opts, relativeTolerance: 0.5 };
  const expected = { reviews: { v1: 95, v3: 5 } };
  const tolerance = effectiveTolerance(relative, expected);
  const correct = exactBinaryRates(0.95, 0.95, { ...opts, tolerance });
  rows.push({
    point: 6,
    case: `95/5 expected at relativeTolerance 0.5 (±${tolerance * 100} points), the canary gets 0 %`,
    kind: 'false pass',
    now: canaryGetsNothing(0.95, tolerance),
    before: canaryGetsNothing(0.95, opts.tolerance),
    beforeWhat: `±${opts.tolerance * 100} points`,
    alpha,
    note:
      `${sharesBelowTolerance(expected, relative).length ? 'refused' : 'accepted'} by lint; a correct 95/5 then ` +
      `takes ${correct.meanN.toFixed(1)} requests on average, fails ${pct(correct.fail)} and ends undecided ` +
      `${pct(correct.inconclusive)} (exact, maxRequests ${opts.maxRequests})`,
  });
  return rows;
}

export interface SendCostRow {
  case: string;
  concurrency: number;
  runs: number;
  /** Mean answers the verdict used. */
  used: number;
  /** Mean requests sent, with the sampler's cap (now) and without it (before). */
  sentNow: number;
  sentBefore: number;
  /** The most requests sent beyond the answers used in any run, now: at most the concurrency. */
  maxExcessNow: number;
}

/**
 * Requests sent against answers used by the verdict, under concurrency: with the cap (now), a worker
 * sends only while fewer than `concurrency` answers are sent and not yet passed on in send order;
 * without it (before), workers run on while answers queue behind a slow one. At most 1,000 runs a
 * case: each uncapped run at concurrency 256 sends thousands of requests, and the means settle well
 * before that.
 */
export function benchSendCost(runs = 20_000): SendCostRow[] {
  const n = Math.min(runs, 1_000);
  const out: SendCostRow[] = [];
  for (const [label, split, latency] of [
    ['50/50 correct', { v1: 50, v3: 50 }, {}],
    ['90/10 correct, v3 10× slower', { v1: 90, v3: 10 }, { v3: 10 }],
  ] as const) {
    for (const concurrency of [128, 256]) {
      const sim = (cap: boolean) =>
        simulateStream({
          expected: split,
          truth: split,
          latency,
          concurrency,
          order: 'send',
          cap,
          opts,
          runs: n,
          seed: `bench-robust:cost:${label}:${concurrency}:${cap}`,
        });
      const now = sim(true);
      const before = sim(false);
      out.push({
        case: `${label}, concurrency ${concurrency}`,
        concurrency,
        runs: n,
        used: now.meanN,
        sentNow: now.meanSent,
        sentBefore: before.meanSent,
        maxExcessNow: now.maxExcess,
      });
    }
  }
  return out;
}

export function sendCostBenchRows(rows: SendCostRow[], reproduceRuns: number): BenchRow[] {
  const f = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 1 });
  return rows.map((r) => ({
    group: 3,
    what: `verifier as run, requests sent per verdict: ${r.case}`,
    measured:
      `${f(r.sentNow)} sent for ${f(r.used)} answers used (most beyond them in a run: ${r.maxExcessNow}); ` +
      `before: ${f(r.sentBefore)} sent (workers not held by answers waiting in send order)`,
    goal: `≤ answers used + ${r.concurrency}`,
    met: r.maxExcessNow <= r.concurrency,
    limit:
      `${r.runs.toLocaleString('en-US')} seeded runs; latency uniform in [0.5, 1.5] × the version’s mean; ` +
      'the real sampler’s overshoot grows with the spread of real latencies',
    reproduce: `npx tsx scripts/bench-robustness.ts --runs ${reproduceRuns}`,
  }));
}

/** 7. Budgets a correct split outlasts: the undecided rate (exact), refused by lint where it is above alpha. */
function budgetRows(): RobustnessRow[] {
  const { alpha } = opts;
  return (
    [
      [{ v1: 50, v3: 50 }, 300],
      [{ v1: 50, v3: 50 }, 400],
      [{ v1: 80, v3: 20 }, 200],
      [{ v1: 50, v3: 50 }, opts.maxRequests],
      [{ v1: 80, v3: 20 }, opts.maxRequests],
    ] as const
  ).map(([expected, maxRequests]) => {
    const budget = { ...opts, maxRequests };
    const p = expected.v1 / 100;
    const rates = exactBinaryRates(p, p, budget);
    const undecided = undecidedAboveAlpha(expected, budget);
    return {
      point: 7,
      case: `${expected.v1}/${expected.v3} correct, maxRequests ${maxRequests}`,
      kind: 'undecided',
      now: undecided
        ? { refused: `${pct(undecided.rate)} undecided; least maxRequests ${leastBudget(expected, budget)}` }
        : exact(rates.inconclusive),
      before: undecided ? exact(rates.inconclusive) : null,
      beforeWhat: undecided
        ? 'accepted by lint, which only asked whether ideal traffic can pass'
        : 'accepted before too',
      alpha,
      note: `on a correct split ${pct(rates.pass)} pass, ${pct(rates.fail)} fail, the rest end inconclusive (exact)`,
    };
  });
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
export const describeRate = (r: Rate | { refused: string }) =>
  'refused' in r
    ? `refused by lint (${r.refused})`
    : r.runs === null
      ? `${pct(r.rate)} (exact)`
      : `${pct(r.rate)} (≤ ${pct(r.upper)} at 95 %, ${r.runs.toLocaleString('en-US')} runs)`;

export function robustnessBenchRows(rows: RobustnessRow[], reproduceRuns: number): BenchRow[] {
  const what = {
    1: 'send order under concurrency',
    2: 'unclassified answers',
    3: 'a split that moves during the step',
    4: 'settling between two weighted splits',
    5: 'a mesh that splits per connection',
    6: 'a share below the tolerance',
    7: 'the request budget',
  } as const;
  return rows.map((r) => ({
    group: 3,
    what: `verifier as run, ${what[r.point]}: ${r.case} (${r.kind})`,
    measured: `${describeRate(r.now)}${r.before ? `; before: ${describeRate(r.before)} (${r.beforeWhat})` : ''}`,
    goal: `≤ ${r.alpha}`,
    met: 'refused' in r.now || r.now.rate <= r.alpha,
    limit: r.note,
    reproduce: `npx tsx scripts/bench-robustness.ts --runs ${reproduceRuns}`,
  }));
}

/** What a rows-3 script prints of each row. */
interface PrintedRow {
  point: number;
  case: string;
  kind: string;
  now: Rate | { refused: string };
  before: Rate | null;
  beforeWhat: string;
  note: string;
}

/** The command line of a rows-3 script (`--runs N`, default 20,000): one line per row, then the time taken. */
export function runRowsCli(bench: (runs: number) => PrintedRow[], more?: (runs: number) => string[]): void {
  const at = process.argv.indexOf('--runs');
  const runs = at > 0 ? Number(process.argv[at + 1]) : 20_000;
  if (!(Number.isInteger(runs) && runs > 0))
    throw new Error(`--runs needs a positive integer (got ${process.argv[at + 1]})`);
  const started = Date.now();
  for (const r of bench(runs))
    console.log(
      `${r.point} ${r.case} — ${r.kind}: now ${describeRate(r.now)}; ` +
        `before ${r.before ? describeRate(r.before) : '—'} (${r.beforeWhat}); ${r.note}`,
    );
  for (const line of more?.(runs) ?? []) console.log(line);
  console.log(`\n${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  runRowsCli(benchRobustness, (runs) =>
    sendCostBenchRows(benchSendCost(runs), runs).map((r) => `cost ${r.what}: ${r.measured}`),
  );
