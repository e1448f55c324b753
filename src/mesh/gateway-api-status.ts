/**
 * Gateway API objects read back from the local mesh carry the status istiod would write
 * (src/istio/gateway-api/httproute-status.ts), computed from what the store holds now.
 */
import type { KubeObject } from '../kube/manifest.js';
import { httpRouteStatus, kubeGatewayStatus, type ClusterView } from '../istio/gateway-api/httproute-status.js';
import type { ConfigStore } from './store.js';
import { isGatewayApi } from './translate/httproute.js';

export function withGatewayApiStatus(o: KubeObject, store: ConfigStore): KubeObject {
  if (!isGatewayApi(o)) return o;
  const view: ClusterView = {
    service: (namespace, name) =>
      store.entries('Service', namespace, 'v1').some((e) => e.object.metadata.name === name),
    gateway: (namespace, name) =>
      store.entries('Gateway', namespace).find((e) => isGatewayApi(e.object) && e.object.metadata.name === name)
        ?.object,
  };
  if (o.kind === 'HTTPRoute') o.status = httpRouteStatus(o, view);
  else if (o.kind === 'Gateway')
    o.status = kubeGatewayStatus(
      o,
      store
        .entries('HTTPRoute')
        .map((e) => e.object)
        .filter(isGatewayApi),
    );
  return o;
}
