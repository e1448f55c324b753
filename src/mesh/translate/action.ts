/**
 * What a matched VirtualService rule does, as istiod writes it into an Envoy route: the route
 * action (clusters and weights, rewrite, timeout, retry policy), redirect or direct response,
 * fault injection, and header operations.
 */
import { toMs } from '../../core/duration.js';
import { formatDuration, percentToFraction } from '../envoy/proto-json.js';
import {
  FAULT_FILTER,
  FAULT_TYPE,
  type ClusterWeight,
  type DirectResponseAction,
  type FractionalPercent,
  type HeaderValueOption,
  type HttpFault,
  type RedirectAction,
  type RequestMirrorPolicy,
  type RetryPolicy,
  type Route,
  type RouteAction,
} from '../envoy/types.js';
import { GRPC_CODES } from '../../istio/validate/grpc-codes.js';
import type { IstioHttpMatch } from './match.js';

export interface IstioHeaderOps {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

export interface IstioHeaders {
  request?: IstioHeaderOps;
  response?: IstioHeaderOps;
}

export interface IstioDestination {
  destination: { host: string; subset?: string; port?: { number?: number } };
  weight?: number;
  headers?: IstioHeaders;
}

export interface IstioHttpRoute {
  name?: string;
  match?: IstioHttpMatch[];
  route?: IstioDestination[];
  redirect?: {
    uri?: string;
    prefixRewrite?: string;
    authority?: string;
    port?: number;
    derivePort?: 'FROM_PROTOCOL_DEFAULT' | 'FROM_REQUEST_PORT';
    scheme?: string;
    redirectCode?: number;
  };
  directResponse?: { status: number; body?: { string?: string; bytes?: string } };
  rewrite?: { uri?: string; authority?: string; uriRegexRewrite?: { match: string; rewrite: string } };
  timeout?: string;
  retries?: {
    attempts?: number;
    perTryTimeout?: string;
    retryOn?: string;
    retryIgnorePreviousHosts?: boolean;
    retryRemoteLocalities?: boolean;
    backoff?: string;
  };
  fault?: {
    delay?: { fixedDelay?: string; percentage?: { value?: number }; percent?: number };
    abort?: { httpStatus?: number; grpcStatus?: string; percentage?: { value?: number } };
  };
  headers?: IstioHeaders;
  mirror?: IstioDestination['destination'];
  mirrorPercentage?: { value?: number };
  /** Deprecated integer form of mirrorPercentage. */
  mirrorPercent?: number;
  mirrors?: { destination: IstioDestination['destination']; percentage?: { value?: number } }[];
}

/** Resolves a destination to the Envoy cluster name `outbound|port|subset|fqdn`. */
export type ClusterNamer = (d: IstioDestination['destination']) => string;

const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';
const PREVIOUS_HOSTS = {
  name: 'envoy.retry_host_predicates.previous_hosts',
  typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' },
};

/** retryRemoteLocalities: Envoy's previous-priorities retry priority, as istiod writes it (retry.go). */
const RETRY_REMOTE_LOCALITIES = {
  name: 'envoy.retry_priorities.previous_priorities',
  typedConfig: {
    '@type': 'type.googleapis.com/envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig',
    updateFrequency: 2,
  },
};

/** Istio's default outbound retry policy (1.24+): 2 retries on connect failures, never on a 503. */
export function defaultRetryPolicy(): RetryPolicy {
  return {
    retryOn: DEFAULT_RETRY_ON,
    numRetries: 2,
    retryHostPredicate: [PREVIOUS_HOSTS],
    hostSelectionRetryMaxAttempts: '5',
  };
}

export function retryPolicy(r: IstioHttpRoute['retries']): RetryPolicy | undefined {
  if (!r) return defaultRetryPolicy();
  if (!r.attempts || r.attempts <= 0) return undefined; // explicitly disabled
  const out: RetryPolicy = { ...defaultRetryPolicy(), numRetries: r.attempts };
  if (r.retryOn) {
    const tokens = r.retryOn
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const codes = tokens.filter((t) => /^\d+$/.test(t)).map(Number);
    const conditions = tokens.filter((t) => !/^\d+$/.test(t));
    if (codes.length && !conditions.includes('retriable-status-codes')) conditions.push('retriable-status-codes');
    out.retryOn = conditions.join(',');
    if (codes.length) out.retriableStatusCodes = codes;
  }
  if (r.perTryTimeout) out.perTryTimeout = formatDuration(toMs(r.perTryTimeout));
  if (r.retryIgnorePreviousHosts === false) delete out.retryHostPredicate;
  if (r.retryRemoteLocalities) out.retryPriority = RETRY_REMOTE_LOCALITIES;
  if (r.backoff) out.retryBackOff = { baseInterval: formatDuration(toMs(r.backoff)) };
  return reorder(out);
}

/** Keeps the protobuf field order, so dumps read like istioctl's. */
function reorder(p: RetryPolicy): RetryPolicy {
  const order: (keyof RetryPolicy)[] = [
    'retryOn',
    'numRetries',
    'perTryTimeout',
    'retryPriority',
    'retryHostPredicate',
    'hostSelectionRetryMaxAttempts',
    'retriableStatusCodes',
    'retryBackOff',
  ];
  const out: Record<string, unknown> = {};
  for (const k of order) if (p[k] !== undefined) out[k] = p[k];
  return out as RetryPolicy;
}

export function routeAction(
  rule: IstioHttpRoute,
  clusterOf: ClusterNamer,
): { action: RouteAction; single?: IstioDestination } {
  const dests = rule.route ?? [];
  const action: RouteAction = {};
  let single: IstioDestination | undefined;
  if (dests.length === 1) {
    single = dests[0]!;
    action.cluster = clusterOf(single.destination);
  } else {
    // Weight-0 destinations are left out: Envoy never picks them.
    const clusters: ClusterWeight[] = dests
      .filter((d) => (d.weight ?? 0) > 0)
      .map((d) => ({ name: clusterOf(d.destination), weight: d.weight!, ...headerOps(d.headers) }));
    action.weightedClusters = { clusters };
  }
  const rw = rule.rewrite;
  if (rw?.uriRegexRewrite)
    action.regexRewrite = { pattern: { regex: rw.uriRegexRewrite.match }, substitution: rw.uriRegexRewrite.rewrite };
  else if (rw?.uri) action.prefixRewrite = rw.uri;
  const authority =
    rw?.authority ?? hostFromSet(rule.headers?.request?.set) ?? hostFromSet(single?.headers?.request?.set);
  if (authority) action.hostRewriteLiteral = authority;
  const timeout = rule.timeout ? formatDuration(toMs(rule.timeout)) : '0s';
  action.timeout = timeout;
  const retry = retryPolicy(rule.retries);
  if (retry) action.retryPolicy = retry;
  const mirrors = mirrorPolicies(rule, clusterOf);
  if (mirrors.length) action.requestMirrorPolicies = mirrors;
  action.maxGrpcTimeout = timeout;
  return { action, single };
}

/**
 * `mirror` (with `mirrorPercentage`, or the older integer `mirrorPercent`) and then each of
 * `mirrors`, as Istio writes them: no percentage means every request, a percentage of 0 means no
 * mirror at all. The Host is left as it is (Istio 1.28+; earlier versions let Envoy add `-shadow`).
 */
export function mirrorPolicies(rule: IstioHttpRoute, clusterOf: ClusterNamer): RequestMirrorPolicy[] {
  const wanted: { destination: IstioDestination['destination']; fraction: FractionalPercent | null }[] = [];
  if (rule.mirror) {
    const fraction = rule.mirrorPercentage
      ? positive(rule.mirrorPercentage.value)
      : rule.mirrorPercent !== undefined
        ? rule.mirrorPercent > 0
          ? { numerator: rule.mirrorPercent }
          : null
        : { numerator: 100 };
    wanted.push({ destination: rule.mirror, fraction });
  }
  for (const m of rule.mirrors ?? [])
    wanted.push({
      destination: m.destination,
      fraction: m.percentage ? positive(m.percentage.value) : { numerator: 100 },
    });
  return wanted
    .filter(
      (w): w is { destination: IstioDestination['destination']; fraction: FractionalPercent } => w.fraction !== null,
    )
    .map((w) => ({
      cluster: clusterOf(w.destination),
      runtimeFraction: { defaultValue: w.fraction },
      traceSampled: false,
      disableShadowHostSuffixAppend: true,
    }));
}

function positive(value: number | undefined): FractionalPercent | null {
  return value !== undefined && value > 0 ? percentToFraction(value) : null;
}

/**
 * istiod's ApplyRedirect: `derivePort: FROM_REQUEST_PORT` becomes the port the route is built for
 * (Envoy cannot derive it per request); a port that is the scheme's default (80 for http, 443 for
 * https; the scheme defaults to http here, no listener of the mesh terminates TLS) is left out.
 */
export function redirectAction(r: NonNullable<IstioHttpRoute['redirect']>, listenerPort: number): RedirectAction {
  const out: RedirectAction = {};
  if (r.scheme) out.schemeRedirect = r.scheme;
  if (r.authority) out.hostRedirect = r.authority;
  const port = r.derivePort === 'FROM_REQUEST_PORT' ? listenerPort : r.port;
  const scheme = r.scheme ?? 'http';
  if (port && !((port === 80 && scheme === 'http') || (port === 443 && scheme === 'https'))) out.portRedirect = port;
  // istiod always sets the path oneof: the redirect's uri, or "" (which Envoy reads as "keep the path").
  if (r.prefixRewrite) out.prefixRewrite = r.prefixRewrite;
  else out.pathRedirect = r.uri ?? '';
  const code = ({ 302: 'FOUND', 303: 'SEE_OTHER', 307: 'TEMPORARY_REDIRECT', 308: 'PERMANENT_REDIRECT' } as const)[
    r.redirectCode as 302
  ];
  if (code) out.responseCode = code;
  return out;
}

/**
 * istiod's ApplyDirectResponse: a string body as inlineString, a bytes body as inlineBytes (base64
 * in protobuf JSON, as the VirtualService gives it, re-encoded the canonical way).
 */
export function directResponseAction(d: NonNullable<IstioHttpRoute['directResponse']>): DirectResponseAction {
  const out: DirectResponseAction = { status: d.status };
  if (d.body?.string !== undefined) out.body = { inlineString: d.body.string };
  else if (d.body?.bytes !== undefined)
    out.body = { inlineBytes: Buffer.from(d.body.bytes, 'base64').toString('base64') };
  return out;
}

export function faultConfig(f: NonNullable<IstioHttpRoute['fault']>): Record<string, HttpFault> {
  const fault: HttpFault = { '@type': FAULT_TYPE };
  if (f.delay) {
    fault.delay = {};
    if (f.delay.fixedDelay) fault.delay.fixedDelay = formatDuration(toMs(f.delay.fixedDelay));
    // No percentage: Istio falls back to the deprecated integer `percent`, default 0.
    fault.delay.percentage = f.delay.percentage
      ? percentToFraction(f.delay.percentage.value ?? 0)
      : f.delay.percent
        ? { numerator: f.delay.percent }
        : {};
  }
  if (f.abort) {
    fault.abort = {};
    if (f.abort.httpStatus) fault.abort.httpStatus = f.abort.httpStatus;
    else if (f.abort.grpcStatus !== undefined)
      fault.abort.grpcStatus = (GRPC_CODES as readonly string[]).indexOf(f.abort.grpcStatus);
    if (f.abort.percentage) fault.abort.percentage = percentToFraction(f.abort.percentage.value ?? 0);
  }
  return { [FAULT_FILTER]: fault };
}

type HeaderFields = Pick<
  Route,
  'requestHeadersToAdd' | 'requestHeadersToRemove' | 'responseHeadersToAdd' | 'responseHeadersToRemove'
>;

/** set → overwrite, add → append, remove → remove; pseudo-headers and Host are not header operations. */
export function headerOps(h: IstioHeaders | undefined): HeaderFields {
  const out: HeaderFields = {};
  const reqAdd = options(h?.request);
  const reqRemove = removals(h?.request);
  const resAdd = options(h?.response);
  const resRemove = removals(h?.response);
  if (reqAdd.length) out.requestHeadersToAdd = reqAdd;
  if (reqRemove.length) out.requestHeadersToRemove = reqRemove;
  if (resAdd.length) out.responseHeadersToAdd = resAdd;
  if (resRemove.length) out.responseHeadersToRemove = resRemove;
  return out;
}

export function mergeHeaderOps(a: HeaderFields, b: HeaderFields): HeaderFields {
  const out: HeaderFields = {};
  for (const k of [
    'requestHeadersToAdd',
    'requestHeadersToRemove',
    'responseHeadersToAdd',
    'responseHeadersToRemove',
  ] as const) {
    const v = [...(a[k] ?? []), ...(b[k] ?? [])];
    if (v.length) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

const skipped = (name: string) => name.startsWith(':') || name.toLowerCase() === 'host';

function options(ops: IstioHeaderOps | undefined): HeaderValueOption[] {
  const out: HeaderValueOption[] = [];
  for (const [key, value] of Object.entries(ops?.set ?? {}).sort()) {
    if (!skipped(key)) out.push({ header: { key, value: String(value) }, appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' });
  }
  for (const [key, value] of Object.entries(ops?.add ?? {}).sort()) {
    if (!skipped(key)) out.push({ header: { key, value: String(value) } });
  }
  return out;
}

function removals(ops: IstioHeaderOps | undefined): string[] {
  return (ops?.remove ?? []).filter((n) => !skipped(n));
}

function hostFromSet(set: Record<string, string> | undefined): string | undefined {
  for (const [k, v] of Object.entries(set ?? {}))
    if (k.toLowerCase() === 'host' || k.toLowerCase() === ':authority') return v;
  return undefined;
}
