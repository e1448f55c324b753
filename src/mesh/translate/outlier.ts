/**
 * A DestinationRule's outlierDetection as Istio hands it to Envoy, with Envoy's defaults filled in
 * (research/routing-semantics.md §7 for the subset merge):
 * - consecutive5xxErrors: 5xx answers in a row, reset and connect failures included (Istio leaves
 *   local-origin errors unsplit), before the host is ejected; Envoy's default 5; 0 turns it off.
 * - consecutiveGatewayErrors (or the older consecutiveErrors): 502/503/504 and connect failures in a
 *   row; off unless given and above 0.
 * - interval (10s): how often ejections are reviewed; an ejected host comes back at the first review
 *   after baseEjectionTime (30s) times the number of times it has been ejected.
 * - maxEjectionPercent (10): no new ejection while this share of the cluster is already ejected;
 *   with none ejected one host always can be.
 * - minHealthPercent: Istio sets Envoy's panic threshold to it, 0 by default, so a cluster whose
 *   hosts are all ejected answers 503 "no healthy upstream" instead of using them anyway.
 */
import { parseGoDuration } from '../../istio/validate/validate-common.js';
import { policyField } from './traffic-policy.js';

export interface OutlierPolicy {
  /** 0 = off. */
  consecutive5xx: number;
  /** 0 = off. */
  consecutiveGateway: number;
  intervalMs: number;
  baseEjectionMs: number;
  maxEjectionPercent: number;
  /** Below this share of healthy hosts every host is used (Envoy's panic mode); 0 = never. */
  minHealthPercent: number;
}

/** Envoy's max_ejection_time default: ejections never last longer. */
export const MAX_EJECTION_MS = 300_000;

/** The policy for a cluster: the subset's outlierDetection if it has one, else the rule's; null when neither does. */
export function outlierPolicy(rulePolicy: unknown, subsetPolicy?: unknown): OutlierPolicy | null {
  const o = policyField('outlierDetection', rulePolicy, subsetPolicy) as Record<string, unknown> | undefined;
  if (!o) return null;
  const count = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : undefined);
  const ms = (k: string, fallback: number) =>
    typeof o[k] === 'string' ? (parseGoDuration(o[k] as string) ?? fallback) : fallback;
  return {
    consecutive5xx: count('consecutive5xxErrors') ?? 5,
    consecutiveGateway: count('consecutiveGatewayErrors') ?? count('consecutiveErrors') ?? 0,
    intervalMs: ms('interval', 10_000),
    baseEjectionMs: ms('baseEjectionTime', 30_000),
    // Istio passes 0 on as "unset": Envoy's 10 % applies.
    maxEjectionPercent: count('maxEjectionPercent') || 10,
    minHealthPercent: count('minHealthPercent') ?? 0,
  };
}
