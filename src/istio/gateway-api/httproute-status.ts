/**
 * The status istiod writes on Gateway API objects (pilot/pkg/config/kube/gateway/conditions.go,
 * Istio 1.31), computed from what the cluster holds: per parent of an HTTPRoute the conditions
 * Accepted (the parent exists and its listeners take the route) and ResolvedRefs (every backend
 * Service exists), and on a Gateway Accepted and Programmed. The local mesh reports these where a
 * cluster would, and the runner reads them back either way (`routeConditions`).
 */
import type { KubeObject } from '../../kube/manifest.js';
import { GATEWAY_API_GROUP } from '../validate/validate-gateway-api-common.js';
import { routeParents, type RouteParent } from './httproute-convert.js';

export const ISTIO_GATEWAY_CONTROLLER = 'istio.io/gateway-controller';

export interface Condition {
  type: string;
  status: 'True' | 'False';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface ClusterView {
  /** Whether a Service exists. */
  service(namespace: string, name: string): boolean;
  /** A Gateway API Gateway, if it exists. */
  gateway(namespace: string, name: string): KubeObject | undefined;
}

export function httpRouteStatus(route: KubeObject, cluster: ClusterView): { parents: unknown[] } {
  const ns = route.metadata.namespace ?? 'default';
  const at = stamp(route);
  const refs = resolvedRefs(route, cluster);
  const parents = routeParents(route).map((p) => ({
    parentRef: parentRefOf(p, ns),
    controllerName: ISTIO_GATEWAY_CONTROLLER,
    conditions: [condition('Accepted', accepted(route, p, cluster), at), condition('ResolvedRefs', refs, at)],
  }));
  return { parents };
}

type Verdict = { ok: true; reason: string; message: string } | { ok: false; reason: string; message: string };

function accepted(route: KubeObject, p: RouteParent, cluster: ClusterView): Verdict {
  if (p.kind === 'Service') {
    return cluster.service(p.namespace, p.name)
      ? ok('Accepted', 'Route was valid')
      : fail('NoMatchingParent', `parent Service ${p.namespace}/${p.name} not found`);
  }
  const gw = cluster.gateway(p.namespace, p.name);
  if (!gw || gw.spec?.gatewayClassName !== 'istio')
    return fail('NoMatchingParent', `parent Gateway ${p.namespace}/${p.name} not found or not of class istio`);
  const listeners = ((gw.spec?.listeners ?? []) as Record<string, any>[]).filter(
    (l) => (!p.sectionName || l.name === p.sectionName) && (!p.port || l.port === p.port),
  );
  if (!listeners.length)
    return fail('NoMatchingParent', `no listener of Gateway ${p.namespace}/${p.name} matches the parentRef`);
  const routeNs = route.metadata.namespace ?? 'default';
  const allowed = listeners.filter((l) => {
    const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
    return from === 'All' || (from === 'Same' && routeNs === p.namespace);
  });
  if (!allowed.length)
    return fail(
      'NotAllowedByListeners',
      `the listeners of Gateway ${p.namespace}/${p.name} do not allow routes from namespace ${routeNs}`,
    );
  const hostnames: string[] = route.spec?.hostnames ?? [];
  if (hostnames.length && !allowed.some((l) => !l.hostname || hostnames.some((h) => hostsIntersect(h, l.hostname)))) {
    return fail('NoMatchingListenerHostname', 'no hostname of the route matches a listener of the Gateway');
  }
  return ok('Accepted', 'Route was valid');
}

function resolvedRefs(route: KubeObject, cluster: ClusterView): Verdict {
  const ns = route.metadata.namespace ?? 'default';
  const missing: string[] = [];
  for (const rule of (route.spec?.rules ?? []) as Record<string, any>[]) {
    const refs = [
      ...(rule.backendRefs ?? []),
      ...((rule.filters ?? []) as any[])
        .filter((f) => f.type === 'RequestMirror')
        .map((f) => f.requestMirror?.backendRef ?? {}),
    ];
    for (const b of refs) {
      const bns = b.namespace ?? ns;
      if (!cluster.service(bns, b.name)) missing.push(`backend(${b.name}.${bns}.svc.cluster.local) not found`);
    }
  }
  return missing.length
    ? fail('BackendNotFound', [...new Set(missing)].join('; '))
    : ok('ResolvedRefs', 'All references resolved');
}

export function kubeGatewayStatus(gw: KubeObject, routes: KubeObject[]): Record<string, unknown> {
  const at = stamp(gw);
  const ns = gw.metadata.namespace ?? 'default';
  const service = `${gw.metadata.name}-istio.${ns}.svc.cluster.local`;
  const istio = gw.spec?.gatewayClassName === 'istio';
  const ports = [...new Set(((gw.spec?.listeners ?? []) as any[]).map((l) => l.port))].join(',');
  return {
    addresses: istio ? [{ type: 'Hostname', value: service }] : undefined,
    conditions: istio
      ? [
          condition('Accepted', ok('Accepted', 'Resource accepted'), at),
          condition(
            'Programmed',
            ok('Programmed', `Resource programmed, assigned to service(s) ${service}:${ports}`),
            at,
          ),
        ]
      : [condition('Accepted', fail('Pending', 'Waiting for controller'), at)],
    listeners: ((gw.spec?.listeners ?? []) as any[]).map((l) => ({
      name: l.name,
      attachedRoutes: routes.filter((r) =>
        routeParents(r).some(
          (p) =>
            p.kind === 'Gateway' &&
            p.namespace === ns &&
            p.name === gw.metadata.name &&
            (!p.sectionName || p.sectionName === l.name),
        ),
      ).length,
      supportedKinds: [{ group: GATEWAY_API_GROUP, kind: 'HTTPRoute' }],
    })),
  };
}

/**
 * `Accepted=True`, `ResolvedRefs=False (BackendNotFound: …)`, per parent, from any HTTPRoute status (a cluster's or
 * the local mesh's).
 */
export function routeConditions(route: KubeObject | null): string[] {
  const parents = (route?.status as { parents?: any[] } | undefined)?.parents ?? [];
  return parents.map((p) => {
    const name = `${p.parentRef?.kind ?? 'Gateway'} ${p.parentRef?.name ?? '?'}`;
    const conds = ((p.conditions ?? []) as Condition[]).map((c) =>
      c.status === 'True' ? `${c.type}=True` : `${c.type}=${c.status} (${c.reason}: ${c.message})`,
    );
    return `${name}: ${conds.join(', ')}`;
  });
}

function parentRefOf(p: RouteParent, routeNs: string): Record<string, unknown> {
  const group = p.kind === 'Gateway' ? GATEWAY_API_GROUP : '';
  return {
    group,
    kind: p.kind,
    name: p.name,
    namespace: p.namespace !== routeNs ? p.namespace : undefined,
    sectionName: p.sectionName || undefined,
    port: p.port || undefined,
  };
}

function hostsIntersect(a: string, b: string): boolean {
  const covers = (p: string, h: string) => p === h || (p.startsWith('*.') && h.endsWith(p.slice(1)));
  return covers(a, b) || covers(b, a);
}

function ok(reason: string, message: string): Verdict {
  return { ok: true, reason, message };
}

function fail(reason: string, message: string): Verdict {
  return { ok: false, reason, message };
}

function condition(type: string, v: Verdict, at: { generation?: number; time: string }): Condition {
  return {
    type,
    status: v.ok ? 'True' : 'False',
    observedGeneration: at.generation,
    lastTransitionTime: at.time,
    reason: v.reason,
    message: v.message,
  };
}

function stamp(o: KubeObject): { generation?: number; time: string } {
  const g = o.metadata.generation;
  return {
    generation: typeof g === 'number' ? g : undefined,
    time: String(o.metadata.creationTimestamp ?? new Date(0).toISOString()),
  };
}
