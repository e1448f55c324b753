/**
 * KWOK's port-forward configuration. The API server sends `kubectl port-forward` (and istioctl's
 * own forwards to a proxy's :15000) to the node's kubelet, which is KWOK; KWOK forwards a pod's
 * port to where that pod's PortForward object says. The data plane writes one per served pod,
 * pointing the pod's ports at the local addresses its processes listen on.
 *
 * Each forward names the process that wrote it (pid and start), so a data plane that stops deletes
 * only the forwards that are still its own, never one another process serving the same pod wrote
 * since; and a forward whose writer is gone (killed, or ended) is written again by one that serves.
 */
import { EnvironmentError } from '../../../core/errors.js';
import { isAlive, thisProcess } from '../../../core/process-identity.js';
import type { KubeClient } from '../../../kube/client.js';
import type { KubeObject } from '../../../kube/manifest.js';
import { LOOPBACK } from '../ports.js';

export const PORT_FORWARD_API = 'kwok.x-k8s.io/v1alpha1';
/** The annotation that names the process serving a forward: `<pid>/<start>`. */
export const SERVED_BY = 'meshproof.invalid/served-by';
const MANAGED = 'app.kubernetes.io/managed-by=meshproof';

export interface PodForward {
  pod: string;
  namespace: string;
  /** Pod port → the local address it reaches. */
  ports: Record<number, { address: string; port: number }>;
}

/** This process, as a forward's SERVED_BY annotation names it. */
export function servedByThisProcess(): string {
  const me = thisProcess();
  return `${me.pid}/${me.start ?? ''}`;
}

/** Whether the process a forward names still runs; a forward that names none is nobody's. */
export function servedByLiveProcess(pf: KubeObject): boolean {
  const by = /^(\d+)\/(.*)$/.exec(pf.metadata.annotations?.[SERVED_BY] ?? '');
  return by !== null && isAlive({ pid: Number(by[1]), start: by[2] || null });
}

export function portForwardObject(f: PodForward, servedBy = servedByThisProcess()) {
  return {
    apiVersion: PORT_FORWARD_API,
    kind: 'PortForward',
    metadata: {
      name: f.pod,
      namespace: f.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'meshproof' },
      annotations: { [SERVED_BY]: servedBy },
    },
    spec: {
      forwards: Object.entries(f.ports).map(([podPort, to]) => ({
        ports: [Number(podPort)],
        target: { address: to.address, port: to.port },
      })),
    },
  };
}

export async function forwardPod(kube: KubeClient, f: PodForward): Promise<void> {
  try {
    await kube.apply(portForwardObject(f) as never);
  } catch (err) {
    throw new EnvironmentError(`failed to apply PortForward ${f.namespace}/${f.pod}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Deletes a pod's forward if this process wrote it; one another process wrote since stays. */
export async function unforwardPod(kube: KubeClient, pod: { pod: string; namespace: string }): Promise<boolean> {
  const key = { apiVersion: PORT_FORWARD_API, kind: 'PortForward', name: pod.pod, namespace: pod.namespace };
  const pf = await kube.get(key);
  if (!pf || pf.metadata.annotations?.[SERVED_BY] !== servedByThisProcess()) return false;
  return kube.delete(key);
}

/**
 * Writes again the forwards of pods this process serves whose PortForward is gone, or was written
 * by a process that no longer runs; a forward a live process wrote is left to it. Returns the pods.
 */
export async function restoreForwards(kube: KubeClient, forwards: PodForward[]): Promise<string[]> {
  const restored: string[] = [];
  for (const namespace of new Set(forwards.map((f) => f.namespace))) {
    const { items } = await kube.list(PORT_FORWARD_API, 'PortForward', namespace, { labelSelector: MANAGED });
    const byName = new Map(items.map((pf) => [pf.metadata.name, pf]));
    for (const f of forwards.filter((x) => x.namespace === namespace)) {
      const pf = byName.get(f.pod);
      if (pf && servedByLiveProcess(pf)) continue;
      await forwardPod(kube, f);
      restored.push(`${namespace}/${f.pod}`);
    }
  }
  return restored;
}

/**
 * istiod's pods are fake too; istioctl reaches istiod through one of them (proxy-status asks for
 * the proxies' sync state on 15012, other commands use 15014 and 8080). Each port goes to the
 * local istiod's listener for it.
 */
export async function forwardIstiodPods(
  kube: KubeClient,
  namespace: string,
  ports: { secureGrpc: number; grpc: number; monitoring: number; http: number },
): Promise<string[]> {
  const { items } = await kube.list('v1', 'Pod', namespace, { labelSelector: 'app=istiod' });
  const to = (port: number) => ({ address: LOOPBACK, port });
  for (const p of items) {
    await forwardPod(kube, {
      pod: p.metadata.name,
      namespace,
      ports: { 15012: to(ports.secureGrpc), 15010: to(ports.grpc), 15014: to(ports.monitoring), 8080: to(ports.http) },
    });
  }
  return items.map((p) => p.metadata.name);
}
