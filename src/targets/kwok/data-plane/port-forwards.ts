/**
 * KWOK's port-forward configuration. The API server sends `kubectl port-forward` (and istioctl's
 * own forwards to a proxy's :15000) to the node's kubelet, which is KWOK; KWOK forwards a pod's
 * port to where that pod's PortForward object says. The data plane writes one per served pod,
 * pointing the pod's ports at the local addresses its processes listen on.
 */
import { EnvironmentError } from '../../../core/errors.js';
import type { KubeClient } from '../../../kube/client.js';
import { LOOPBACK } from '../ports.js';

export const PORT_FORWARD_API = 'kwok.x-k8s.io/v1alpha1';

export interface PodForward {
  pod: string;
  namespace: string;
  /** Pod port → the local address it reaches. */
  ports: Record<number, { address: string; port: number }>;
}

export function portForwardObject(f: PodForward) {
  return {
    apiVersion: PORT_FORWARD_API,
    kind: 'PortForward',
    metadata: { name: f.pod, namespace: f.namespace, labels: { 'app.kubernetes.io/managed-by': 'meshproof' } },
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

export async function unforwardPod(kube: KubeClient, pod: { pod: string; namespace: string }): Promise<void> {
  await kube.delete({ apiVersion: PORT_FORWARD_API, kind: 'PortForward', name: pod.pod, namespace: pod.namespace });
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
