/**
 * The order objects go to a cluster in. Namespaces first (so the injection label is on before any
 * pod is created), then what workloads need, then DestinationRules before the VirtualServices that
 * route to their subsets (make-before-break: a VirtualService naming a subset Envoy does not have
 * yet answers 503). Removal goes the other way round. The sort is stable: within a rank the given
 * order stays.
 */
import type { KubeObject } from './manifest.js';

const RANK: Record<string, number> = {
  Namespace: 0,
  CustomResourceDefinition: 0,
  ServiceAccount: 1,
  ConfigMap: 1,
  Secret: 1,
  Service: 2,
  DestinationRule: 3,
  Gateway: 3,
  ServiceEntry: 3,
  Deployment: 4,
  StatefulSet: 4,
  DaemonSet: 4,
  VirtualService: 5,
};
const DEFAULT_RANK = 4;

export function rankOf(o: Pick<KubeObject, 'kind'>): number {
  return RANK[o.kind] ?? DEFAULT_RANK;
}

/** Objects in apply order. Accepts anything that holds an object (`LoadedObject`) or is one. */
export function applyOrder<T>(items: readonly T[], objectOf: (t: T) => Pick<KubeObject, 'kind'>): T[] {
  return items
    .map((item, i) => ({ item, i, r: rankOf(objectOf(item)) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.item);
}

/** Objects in removal order: VirtualServices before DestinationRules, Namespaces last. */
export function deleteOrder<T>(items: readonly T[], objectOf: (t: T) => Pick<KubeObject, 'kind'>): T[] {
  return items
    .map((item, i) => ({ item, i, r: rankOf(objectOf(item)) }))
    .sort((a, b) => b.r - a.r || a.i - b.i)
    .map((x) => x.item);
}
