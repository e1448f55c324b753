/**
 * Synthetic, seeded run event streams for the report tests and the report benchmark: the events a
 * runner would emit for a plan, with results consistent with the requests (counts, pods, errors).
 * The verdicts are stated by the scenario, not computed: these exercise reports, not the verifier.
 */
import type { RunEvent } from '../../model/events.js';
import type {
  ExpectationResult,
  GateResult,
  Layers,
  LatencySummary,
  Outcome,
  RunResults,
  StepResult,
} from '../../model/results.js';
import type { RequestRecord } from '../../model/record.js';
import type { ReviewsOutcome } from '../../model/outcomes.js';
import { isError } from '../../model/record.js';
import { seededRandom, type Random } from '../../core/random.js';

export interface SimExpectation {
  user?: string;
  path?: string;
  /** As the plan states it: percent by outcome, `ratings` as a state. */
  expected: Record<string, number | string>;
  /** What the mesh really does: percent by outcome. */
  actual: Record<string, number>;
  requests: number;
  outcome: Outcome;
  message?: string;
}

export interface SimStep {
  name: string;
  kind?: 'step' | 'rollback';
  /** Split served while the new config propagates. */
  before: Record<string, number>;
  settleRequests: number;
  propagationMs: number | null;
  expectations: SimExpectation[];
  /** Share of verification requests that fail (half 503, half ECONNRESET). */
  errorRate?: number;
  /** Median latency per version, ms; default 4. */
  latency?: Record<string, number>;
  gates?: GateResult[];
  disagreements?: string[];
  outcome?: Outcome;
  message?: string;
}

export interface SimRun {
  plan: string;
  seed: number;
  reportDir: string;
  steps: SimStep[];
  rollback?: { reason: string; step: SimStep };
  diagnostics?: string[];
  logs?: { level: 'info' | 'warn' | 'error'; message: string }[];
  /** The plan's allowNamespaces and what they let through, as the runner passes them on. */
  fence?: Pick<RunResults, 'allowNamespaces' | 'beyondFence'>;
}

const STARTED_AT = '2026-05-04T10:00:00.000Z';

/** Every event of the run, in order; requests are generated lazily so long runs take no memory. */
export function* simulateRun(run: SimRun): Generator<RunEvent> {
  const random = seededRandom(run.seed);
  const clock = { t: 0 };
  yield {
    type: 'run-start',
    plan: run.plan,
    planFile: `/repo/plans/${run.plan}.yaml`,
    target: 'local',
    targetDescription: 'local rehearsal mesh (not Istio)',
    startedAt: STARTED_AT,
    reportDir: run.reportDir,
    seed: run.seed,
    settings: SETTINGS,
    ...run.fence,
  };
  for (const l of run.logs ?? []) yield { type: 'log', ...l };
  const steps: StepResult[] = [];
  for (const [i, spec] of run.steps.entries()) {
    const holder: { result?: StepResult } = {};
    yield* simulateStep(spec, i, run.steps.length, random.fork(spec.name), clock, holder);
    steps.push(holder.result!);
  }
  let rollback: StepResult | null = null;
  if (run.rollback) {
    yield { type: 'rollback', reason: run.rollback.reason };
    const holder: { result?: StepResult } = {};
    yield* simulateStep(
      { ...run.rollback.step, kind: 'rollback' },
      run.steps.length,
      run.steps.length,
      random.fork('rollback'),
      clock,
      holder,
    );
    rollback = holder.result!;
  }
  if (run.diagnostics) yield { type: 'diagnostics', dir: `${run.reportDir}/diagnostics`, files: run.diagnostics };
  const failed = steps.find((s) => s.outcome !== 'passed');
  const results: RunResults = {
    schemaVersion: 1,
    plan: run.plan,
    planFile: `/repo/plans/${run.plan}.yaml`,
    target: 'local',
    targetDescription: 'local rehearsal mesh (not Istio)',
    outcome: failed ? 'failed' : 'passed',
    message: failed
      ? failed.message + (rollback ? ` — rollback ${rollback.outcome}` : '')
      : `all ${steps.length} steps passed`,
    startedAt: STARTED_AT,
    durationMs: Math.round(clock.t + 50),
    seed: run.seed,
    settings: SETTINGS,
    interrupted: false,
    phases: [],
    steps,
    rollback,
    exitCode: failed ? 1 : 0,
    // As the runner does: the results carry the rollback's reason and the diagnostics themselves.
    rollbackReason: run.rollback ? run.rollback.reason : undefined,
    diagnostics: run.diagnostics ? { dir: `${run.reportDir}/diagnostics`, files: run.diagnostics } : undefined,
    ...run.fence,
  };
  yield { type: 'run-end', results };
}

const SETTINGS = { alpha: 0.01, tolerance: 0.1, maxRequests: 3000 };

function* simulateStep(
  spec: SimStep,
  index: number,
  total: number,
  random: Random,
  clock: { t: number },
  out: { result?: StepResult },
): Generator<RunEvent> {
  const kind = spec.kind ?? 'step';
  const begin = clock.t;
  yield { type: 'step-start', step: spec.name, index, kind, total };
  const applied = [
    {
      ref: 'VirtualService reviews.default',
      file: `/repo/manifests/routing/${spec.name}.yaml`,
      yaml: virtualService(spec.expectations[0]?.actual ?? spec.before),
      action: 'configured',
    },
  ];
  yield { type: 'applied', step: spec.name, objects: applied };
  yield { type: 'settle', step: spec.name, state: 'waiting', by: 'proxies' };
  const records: RequestRecord[] = [];
  let seq = 0;
  // Settling requests are spread over the propagation time, so the settle point and the
  // reported propagation agree on a chart.
  const settleGap = spec.settleRequests ? (spec.propagationMs ?? 2000) / spec.settleRequests : 0;
  const send = (
    exp: number,
    user: string,
    path: string,
    phase: 'settle' | 'verify',
    split: Record<string, number>,
    errorRate: number,
  ): RequestRecord => {
    clock.t += phase === 'settle' ? settleGap * (0.5 + random.next()) : 2 + random.next() * 6;
    const failed = random.next() < errorRate;
    const version = pick(split, random) as ReviewsOutcome;
    const base = spec.latency?.[version] ?? 4;
    const r: RequestRecord = {
      seq: seq++,
      step: spec.name,
      expectation: exp,
      phase,
      user,
      path,
      t: Math.round(clock.t * 10) / 10,
      latencyMs: Math.round(base * (0.6 + random.next() * 0.8 + (random.next() < 0.02 ? 3 : 0)) * 100) / 100,
      status: failed ? (random.next() < 0.5 ? 503 : null) : 200,
      error: failed && random.next() < 0.5 ? 'ECONNRESET' : undefined,
      reviews: failed ? null : version,
      ratings: failed ? null : version === 'v1' ? 'none' : 'stars',
      pod: failed ? null : podOf(version),
    };
    records.push(r);
    return r;
  };
  const first = spec.expectations[0];
  for (let i = 0; i < spec.settleRequests; i++)
    yield {
      type: 'request',
      record: send(0, first?.user ?? 'anonymous', first?.path ?? '/productpage', 'settle', spec.before, 0),
    };
  if (spec.propagationMs === null) {
    yield {
      type: 'settle',
      step: spec.name,
      state: 'timeout',
      by: 'proxies',
      observed: 'productpage-v1-6f8d9c7b5d-x2k4q still holds reviews: v1 100%',
    };
  } else {
    yield { type: 'settle', step: spec.name, state: 'settled', by: 'proxies', propagationMs: spec.propagationMs };
  }
  const expectations: ExpectationResult[] = [];
  for (const [i, e] of (spec.propagationMs === null ? [] : spec.expectations).entries()) {
    const user = e.user ?? 'anonymous';
    const path = e.path ?? '/productpage';
    const counts: Record<string, number> = {};
    const pods: Record<string, number> = {};
    for (let k = 0; k < e.requests; k++) {
      const r = send(i, user, path, 'verify', e.actual, spec.errorRate ?? 0);
      yield { type: 'request', record: r };
      if (isError(r)) continue;
      counts[r.reviews!] = (counts[r.reviews!] ?? 0) + 1;
      pods[r.pod!] = (pods[r.pod!] ?? 0) + 1;
      const n = Object.values(counts).reduce((a, b) => a + b, 0);
      if (n % 25 === 0)
        yield {
          type: 'progress',
          step: spec.name,
          expectation: i,
          n,
          counts: { ...counts },
          intervals: intervalsOf(counts),
        };
    }
    const result: ExpectationResult = {
      user,
      path,
      expected: e.expected,
      observed: counts,
      outcome: e.outcome,
      intervals: intervalsOf(counts),
      requests: Object.values(counts).reduce((a, b) => a + b, 0),
      pods,
      message: e.message ?? `${user} GET ${path}: ${e.outcome}`,
    };
    expectations.push(result);
    yield { type: 'verdict', step: spec.name, expectation: i, result };
  }
  const gates = spec.propagationMs === null ? [] : (spec.gates ?? []);
  for (const gate of gates) yield { type: 'gate', step: spec.name, gate };
  const failing =
    expectations.some((e) => e.outcome !== 'passed') ||
    gates.some((g) => g.outcome !== 'passed') ||
    spec.propagationMs === null;
  const outcome = spec.outcome ?? (failing ? 'failed' : 'passed');
  const result = stepResult(spec, kind, outcome, begin, clock.t, records, expectations, gates, applied);
  out.result = result;
  yield { type: 'step-end', result };
}

function stepResult(
  spec: SimStep,
  kind: 'step' | 'rollback',
  outcome: Outcome,
  begin: number,
  end: number,
  records: RequestRecord[],
  expectations: ExpectationResult[],
  gates: GateResult[],
  applied: { ref: string; file: string; action: string }[],
): StepResult {
  const verify = records.filter((r) => r.phase === 'verify');
  const byKind: Record<string, number> = {};
  const byPod: Record<string, number> = {};
  const errors = records.filter(isError);
  for (const r of errors) {
    const k = r.status === null ? (r.error ?? 'transport') : `HTTP ${r.status}`;
    byKind[k] = (byKind[k] ?? 0) + 1;
  }
  const byVersion: Record<string, LatencySummary> = {};
  for (const v of new Set(verify.filter((r) => !isError(r)).map((r) => r.reviews!)))
    byVersion[v] = latencyOf(verify.filter((r) => r.reviews === v && !isError(r)));
  const failures = [
    ...expectations.filter((e) => e.outcome !== 'passed').map((e) => e.message),
    ...gates.filter((g) => g.outcome !== 'passed').map((g) => `gate ${g.name} ${g.outcome}`),
  ];
  const message =
    spec.message ??
    (outcome === 'passed'
      ? `step ${spec.name} passed`
      : `step ${spec.name} ${outcome}: ${failures.join('; ') || 'new config did not settle'}`);
  return {
    name: spec.name,
    kind,
    outcome,
    message,
    startedAt: new Date(Date.parse(STARTED_AT) + Math.round(begin)).toISOString(),
    durationMs: Math.round(end - begin + 30),
    propagationMs: spec.propagationMs,
    settledBy: spec.propagationMs === null ? null : 'proxies',
    requests: records.length,
    settleRequests: records.length - verify.length,
    applied: applied.map(({ ref, file, action }) => ({ ref, file, action })),
    expectations,
    gates,
    latencyMs: latencyOf(verify),
    latencyByVersion: byVersion,
    errors: { total: errors.length, byKind, byPod },
    layers: spec.propagationMs === null ? null : layersOf(spec, expectations),
  };
}

function layersOf(spec: SimStep, expectations: ExpectationResult[]): Layers {
  const intended = `reviews: ${Object.entries(spec.expectations[0]?.expected ?? {})
    .map(([k, v]) => `${k} ${v}%`)
    .join(', ')}`;
  const disagreements = spec.disagreements ?? [];
  return {
    intended: { summary: { reviews: intended } },
    readBack: { summary: { reviews: intended } },
    proxies: {
      summary: {
        reviews: disagreements.length
          ? `reviews: ${Object.entries(spec.before)
              .map(([k, v]) => `${k} ${v}%`)
              .join(', ')}`
          : intended,
      },
      pods: ['productpage-v1-6f8d9c7b5d-x2k4q'],
    },
    observed: {
      summary: Object.fromEntries(
        expectations.map((e) => [
          `${e.user} ${e.path}`,
          Object.entries(e.observed)
            .map(([k, v]) => `${k} ×${v}`)
            .join(', '),
        ]),
      ),
    },
    disagreements,
  };
}

function latencyOf(rs: RequestRecord[]): LatencySummary {
  if (!rs.length) return { p50: null, p90: null, p99: null };
  const s = rs.map((r) => r.latencyMs).sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99) };
}

/** A Wilson score interval per outcome (z = 2.58): plausible numbers for a report, not the verifier's. */
function intervalsOf(counts: Record<string, number>): Record<string, [number, number]> {
  const n = Object.values(counts).reduce((a, b) => a + b, 0);
  const z = 2.58;
  const out: Record<string, [number, number]> = {};
  for (const [k, c] of Object.entries(counts)) {
    const p = c / n;
    const d = 1 + (z * z) / n;
    const mid = (p + (z * z) / (2 * n)) / d;
    const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
    out[k] = [Math.max(0, Math.round((mid - half) * 1e4) / 1e4), Math.min(1, Math.round((mid + half) * 1e4) / 1e4)];
  }
  return out;
}

function pick(split: Record<string, number>, random: Random): string {
  const total = Object.values(split).reduce((a, b) => a + b, 0);
  let x = random.next() * total;
  for (const [k, w] of Object.entries(split)) {
    x -= w;
    if (x < 0 && w > 0) return k;
  }
  return Object.keys(split).find((k) => split[k]! > 0) ?? 'v1';
}

function podOf(version: string): string {
  return (
    { v1: 'reviews-v1-5b6d8c9f7d-abcde', v2: 'reviews-v2-7c9b6d5f4b-fghij', v3: 'reviews-v3-6d8f7c5b9d-klmno' }[
      version
    ] ?? 'unknown'
  );
}

function virtualService(weights: Record<string, number>): string {
  const routes = Object.entries(weights)
    .map(([v, w]) => `    - destination:\n        host: reviews\n        subset: ${v}\n      weight: ${w}`)
    .join('\n');
  return (
    'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\nspec:\n  hosts:\n' +
    `  - reviews\n  http:\n  - route:\n${routes}\n`
  );
}

/** A passing run shaped like the tutorial: all traffic to v1, then reviews to v3. */
export function tutorialRun(reportDir: string, seed = 7): SimRun {
  return {
    plan: 'tutorial',
    seed,
    reportDir,
    steps: [
      {
        name: 'all-v1',
        before: { v1: 34, v2: 33, v3: 33 },
        settleRequests: 30,
        propagationMs: 840,
        expectations: [
          {
            expected: { v1: 100 },
            actual: { v1: 100 },
            requests: 44,
            outcome: 'passed',
            message: 'anonymous GET /productpage: 44 of 44 responses from v1',
          },
        ],
        gates: [{ name: 'maxErrorRate', limit: 0, observed: 0, outcome: 'passed' }],
      },
      {
        name: 'reviews-v3',
        before: { v1: 100 },
        settleRequests: 25,
        propagationMs: 1210,
        latency: { v3: 9 },
        expectations: [
          {
            expected: { v3: 100 },
            actual: { v3: 100 },
            requests: 44,
            outcome: 'passed',
            message: 'anonymous GET /productpage: 44 of 44 responses from v3',
          },
        ],
        gates: [{ name: 'maxErrorRate', limit: 0, observed: 0, outcome: 'passed' }],
      },
    ],
  };
}

/**
 * A canary that goes wrong: v3 pages are degraded and slow, gates fail, one layer disagrees, the
 * rollback runs and passes, diagnostics are written.
 */
export function failingCanaryRun(reportDir: string, seed = 11): SimRun {
  return {
    plan: 'reviews-canary',
    seed,
    reportDir,
    logs: [{ level: 'warn', message: 'target local: a rehearsal mesh, not Istio' }],
    steps: [
      {
        name: 'all-v1',
        before: { v1: 34, v2: 33, v3: 33 },
        settleRequests: 20,
        propagationMs: 650,
        expectations: [
          {
            expected: { v1: 100 },
            actual: { v1: 100 },
            requests: 44,
            outcome: 'passed',
            message: 'anonymous GET /productpage: 44 of 44 responses from v1',
          },
        ],
        gates: [{ name: 'maxErrorRate', limit: 0.01, observed: 0, outcome: 'passed' }],
      },
      {
        name: 'canary-20',
        before: { v1: 100 },
        settleRequests: 40,
        propagationMs: 1530,
        errorRate: 0.06,
        latency: { v1: 5, v3: 1900 },
        expectations: [
          {
            expected: { v1: 80, v3: 20 },
            actual: { v1: 62, v3: 38 },
            requests: 400,
            outcome: 'failed',
            message: 'anonymous GET /productpage: v3 share 38% is outside 20% ± 10% (interval excludes the band)',
          },
          {
            user: 'jason',
            expected: { v2: 100 },
            actual: { v2: 100 },
            requests: 44,
            outcome: 'passed',
            message: 'jason GET /productpage: 44 of 44 responses from v2',
          },
        ],
        gates: [
          { name: 'maxErrorRate', limit: 0.01, observed: 0.06, outcome: 'failed' },
          { name: 'p99LatencyMs', limit: 2000, observed: 2950, outcome: 'failed' },
          { name: 'p99LatencyMs', version: 'v3', limit: 2000, observed: 3020, outcome: 'failed' },
          { name: 'maxDegradedRate', limit: 0.05, observed: 0, outcome: 'passed' },
        ],
        disagreements: ['reviews: proxies hold "reviews: v1 100%" but the cluster holds "reviews: v1 80%, v3 20%"'],
      },
    ],
    rollback: {
      reason: 'step canary-20 failed: v3 share 38% is outside 20% ± 10%; gate maxErrorRate failed',
      step: {
        name: 'back-to-v1',
        before: { v1: 62, v3: 38 },
        settleRequests: 15,
        propagationMs: 720,
        expectations: [
          {
            expected: { v1: 100 },
            actual: { v1: 100 },
            requests: 44,
            outcome: 'passed',
            message: 'anonymous GET /productpage: 44 of 44 responses from v1',
          },
        ],
        gates: [{ name: 'maxErrorRate', limit: 0.01, observed: 0, outcome: 'passed' }],
      },
    },
    diagnostics: ['events.txt', 'pods.txt', 'proxy-routes-productpage.json'],
  };
}

/** `n` request events for one step, generated lazily: the benchmark's load. */
export function* manyRequests(n: number, seed = 3): Generator<RunEvent> {
  const random = seededRandom(seed);
  for (let i = 0; i < n; i++) {
    const settle = i < n / 50;
    const version = pick(settle ? { v1: 100 } : { v1: 80, v3: 20 }, random) as ReviewsOutcome;
    const failed = random.next() < 0.003;
    yield {
      type: 'request',
      record: {
        seq: i,
        step: 'soak',
        expectation: 0,
        phase: settle ? 'settle' : 'verify',
        user: 'anonymous',
        path: '/productpage',
        t: i * 3,
        latencyMs: 3 + random.next() * 10,
        status: failed ? 503 : 200,
        reviews: failed ? null : version,
        ratings: failed ? null : version === 'v1' ? 'none' : 'stars',
        pod: failed ? null : podOf(version),
      },
    };
  }
}
