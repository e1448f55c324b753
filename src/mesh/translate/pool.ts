/**
 * A DestinationRule's connectionPool as the circuit breakers Envoy enforces per proxy and cluster:
 * tcp.maxConnections (max_connections), http.http1MaxPendingRequests (max_pending_requests) and
 * http.http2MaxRequests (max_requests). Istio leaves each unlimited unless set. Over HTTP/1.1 a
 * connection carries one request at a time, so at most maxConnections requests are in flight;
 * the next wait, up to maxPending of them, and any more overflow (503, flag UO).
 */
import { policyField } from './traffic-policy.js';

export interface PoolPolicy {
  maxConnections: number;
  maxPending: number;
  maxRequests: number;
}

/** The subset's connectionPool if it has one, else the rule's; null when neither limits anything. */
export function poolPolicy(rulePolicy: unknown, subsetPolicy?: unknown): PoolPolicy | null {
  const cp = policyField('connectionPool', rulePolicy, subsetPolicy) as
    { tcp?: Record<string, unknown>; http?: Record<string, unknown> } | undefined;
  if (!cp) return null;
  const limit = (v: unknown) => (typeof v === 'number' && v > 0 ? v : Infinity);
  const p = {
    maxConnections: limit(cp.tcp?.maxConnections),
    maxPending: limit(cp.http?.http1MaxPendingRequests),
    maxRequests: limit(cp.http?.http2MaxRequests),
  };
  return p.maxConnections === Infinity && p.maxPending === Infinity && p.maxRequests === Infinity ? null : p;
}
