/**
 * The Gateway API on kind. Istio's automated deployment gives each Gateway of class istio its own
 * Deployment and Service `<name>-istio` (LoadBalancer by default, which kind cannot serve). Istio
 * reads overlays for what it generates from a ConfigMap the Gateway names in
 * `spec.infrastructure.parametersRef` (keys `deployment`, `service`, …; strategic merge patch:
 * pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go), so meshproof adds one making the
 * Service a NodePort on a fixed port that the kind cluster maps to the host's loopback, as it does
 * for the Istio ingress gateway. The manifests stay target-neutral: this is added at apply time.
 */
import type { KubeObject, LoadedObject } from '../../kube/manifest.js';

/** Node port of the Gateway API gateway's first HTTP listener (the Istio ingress gateway has 30080). */
export const GATEWAY_API_NODE_PORT = 30081;
/** Host port mapped to it: next to the Istio ingress gateway's 18080. */
export const DEFAULT_GATEWAY_API_HOST_PORT = 18081;

export function isKubeGateway(o: KubeObject): boolean {
  return o.kind === 'Gateway' && o.apiVersion.startsWith('gateway.networking.k8s.io/');
}

/** The ConfigMap a Gateway's parametersRef names: its Service as a NodePort on the mapped port. */
export function nodePortParameters(gw: KubeObject, nodePort = GATEWAY_API_NODE_PORT): KubeObject {
  const listener = ((gw.spec?.listeners ?? []) as { port: number; protocol: string }[]).find(
    (l) => l.protocol === 'HTTP',
  );
  const service = { spec: { type: 'NodePort', ports: listener ? [{ port: listener.port, nodePort }] : [] } };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: parametersName(gw),
      namespace: gw.metadata.namespace || undefined,
      labels: { 'app.kubernetes.io/managed-by': 'meshproof' },
    },
    data: { service: JSON.stringify(service) },
  };
}

function parametersName(gw: KubeObject): string {
  return `${gw.metadata.name}-meshproof-kind`;
}

/**
 * A batch as kind applies it: each Gateway API Gateway of class istio without parameters of its
 * own gets the NodePort ConfigMap (applied just before it) and a parametersRef to it. The first
 * such Gateway only: one node port is mapped.
 */
export function withNodePortParameters(objects: LoadedObject[]): { batch: LoadedObject[]; added: Set<LoadedObject> } {
  const out: LoadedObject[] = [];
  const added = new Set<LoadedObject>();
  let mapped = false;
  for (const l of objects) {
    const o = l.object;
    if (!mapped && isKubeGateway(o) && o.spec?.gatewayClassName === 'istio' && !o.spec?.infrastructure?.parametersRef) {
      mapped = true;
      const params = { object: nodePortParameters(o), source: l.source };
      added.add(params);
      out.push(params);
      const spec = {
        ...o.spec,
        infrastructure: {
          ...o.spec.infrastructure,
          parametersRef: { group: '', kind: 'ConfigMap', name: parametersName(o) },
        },
      };
      out.push({ object: { ...o, spec }, source: l.source });
      continue;
    }
    out.push(l);
  }
  return { batch: out, added };
}

export function usesGatewayApi(objects: LoadedObject[]): boolean {
  return objects.some((l) => l.object.apiVersion.startsWith('gateway.networking.k8s.io/'));
}
