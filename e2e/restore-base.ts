/**
 * Puts a cluster target's routing back to the base between suites' plans: on a cluster a plan's
 * objects stay after it ends (as a user expects), so a later plan would meet an earlier one's
 * HTTPRoutes or VirtualServices. Deletes what the given objects name (Bookinfo's workloads
 * excepted) and re-applies the base's routing objects.
 */
import { KubeClient } from '../src/kube/client.js';
import { loadKubeConfig } from '../src/kube/kubeconfig.js';
import { loadManifestFile, type LoadedObject } from '../src/kube/manifest.js';
import { paths } from '../src/core/paths.js';
import { poll } from '../src/core/wait.js';
import { loadPlan } from '../src/plan/load.js';

const WORKLOAD_KINDS = new Set(['Deployment', 'Service', 'ServiceAccount']);
const GATEWAY_LABEL = 'gateway.networking.k8s.io/gateway-name';

export async function restoreBase(kubeconfig: string, applied: LoadedObject[]): Promise<void> {
  const kube = new KubeClient(loadKubeConfig({ kubeconfig }));
  const base = (await Promise.all(paths.base.map((f) => loadManifestFile(f)))).flat();
  // With the API group: Istio's Gateway and the Gateway API's share kind and name here.
  const key = (l: LoadedObject) =>
    `${l.object.apiVersion.split('/')[0]}/${l.object.kind}/` +
    `${l.object.metadata.namespace ?? 'default'}/${l.object.metadata.name}`;
  const kept = new Set(base.filter((l) => WORKLOAD_KINDS.has(l.object.kind)).map(key));
  // Everything the plans made goes, Bookinfo's own workloads stay.
  const keys = new Map(applied.filter((l) => !kept.has(key(l))).map((l) => [key(l), l.object]));
  for (const o of keys.values())
    await kube.delete({
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name,
      namespace: o.metadata.namespace ?? 'default',
    });
  // A deleted Gateway's deployment goes away after it (istiod's and the garbage collector's work):
  // a plan that makes the same Gateway again must not meet the old one being deleted.
  await poll({
    what: 'the gateways of deleted Gateway API Gateways to be gone',
    intervalMs: 250,
    timeoutMs: 60_000,
    check: async () => {
      const [deployments, pods] = await Promise.all([
        kube.list('apps/v1', 'Deployment', 'default', { labelSelector: GATEWAY_LABEL }),
        kube.list('v1', 'Pod', 'default', { labelSelector: GATEWAY_LABEL }),
      ]);
      const left = [...deployments.items, ...pods.items].map((o) => `${o.kind ?? ''} ${o.metadata.name}`);
      return left.length ? { done: false, observed: left.join(', ') } : { done: true, value: undefined };
    },
  });
  await kube.applyAll(base.filter((l) => !WORKLOAD_KINDS.has(l.object.kind)));
}

/** Every object a plan applies: setup, steps and rollback. */
export async function planObjects(file: string): Promise<LoadedObject[]> {
  const plan = await loadPlan(file);
  return [
    ...plan.setup.flatMap((m) => m.objects),
    ...plan.steps.flatMap((s) => s.objects),
    ...(plan.rollback?.objects ?? []),
  ];
}
