/**
 * A sidecar's outbound route configurations: one per service port (named after the port, e.g.
 * "9080"), a virtual host per service on that port, plus `allow_any` for unknown hosts. A service
 * with a mesh-visible VirtualService gets that VirtualService's routes as this proxy sees them;
 * otherwise (or when every rule was dropped for this proxy) the default route to all its pods.
 */
import type { Route, RouteConfiguration, VirtualHost } from '../envoy/types.js';
import { defaultRetryPolicy } from './action.js';
import { hostMatches, resolveHost, type MeshModel, type ServiceInfo } from './model.js';
import { routesForVirtualService } from './virtual-service.js';

export interface SidecarIdentity {
  namespace: string;
  labels: Record<string, string>;
}

const MESH = new Set(['mesh']);

export function sidecarRouteConfigs(model: MeshModel, proxy: SidecarIdentity): RouteConfiguration[] {
  const ports = [...new Set(model.services.flatMap((s) => s.ports.map((p) => p.port)))].sort((a, b) => a - b);
  return ports.map((port) => {
    const vhosts: VirtualHost[] = model.services.filter((s) => s.ports.some((p) => p.port === port)).map((s) => serviceVhost(s, port, model, proxy));
    vhosts.push(allowAny());
    return { name: String(port), virtualHosts: vhosts, validateClusters: false, maxDirectResponseBodySizeBytes: 1048576, ignorePortInHostMatching: true };
  });
}

function serviceVhost(s: ServiceInfo, port: number, model: MeshModel, proxy: SidecarIdentity): VirtualHost {
  const vs = meshVirtualServiceFor(s, model);
  const routes = vs ? routesForVirtualService(vs, { ...proxy, gatewayNames: MESH, port }, model) : [];
  return {
    name: `${s.fqdn}:${port}`,
    domains: domainsFor(s, proxy.namespace),
    routes: routes.length ? routes : [defaultRoute(s, port)],
    includeRequestAttemptCount: true,
  };
}

/** The oldest VirtualService bound to the mesh whose hosts cover the service (a second one is a conflict istiod drops). */
function meshVirtualServiceFor(s: ServiceInfo, model: MeshModel) {
  return model.virtualServices.find((vs) => {
    const gateways: string[] = vs.object.spec?.gateways ?? [];
    if (gateways.length && !gateways.includes('mesh')) return false;
    const ns = vs.object.metadata.namespace ?? 'default';
    return (vs.object.spec?.hosts ?? []).some((h: string) => hostMatches(resolveHost(h, ns), s.fqdn));
  });
}

/** Names a client may use for the service; the bare name only from the same namespace. */
function domainsFor(s: ServiceInfo, clientNamespace: string): string[] {
  const short = s.namespace === clientNamespace ? [s.name] : [];
  return [s.fqdn, `${s.fqdn}.`, ...short, `${s.name}.${s.namespace}.svc`, `${s.name}.${s.namespace}`, s.clusterIP];
}

export function defaultRoute(s: ServiceInfo, port: number): Route {
  return {
    name: 'default',
    match: { prefix: '/' },
    route: { cluster: `outbound|${port}||${s.fqdn}`, timeout: '0s', retryPolicy: defaultRetryPolicy(), maxGrpcTimeout: '0s' },
    decorator: { operation: `${s.fqdn}:${port}/*` },
  };
}

function allowAny(): VirtualHost {
  return {
    name: 'allow_any',
    domains: ['*'],
    routes: [{ name: 'allow_any', match: { prefix: '/' }, route: { cluster: 'PassthroughCluster', timeout: '0s', maxGrpcTimeout: '0s' } }],
    includeRequestAttemptCount: true,
  };
}
