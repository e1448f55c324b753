/**
 * The clusters a proxy knows, with their endpoints: `outbound|<port>||<fqdn>` for every service
 * port (all its pods) and `outbound|<port>|<subset>|<fqdn>` for every DestinationRule subset
 * (the service's pods whose labels include the subset's). A route to a cluster not in this map
 * answers 503 (cluster not found), one whose cluster has no endpoints 503 "no healthy upstream".
 */
import type { StoredObject } from '../store.js';
import { hostMatches, labelsMatch, resolveHost, type Endpoint, type MeshModel } from './model.js';
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
    const { subsets, trafficPolicy } = subsetsFor(s.fqdn, s.namespace, proxyNamespace, model.destinationRules);
    for (const { port } of s.ports) {
      const whole = `outbound|${port}||${s.fqdn}`;
      out.set(whole, withPolicies({ name: whole, endpoints: s.endpoints }, trafficPolicy));
      for (const [subset, { labels, trafficPolicy: own }] of subsets) {
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

interface Subset {
  labels: Record<string, string>;
  trafficPolicy: unknown;
}

/** Istio's root namespace (meshConfig.rootNamespace): its exported DestinationRules apply mesh-wide. */
const ROOT_NAMESPACE = 'istio-system';

/**
 * Subsets for a host, found as istiod's PushContext.destinationRule finds them: the client's own
 * namespace first (rules there not exported away from it), then rules the service's namespace
 * exports to the client, then those the root namespace exports. In each place the exact host wins
 * over the most specific wildcard; rules found together merge, and for a duplicate subset name (and
 * for the rule-wide traffic policy) the oldest wins.
 */
function subsetsFor(
  fqdn: string,
  serviceNamespace: string,
  clientNamespace: string,
  rules: StoredObject[],
): { subsets: Map<string, Subset>; trafficPolicy: unknown } {
  const inNs = (ns: string) => rules.filter((r) => (r.object.metadata.namespace ?? 'default') === ns);
  const exportedTo = (r: StoredObject) => {
    const list = exportList(r);
    return !privateOnly(r) && (!list.length || list.includes('*') || list.includes(clientNamespace));
  };
  const local =
    clientNamespace === ROOT_NAMESPACE
      ? inNs(ROOT_NAMESPACE).filter(privateOnly)
      : inNs(clientNamespace).filter((r) => {
          const list = exportList(r);
          return !list.length || list.includes('*') || list.includes('.') || list.includes(clientNamespace);
        });
  const chosen =
    mostSpecific(fqdn, local) ??
    mostSpecific(fqdn, inNs(serviceNamespace).filter(exportedTo)) ??
    mostSpecific(fqdn, inNs(ROOT_NAMESPACE).filter(exportedTo)) ??
    [];
  const out = new Map<string, Subset>();
  let trafficPolicy: unknown;
  for (const r of chosen) {
    trafficPolicy ??= r.object.spec?.trafficPolicy;
    for (const s of r.object.spec?.subsets ?? [])
      if (!out.has(s.name)) out.set(s.name, { labels: s.labels ?? {}, trafficPolicy: s.trafficPolicy });
  }
  return { subsets: out, trafficPolicy };
}

function exportList(r: StoredObject): string[] {
  return Array.isArray(r.object.spec?.exportTo) ? r.object.spec.exportTo.map(String) : [];
}

/** Exported to its own namespace only (`.` or the namespace's name, alone). */
function privateOnly(r: StoredObject): boolean {
  const list = exportList(r);
  return list.length === 1 && (list[0] === '.' || list[0] === (r.object.metadata.namespace ?? 'default'));
}

/** The rules for the exact host, else for the most specific wildcard host covering it; null when none. */
function mostSpecific(fqdn: string, rules: StoredObject[]): StoredObject[] | null {
  const hostOf = (r: StoredObject) =>
    resolveHost(String(r.object.spec?.host ?? ''), r.object.metadata.namespace ?? 'default');
  const exact = rules.filter((r) => hostOf(r) === fqdn);
  if (exact.length) return exact;
  const wild = rules.filter((r) => hostOf(r).startsWith('*') && hostMatches(hostOf(r), fqdn));
  if (!wild.length) return null;
  const longest = Math.max(...wild.map((r) => hostOf(r).length));
  return wild.filter((r) => hostOf(r).length === longest);
}
