/**
 * Envoy's consecutive-error outlier detection, per proxy and cluster (translate/outlier.ts says
 * which settings and defaults). Each attempt's outcome is recorded against its host; a host that
 * reaches a threshold is ejected at once, if the cluster's max ejection share allows, and comes back
 * at the first review (every `interval`, counted from when this proxy first used the cluster) after
 * its ejection time, which grows with each ejection (capped at 300 s).
 *
 * Not simulated: success-rate and failure-percentage ejection (Istio turns success-rate off and
 * sets no failure percentage) and the slow decay of the ejection multiplier while a host is healthy.
 */
import type { ClusterDef } from '../translate/clusters.js';
import type { Endpoint } from '../translate/model.js';
import { MAX_EJECTION_MS, type OutlierPolicy } from '../translate/outlier.js';

/**
 * An attempt's outcome as outlier detection counts it. Connect failures, resets and per-try timeouts are gateway
 * errors.
 */
export type HostOutcome = 'ok' | '5xx' | 'gateway-error';

interface HostState {
  consecutive5xx: number;
  consecutiveGateway: number;
  ejections: number;
  /** When the host comes back; 0 when it is not ejected. */
  returnsAt: number;
}

interface ClusterState {
  policy: string;
  origin: number;
  hosts: Map<string, HostState>;
}

export class OutlierDetector {
  private readonly clusters = new Map<string, ClusterState>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * The endpoints to balance over: those not ejected; all of them below the minimum healthy share
   * (panic); null when every one is ejected and panic is off (503 "no healthy upstream").
   */
  available(cluster: ClusterDef): readonly Endpoint[] | null {
    const policy = cluster.outlier;
    if (!policy) return cluster.endpoints;
    const state = this.state(cluster.name, policy);
    const t = this.now();
    const healthy = cluster.endpoints.filter((e) => !this.ejected(state, e.address, t));
    if (healthy.length === cluster.endpoints.length) return cluster.endpoints;
    if ((100 * healthy.length) / cluster.endpoints.length < policy.minHealthPercent) return cluster.endpoints;
    return healthy.length ? healthy : null;
  }

  record(cluster: ClusterDef, address: string, outcome: HostOutcome): void {
    const policy = cluster.outlier;
    if (!policy) return;
    const state = this.state(cluster.name, policy);
    const host = hostOf(state, address);
    if (outcome === 'ok') {
      host.consecutive5xx = 0;
      host.consecutiveGateway = 0;
      return;
    }
    host.consecutive5xx++;
    if (outcome === 'gateway-error') host.consecutiveGateway++;
    const t = this.now();
    if (this.ejected(state, address, t)) return;
    const over5xx = policy.consecutive5xx > 0 && host.consecutive5xx >= policy.consecutive5xx;
    const overGateway = policy.consecutiveGateway > 0 && host.consecutiveGateway >= policy.consecutiveGateway;
    if (!over5xx && !overGateway) return;
    host.consecutive5xx = 0;
    host.consecutiveGateway = 0;
    if (!this.mayEject(state, policy, cluster.endpoints.length, t)) return;
    host.ejections++;
    host.returnsAt = this.nextReview(
      state,
      policy,
      t + Math.min(policy.baseEjectionMs * host.ejections, Math.max(MAX_EJECTION_MS, policy.baseEjectionMs)),
    );
  }

  private state(name: string, policy: OutlierPolicy): ClusterState {
    const key = JSON.stringify(policy);
    let s = this.clusters.get(name);
    // New settings make a new cluster in Envoy: its outlier state starts over.
    if (!s || s.policy !== key) this.clusters.set(name, (s = { policy: key, origin: this.now(), hosts: new Map() }));
    return s;
  }

  private ejected(state: ClusterState, address: string, t: number): boolean {
    const host = state.hosts.get(address);
    if (!host?.returnsAt) return false;
    if (t < host.returnsAt) return true;
    host.returnsAt = 0;
    return false;
  }

  /** A new ejection only while the ejected share is below the maximum (so one host always can be). */
  private mayEject(state: ClusterState, policy: OutlierPolicy, total: number, t: number): boolean {
    let ejected = 0;
    for (const [address] of state.hosts) if (this.ejected(state, address, t)) ejected++;
    return (100 * ejected) / Math.max(1, total) < policy.maxEjectionPercent;
  }

  /** The first review at or after `t`: reviews run every interval from when the cluster was first used. */
  private nextReview(state: ClusterState, policy: OutlierPolicy, t: number): number {
    const k = Math.ceil((t - state.origin) / policy.intervalMs);
    return state.origin + Math.max(1, k) * policy.intervalMs;
  }
}

function hostOf(state: ClusterState, address: string): HostState {
  let h = state.hosts.get(address);
  if (!h) state.hosts.set(address, (h = { consecutive5xx: 0, consecutiveGateway: 0, ejections: 0, returnsAt: 0 }));
  return h;
}

/** How an answered attempt counts: 502/503/504 are gateway errors, any 5xx counts toward consecutive 5xx. */
export function outcomeOfStatus(status: number): HostOutcome {
  if (status === 502 || status === 503 || status === 504) return 'gateway-error';
  return status >= 500 ? '5xx' : 'ok';
}
