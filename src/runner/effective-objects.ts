import type { KubeObject } from '../kube/manifest.js';
import type { Step } from '../plan/types.js';

/**
 * The VirtualServices a step leaves in place: when a step applies one object twice (a file, then
 * the `route` shorthand for the same host), the later one is what the cluster holds.
 */
export function effectiveVirtualServices(step: Step, namespace: string): KubeObject[] {
  const byKey = new Map<string, KubeObject>();
  for (const { object } of step.objects) {
    if (object.kind !== 'VirtualService') continue;
    const key = `${object.metadata.namespace ?? namespace}/${object.metadata.name}`;
    byKey.delete(key);
    byKey.set(key, object);
  }
  return [...byKey.values()];
}
