import type { RouteConfiguration } from '../envoy/types.js';
import type { CompiledRouteConfig } from '../router/compile.js';
import type { RequestHead } from '../router/match-input.js';
import type { ClusterDef } from '../translate/clusters.js';

/** A request arriving at a proxy: at the ingress listener, or from an app through its sidecar. */
export interface ProxyRequest extends RequestHead {
  body: Buffer | undefined;
  /** The port the request was sent to: selects the route configuration ("9080", "http.8080"). */
  listenerPort: number;
  /** Aborted when the downstream gives up (client disconnect, app timeout). */
  signal?: AbortSignal;
  remoteAddress?: string;
}

export interface ProxyResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export type ProxyResult =
  | { kind: 'response'; response: ProxyResponse }
  /** The host is no service the mesh knows: Envoy would pass it through; here nothing is out there. */
  | { kind: 'passthrough' }
  /** The downstream went away before an answer. */
  | { kind: 'cancelled' };

/**
 * What a pod's app and the ingress listener hand requests to: the local mesh's proxy, or one istiod configures over
 * xDS.
 */
export interface ProxyHandler {
  handle(req: ProxyRequest): Promise<ProxyResult>;
}

/** What a proxy holds at one moment: the route JSON it reports, compiled, and its clusters. */
export interface ProxySnapshot {
  version: number;
  routes: RouteConfiguration[];
  compiled: Map<string, CompiledRouteConfig>;
  clusters: Map<string, ClusterDef>;
}
