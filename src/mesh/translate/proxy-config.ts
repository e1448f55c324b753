/**
 * Everything istiod would send one proxy: its route configurations and its clusters.
 */
import type { RouteConfiguration } from '../envoy/types.js';
import { clustersFor, type ClusterDef } from './clusters.js';
import { gatewayRouteConfigs } from './gateway-routes.js';
import type { MeshModel } from './model.js';
import { sidecarRouteConfigs } from './sidecar-routes.js';

export interface ProxyTarget {
  namespace: string;
  labels: Record<string, string>;
  role: 'sidecar' | 'gateway';
}

export interface ProxyConfig {
  routes: RouteConfiguration[];
  clusters: Map<string, ClusterDef>;
}

export function proxyConfig(model: MeshModel, proxy: ProxyTarget): ProxyConfig {
  const routes = proxy.role === 'gateway' ? gatewayRouteConfigs(model, proxy) : sidecarRouteConfigs(model, proxy);
  return { routes, clusters: clustersFor(model, proxy.namespace) };
}
