/**
 * A sidecar's outbound route configurations: one per service port (named after the port, e.g.
 * "9080"), a virtual host per service on that port, plus `allow_any` for unknown hosts. A service
 * with a VirtualService this sidecar imports (exportTo) gets that VirtualService's routes as this
 * proxy sees them; otherwise (or when every rule was dropped for this proxy) the default route to
 * all its pods.
 */
import type { Route, RouteConfiguration, VirtualHost } from '../envoy/types.js';
import { defaultRetryPolicy } from './action.js';
import { hostMatches, type MeshModel, type ServiceInfo } from './model.js';
import { meshVirtualServices, type IndexedVirtualService } from './virtual-service-index.js';
import { routesForVirtualService } from './virtual-service-routes.js';

export interface SidecarIdentity {
  namespace: string;
  labels: Record<string, string>;
}

const MESH = new Set(['mesh']);

export function sidecarRouteConfigs(model: MeshModel, proxy: SidecarIdentity): RouteConfiguration[] {
  const imported = meshVirtualServices(model.routing, proxy.namespace);
  const ports = [...new Set(model.services.flatMap((s) => s.ports.map((p) => p.port)))].sort((a, b) => a - b);
  return ports.map((port) => {
    const vhosts: VirtualHost[] = model.services
      .filter((s) => s.ports.some((p) => p.port === port))
      .map((s) => serviceVhost(s, port, model, proxy, imported));
    vhosts.push(allowAny());
    return {
      name: String(port),
      virtualHosts: vhosts,
      validateClusters: false,
      maxDirectResponseBodySizeBytes: 1048576,
      ignorePortInHostMatching: true,
    };
  });
}

function serviceVhost(
  s: ServiceInfo,
  port: number,
  model: MeshModel,
  proxy: SidecarIdentity,
  imported: IndexedVirtualService[],
): VirtualHost {
  const view = { ...proxy, gatewayNames: MESH, port };
  let routes: Route[] = [];
  for (const v of candidatesFor(s, imported)) {
    routes = routesForVirtualService(v.vs, view, model);
    if (routes.length) break;
  }
  return {
    name: `${s.fqdn}:${port}`,
    domains: domainsFor(s, proxy.namespace),
    routes: routes.length ? routes : [defaultRoute(s, port)],
    includeRequestAttemptCount: true,
  };
}

/**
 * The VirtualServices that may give a service its routes, as istiod picks them: those naming the
 * exact host, in import order (the first that yields routes for this proxy wins; a second one is a
 * duplicate istiod drops, never merged on a sidecar); only when none names it exactly, the one with
 * the most specific wildcard host (the first imported for that wildcard).
 */
function candidatesFor(s: ServiceInfo, imported: IndexedVirtualService[]): IndexedVirtualService[] {
  const hosts = (v: IndexedVirtualService): string[] => v.vs.object.spec?.hosts ?? [];
  const exact = imported.filter((v) => hosts(v).includes(s.fqdn));
  if (exact.length) return exact;
  let best: { host: string; v: IndexedVirtualService } | undefined;
  for (const v of imported) {
    for (const h of hosts(v)) {
      if (!h.startsWith('*') || !hostMatches(h, s.fqdn)) continue;
      if (!best || h.length > best.host.length) best = { host: h, v };
    }
  }
  return best ? [best.v] : [];
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
    route: {
      cluster: `outbound|${port}||${s.fqdn}`,
      timeout: '0s',
      retryPolicy: defaultRetryPolicy(),
      maxGrpcTimeout: '0s',
    },
    decorator: { operation: `${s.fqdn}:${port}/*` },
  };
}

function allowAny(): VirtualHost {
  return {
    name: 'allow_any',
    domains: ['*'],
    routes: [
      {
        name: 'allow_any',
        match: { prefix: '/' },
        route: { cluster: 'PassthroughCluster', timeout: '0s', maxGrpcTimeout: '0s' },
      },
    ],
    includeRequestAttemptCount: true,
  };
}
