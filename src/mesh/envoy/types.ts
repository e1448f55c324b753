/**
 * The part of Envoy's RouteConfiguration the local mesh produces and routes with, in the
 * lowerCamelCase JSON shape `istioctl proxy-config routes <pod> -o json` prints (protobuf JSON:
 * zero values omitted, durations as strings like "0.500s", enum value 0 omitted).
 */

export interface RouteConfiguration {
  name?: string;
  virtualHosts?: VirtualHost[];
  validateClusters?: boolean;
  maxDirectResponseBodySizeBytes?: number;
  ignorePortInHostMatching?: boolean;
}

export interface VirtualHost {
  name: string;
  domains: string[];
  routes?: Route[];
  includeRequestAttemptCount?: boolean;
}

export interface Route {
  name?: string;
  match: RouteMatch;
  route?: RouteAction;
  redirect?: RedirectAction;
  directResponse?: DirectResponseAction;
  metadata?: { filterMetadata: Record<string, Record<string, unknown>> };
  decorator?: { operation: string };
  typedPerFilterConfig?: Record<string, unknown>;
  requestHeadersToAdd?: HeaderValueOption[];
  requestHeadersToRemove?: string[];
  responseHeadersToAdd?: HeaderValueOption[];
  responseHeadersToRemove?: string[];
}

export interface RouteMatch {
  prefix?: string;
  /** Prefix by whole path segments: the path equals it, or continues with `/` (Gateway API PathPrefix). */
  pathSeparatedPrefix?: string;
  path?: string;
  safeRegex?: { regex: string };
  /** A BoolValue: printed even when false. Absent means true. */
  caseSensitive?: boolean;
  headers?: HeaderMatcher[];
  queryParameters?: QueryParameterMatcher[];
}

export interface StringMatcher {
  exact?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  safeRegex?: { regex: string };
  ignoreCase?: boolean;
}

export interface HeaderMatcher {
  name: string;
  stringMatch?: StringMatcher;
  presentMatch?: boolean;
  invertMatch?: boolean;
  treatMissingHeaderAsEmpty?: boolean;
}

export interface QueryParameterMatcher {
  name: string;
  stringMatch?: StringMatcher;
  presentMatch?: boolean;
}

export interface RouteAction {
  cluster?: string;
  weightedClusters?: { clusters: ClusterWeight[] };
  prefixRewrite?: string;
  regexRewrite?: { pattern: { regex: string }; substitution: string };
  hostRewriteLiteral?: string;
  timeout?: string;
  retryPolicy?: RetryPolicy;
  requestMirrorPolicies?: RequestMirrorPolicy[];
  maxGrpcTimeout?: string;
  /** Absent = SERVICE_UNAVAILABLE (503); Istio sets 500 for Gateway API routes. */
  clusterNotFoundResponseCode?: 'NOT_FOUND' | 'INTERNAL_SERVER_ERROR';
}

/** A fire-and-forget copy of each request (a share of them) to another cluster; its answer is dropped. */
export interface RequestMirrorPolicy {
  cluster: string;
  /** Absent = every request. */
  runtimeFraction?: { defaultValue: FractionalPercent };
  traceSampled?: boolean;
  /** Istio 1.28+ keeps the Host as it is (before, Envoy appended `-shadow`). */
  disableShadowHostSuffixAppend?: boolean;
}

export interface ClusterWeight {
  name: string;
  weight?: number;
  requestHeadersToAdd?: HeaderValueOption[];
  requestHeadersToRemove?: string[];
  responseHeadersToAdd?: HeaderValueOption[];
  responseHeadersToRemove?: string[];
}

export interface RetryPolicy {
  retryOn?: string;
  numRetries?: number;
  perTryTimeout?: string;
  /** retryRemoteLocalities: prefer another locality's endpoints on a retry. */
  retryPriority?: { name: string; typedConfig?: Record<string, unknown> };
  retryHostPredicate?: { name: string; typedConfig?: Record<string, unknown> }[];
  hostSelectionRetryMaxAttempts?: string;
  retriableStatusCodes?: number[];
  retryBackOff?: { baseInterval: string; maxInterval?: string };
}

export interface HeaderValueOption {
  header: { key: string; value: string };
  /** Absent = APPEND_IF_EXISTS_OR_ADD (enum value 0). */
  appendAction?: 'OVERWRITE_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS';
}

export interface RedirectAction {
  schemeRedirect?: string;
  hostRedirect?: string;
  portRedirect?: number;
  pathRedirect?: string;
  /** Replaces the part of the path the route matched (instead of pathRedirect). */
  prefixRewrite?: string;
  /** Absent = MOVED_PERMANENTLY (301, enum value 0). */
  responseCode?: 'FOUND' | 'SEE_OTHER' | 'TEMPORARY_REDIRECT' | 'PERMANENT_REDIRECT';
}

export interface DirectResponseAction {
  status: number;
  /** Envoy's DataSource: text as written, or bytes in protobuf JSON's base64. */
  body?: { inlineString: string } | { inlineBytes: string };
}

/** `typedPerFilterConfig["envoy.filters.http.fault"]` */
export interface HttpFault {
  '@type': string;
  delay?: { fixedDelay?: string; percentage?: FractionalPercent };
  /** One of httpStatus, grpcStatus (a gRPC code number; Envoy answers HTTP 200 with it). */
  abort?: { httpStatus?: number; grpcStatus?: number; percentage?: FractionalPercent };
}

export interface FractionalPercent {
  numerator?: number;
  /** Absent = HUNDRED (enum value 0). */
  denominator?: 'TEN_THOUSAND' | 'MILLION';
}

export const FAULT_FILTER = 'envoy.filters.http.fault';
export const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
