/**
 * A VirtualService's `http` rules → the Envoy routes one proxy holds for them. Each match entry
 * becomes its own route (entries OR), a rule without matches becomes `prefix "/"`, and entries are
 * dropped at config time for this proxy by `port`, `gateways`, `sourceLabels` and
 * `sourceNamespace` — so different proxies can hold different routes for the same host.
 * Once a route catches everything, later ones are unreachable and, as istiod does, not emitted.
 */
import type { Route } from '../envoy/types.js';
import type { StoredObject } from '../store.js';
import {
  faultConfig,
  headerOps,
  directResponseAction,
  mergeHeaderOps,
  redirectAction,
  routeAction,
  type IstioDestination,
  type IstioHttpRoute,
} from './action.js';
import { isCatchAll, translateMatch, type IstioHttpMatch } from './match.js';
import { labelsMatch, resolveHost, type MeshModel } from './model.js';
import { usesGatewaySemantics } from '../../istio/gateway-api/httproute-convert.js';
import { withGatewaySemantics } from './gateway-semantics.js';

/** Who the routes are built for. */
export interface ProxyView {
  namespace: string;
  labels: Record<string, string>;
  /** `{"mesh"}` for a sidecar; `<ns>/<gateway>` names for a gateway's server. */
  gatewayNames: Set<string>;
  /** The listener port being built (9080 for a sidecar's service port, 8080 for a gateway server). */
  port: number;
}

export function routesForVirtualService(vs: StoredObject, view: ProxyView, model: MeshModel): Route[] {
  const ns = vs.object.metadata.namespace ?? 'default';
  const rules: IstioHttpRoute[] = vs.object.spec?.http ?? [];
  const out: Route[] = [];
  for (const rule of rules) {
    const entries: (IstioHttpMatch | null)[] = rule.match?.length
      ? rule.match.filter((m) => keepForProxy(m, view, ns))
      : [null];
    for (const m of entries) {
      const route = translateRule(rule, m, vs, view, model);
      out.push(route);
      if (isCatchAll(route.match)) return out;
    }
  }
  return out;
}

/** Config-time filtering of one match entry for one proxy (Istio's sourceMatchHTTP). */
function keepForProxy(m: IstioHttpMatch, view: ProxyView, vsNamespace: string): boolean {
  if (m.port !== undefined && m.port !== view.port) return false;
  if (m.gateways?.length) return m.gateways.some((g) => view.gatewayNames.has(gatewayRef(g, vsNamespace)));
  if (!labelsMatch(m.sourceLabels, view.labels)) return false;
  return m.sourceNamespace === undefined || m.sourceNamespace === view.namespace;
}

/** `mesh` stays as is; a short gateway name is relative to the VirtualService's namespace. */
export function gatewayRef(name: string, vsNamespace: string): string {
  if (name === 'mesh' || name.includes('/')) return name;
  return `${vsNamespace}/${name}`;
}

function translateRule(
  rule: IstioHttpRoute,
  m: IstioHttpMatch | null,
  vs: StoredObject,
  view: ProxyView,
  model: MeshModel,
): Route {
  const ns = vs.object.metadata.namespace ?? 'default';
  const name = rule.name && m?.name ? `${rule.name}.${m.name}` : (rule.name ?? m?.name);
  const route: Route = name ? { name, match: translateMatch(m) } : { match: translateMatch(m) };
  let ops = headerOps(rule.headers);
  if (rule.redirect) {
    route.redirect = redirectAction(rule.redirect, view.port);
  } else if (rule.directResponse) {
    route.directResponse = directResponseAction(rule.directResponse);
  } else {
    const { action, single } = routeAction(rule, (d) => clusterName(d, ns, view.port, model));
    route.route = action;
    // istiod appends the destination's operations after the rule's (route.go processDestination).
    if (single) ops = mergeHeaderOps(ops, headerOps(single.headers));
  }
  route.metadata = {
    filterMetadata: {
      istio: { config: `/apis/networking.istio.io/v1/namespaces/${ns}/virtual-service/${vs.object.metadata.name}` },
    },
  };
  route.decorator = { operation: operationOf(route, vs.object.metadata.name, view.port) };
  if (rule.fault) route.typedPerFilterConfig = faultConfig(rule.fault);
  Object.assign(route, ops);
  return usesGatewaySemantics(vs.object) ? withGatewaySemantics(route, rule) : route;
}

/** `outbound|<port>|<subset>|<fqdn>`; port = destination port, else the service's only port, else the listener's. */
export function clusterName(
  d: IstioDestination['destination'],
  vsNamespace: string,
  listenerPort: number,
  model: MeshModel,
): string {
  const host = resolveHost(d.host, vsNamespace);
  const svc = model.byFqdn.get(host);
  const port = d.port?.number ?? (svc?.ports.length === 1 ? svc.ports[0]!.port : listenerPort);
  return `outbound|${port}|${d.subset ?? ''}|${host}`;
}

/**
 * Istio's decorator (GetRouteOperation): `<host>:<cluster port><path>` for one cluster, else
 * `<vs name>:<listener port><path>` (a split, a redirect, a direct response).
 */
function operationOf(route: Route, vsName: string, port: number): string {
  const m = route.match;
  const path =
    m.prefix !== undefined ? `${m.prefix}*` : m.path !== undefined ? m.path : m.safeRegex ? m.safeRegex.regex : '/*';
  const parts = route.route?.cluster?.split('|');
  if (parts?.length === 4 && parts[0] === 'outbound') return `${parts[3]}:${parts[1]}${path}`;
  return `${vsName}:${port}${path}`;
}
