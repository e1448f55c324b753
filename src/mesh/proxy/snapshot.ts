/**
 * Turns translated config into a proxy snapshot: compiled once per distinct route configuration
 * (sidecars with the same view share the compiled form) and keyed, so a push that changes nothing
 * for a proxy is skipped.
 */
import { compileRouteConfig, type CompiledRouteConfig } from '../router/compile.js';
import type { ProxyConfig } from '../translate/proxyConfig.js';
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
    for (const [name, def] of config.clusters) parts.push(`${name}=${def.endpoints.map((e) => e.address).join(',')}${def.outlier ? ` ${JSON.stringify(def.outlier)}` : ''}${def.lb ? ` ${def.lb}` : ''}`);
    return { snapshot: { version, routes: config.routes, compiled, clusters: config.clusters }, key: parts.join('\n') };
  }
}
