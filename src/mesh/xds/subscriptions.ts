/**
 * What Envoy asks istiod for by name once it holds clusters and listeners: the EDS service names
 * of its EDS clusters, and the RDS route configuration names of its HTTP connection managers.
 */
type Json = Record<string, any>;

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

export function edsNames(clusters: Map<string, Json>): string[] {
  const names = new Set<string>();
  for (const [name, c] of clusters) if (c.type === 'EDS') names.add(String(c.edsClusterConfig?.serviceName || name));
  return [...names].sort();
}

export function rdsNames(listeners: Map<string, Json>): string[] {
  const names = new Set<string>();
  for (const l of listeners.values()) {
    for (const chain of [...(l.filterChains ?? []), ...(l.defaultFilterChain ? [l.defaultFilterChain] : [])]) {
      for (const f of chain.filters ?? []) {
        const name = f.typedConfig?.['@type'] === HCM ? f.typedConfig.rds?.routeConfigName : undefined;
        if (typeof name === 'string' && name) names.add(name);
      }
    }
  }
  return [...names].sort();
}
