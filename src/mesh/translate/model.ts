/**
 * The mesh as istiod sees it at one moment: services with their ports and endpoints, and the
 * routing objects, read once from the store per change and shared by every proxy's translation.
 */
import { hash32 } from '../../core/random.js';
import type { ConfigStore, StoredObject } from '../store.js';
import { indexDestinationRules, type DestinationRuleIndex } from './destination-rule-index.js';
import { indexVirtualServices, type IndexedVirtualService } from './virtual-service-index.js';
import { gatewayApiObjects, isGatewayApi } from './httproute.js';

export const CLUSTER_DOMAIN = 'svc.cluster.local';

export interface ServicePort {
  port: number;
  name?: string;
}

export interface Endpoint {
  pod: string;
  namespace: string;
  labels: Record<string, string>;
  /** `127.0.0.1:<port>` where the pod's server listens. */
  address: string;
}

export interface ServiceInfo {
  name: string;
  namespace: string;
  fqdn: string;
  clusterIP: string;
  ports: ServicePort[];
  /** Pods the selector picks. */
  endpoints: Endpoint[];
}

export interface MeshModel {
  services: ServiceInfo[];
  byFqdn: Map<string, ServiceInfo>;
  /** Oldest first (creationTimestamp, then name, then namespace), the order istiod sorts them in. */
  virtualServices: StoredObject[];
  /** The root VirtualServices as istiod translates them: resolved, delegates merged, same order. */
  routing: IndexedVirtualService[];
  /** The DestinationRules indexed as istiod indexes them, for the one each client takes per host. */
  destinationRules: DestinationRuleIndex;
  gateways: StoredObject[];
}

export function fqdnOf(name: string, namespace: string): string {
  return `${name}.${namespace}.${CLUSTER_DOMAIN}`;
}

/** Istio's rule: a host without a dot is short for a service in the object's namespace. */
export function resolveHost(host: string, namespace: string): string {
  if (host === '*' || host.includes('.')) return host;
  return fqdnOf(host, namespace);
}

/** Whether `pattern` (an exact host, `*`, or `*.suffix`) covers `host`. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

export function labelsMatch(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

export function buildModel(store: ConfigStore, pods: Endpoint[]): MeshModel {
  const services: ServiceInfo[] = store.entries('Service', undefined, 'v1').map(({ object: o }) => {
    const namespace = o.metadata.namespace ?? 'default';
    const selector: Record<string, string> | undefined = o.spec?.selector;
    const ports: ServicePort[] = (o.spec?.ports ?? []).map((p: { port: number; name?: string }) => ({
      port: Number(p.port),
      name: p.name,
    }));
    return {
      name: o.metadata.name,
      namespace,
      fqdn: fqdnOf(o.metadata.name, namespace),
      clusterIP:
        typeof o.spec?.clusterIP === 'string' ? o.spec.clusterIP : clusterIPFor(`${namespace}/${o.metadata.name}`),
      ports,
      // A Service without a selector has no endpoints the mesh manages.
      endpoints: selector ? pods.filter((p) => p.namespace === namespace && labelsMatch(selector, p.labels)) : [],
    };
  });
  services.sort((a, b) => (a.fqdn < b.fqdn ? -1 : a.fqdn > b.fqdn ? 1 : 0));
  // Gateway API routes come first: istiod lets a caller's own namespace's HTTPRoutes win over
  // VirtualServices for the same host (see src/mesh/translate/httproute.ts).
  const gatewayApi = gatewayApiObjects(store);
  const virtualServices = [...gatewayApi.virtualServices, ...byCreation(store.entries('VirtualService'))];
  return {
    services,
    byFqdn: new Map(services.map((s) => [s.fqdn, s])),
    virtualServices,
    routing: indexVirtualServices(virtualServices),
    destinationRules: indexDestinationRules(byCreation(store.entries('DestinationRule'))),
    gateways: [...store.entries('Gateway').filter((e) => !isGatewayApi(e.object)), ...gatewayApi.gateways],
  };
}

/**
 * istiod's order for configs: creationTimestamp (whole seconds, so objects created together tie),
 * then name, then namespace.
 */
export function byCreation(objects: StoredObject[]): StoredObject[] {
  const key = (o: StoredObject) => String(o.object.metadata.creationTimestamp ?? '');
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...objects].sort(
    (a, b) =>
      cmp(key(a), key(b)) ||
      cmp(a.object.metadata.name, b.object.metadata.name) ||
      cmp(a.object.metadata.namespace ?? '', b.object.metadata.namespace ?? ''),
  );
}

/** A stable made-up ClusterIP in 10.96.0.0/16, like a cluster's service range. */
function clusterIPFor(key: string): string {
  const h = hash32(key);
  return `10.96.${(h >>> 8) & 0xff}.${Math.max(1, h & 0xff)}`;
}
