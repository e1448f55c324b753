/**
 * Which subsets the DestinationRules define, by fully qualified host, so that a route or an
 * expectation naming a subset nobody defines is caught before anything is applied (Envoy would
 * answer that share of requests with 503, cluster not found).
 */
import type { LoadedObject } from '../kube/manifest.js';

/** `reviews` in namespace `default` → `reviews.default.svc.cluster.local`, as Istio resolves short names. */
export function qualifyHost(host: string, namespace: string): string {
  const parts = host.split('.');
  if (host.endsWith('.svc.cluster.local') || host.includes('*')) return host;
  if (parts.length === 1) return `${host}.${namespace}.svc.cluster.local`;
  if (parts.length === 2) return `${host}.svc.cluster.local`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.cluster.local`;
  return host;
}

export class SubsetIndex {
  private readonly byHost = new Map<string, Set<string>>();

  /** Adds the subsets of every DestinationRule among `objects`; `namespace` is where unnamespaced objects go. */
  addAll(objects: readonly LoadedObject[], namespace: string): void {
    for (const { object: o } of objects) {
      if (o.kind !== 'DestinationRule' || !o.apiVersion.startsWith('networking.istio.io/')) continue;
      const host = o.spec?.host;
      if (typeof host !== 'string' || !host) continue;
      const key = qualifyHost(host, o.metadata.namespace ?? namespace);
      const set = this.byHost.get(key) ?? new Set<string>();
      for (const s of Array.isArray(o.spec?.subsets) ? o.spec.subsets : []) {
        if (typeof s?.name === 'string') set.add(s.name);
      }
      this.byHost.set(key, set);
    }
  }

  /** Undefined when no issue; else what to tell the user. */
  check(host: string, namespace: string, subset: string): string | undefined {
    const known = this.byHost.get(qualifyHost(host, namespace));
    if (known?.has(subset)) return undefined;
    const defined =
      known && known.size
        ? `defined: ${[...known].join(', ')}`
        : `no DestinationRule for host ${host} in namespace ${namespace}`;
    return `subset "${subset}" of ${host} is not defined by any DestinationRule (${defined})`;
  }
}
