/**
 * Turns the RouteConfiguration JSON a proxy holds into what it routes with: virtual hosts looked
 * up by Host as Envoy does, routes as predicates in order, actions with durations, weights,
 * retry conditions and header operations parsed once. Nothing here reads the Istio objects: the
 * JSON is the only input, so what a proxy reports holding is what it routes with.
 */
import type { RE2JS } from 're2js';
import { fractionOf, parseDuration } from '../envoy/proto-json.js';
import {
  FAULT_FILTER,
  type DirectResponseAction,
  type HeaderValueOption,
  type HttpFault,
  type Route,
  type RouteConfiguration,
  type VirtualHost,
} from '../envoy/types.js';
import { compileHeaderMatcher, compileQueryMatcher, compileRegex, type RequestPredicate } from './matchers.js';
import type { MatchInput } from './match-input.js';
import { compileRetry, type CompiledRetry } from './retry-policy.js';

export interface HeaderOps {
  requestRemove: string[];
  requestAdd: { key: string; value: string; overwrite: boolean }[];
  responseRemove: string[];
  responseAdd: { key: string; value: string; overwrite: boolean }[];
}

export interface WeightedTarget {
  cluster: string;
  weight: number;
  headers: HeaderOps | null;
}

export type CompiledAction =
  | {
      kind: 'route';
      targets: WeightedTarget[];
      totalWeight: number;
      prefixRewrite?: string;
      regexRewrite?: { pattern: RE2JS; substitution: string };
      hostRewrite?: string;
      /** 0 = no timeout. */
      timeoutMs: number;
      retry: CompiledRetry | null;
      /** Copies to send, each to its cluster for a share of the requests. */
      mirrors: { cluster: string; fraction: number }[];
      /** The status for a cluster the proxy does not know: 503, or 500 on Gateway API routes. */
      clusterNotFoundStatus: number;
    }
  | {
      kind: 'redirect';
      status: number;
      scheme?: string;
      host?: string;
      port?: number;
      path?: string;
      prefixRewrite?: string;
    }
  | { kind: 'direct'; status: number; body: string };

export interface CompiledFault {
  delayMs: number;
  delayFraction: number;
  abortStatus: number;
  /** A gRPC code to abort with (the HTTP status is then 200), or undefined. */
  abortGrpcStatus?: number;
  abortFraction: number;
}

export interface CompiledRoute {
  name: string;
  matches(req: MatchInput): boolean;
  /** The path after a prefix rewrite: `prefix` replaces the matched prefix (the whole path for exact/regex matches). */
  matchedPrefixLength(req: MatchInput): number;
  action: CompiledAction;
  fault: CompiledFault | null;
  headers: HeaderOps | null;
}

export interface CompiledVhost {
  name: string;
  routes: CompiledRoute[];
  includeAttemptCount: boolean;
}

export interface CompiledRouteConfig {
  name: string;
  findVhost(authority: string): CompiledVhost | null;
}

export function compileRouteConfig(rc: RouteConfiguration): CompiledRouteConfig {
  const exact = new Map<string, CompiledVhost>();
  const suffixes: { suffix: string; vhost: CompiledVhost }[] = [];
  const prefixes: { prefix: string; vhost: CompiledVhost }[] = [];
  let any: CompiledVhost | null = null;
  for (const vh of rc.virtualHosts ?? []) {
    const compiled = compileVhost(vh);
    for (const d of vh.domains.map((x) => x.toLowerCase())) {
      if (d === '*') any ??= compiled;
      else if (d.startsWith('*')) suffixes.push({ suffix: d.slice(1), vhost: compiled });
      else if (d.endsWith('*')) prefixes.push({ prefix: d.slice(0, -1), vhost: compiled });
      else if (!exact.has(d)) exact.set(d, compiled);
    }
  }
  // Envoy prefers the longest wildcard match.
  suffixes.sort((a, b) => b.suffix.length - a.suffix.length);
  prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  const ignorePort = rc.ignorePortInHostMatching === true;
  return {
    name: rc.name ?? '',
    findVhost(authority) {
      let host = authority.toLowerCase();
      if (ignorePort) host = stripPort(host);
      const hit = exact.get(host);
      if (hit) return hit;
      for (const s of suffixes) if (host.endsWith(s.suffix) && host.length > s.suffix.length) return s.vhost;
      for (const p of prefixes) if (host.startsWith(p.prefix) && host.length > p.prefix.length) return p.vhost;
      return any;
    },
  };
}

function stripPort(host: string): string {
  const colon = host.lastIndexOf(':');
  if (colon < 0 || host.lastIndexOf(']') > colon) return host;
  return /^\d+$/.test(host.slice(colon + 1)) ? host.slice(0, colon) : host;
}

function compileVhost(vh: VirtualHost): CompiledVhost {
  return {
    name: vh.name,
    routes: (vh.routes ?? []).map(compileRoute),
    includeAttemptCount: vh.includeRequestAttemptCount === true,
  };
}

function compileRoute(r: Route): CompiledRoute {
  const m = r.match;
  const caseSensitive = m.caseSensitive !== false;
  const conditions: RequestPredicate[] = [];
  let prefixLength: (req: MatchInput) => number;
  if (m.path !== undefined) {
    const want = caseSensitive ? m.path : m.path.toLowerCase();
    conditions.push(caseSensitive ? (q) => q.pathOnly === want : (q) => q.pathOnlyLower === want);
    prefixLength = (q) => q.pathOnly.length;
  } else if (m.pathSeparatedPrefix !== undefined) {
    // Whole segments: the path (query removed) is the prefix, or the prefix followed by "/".
    const want = caseSensitive ? m.pathSeparatedPrefix : m.pathSeparatedPrefix.toLowerCase();
    const path = caseSensitive ? (q: MatchInput) => q.pathOnly : (q: MatchInput) => q.pathOnlyLower;
    conditions.push((q) => {
      const p = path(q);
      return p === want || (p.startsWith(want) && p[want.length] === '/');
    });
    prefixLength = () => want.length;
  } else if (m.safeRegex) {
    const re = compileRegex(m.safeRegex.regex);
    conditions.push((q) => re.matches(q.pathOnly));
    prefixLength = (q) => q.pathOnly.length;
  } else {
    const want = caseSensitive ? (m.prefix ?? '/') : (m.prefix ?? '/').toLowerCase();
    conditions.push(caseSensitive ? (q) => q.path.startsWith(want) : (q) => q.pathLower.startsWith(want));
    prefixLength = () => want.length;
  }
  for (const h of m.headers ?? []) conditions.push(compileHeaderMatcher(h));
  for (const qp of m.queryParameters ?? []) conditions.push(compileQueryMatcher(qp));
  return {
    name: r.name ?? '',
    matches: conditions.length === 1 ? conditions[0]! : (q) => conditions.every((c) => c(q)),
    matchedPrefixLength: prefixLength,
    action: compileAction(r),
    fault: compileFault(r.typedPerFilterConfig?.[FAULT_FILTER] as HttpFault | undefined),
    headers: compileHeaderOps(r),
  };
}

const REDIRECT_CODES = { FOUND: 302, SEE_OTHER: 303, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308 } as const;

function compileAction(r: Route): CompiledAction {
  if (r.redirect) {
    const rd = r.redirect;
    return {
      kind: 'redirect',
      status: rd.responseCode ? REDIRECT_CODES[rd.responseCode] : 301,
      scheme: rd.schemeRedirect,
      host: rd.hostRedirect,
      port: rd.portRedirect,
      // An empty pathRedirect (istiod's, for a redirect without uri) keeps the request's path, as in Envoy.
      path: rd.pathRedirect || undefined,
      prefixRewrite: rd.prefixRewrite,
    };
  }
  if (r.directResponse) return { kind: 'direct', status: r.directResponse.status, body: bodyText(r.directResponse) };
  const a = r.route;
  if (!a) throw new Error(`route ${r.name ?? JSON.stringify(r.match)} has no action`);
  const targets: WeightedTarget[] = a.cluster
    ? [{ cluster: a.cluster, weight: 1, headers: null }]
    : (a.weightedClusters?.clusters ?? [])
        .filter((c) => (c.weight ?? 0) > 0)
        .map((c) => ({ cluster: c.name, weight: c.weight!, headers: compileHeaderOps(c) }));
  return {
    kind: 'route',
    targets,
    totalWeight: targets.reduce((s, t) => s + t.weight, 0),
    prefixRewrite: a.prefixRewrite,
    regexRewrite: a.regexRewrite
      ? {
          pattern: compileRegex(a.regexRewrite.pattern.regex),
          substitution: toRe2jsReplacement(a.regexRewrite.substitution),
        }
      : undefined,
    hostRewrite: a.hostRewriteLiteral,
    timeoutMs: a.timeout ? parseDuration(a.timeout) : 0,
    retry: a.retryPolicy ? compileRetry(a.retryPolicy) : null,
    // No runtime fraction: every request is mirrored.
    mirrors: (a.requestMirrorPolicies ?? []).map((m) => ({
      cluster: m.cluster,
      fraction: m.runtimeFraction ? fractionOf(m.runtimeFraction.defaultValue) : 1,
    })),
    clusterNotFoundStatus:
      a.clusterNotFoundResponseCode === 'INTERNAL_SERVER_ERROR'
        ? 500
        : a.clusterNotFoundResponseCode === 'NOT_FOUND'
          ? 404
          : 503,
  };
}

/** Envoy substitutions write groups as `\1`; re2js expects `$1`. */
function toRe2jsReplacement(s: string): string {
  return s.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
}

function compileFault(f: HttpFault | undefined): CompiledFault | null {
  if (!f) return null;
  return {
    delayMs: f.delay?.fixedDelay ? parseDuration(f.delay.fixedDelay) : 0,
    delayFraction: f.delay ? fractionOf(f.delay.percentage) : 0,
    // Envoy: an HTTP status wins; a gRPC status alone answers HTTP 200.
    abortStatus: f.abort?.httpStatus ?? (f.abort?.grpcStatus !== undefined ? 200 : 0),
    abortGrpcStatus: f.abort?.httpStatus === undefined ? f.abort?.grpcStatus : undefined,
    abortFraction: f.abort ? fractionOf(f.abort.percentage) : 0,
  };
}

interface HeaderFields {
  requestHeadersToAdd?: HeaderValueOption[];
  requestHeadersToRemove?: string[];
  responseHeadersToAdd?: HeaderValueOption[];
  responseHeadersToRemove?: string[];
}

function compileHeaderOps(f: HeaderFields): HeaderOps | null {
  if (!f.requestHeadersToAdd && !f.requestHeadersToRemove && !f.responseHeadersToAdd && !f.responseHeadersToRemove)
    return null;
  const adds = (list: HeaderValueOption[] | undefined) =>
    (list ?? []).map((o) => ({
      key: o.header.key.toLowerCase(),
      value: o.header.value,
      overwrite: o.appendAction === 'OVERWRITE_IF_EXISTS_OR_ADD',
    }));
  return {
    requestRemove: (f.requestHeadersToRemove ?? []).map((h) => h.toLowerCase()),
    requestAdd: adds(f.requestHeadersToAdd),
    responseRemove: (f.responseHeadersToRemove ?? []).map((h) => h.toLowerCase()),
    responseAdd: adds(f.responseHeadersToAdd),
  };
}

/** A direct response's body: inlineString as is, inlineBytes (base64 in protobuf JSON) decoded. */
function bodyText(d: DirectResponseAction): string {
  const body = d.body;
  if (!body) return '';
  return 'inlineBytes' in body ? Buffer.from(body.inlineBytes, 'base64').toString() : body.inlineString;
}
