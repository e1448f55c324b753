import type { KubeObject, LoadedObject } from '../kube/manifest.js';
import { mergeDelegateRules } from '../istio/routes/virtual-service-delegate.js';
import type { Plan, Step } from '../plan/types.js';
import {
  listenersOf,
  virtualServicesForHTTPRoute,
  type ListenerLookup,
} from '../istio/gateway-api/httproute-convert.js';

/**
 * The VirtualServices a step leaves in place: when a step applies one object twice (a file, then
 * the `route` shorthand for the same host), the later one is what the cluster holds. A root's rules
 * that delegate to a VirtualService the same step applies are shown merged, as istiod merges them;
 * delegates themselves (no hosts) route nothing on their own and are left out. An HTTPRoute counts
 * as the VirtualServices istiod generates from it (annotated with the route it came from), so
 * settling and the layers read both APIs one way.
 */
export function effectiveVirtualServices(
  step: Step,
  namespace: string,
  listeners: ListenerLookup = () => undefined,
): KubeObject[] {
  const byKey = new Map<string, KubeObject[]>();
  for (const { object } of step.objects) {
    const key = `${object.kind}/${object.metadata.namespace ?? namespace}/${object.metadata.name}`;
    let vss: KubeObject[] | undefined;
    if (object.kind === 'VirtualService') vss = [object];
    else if (object.kind === 'HTTPRoute')
      vss = virtualServicesForHTTPRoute(
        { ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace ?? namespace } },
        listeners,
      ).map((vs) => shortHosts(vs, namespace));
    if (!vss) continue;
    byKey.delete(key);
    byKey.set(key, vss);
  }
  return [...byKey.values()]
    .flat()
    .filter(hasHosts)
    .map((vs) => withStepDelegates(vs, step, namespace));
}

/** `vs` with each rule whose delegate this step applies replaced by the merged delegate rules. */
export function withStepDelegates(vs: KubeObject, step: Step, namespace: string): KubeObject {
  const rules: any[] = Array.isArray(vs.spec?.http) ? vs.spec.http : [];
  if (!rules.some((r) => r?.delegate)) return vs;
  const rootNs = vs.metadata.namespace ?? namespace;
  const delegates = new Map<string, KubeObject>();
  for (const { object: o } of step.objects)
    if (o.kind === 'VirtualService' && !hasHosts(o))
      delegates.set(`${o.metadata.namespace ?? namespace}/${o.metadata.name}`, o);
  const http = rules.flatMap((rule) => {
    const ref = rule?.delegate;
    const d = ref && delegates.get(`${ref.namespace || rootNs}/${ref.name}`);
    if (!d) return [rule];
    const { delegate: _d, ...root } = rule;
    return mergeDelegateRules(root, d.spec?.http ?? []);
  });
  return { ...vs, spec: { ...vs.spec, http } };
}

function hasHosts(vs: KubeObject): boolean {
  return Array.isArray(vs.spec?.hosts) && vs.spec.hosts.length > 0;
}

/** Listener names of every Gateway API Gateway the plan applies, for routes bound to them. */
export function planListeners(plan: Plan): ListenerLookup {
  const objects: LoadedObject[] = [
    ...plan.setup.flatMap((m) => m.objects),
    ...plan.steps.flatMap((s) => s.objects),
    ...(plan.rollback?.objects ?? []),
  ];
  return listenersOf(
    objects.map((l) => l.object),
    plan.namespace,
  );
}

/** Which routing APIs a step's objects use: `istio` for VirtualServices, `gateway-api` for HTTPRoutes. */
export function routingApisOf(step: Step): ('istio' | 'gateway-api')[] {
  const kinds = new Set(step.objects.map((l) => l.object.kind));
  return [
    ...(kinds.has('VirtualService') ? ['istio' as const] : []),
    ...(kinds.has('HTTPRoute') ? ['gateway-api' as const] : []),
  ];
}

/** `reviews.default.svc.cluster.local` → `reviews` in the plan's namespace, so both APIs' views are named alike. */
function shortHosts(vs: KubeObject, namespace: string): KubeObject {
  const suffix = `.${namespace}.svc.cluster.local`;
  const hosts = (vs.spec.hosts as string[]).map((h) => (h.endsWith(suffix) ? h.slice(0, -suffix.length) : h));
  return { ...vs, spec: { ...vs.spec, hosts } };
}
