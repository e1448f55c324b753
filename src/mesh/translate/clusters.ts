/**
 * The clusters a proxy knows, with their endpoints: `outbound|<port>||<fqdn>` for every service
 * port (all its pods) and `outbound|<port>|<subset>|<fqdn>` for every DestinationRule subset
 * (the service's pods whose labels include the subset's). A route to a cluster not in this map
 * answers 503 (cluster not found), one whose cluster has no endpoints 503 "no healthy upstream".
 */
import { destinationRuleFor } from './destination-rule-index.js';
import { labelsMatch, type Endpoint, type MeshModel } from './model.js';
import { outlierPolicy, type OutlierPolicy } from './outlier.js';
import { poolPolicy, type PoolPolicy } from './pool.js';
import { policyField } from './traffic-policy.js';

export interface ClusterDef {
  name: string;
  endpoints: Endpoint[];
  /** Outlier detection from the DestinationRule's traffic policy; absent when it sets none. */
  outlier?: OutlierPolicy;
  /** `loadBalancer.simple` from the traffic policy; absent = LEAST_REQUEST, Istio's default. */
  lb?: LbPolicy;
  /** Circuit breakers from the traffic policy's connectionPool; absent = unlimited. */
  pool?: PoolPolicy;
}

export type LbPolicy = 'LEAST_REQUEST' | 'ROUND_ROBIN' | 'RANDOM';

export function clustersFor(model: MeshModel, proxyNamespace: string): Map<string, ClusterDef> {
  const out = new Map<string, ClusterDef>();
  for (const s of model.services) {
    const rule = destinationRuleFor(model.destinationRules, s.fqdn, s.namespace, proxyNamespace);
    const trafficPolicy = rule?.trafficPolicy;
    for (const { port } of s.ports) {
      const whole = `outbound|${port}||${s.fqdn}`;
      out.set(whole, withPolicies({ name: whole, endpoints: s.endpoints }, trafficPolicy));
      for (const { name: subset, labels, trafficPolicy: own } of rule?.subsets ?? []) {
        const name = `outbound|${port}|${subset}|${s.fqdn}`;
        out.set(
          name,
          withPolicies(
            { name, endpoints: s.endpoints.filter((e) => labelsMatch(labels, e.labels)) },
            trafficPolicy,
            own,
          ),
        );
      }
    }
  }
  return out;
}

/** The traffic policy fields the mesh simulates; a subset's field replaces the rule's. */
function withPolicies(def: ClusterDef, rulePolicy: unknown, subsetPolicy?: unknown): ClusterDef {
  const outlier = outlierPolicy(rulePolicy, subsetPolicy);
  const lb = lbPolicy(policyField('loadBalancer', rulePolicy, subsetPolicy));
  const pool = poolPolicy(rulePolicy, subsetPolicy);
  return {
    ...def,
    outlier: outlier ?? undefined,
    lb: lb && lb !== 'LEAST_REQUEST' ? lb : undefined,
    pool: pool ?? undefined,
  };
}

function lbPolicy(loadBalancer: unknown): LbPolicy | undefined {
  const simple = (loadBalancer as { simple?: unknown } | undefined)?.simple;
  return simple === 'ROUND_ROBIN' || simple === 'RANDOM' || simple === 'LEAST_REQUEST' ? simple : undefined;
}
