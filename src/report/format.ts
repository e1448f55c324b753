/** Text for shares, intervals and gates, shared by the console, Markdown, JUnit and HTML views. */
import {
  observedByService,
  type BeyondFence,
  type ByService,
  type ExpectationResult,
  type GateResult,
  type PlanErrorBound,
  type RunResults,
  type StepResult,
} from '../model/results.js';
import { formatMs } from '../core/duration.js';
import { percent } from '../core/numbers.js';

export { formatMs, percent };

/** A fraction in percentage points, to one decimal at most: 0.8 → 80, 0.0049 → 0.5. */
export function points(fraction: number): number {
  return Number((fraction * 100).toFixed(1));
}

/** The run's tolerance: `10%`, or with a relativeTolerance `10%, at most 50% of the smallest share`. */
export function toleranceText(s: Pick<RunResults['settings'], 'tolerance' | 'relativeTolerance'>): string {
  const relative =
    s.relativeTolerance === undefined ? '' : `, at most ${percent(s.relativeTolerance)} of the smallest share`;
  return `${percent(s.tolerance)}${relative}`;
}

/** `[71.2–84%]` from fractions. */
export function formatInterval([lo, hi]: [number, number]): string {
  return `[${points(lo)}–${points(hi)}%]`;
}

/** `v1 80%, v3 20%, ratings unavailable` */
export function formatExpected(expected: ExpectationResult['expected']): string {
  return Object.entries(expected)
    .map(([k, v]) => (typeof v === 'number' ? `${k} ${v}%` : `${k} ${v}`))
    .join(', ');
}

/** Each service's counts, each with its share of that service's answers. */
export function observedShares(observed: ByService<number>): { reviews: Share[]; ratings: Share[] } {
  const shares = (counts: Record<string, number>): Share[] => {
    const entries = Object.entries(counts);
    const total = entries.reduce((a, [, v]) => a + v, 0);
    return entries.map(([key, count]) => ({ key, count, share: total ? count / total : 0 }));
  };
  return { reviews: shares(observed.reviews), ratings: shares(observed.ratings) };
}

export interface Share {
  key: string;
  count: number;
  share: number;
}

/**
 * Every interval, the reviews ones first, each named by its outcome; a ratings one after `ratingsLabel`
 * (`ratings:stars`, `ratings stars`).
 */
export function namedIntervals(
  intervals: ByService<[number, number]>,
  ratingsLabel: string,
): [string, [number, number]][] {
  return [
    ...Object.entries(intervals.reviews),
    ...Object.entries(intervals.ratings).map(([k, iv]): [string, [number, number]] => [ratingsLabel + k, iv]),
  ];
}

/** `v1 78.1% [71.2–84%], v3 21.9% [16–28.8%]; ratings stars 100%`: only outcomes seen or expected. */
export function formatObserved(e: Pick<ExpectationResult, 'observed' | 'intervals' | 'ratings'>): string {
  const { reviews, ratings } = observedShares(observedByService(e));
  const part = (s: Share, intervals: Record<string, [number, number]>): string => {
    const iv = intervals[s.key];
    return `${s.key} ${percent(s.share)}${iv ? ` ${formatInterval(iv)}` : ''}`;
  };
  const r = reviews.filter((s) => s.count > 0).map((s) => part(s, e.intervals));
  const g = ratings.filter((s) => s.count > 0).map((s) => part(s, e.ratings?.intervals ?? {}));
  const text = [r.join(', '), g.length ? `ratings ${g.join(', ')}` : ''].filter(Boolean).join('; ');
  return text || 'no responses';
}

/** `anonymous GET /productpage` */
export function describeWho(e: Pick<ExpectationResult, 'user' | 'path' | 'host' | 'headers'>): string {
  const host = e.host !== undefined ? ` (host ${e.host})` : '';
  const headers = Object.entries(e.headers ?? {}).map(([k, v]) => `; ${k}: ${v}`);
  return `${e.user} GET ${e.path}${host}${headers.length ? ` [${headers.join('').slice(2)}]` : ''}`;
}

const RATE_GATES = new Set(['maxErrorRate', 'maxDegradedRate', 'maxUnclassifiedRate']);

/** `maxErrorRate ≤ 1%`, `v3 p99LatencyMs ≤ 2000ms` */
/** `reviews-v3`, or for the rollback `rollback` (its usual name) or `rollback <name>`. */
export function stepTitle(s: { kind: 'step' | 'rollback'; name: string }): string {
  if (s.kind !== 'rollback') return s.name;
  return s.name === 'rollback' ? 'rollback' : `rollback ${s.name}`;
}

export function gateLabel(g: GateResult): string {
  return `${g.version ? `${g.version} ` : ''}${g.name} ≤ ${gateValue(g, g.limit)}`;
}

export function gateValue(g: Pick<GateResult, 'name'>, v: number | null): string {
  if (v === null) return 'n/a';
  return RATE_GATES.has(g.name) ? percent(v) : `${Number(v.toFixed(1))}ms`;
}

/** Plain words for what a gate measures: `error rate`, `p99 latency`. */
export function gateNoun(g: Pick<GateResult, 'name' | 'version'>): string {
  const noun =
    g.name === 'maxErrorRate'
      ? 'error rate'
      : g.name === 'maxDegradedRate'
        ? 'degraded-page rate'
        : g.name === 'maxUnclassifiedRate'
          ? 'unclassified-answer rate'
          : g.name.replace(/^(p\d+)LatencyMs$/, '$1 latency');
  return g.version ? `${g.version} ${noun}` : noun;
}

export function outcomeMark(o: StepResult['outcome']): string {
  return o === 'passed' ? '✓' : o === 'skipped' ? '–' : '✗';
}

/** Requests and how many of them came while settling. */
export function requestCounts(s: Pick<StepResult, 'requests' | 'settleRequests'>): string {
  return s.settleRequests ? `${s.requests} requests (${s.settleRequests} while settling)` : `${s.requests} requests`;
}

export function propagation(s: Pick<StepResult, 'propagationMs' | 'settledBy' | 'notRun'>): string {
  if (s.notRun !== undefined) return 'not run';
  if (s.propagationMs === null) return 'did not settle';
  return `${formatMs(s.propagationMs)}${s.settledBy && s.settledBy !== 'none' ? ` (${s.settledBy})` : ''}`;
}

/** A single line: no newlines, at most `max` characters. */
export function oneLine(text: string, max = 400): string {
  // A lone CR ends a line too (Markdown reads it so, and a terminal returns to the line's start).
  const flat = text.replace(/\s*[\r\n]\s*/g, ' ⏎ ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * `routing: Gateway API (HTTPRoute)` · `routing: Istio API (VirtualService)`; empty when the step applied no route.
 */
export function routingApisText(apis: readonly string[] | undefined): string {
  const names: Record<string, string> = {
    istio: 'Istio API (VirtualService)',
    'gateway-api': 'Gateway API (HTTPRoute)',
  };
  return apis?.length ? `routing: ${apis.map((a) => names[a] ?? a).join(' + ')}` : '';
}

/** `a correct plan fails with probability ≤ 3.0 % (Bonferroni over 3 weighted expectations; …)` */
export function describePlanError(b: PlanErrorBound): string {
  const pct = (x: number) => `${+(x * 100).toPrecision(3)} %`;
  const ff =
    b.weightedExpectations === 0
      ? 'a correct plan fails with probability 0 (no weighted expectation: ' +
        'the exact rule fails only on answers a correct config never routes to, beyond what misreads explain)'
      : `a correct plan fails with probability ≤ ${pct(b.falseFail)} (Bonferroni: ` +
        `the sum of alpha over ${b.weightedExpectations} weighted ` +
        `${b.weightedExpectations === 1 ? 'expectation' : 'expectations'}, a tenth more for each ` +
        'connection check; ' +
        `${pct(b.falseFailIfIndependent)} if independent` +
        `${b.planAlpha !== undefined ? `; planAlpha ${b.planAlpha}` : ''})`;
  return `${ff}; a plan with an expectation off by the tolerance passes with probability ≤ ${pct(b.falsePass)}`;
}

/** For a step that never ran or was stopped: `not run`, `stopped`, or what happened to the rollback. */
export function notRunLabel(s: StepResult): string {
  if (s.kind === 'rollback') return rollbackState(s);
  return s.outcome === 'skipped' ? 'not run' : 'stopped';
}

/** `passed`, or for a rollback a second signal stopped, what happened to it. */
export function rollbackState(r: StepResult): string {
  if (r.notRun === undefined) return r.outcome;
  return r.outcome === 'skipped' ? 'did not run' : 'stopped before it was verified';
}

/**
 * `v1 250 answers · 0 errors · 0 degraded; v3 246 answers · 0 errors · 113 degraded (45.9%)`, or null without
 * figures.
 */
export function versionSharesLine(s: Pick<StepResult, 'byVersion'>): string | null {
  const entries = Object.entries(s.byVersion ?? {});
  if (!entries.length) return null;
  const share = (n: number, of: number): string => (n ? ` (${percent(n / of)})` : '');
  return entries
    .map(
      ([k, v]) =>
        `${k} ${v.requests} answers · ${v.errors} errors${share(v.errors, v.requests)} · ` +
        `${v.degraded} degraded${share(v.degraded, v.requests)}`,
    )
    .join('; ');
}

/**
 * `Deployment node-agent.kube-system (in kube-system, hostPID, hostPath /)`: an object allowNamespaces
 * let through, and how it crosses the fence.
 */
export function beyondFenceText(b: Pick<BeyondFence, 'ref' | 'crosses'>): string {
  return `${b.ref} (${b.crosses.join(', ')})`;
}

/** The plan's allowNamespaces, then what it writes there (or that no object needs them). */
export function allowNamespacesText(
  allow: readonly string[],
  beyond: readonly Pick<BeyondFence, 'ref' | 'crosses'>[],
): string {
  const what = beyond.length ? beyond.map(beyondFenceText).join(', ') : 'no object of this plan needs them';
  return `${allow.join(', ')} — ${what}`;
}
