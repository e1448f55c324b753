/**
 * The Envoy node a real istio-proxy presents to istiod for a pod: the id istiod parses
 * (`<type>~<ip>~<pod>.<namespace>~<namespace>.svc.cluster.local`), the service cluster, and the
 * metadata istio-agent fills from the pod (the ISTIO_META_* fields istiod reads, in its JSON names).
 * istiod selects sidecar config by these labels and namespace, and gateway config by `router`.
 */
import { CONTROL_PLANE } from '../../istio/install/versions.js';

export interface NodePod {
  ip: string;
  pod: string;
  namespace: string;
  labels: Record<string, string>;
  serviceAccount: string;
}

/** An Envoy `config.core.v3.Node` in protobuf JSON. */
export interface NodeJson {
  id: string;
  cluster: string;
  metadata: Record<string, unknown>;
  userAgentName: string;
}

export const CLUSTER_ID = 'Kubernetes';

/** The mesh-wide defaults istio-agent would send for a pod without overrides (ProxyConfig JSON). */
const PROXY_CONFIG = {
  binaryPath: '/usr/local/bin/envoy',
  configPath: './etc/istio/proxy',
  discoveryAddress: 'istiod.istio-system.svc:15012',
  drainDuration: '45s',
  proxyAdminPort: 15000,
  serviceCluster: 'istio-proxy',
  statusPort: 15020,
  terminationDrainDuration: '5s',
};

export function sidecarNode(p: NodePod): NodeJson {
  return node('sidecar', p);
}

export function routerNode(p: NodePod): NodeJson {
  return node('router', p);
}

function node(type: 'sidecar' | 'router', p: NodePod): NodeJson {
  const workload = workloadName(p);
  return {
    id: `${type}~${p.ip}~${p.pod}.${p.namespace}~${p.namespace}.svc.cluster.local`,
    cluster: `${p.labels.app ?? workload}.${p.namespace}`,
    userAgentName: 'envoy',
    metadata: {
      NAME: p.pod,
      NAMESPACE: p.namespace,
      LABELS: p.labels,
      INSTANCE_IPS: p.ip,
      ISTIO_VERSION: CONTROL_PLANE.istio,
      CLUSTER_ID,
      MESH_ID: 'cluster.local',
      SERVICE_ACCOUNT: p.serviceAccount,
      WORKLOAD_NAME: workload,
      OWNER: `kubernetes://apis/apps/v1/namespaces/${p.namespace}/deployments/${workload}`,
      INTERCEPTION_MODE: 'REDIRECT',
      // istio-agent always sends the proxy's ProxyConfig; istiod lists only nodes that carry one
      // as proxies (proxy-status), and reads its ports and drain settings from it.
      PROXY_CONFIG: PROXY_CONFIG,
      ...(type === 'sidecar' ? { APP_CONTAINERS: p.labels.app ?? workload } : {}),
    },
  };
}

/** The Deployment behind a pod: its name without the ReplicaSet hash and pod suffix. */
export function workloadName(p: Pick<NodePod, 'pod' | 'labels'>): string {
  const hash = p.labels['pod-template-hash'];
  if (hash) {
    const at = p.pod.lastIndexOf(`-${hash}-`);
    if (at > 0) return p.pod.slice(0, at);
  }
  return p.pod.replace(/-[a-z0-9]{5}$/, '');
}
