/**
 * Reading a route back from the cluster for the four layers: a VirtualService as it is; a
 * VirtualService generated from an HTTPRoute through its HTTPRoute (converted again, as istiod
 * would), with the HTTPRoute's status conditions as the evidence that the controller took it —
 * Accepted and ResolvedRefs must be True, or the layers name the disagreement.
 */
import type { KubeObject } from '../kube/manifest.js';
import {
  ROUTE_PARENTS,
  virtualServicesForHTTPRoute,
  type ListenerLookup,
} from '../istio/gateway-api/httproute-convert.js';
import { routeConditions } from '../istio/gateway-api/httproute-status.js';
import type { RunContext } from './context.js';
import { routeAbsent, routeConditionNotTrue, routeWithoutStatus } from '../report/messages.js';

export interface ReadBack {
  /** The VirtualService the cluster holds (or istiod would generate from what it holds); null when absent. */
  live: KubeObject | null;
  /** Status conditions per parent, for an HTTPRoute. */
  conditions?: string[];
  /** Conditions that say the controller did not take the route. */
  problems: string[];
}

export async function readBackRoute(ctx: RunContext, vs: KubeObject, listeners: ListenerLookup): Promise<ReadBack> {
  const namespace = vs.metadata.namespace ?? ctx.plan.namespace;
  const parent = vs.metadata.annotations?.[ROUTE_PARENTS];
  if (!parent) {
    const live = await ctx.target
      .get({ apiVersion: vs.apiVersion, kind: vs.kind, name: vs.metadata.name, namespace })
      .catch(() => null);
    return { live, problems: [] };
  }
  const name = parent.replace(/^HTTPRoute\//, '').replace(/\.[^.]+$/, '');
  const route = await ctx.target
    .get({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', name, namespace })
    .catch(() => null);
  if (!route) return { live: null, conditions: [], problems: [routeAbsent(name)] };
  const generated = virtualServicesForHTTPRoute(route, listeners).find((g) => sameBinding(g, vs));
  const live = generated ? { ...generated, spec: { ...generated.spec, hosts: vs.spec.hosts } } : null;
  const conditions = routeConditions(route);
  const problems = conditions.filter((c) => /=(False|Unknown)/.test(c)).map((c) => routeConditionNotTrue(name, c));
  if (!conditions.length) problems.push(routeWithoutStatus(name));
  return { live, conditions, problems };
}

/** Same gateways and hosts (a Service host compared by its name: the runner names views by it). */
function sameBinding(a: KubeObject, b: KubeObject): boolean {
  const key = (o: KubeObject) =>
    JSON.stringify([
      ((o.spec?.hosts ?? []) as string[]).map((h) => (h === '*' ? h : h.split('.')[0])),
      o.spec?.gateways,
    ]);
  return key(a) === key(b);
}
