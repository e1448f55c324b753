import type { KubeObject } from '../kube/manifest.js';
import { mergeDelegateRules } from '../istio/virtual-service-delegate.js';
import type { Step } from '../plan/types.js';

/**
 * The VirtualServices a step leaves in place: when a step applies one object twice (a file, then
 * the `route` shorthand for the same host), the later one is what the cluster holds. A root's rules
 * that delegate to a VirtualService the same step applies are shown merged, as istiod merges them;
 * delegates themselves (no hosts) route nothing on their own and are left out.
 */
export function effectiveVirtualServices(step: Step, namespace: string): KubeObject[] {
  const byKey = new Map<string, KubeObject>();
  for (const { object } of step.objects) {
    if (object.kind !== 'VirtualService') continue;
    const key = `${object.metadata.namespace ?? namespace}/${object.metadata.name}`;
    byKey.delete(key);
    byKey.set(key, object);
  }
  return [...byKey.values()].filter(hasHosts).map((vs) => withStepDelegates(vs, step, namespace));
}

/** `vs` with each rule whose delegate this step applies replaced by the merged delegate rules. */
export function withStepDelegates(vs: KubeObject, step: Step, namespace: string): KubeObject {
  const rules: any[] = Array.isArray(vs.spec?.http) ? vs.spec.http : [];
  if (!rules.some((r) => r?.delegate)) return vs;
  const rootNs = vs.metadata.namespace ?? namespace;
  const delegates = new Map<string, KubeObject>();
  for (const { object: o } of step.objects) if (o.kind === 'VirtualService' && !hasHosts(o)) delegates.set(`${o.metadata.namespace ?? namespace}/${o.metadata.name}`, o);
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
