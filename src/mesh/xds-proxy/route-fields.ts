/**
 * Which fields of an Envoy RouteConfiguration the proxy engine acts on, and which it meets in
 * istiod's config without acting on them. Every field outside both lists is counted as
 * unsupported, so a route the engine would evaluate differently from Envoy never passes quietly.
 */
import { FAULT_FILTER } from '../envoy/types.js';
import type { Tally } from './tally.js';

type Json = Record<string, unknown>;

/** Fields the router evaluates (src/mesh/envoy/types.ts describes them). */
const ROUTED: Record<string, readonly string[]> = {
  RouteConfiguration: [
    'name',
    'virtualHosts',
    'validateClusters',
    'maxDirectResponseBodySizeBytes',
    'ignorePortInHostMatching',
  ],
  VirtualHost: ['name', 'domains', 'routes', 'includeRequestAttemptCount'],
  Route: [
    'name',
    'match',
    'route',
    'redirect',
    'directResponse',
    'metadata',
    'decorator',
    'typedPerFilterConfig',
    'requestHeadersToAdd',
    'requestHeadersToRemove',
    'responseHeadersToAdd',
    'responseHeadersToRemove',
  ],
  RouteMatch: ['prefix', 'pathSeparatedPrefix', 'path', 'safeRegex', 'caseSensitive', 'headers', 'queryParameters'],
  RouteAction: [
    'cluster',
    'weightedClusters',
    'prefixRewrite',
    'regexRewrite',
    'hostRewriteLiteral',
    'timeout',
    'retryPolicy',
    'requestMirrorPolicies',
    'maxGrpcTimeout',
    'clusterNotFoundResponseCode',
  ],
};

/**
 * Fields istiod sets that change nothing for HTTP/1.1 requests through one proxy: gRPC stream
 * limits, upgrade configs for WebSocket, tracing decoration, the per-route stats prefix, and hash
 * policies (they matter to ring-hash clusters only, which are counted where they appear).
 */
const INERT: Record<string, readonly string[]> = {
  RouteConfiguration: [],
  VirtualHost: [],
  Route: ['statPrefix', 'tracing'],
  RouteMatch: ['grpc'],
  RouteAction: ['maxStreamDuration', 'upgradeConfigs', 'hashPolicy'],
};

export function countUnsupportedRouteFields(rc: Json, tally: Tally): void {
  check('RouteConfiguration', rc, tally);
  for (const vh of (rc.virtualHosts as Json[] | undefined) ?? []) {
    check('VirtualHost', vh, tally);
    for (const r of (vh.routes as Json[] | undefined) ?? []) {
      check('Route', r, tally);
      if (r.match) check('RouteMatch', r.match as Json, tally);
      if (r.route) check('RouteAction', r.route as Json, tally);
      for (const f of Object.keys((r.typedPerFilterConfig as Json | undefined) ?? {}))
        if (f !== FAULT_FILTER) tally.add(`route typedPerFilterConfig ${f}`);
    }
  }
}

function check(kind: string, o: Json, tally: Tally): void {
  for (const k of Object.keys(o)) {
    if (ROUTED[kind]!.includes(k) || INERT[kind]!.includes(k)) continue;
    tally.add(`${kind}.${k}`);
  }
}
