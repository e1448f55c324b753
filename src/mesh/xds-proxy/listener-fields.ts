/**
 * What the engine takes from istiod's listeners: which route configuration serves each port. The
 * engine picks "<port>" on a sidecar and "http.<port>" on a gateway, as istiod names them; a
 * listener naming another one, and an HTTP filter the engine does not act on, are counted.
 */
import type { Tally } from './tally.js';

type Json = Record<string, any>;

const HCM = 'envoy.filters.network.http_connection_manager';
/** Filters the engine evaluates. */
const ROUTED_FILTERS = new Set(['envoy.filters.http.fault', 'envoy.filters.http.router']);
/**
 * Filters that change no answer of a plain HTTP/1.1 request: telemetry, peer metadata, ALPN, CORS without an Origin,
 * gRPC helpers.
 */
const INERT_FILTERS = new Set([
  'istio.metadata_exchange',
  'istio.stats',
  'istio.alpn',
  'envoy.filters.http.cors',
  'envoy.filters.http.grpc_stats',
  'envoy.filters.http.grpc_web',
  'istio.peer_metadata',
]);

export function checkListeners(listeners: Map<string, Json>, role: 'sidecar' | 'gateway', tally: Tally): void {
  for (const l of listeners.values()) {
    const port = Number(l.address?.socketAddress?.portValue ?? 0);
    for (const chain of l.filterChains ?? []) {
      for (const f of chain.filters ?? []) {
        if (f.name !== HCM) continue;
        const hcm = f.typedConfig ?? {};
        const rds = hcm.rds?.routeConfigName as string | undefined;
        const expected = role === 'gateway' ? `http.${port}` : String(port);
        if (rds !== undefined && rds !== expected && !isSidecarInternal(l.name, role))
          tally.add(`listener ${l.name} serves route configuration ${rds}, not ${expected}`);
        for (const h of hcm.httpFilters ?? []) {
          if (ROUTED_FILTERS.has(h.name) || INERT_FILTERS.has(h.name)) continue;
          tally.add(`http filter ${h.name}`);
        }
      }
    }
  }
}

/** Inbound and the virtual listeners carry routes for the pod's own traffic, which the engine does not route. */
function isSidecarInternal(name: unknown, role: string): boolean {
  return (
    role === 'sidecar' &&
    typeof name === 'string' &&
    (name.startsWith('virtual') || name.startsWith('inbound') || name === 'virtualInbound')
  );
}
