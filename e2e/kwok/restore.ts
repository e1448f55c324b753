/**
 * Puts the kwok cluster's routing back to the base between suites' plans: on a cluster a plan's
 * objects stay after it ends (as a user expects), so a later plan would meet an earlier one's
 * HTTPRoutes or VirtualServices. Deletes what the given objects name and re-applies the base's own.
 */
import { KubeClient } from '../../src/kube/client.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { loadManifestFile, type LoadedObject } from '../../src/kube/manifest.js';
import { paths } from '../../src/core/paths.js';
import { loadPlan } from '../../src/plan/load.js';

const WORKLOAD_KINDS = new Set(['Deployment', 'Service', 'ServiceAccount']);

export async function restoreBase(kubeconfig: string, applied: LoadedObject[]): Promise<void> {
  const kube = new KubeClient(loadKubeConfig({ kubeconfig }));
  const base = (await Promise.all(paths.base.map((f) => loadManifestFile(f)))).flat();
  const keys = new Map(applied.filter((l) => !WORKLOAD_KINDS.has(l.object.kind)).map((l) => [`${l.object.apiVersion}/${l.object.kind}/${l.object.metadata.namespace ?? 'default'}/${l.object.metadata.name}`, l.object]));
  for (const o of keys.values()) await kube.delete({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace ?? 'default' });
  await kube.applyAll(base.filter((l) => !WORKLOAD_KINDS.has(l.object.kind)));
}

/** Every object a plan applies: setup, steps and rollback. */
export async function planObjects(file: string): Promise<LoadedObject[]> {
  const plan = await loadPlan(file);
  return [...plan.setup.flatMap((m) => m.objects), ...plan.steps.flatMap((s) => s.objects), ...(plan.rollback?.objects ?? [])];
}
