/**
 * The ingress gateway's route configurations: for each HTTP server port of the Gateways that
 * select the gateway pod, `http.<port>` with a virtual host per host shared by the Gateway server
 * and a VirtualService bound to it. Routes of several VirtualServices for one host are merged with
 * catch-alls moved last. No bound VirtualService leaves an empty `blackhole` host: every request 404s.
 */
import type { Route, RouteConfiguration, VirtualHost } from '../envoy/types.js';
import type { StoredObject } from '../store.js';
import { isCatchAll } from './match.js';
import { labelsMatch, type MeshModel } from './model.js';
import { gatewayRef, routesForVirtualService } from './virtual-service.js';

export interface GatewayIdentity {
  namespace: string;
  labels: Record<string, string>;
}

interface Server {
  gateway: string;
  port: number;
  hosts: string[];
}

const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTP2', 'GRPC']);

/** Gateway server ports as istioctl's ingress Service maps them (80 → 8080, 443 → 8443). */
export function resolveServerPort(port: number): number {
  return port === 80 ? 8080 : port === 443 ? 8443 : port;
}

export function gatewayServers(model: MeshModel, proxy: GatewayIdentity): Server[] {
  const out: Server[] = [];
  for (const gw of model.gateways) {
    if (!labelsMatch(gw.object.spec?.selector ?? {}, proxy.labels)) continue;
    const ref = `${gw.object.metadata.namespace ?? 'default'}/${gw.object.metadata.name}`;
    for (const s of gw.object.spec?.servers ?? []) {
      if (!HTTP_PROTOCOLS.has(String(s.port?.protocol ?? '').toUpperCase())) continue;
      out.push({ gateway: ref, port: resolveServerPort(Number(s.port.number)), hosts: (s.hosts ?? []).map(stripNamespace) });
    }
  }
  return out;
}

export function gatewayRouteConfigs(model: MeshModel, proxy: GatewayIdentity): RouteConfiguration[] {
  const servers = gatewayServers(model, proxy);
  const ports = [...new Set(servers.map((s) => s.port))].sort((a, b) => a - b);
  return ports.map((port) => {
    const onPort = servers.filter((s) => s.port === port);
    const vhosts = new Map<string, Route[]>();
    for (const vs of model.virtualServices) addVirtualService(vs, onPort, port, proxy, model, vhosts);
    const virtualHosts: VirtualHost[] = [...vhosts].map(([host, routes]) => ({
      name: `${host}:${port}`,
      domains: [host],
      routes: sortCatchAllLast(routes),
      includeRequestAttemptCount: true,
    }));
    if (!virtualHosts.length) virtualHosts.push({ name: `blackhole:${port}`, domains: ['*'] });
    return { name: `http.${port}`, virtualHosts, validateClusters: false, maxDirectResponseBodySizeBytes: 1048576, ignorePortInHostMatching: true };
  });
}

function addVirtualService(vs: StoredObject, servers: Server[], port: number, proxy: GatewayIdentity, model: MeshModel, vhosts: Map<string, Route[]>): void {
  const ns = vs.object.metadata.namespace ?? 'default';
  const bound = new Set(((vs.object.spec?.gateways ?? []) as string[]).map((g) => gatewayRef(g, ns)));
  const mine = servers.filter((s) => bound.has(s.gateway));
  if (!mine.length) return;
  const gatewayNames = new Set(mine.map((s) => s.gateway));
  const routes = routesForVirtualService(vs, { namespace: proxy.namespace, labels: proxy.labels, gatewayNames, port }, model);
  if (!routes.length) return;
  for (const server of mine) {
    for (const vsHost of (vs.object.spec?.hosts ?? []) as string[]) {
      for (const gwHost of server.hosts) {
        const host = intersect(gwHost, vsHost);
        if (!host) continue;
        const list = vhosts.get(host) ?? [];
        if (!list.includes(routes[0]!)) list.push(...routes);
        vhosts.set(host, list);
      }
    }
  }
}

/** The more specific of two host patterns when one covers the other, else null. */
function intersect(a: string, b: string): string | null {
  if (covers(a, b)) return b;
  if (covers(b, a)) return a;
  return null;
}

function covers(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) || host === pattern;
  return pattern === host;
}

/** Gateway hosts may be written `namespace/host`; `*` and `.` namespaces mean any/own. */
function stripNamespace(h: string): string {
  const i = h.indexOf('/');
  return i < 0 ? h : h.slice(i + 1);
}

function sortCatchAllLast(routes: Route[]): Route[] {
  return [...routes.filter((r) => !isCatchAll(r.match)), ...routes.filter((r) => isCatchAll(r.match))];
}
