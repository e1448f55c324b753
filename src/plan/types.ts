/**
 * A plan after loading and validation (plans/README.md): defaults resolved into each step, paths made
 * absolute, every manifest parsed with its source location. The runner only ever sees this shape.
 */
import type { InputIssue, SourceLocation } from '../core/errors.js';
import type { LoadedObject } from '../kube/manifest.js';
import type { RatingsState } from '../model/outcomes.js';
import type { BeyondFence } from '../model/results.js';
import type { VersionFrom } from '../model/version-from.js';

export interface Settings {
  alpha: number;
  tolerance: number;
  /**
   * A weighted expectation's tolerance as a fraction of its smallest positive target share, where that is below
   * `tolerance` (effective-tolerance.ts); absent: `tolerance` alone.
   */
  relativeTolerance?: number;
  maxRequests: number;
  settleTimeoutMs: number;
  concurrency: number;
  /** Per request; a slower answer is recorded as a transport error. */
  requestTimeoutMs: number;
}

export interface GateLimits {
  maxErrorRate?: number;
  maxDegradedRate?: number;
  p50LatencyMs?: number;
  p90LatencyMs?: number;
  p99LatencyMs?: number;
}

export interface Gates extends GateLimits {
  /** Share of answers the classifier could not read (default 1 %; see src/verify/gates.ts). */
  maxUnclassifiedRate?: number;
  byVersion?: Record<string, GateLimits>;
}

export interface ManifestRef {
  /** Absolute path of the file. */
  path: string;
  /** As written in the plan. */
  declared: string;
  at: SourceLocation;
  objects: LoadedObject[];
}

export interface Expectation {
  /** `anonymous`, or the user logged in through POST /login. */
  user: string;
  path: string;
  /** Expected shares in percent by outcome (`v1`, `v2`, `v3`, `unavailable`); sums to 100. */
  reviews?: Record<string, number>;
  /** Must hold for every response. */
  ratings?: RatingsState;
  /** Expected shares in percent by the version read from each answer (versionFrom); sums to 100. Not with reviews. */
  versions?: Record<string, number>;
  /** Where the version is read from; set whenever `versions` is (default the echo header x-version). */
  versionFrom?: VersionFrom;
  /** Host header sent through the ingress (absent: none of the plan's). */
  host?: string;
  /** Extra request headers, as written (lowercased names). */
  headers?: Record<string, string>;
  /** A fixed number of verification requests instead of sequential sampling. */
  requests?: number;
  /** This expectation's alpha where it differs from its step's: its share of defaults.planAlpha. */
  alpha?: number;
  /** One answer from an outcome expected at 0 % fails at once (default: strays tested as a share, verify/strays.ts). */
  strict?: boolean;
  concurrency: number;
  /**
   * `connection`: the mesh splits per connection, so every request goes on a connection of its own
   * (absent: `request`, requests share the client's pooled connections).
   */
  splitPer?: 'request' | 'connection';
  at: SourceLocation;
}

export type RoutingApi = 'istio' | 'gateway-api';

export interface RouteShorthand {
  host: string;
  weights: Record<string, number>;
  /** What the shorthand was written as: a VirtualService (istio) or an HTTPRoute (gateway-api). */
  api: RoutingApi;
  at: SourceLocation;
}

/** Something worth knowing about a valid plan (it does not stop the plan), with where it comes from. */
export interface PlanNote {
  file: string;
  line?: number;
  message: string;
}

export interface Step {
  name: string;
  at: SourceLocation;
  apply: ManifestRef[];
  route?: RouteShorthand;
  /** Everything the step applies, in order: files first, then the shorthand's VirtualService. */
  objects: LoadedObject[];
  expect: Expectation[];
  gates: Gates;
  settings: Settings;
}

export interface Plan {
  name: string;
  /** The plan's `description`, shown in the reports. */
  description?: string;
  /** Absolute path of the plan file. */
  file: string;
  namespace: string;
  defaults: Settings;
  /**
   * defaults.planAlpha: a bound on P(a correct plan fails), split evenly (Bonferroni) across the
   * weighted expectations, the only ones that can fail a correct split (src/verify/plan-error.ts).
   */
  planAlpha?: number;
  setup: ManifestRef[];
  steps: Step[];
  rollback: Step | null;
  /** The routing API the `route` shorthand writes by default (absent: istio). */
  routingApi?: RoutingApi;
  /** The Gateway API Gateway the setup applies, if any: the plan's traffic goes through it. */
  ingressGateway?: { namespace: string; name: string };
  /** Notes on a valid plan (absent: none). */
  notes?: PlanNote[];
  /** What the plan's allowNamespaces let it write beyond its namespace fence (absent: no allowNamespaces). */
  fence?: PlanFence;
}

/** A plan's allowNamespaces and what they let through (fence.ts; plans/README.md, "The namespace fence"). */
export interface PlanFence {
  /** As written in the plan. */
  allowNamespaces: string[];
  /** The objects only allowNamespaces let through, in the order the plan names their files. */
  beyond: BeyondFence[];
  /** Access to a node it lets through, and entries nothing needs: lint's warnings, and the run's. */
  warnings: InputIssue[];
}

export const DEFAULT_SETTINGS: Settings = {
  alpha: 0.01,
  tolerance: 0.1,
  maxRequests: 3000,
  settleTimeoutMs: 60_000,
  concurrency: 8,
  requestTimeoutMs: 10_000,
};

/** A weighted expectation: some share strictly between 0 and 100 %, decided by a test that can fail a correct split. */
export function isWeighted(e: Pick<Expectation, 'reviews' | 'versions'>): boolean {
  return Object.values(expectedSplit(e) ?? {}).some((v) => v > 0 && v < 100);
}

/** The split an expectation's check decides: its `versions` for a service of the user's, else Bookinfo's `reviews`. */
export function expectedSplit(e: Pick<Expectation, 'reviews' | 'versions'>): Record<string, number> | undefined {
  return e.versions ?? e.reviews;
}

/**
 * The clustering check's level, as a share of its expectation's alpha. It can fail a correct split
 * on its own (a false alarm on independent answers), so it adds to the false-fail bound: alpha/10
 * keeps that to 1.1·alpha for pooled answers (verify/plan-error.ts counts it) while a pool pinned by the
 * mesh still shows at once (its X² is far in the tail).
 */
export const CLUSTERING_ALPHA_SHARE = 0.1;

/** The share of alpha an expectation's connection check may spend: none when each request has its own connection. */
export function clusteringShare(e: { splitPer?: 'request' | 'connection' }): number {
  return e.splitPer === 'connection' ? 0 : CLUSTERING_ALPHA_SHARE;
}
