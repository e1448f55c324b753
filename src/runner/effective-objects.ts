import type { KubeObject, LoadedObject } from '../kube/manifest.js';
import type { Plan, Step } from '../plan/types.js';
import { listenersOf, virtualServicesForHTTPRoute, type ListenerLookup } from '../istio/httproute-convert.js';

/**
 * The VirtualServices a step leaves in place: when a step applies one object twice (a file, then
 * the `route` shorthand for the same host), the later one is what the cluster holds. An HTTPRoute
 * counts as the VirtualServices istiod generates from it (annotated with the route it came from),
 * so settling and the layers read both APIs one way.
 */
export function effectiveVirtualServices(step: Step, namespace: string, listeners: ListenerLookup = () => undefined): KubeObject[] {
  const byKey = new Map<string, KubeObject[]>();
  for (const { object } of step.objects) {
    const key = `${object.kind}/${object.metadata.namespace ?? namespace}/${object.metadata.name}`;
    let vss: KubeObject[] | undefined;
    if (object.kind === 'VirtualService') vss = [object];
    else if (object.kind === 'HTTPRoute') vss = virtualServicesForHTTPRoute({ ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace ?? namespace } }, listeners).map((vs) => shortHosts(vs, namespace));
    if (!vss) continue;
    byKey.delete(key);
    byKey.set(key, vss);
  }
  return [...byKey.values()].flat();
}

/** Listener names of every Gateway API Gateway the plan applies, for routes bound to them. */
export function planListeners(plan: Plan): ListenerLookup {
  const objects: LoadedObject[] = [...plan.setup.flatMap((m) => m.objects), ...plan.steps.flatMap((s) => s.objects), ...(plan.rollback?.objects ?? [])];
  return listenersOf(objects.map((l) => l.object), plan.namespace);
}

/** Which routing APIs a step's objects use: `istio` for VirtualServices, `gateway-api` for HTTPRoutes. */
export function routingApisOf(step: Step): ('istio' | 'gateway-api')[] {
  const kinds = new Set(step.objects.map((l) => l.object.kind));
  return [...(kinds.has('VirtualService') ? ['istio' as const] : []), ...(kinds.has('HTTPRoute') ? ['gateway-api' as const] : [])];
}

/** `reviews.default.svc.cluster.local` → `reviews` in the plan's namespace, so both APIs' views are named alike. */
function shortHosts(vs: KubeObject, namespace: string): KubeObject {
  const suffix = `.${namespace}.svc.cluster.local`;
  const hosts = (vs.spec.hosts as string[]).map((h) => (h.endsWith(suffix) ? h.slice(0, -suffix.length) : h));
  return { ...vs, spec: { ...vs.spec, hosts } };
}
