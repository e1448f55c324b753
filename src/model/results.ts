/** The shape of results.json (docs/architecture.md, Report files), schemaVersion 1. */

/** Where the mesh was (targets/ implements each). */
export type TargetName = 'local' | 'kind' | 'existing' | 'kwok';

export type Outcome = 'passed' | 'failed' | 'inconclusive' | 'error' | 'skipped';

export interface ExpectationResult {
  user: string;
  path: string;
  /** The Host header sent (an expectation about a service of the user's). */
  host?: string;
  /** Extra request headers sent. */
  headers?: Record<string, string>;
  /** Where each answer's version was read (`header x-version`); `observed` is then by that version. */
  versionFrom?: string;
  expected: Record<string, number | string>;
  /** Verification answers counted per reviews outcome (`v1`, `v2`, `v3`, `unavailable`). */
  observed: Record<string, number>;
  outcome: Outcome;
  /** Per reviews outcome, the share interval (fractions) the verdict was decided with. */
  intervals: Record<string, [number, number]>;
  /**
   * Ratings, when the expectation checks them: answers counted per state (`stars`, `none`, `unavailable`) and their
   * intervals.
   */
  ratings?: { observed: Record<string, number>; intervals: Record<string, [number, number]> };
  /** Verification requests that counted as evidence (unknown answers included). */
  requests: number;
  /** Answers the classifier could not read: counted in `requests`, each against every test (verify/strays.ts). */
  unclassified?: number;
  /** Degraded pages that hide which version served (reviews unavailable, not expected): counted like `unclassified`. */
  hidden?: number;
  /**
   * The answers the verdict rests on: sent from `from` to `to` (ms since the run started), in send order. A pass
   * says the average split over exactly these was within the band (README, "How a step is decided").
   */
  window?: { from: number; to: number };
  /** Pods that served the verification requests, with counts. */
  pods: Record<string, number>;
  message: string;
  /** The tolerance this expectation was decided with, when it differs from the run's default. */
  tolerance?: number;
  /** The alpha this expectation was decided with, when it is its share of defaults.planAlpha. */
  alpha?: number;
  /** Whether its answers cluster by the connection that carried them (absent: no answer named its socket). */
  connections?: ConnectionClustering;
  /** `connection` when every request went on a connection of its own (the expectation's splitPer). */
  splitPer?: 'connection';
}

/**
 * A test of independence of version against connection over an expectation's counted answers
 * (src/verify/connection-clustering.ts): significant at the expectation's alpha, the answers
 * cluster by connection and the expectation fails.
 */
export interface ConnectionClustering {
  /** Sockets that carried the answers tested. */
  connections: number;
  /** Answers tested: those the check counted whose socket is known. */
  answers: number;
  /** Pearson's X² of version against connection. */
  statistic: number;
  /** (connections − 1)(versions − 1); 0 when nothing was tested. */
  df: number;
  pValue: number;
  /** `chi-square` tail (every expected count ≥ 5), `permutation` (seeded shuffles), or `none` (nothing to test). */
  method: 'chi-square' | 'permutation' | 'none';
  alpha: number;
  /** `skipped`: one connection, one version, or every answer on a connection of its own. */
  outcome: 'passed' | 'failed' | 'skipped';
}

/**
 * One figure per outcome of each service the page shows: `reviews` by version (`v1`, `unavailable`), `ratings` by state
 * (`stars`, `unavailable`).
 */
export interface ByService<T> {
  reviews: Record<string, T>;
  ratings: Record<string, T>;
}

/** An expectation's counts, both services side by side (ratings `{}` when not checked). */
export function observedByService(e: Pick<ExpectationResult, 'observed' | 'ratings'>): ByService<number> {
  return { reviews: e.observed, ratings: e.ratings?.observed ?? {} };
}

/** An expectation's intervals, both services side by side (ratings `{}` when not checked). */
export function intervalsByService(e: Pick<ExpectationResult, 'intervals' | 'ratings'>): ByService<[number, number]> {
  return { reviews: e.intervals, ratings: e.ratings?.intervals ?? {} };
}

export interface GateResult {
  name: string;
  /** `v3` for a per-version gate. */
  version?: string;
  limit: number;
  observed: number | null;
  outcome: Outcome;
}

export interface LatencySummary {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** One view of the routes for a host (what the plan meant, the cluster holds, proxies hold, traffic showed). */
export interface LayerView {
  /** Short, comparable text per host: `reviews: v1 80%, v3 20%` or with match conditions. */
  summary: Record<string, string>;
  note?: string;
  /**
   * Read back only: the status conditions of Gateway API routes per view, as the cluster reports them (`Service
   * reviews: Accepted=True, ResolvedRefs=True`).
   */
  status?: Record<string, string[]>;
}

export interface Layers {
  intended: LayerView;
  readBack: LayerView;
  proxies: LayerView & { pods: string[] };
  observed: LayerView;
  /** Every disagreement between two layers, named. */
  disagreements: string[];
}

export interface StepResult {
  name: string;
  kind: 'step' | 'rollback';
  outcome: Outcome;
  message: string;
  startedAt: string;
  durationMs: number;
  /** Time from applying to every relevant proxy (or the traffic) showing the new config. */
  propagationMs: number | null;
  settledBy: 'proxies' | 'traffic' | 'none' | null;
  /** Requests sent in this step, settling included. */
  requests: number;
  settleRequests: number;
  applied: { ref: string; file: string | null; action: string }[];
  expectations: ExpectationResult[];
  gates: GateResult[];
  latencyMs: LatencySummary;
  latencyByVersion: Record<string, LatencySummary>;
  errors: {
    total: number;
    byKind: Record<string, number>;
    byPod: Record<string, number>;
    /**
     * 5xx per upstream pod from the proxies' access logs (Target.upstreamErrors), read when the
     * step saw errors or degraded pages and the target can read the logs: the pod a client can't name.
     */
    upstreamErrors?: Record<string, number>;
  };
  layers: Layers | null;
  /** The routing APIs the step's objects use: `istio` (VirtualService), `gateway-api` (HTTPRoute). */
  routingApis?: ('istio' | 'gateway-api')[];
  /** Set when the step never ran (or the rollback was stopped before it was verified): why, in a few words. */
  notRun?: string;
  /**
   * Per version that served verification answers: answers, errors and degraded pages, so a share
   * of bad pages can be pinned on the version that served them.
   */
  byVersion?: Record<string, VersionShares>;
}

export interface VersionShares {
  /** Verification answers this version served (errors that name no version are under `unknown`). */
  requests: number;
  /** Non-2xx and transport errors among them. */
  errors: number;
  /** 2xx pages that showed a reviews or ratings error. */
  degraded: number;
}

/** One phase of the target's `up` (create the cluster, install Istio, …), as it ran. */
export interface PhaseResult {
  name: string;
  ok: boolean;
  durationMs: number;
  /** What it found or made (`6 objects`), or why it failed. */
  detail?: string;
}

export interface RunResults {
  schemaVersion: 1;
  plan: string;
  planFile: string;
  /** The plan's own `description`, when it has one. */
  description?: string;
  target: TargetName;
  targetDescription: string;
  outcome: Outcome;
  /** Why the run ended as it did, in one line. */
  message: string;
  startedAt: string;
  durationMs: number;
  seed: number;
  /** The plan's defaults; relativeTolerance only when set (a weighted expectation then records its own `tolerance`). */
  settings: { alpha: number; tolerance: number; relativeTolerance?: number; maxRequests: number };
  /** The error bounds of the plan as a whole (absent in results written before they were reported). */
  planError?: PlanErrorBound;
  interrupted: boolean;
  /** The phases of `up`, in order, each with its duration. */
  phases: PhaseResult[];
  steps: StepResult[];
  rollback: StepResult | null;
  exitCode: number;
  /** Why the rollback ran (the `rollback` event's reason). */
  rollbackReason?: string;
  /** Where the diagnostics bundle was written on failure. */
  diagnostics?: { dir: string; files: string[] };
  /** What the target stored but did not act on (the local mesh's unsimulated fields and kinds), once each. */
  notes?: string[];
  /** Reporters that failed during the run, one line each; they were skipped from then on. */
  reporterErrors?: string[];
  /** The plan's `allowNamespaces`, as written: where it may write beyond its own namespace (absent: nowhere). */
  allowNamespaces?: string[];
  /** The objects the plan applies that only `allowNamespaces` let through (absent: none). */
  beyondFence?: BeyondFence[];
  /**
   * True in the results.json written after each step while the run goes on. A file still marked
   * partial means the run never reached its end (killed, crashed): it holds the steps finished so far.
   */
  partial?: boolean;
}

/**
 * An object the namespace fence (plans/README.md) would have refused, let through by the plan's
 * `allowNamespaces`: outside the plan's namespace, or with pods that reach their node.
 */
export interface BeyondFence {
  /** `Deployment node-agent.kube-system`; `Namespace shop` for a Namespace. */
  ref: string;
  /** The manifest that holds it, and the line its document starts on. */
  file: string;
  line: number;
  /** The `allowNamespaces` entry that let it through: its namespace. */
  allowedBy: string;
  /** What it does that the fence stops, as short facts: `in kube-system`, `namespace shop`, `hostPID`, `hostPath /`. */
  crosses: string[];
}

/**
 * What alpha means for the plan as a whole (src/verify/plan-error.ts). Only weighted expectations
 * can fail a correct split (the exact rule fails on a sighting of a weight-0 version, which a
 * correct config never routes), so the plan's false-fail bound sums their alphas.
 */
export interface PlanErrorBound {
  /** How the bound is formed: `bonferroni`, the sum of alphas, which needs no independence. */
  method: 'bonferroni';
  /** Weighted expectations in the plan's steps (the rollback is not counted: it runs after a failure). */
  weightedExpectations: number;
  /** P(a correct plan fails a step's verdict) ≤ this. */
  falseFail: number;
  /** 1 − Π(1 − alpha_i): what the same would be were the expectations' errors independent. */
  falseFailIfIndependent: number;
  /** P(a plan with some expectation off by the tolerance passes) ≤ this: the largest alpha of any expectation. */
  falsePass: number;
  /** defaults.planAlpha, when the plan set one. */
  planAlpha?: number;
}
