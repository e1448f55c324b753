/**
 * The ingress gateway's route configurations, as istiod's buildGatewayHTTPRouteConfig writes them
 * (docs/research/istiod-translation.md, "Gateways"): for each listener port of the Gateways that
 * select the gateway pod, `http.<listener port>`, with a virtual host per host shared by a Gateway
 * server and a VirtualService bound to it and visible to the gateway's namespace (exportTo). The
 * virtual host is named after the server's own port (`:80`), VirtualServices sharing a host add
 * their routes to one virtual host (catch-alls moved last), and hosts holding the very same routes
 * share one virtual host. No bound VirtualService leaves an empty `blackhole` host: every request 404s.
 */
import type { Route, RouteConfiguration, VirtualHost } from '../envoy/types.js';
import { isCatchAll } from './match.js';
import { labelsMatch, type MeshModel } from './model.js';
import { routesForVirtualService } from './virtual-service-routes.js';
import { gatewayVirtualServices } from './virtual-service-index.js';
import { usesGatewaySemantics } from '../../istio/gateway-api/httproute-convert.js';

export interface GatewayIdentity {
  namespace: string;
  labels: Record<string, string>;
}

interface Server {
  /** `<namespace>/<name>` of the Gateway. */
  gateway: string;
  /** The server's port number as written (names the virtual hosts, and is the port routes are built for). */
  port: number;
  /** The port the gateway pod listens on for it (names the route configuration). */
  listenerPort: number;
  /** As written, with `./` made the Gateway's namespace. */
  hosts: string[];
}

const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTP2', 'GRPC']);

/** Gateway server ports as istioctl's ingress Service maps them (80 → 8080, 443 → 8443). */
export function resolveServerPort(port: number): number {
  return port === 80 ? 8080 : port === 443 ? 8443 : port;
}

function gatewayServers(model: MeshModel, proxy: GatewayIdentity): Server[] {
  const out: Server[] = [];
  for (const gw of model.gateways) {
    if (!labelsMatch(gw.object.spec?.selector ?? {}, proxy.labels)) continue;
    const ns = gw.object.metadata.namespace ?? 'default';
    for (const s of gw.object.spec?.servers ?? []) {
      if (!HTTP_PROTOCOLS.has(String(s.port?.protocol ?? '').toUpperCase())) continue;
      const port = Number(s.port.number);
      const hosts = ((s.hosts ?? []) as string[]).map((h) => (h.startsWith('./') ? `${ns}/${h.slice(2)}` : h));
      // A Gateway API gateway's Envoy listens on the listener's own port; istioctl's ingress maps 80 → 8080.
      const listenerPort = usesGatewaySemantics(gw.object) ? port : resolveServerPort(port);
      out.push({ gateway: `${ns}/${gw.object.metadata.name}`, port, listenerPort, hosts });
    }
  }
  return out;
}

export function gatewayRouteConfigs(model: MeshModel, proxy: GatewayIdentity): RouteConfiguration[] {
  const servers = gatewayServers(model, proxy);
  const ports = [...new Set(servers.map((s) => s.listenerPort))].sort((a, b) => a - b);
  return ports.map((listenerPort) => {
    const onPort = servers.filter((s) => s.listenerPort === listenerPort);
    const vhosts = virtualHostsFor(onPort, model, proxy);
    const virtualHosts: VirtualHost[] = vhosts.length
      ? vhosts
      : [{ name: `blackhole:${onPort[0]!.port}`, domains: ['*'] }];
    return {
      name: `http.${listenerPort}`,
      virtualHosts,
      validateClusters: false,
      maxDirectResponseBodySizeBytes: 1048576,
      ignorePortInHostMatching: true,
    };
  });
}

function virtualHostsFor(servers: Server[], model: MeshModel, proxy: GatewayIdentity): VirtualHost[] {
  const byHost = new Map<string, VirtualHost & { routes: Route[] }>();
  const built = new Map<string, Route[]>();
  for (const server of servers) {
    for (const v of gatewayVirtualServices(model.routing, proxy.namespace, server.gateway)) {
      const hosts = intersection(namesForNamespace(server.hosts, v.namespace), v.vs.object.spec?.hosts ?? []);
      if (!hosts.length) continue;
      const key = `${server.gateway}\u0000${v.namespace}/${v.vs.object.metadata.name}`;
      let routes = built.get(key);
      if (!routes) {
        routes = routesForVirtualService(
          v.vs,
          {
            namespace: proxy.namespace,
            labels: proxy.labels,
            gatewayNames: new Set([server.gateway]),
            port: server.port,
          },
          model,
        );
        built.set(key, routes);
      }
      if (!routes.length) continue;
      for (const host of hosts.map((h) => h.toLowerCase())) {
        const vh = byHost.get(host);
        if (vh) vh.routes.push(...routes);
        else
          byHost.set(host, {
            name: `${host}:${server.port}`,
            domains: [host],
            routes: [...routes],
            includeRequestAttemptCount: true,
          });
      }
    }
  }
  const out = collapse(byHost).map((vh) => ({ ...vh, routes: sortCatchAllLast(vh.routes) }));
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * istiod's collapseDuplicateRoutes: hosts (alphabetically) holding the very same routes share the first one's virtual
 * host.
 */
function collapse(byHost: Map<string, VirtualHost & { routes: Route[] }>): (VirtualHost & { routes: Route[] })[] {
  const out: (VirtualHost & { routes: Route[] })[] = [];
  for (const host of [...byHost.keys()].sort()) {
    const vh = byHost.get(host)!;
    const same = out.find((o) => o.routes.length === vh.routes.length && o.routes.every((r, i) => r === vh.routes[i]));
    if (same) same.domains.push(...vh.domains);
    else out.push(vh);
  }
  return out;
}

/**
 * Server hosts that apply to a VirtualService's namespace (`ns/host`, `*\/host` or a bare host), namespace stripped.
 */
function namesForNamespace(hosts: string[], namespace: string): string[] {
  const out: string[] = [];
  for (const h of hosts) {
    const i = h.indexOf('/');
    if (i < 0) out.push(h);
    else if (h.slice(0, i) === namespace || h.slice(0, i) === '*') out.push(h.slice(i + 1));
  }
  return out;
}

/** host.Names.Intersection: for each pair where one covers the other, the narrower one, once. */
function intersection(a: string[], b: string[]): string[] {
  const out: string[] = [];
  for (const x of a) {
    for (const y of b) {
      const hit = subsetOf(x, y) ? x : subsetOf(y, x) ? y : null;
      if (hit !== null && !out.includes(hit)) out.push(hit);
    }
  }
  return out;
}

/** host.Name.SubsetOf: `n` is covered by `o` (`*` covers all; `*.a.b` covers `x.a.b` and `*.x.a.b`). */
function subsetOf(n: string, o: string): boolean {
  const nWild = n.startsWith('*');
  const oWild = o.startsWith('*');
  if (nWild) return oWild && n.length >= o.length && n.slice(1).endsWith(o.slice(1));
  if (oWild) return n.endsWith(o.slice(1));
  return n === o;
}

function sortCatchAllLast(routes: Route[]): Route[] {
  return [...routes.filter((r) => !isCatchAll(r.match)), ...routes.filter((r) => isCatchAll(r.match))];
}
