/**
 * Turns translated config into a proxy snapshot: compiled once per distinct route configuration
 * (sidecars with the same view share the compiled form) and keyed, so a push that changes nothing
 * for a proxy is skipped.
 */
import { compileRouteConfig, type CompiledRouteConfig } from '../router/compile.js';
import type { ClusterDef } from '../translate/clusters.js';
import type { ProxyConfig } from '../translate/proxy-config.js';
import type { ProxySnapshot } from './types.js';

export class SnapshotBuilder {
  private cache = new Map<string, CompiledRouteConfig>();

  /** Starts a new push: compiled forms are shared within one push only. */
  reset(): void {
    this.cache = new Map();
  }

  build(version: number, config: ProxyConfig): { snapshot: ProxySnapshot; key: string } {
    const compiled = new Map<string, CompiledRouteConfig>();
    const parts: string[] = [];
    for (const rc of config.routes) {
      const json = JSON.stringify(rc);
      parts.push(json);
      let c = this.cache.get(json);
      if (!c) {
        c = compileRouteConfig(rc);
        this.cache.set(json, c);
      }
      compiled.set(rc.name ?? '', c);
    }
    for (const def of config.clusters.values()) parts.push(clusterKey(def));
    return { snapshot: { version, routes: config.routes, compiled, clusters: config.clusters }, key: parts.join('\n') };
  }
}

/** What a push compares of a cluster: its endpoints and the policies the proxy enforces. */
function clusterKey(def: ClusterDef): string {
  return (
    `${def.name}=${def.endpoints.map((e) => e.address).join(',')} ` +
    `${JSON.stringify([def.outlier ?? null, def.lb ?? null, def.pool ?? null])}`
  );
}
