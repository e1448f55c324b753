/**
 * The Gateway API objects in the store as istiod sees them: each HTTPRoute as the VirtualServices
 * it generates and each Gateway of class istio as its per-listener Istio Gateways
 * (src/istio/gateway-api/httproute-convert.ts), so the rest of the translation treats them like any other.
 * A route a listener does not allow (allowedRoutes) is left out, as istiod leaves it unbound.
 */
import { GATEWAY_API_GROUP } from '../../istio/validate/validate-gateway-api-common.js';
import {
  istioGatewaysForKubeGateway,
  listenersOf,
  virtualServicesForHTTPRoute,
} from '../../istio/gateway-api/httproute-convert.js';
import type { KubeObject } from '../../kube/manifest.js';
import type { ConfigStore, StoredObject } from '../store.js';

export interface GatewayApiView {
  /** Generated VirtualServices, in the routes' creation order. */
  virtualServices: StoredObject[];
  /** Generated Istio Gateways, one per listener. */
  gateways: StoredObject[];
}

export function gatewayApiObjects(store: ConfigStore): GatewayApiView {
  const kubeGateways = store.entries('Gateway').filter((e) => isGatewayApi(e.object));
  const listeners = listenersOf(kubeGateways.map((e) => e.object));
  const gateways = kubeGateways.flatMap((e) =>
    istioGatewaysForKubeGateway(e.object).map((object, i) => derived(e, object, i)),
  );
  const virtualServices: StoredObject[] = [];
  for (const e of store.entries('HTTPRoute')) {
    if (!isGatewayApi(e.object)) continue;
    const allowed = virtualServicesForHTTPRoute(e.object, listeners).filter((vs) =>
      boundAllowed(vs, e.object, kubeGateways),
    );
    allowed.forEach((vs, i) => virtualServices.push(derived(e, vs, i)));
  }
  return { virtualServices, gateways };
}

export function isGatewayApi(o: KubeObject): boolean {
  return o.apiVersion.startsWith(`${GATEWAY_API_GROUP}/`);
}

/** A generated object keeps its source's creation order: istiod breaks ties by creation time. */
function derived(source: StoredObject, object: KubeObject, i: number): StoredObject {
  return { key: `${source.key}#${i}`, object, applied: object, seq: source.seq };
}

/** Mesh routes always bind; a gateway route only where the listener's allowedRoutes.namespaces admits its namespace. */
function boundAllowed(vs: KubeObject, route: KubeObject, gateways: StoredObject[]): boolean {
  const gw = (vs.spec.gateways as string[])[0]!;
  if (gw === 'mesh') return true;
  const routeNs = route.metadata.namespace ?? 'default';
  return gateways.some(({ object: g }) => {
    const ns = g.metadata.namespace ?? 'default';
    return (g.spec?.listeners ?? []).some((l: any) => {
      if (!gw.startsWith(`${ns}/${g.metadata.name}~`) || !gw.endsWith(`~${l.name}`)) return false;
      const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
      return from === 'All' || (from === 'Same' && ns === routeNs);
    });
  });
}
