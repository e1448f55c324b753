/**
 * Envoy Clusters and ClusterLoadAssignments, as istiod sends them over CDS and EDS (protobuf
 * canonical JSON), turned into the cluster definitions the proxy engine routes with: endpoints,
 * load-balancing policy, outlier detection and circuit breakers — read from Envoy's fields with
 * Envoy's defaults, not from the Istio objects. What the engine cannot do (a cluster type, an LB
 * policy) is counted in `unsupported`, never dropped silently.
 */
import { parseDuration } from '../envoy/proto-json.js';
import type { ClusterDef, LbPolicy } from '../translate/clusters.js';
import type { Endpoint } from '../translate/model.js';
import type { OutlierPolicy } from '../translate/outlier.js';
import type { PoolPolicy } from '../translate/pool.js';
import type { Tally } from './tally.js';

type Json = Record<string, any>;

/** Finds the pod behind an endpoint address istiod names (a pod IP); null when no pod has it. */
export type EndpointResolver = (ip: string, port: number) => Endpoint | null;

/** Cluster types whose endpoints the engine knows how to reach. ORIGINAL_DST is the passthrough. */
const HANDLED_TYPES = new Set(['EDS', 'STATIC', 'ORIGINAL_DST']);
/** Envoy's circuit-breaker defaults when a threshold is not set. */
const ENVOY_DEFAULT_LIMIT = 1024;
/** istiod writes "no limit" as the largest uint32. */
const UNLIMITED = 4294967295;

export function clusterDefsFromXds(
  clusters: Map<string, Json>,
  assignments: Map<string, Json>,
  resolve: EndpointResolver,
  unsupported: Tally,
): Map<string, ClusterDef> {
  const out = new Map<string, ClusterDef>();
  for (const [name, c] of clusters) {
    // Inbound clusters serve the pod's own port; the engine routes outbound traffic only.
    if (name.startsWith('inbound|')) continue;
    const type = clusterType(c);
    if (!HANDLED_TYPES.has(type)) unsupported.add(`cluster type ${type} (${name})`);
    const cla = type === 'EDS' ? assignments.get(String(c.edsClusterConfig?.serviceName ?? name)) : c.loadAssignment;
    const def: ClusterDef = { name, endpoints: endpointsOf(cla, resolve, unsupported) };
    const lb = lbPolicy(c, unsupported);
    if (lb !== 'LEAST_REQUEST') def.lb = lb;
    const outlier = outlierOf(c);
    if (outlier) def.outlier = outlier;
    const pool = poolOf(c);
    if (pool) def.pool = pool;
    out.set(name, def);
  }
  return out;
}

/** `type` is a oneof with `clusterType` (custom types); absent means STATIC, Envoy's enum value 0. */
function clusterType(c: Json): string {
  if (c.clusterType) return `custom ${String(c.clusterType.name ?? '')}`;
  return String(c.type ?? 'STATIC');
}

function endpointsOf(cla: Json | undefined, resolve: EndpointResolver, unsupported: Tally): Endpoint[] {
  const out: Endpoint[] = [];
  for (const locality of cla?.endpoints ?? []) {
    for (const lb of locality.lbEndpoints ?? []) {
      // Envoy does not send to endpoints EDS marks unhealthy or draining.
      if (lb.healthStatus === 'UNHEALTHY' || lb.healthStatus === 'DRAINING') continue;
      const sa = lb.endpoint?.address?.socketAddress;
      if (!sa) {
        unsupported.add('endpoint address other than a socket address');
        continue;
      }
      const e = resolve(String(sa.address), Number(sa.portValue ?? 0));
      if (e) out.push(e);
      else unsupported.add(`endpoint ${sa.address}:${sa.portValue ?? 0} is no pod of the rehearsal`);
    }
  }
  return out;
}

function lbPolicy(c: Json, unsupported: Tally): LbPolicy {
  const p = String(c.lbPolicy ?? 'ROUND_ROBIN');
  if (p === 'ROUND_ROBIN' || p === 'LEAST_REQUEST' || p === 'RANDOM') return p;
  unsupported.add(`lbPolicy ${p} (routed as LEAST_REQUEST)`);
  return 'LEAST_REQUEST';
}

/**
 * Envoy's outlier detection fields, with its defaults: 5 consecutive 5xx enforced at 100 %, gateway failures not
 * enforced.
 */
function outlierOf(c: Json): OutlierPolicy | undefined {
  const o = c.outlierDetection as Json | undefined;
  if (!o) return undefined;
  const enforced = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback) > 0;
  const ms = (v: unknown, fallback: number) => (typeof v === 'string' ? parseDuration(v) : fallback);
  const panic = c.commonLbConfig?.healthyPanicThreshold;
  return {
    consecutive5xx: enforced(o.enforcingConsecutive5xx, 100) ? Number(o.consecutive5xx ?? 5) : 0,
    consecutiveGateway: enforced(o.enforcingConsecutiveGatewayFailure, 0)
      ? Number(o.consecutiveGatewayFailure ?? 5)
      : 0,
    intervalMs: ms(o.interval, 10_000),
    baseEjectionMs: ms(o.baseEjectionTime, 30_000),
    maxEjectionPercent: Number(o.maxEjectionPercent ?? 10),
    // Envoy's panic threshold defaults to 50 %; a Percent with value 0 prints as {}.
    minHealthPercent: panic ? Number(panic.value ?? 0) : 50,
  };
}

function poolOf(c: Json): PoolPolicy | undefined {
  const t =
    (c.circuitBreakers?.thresholds as Json[] | undefined)?.find((x) => (x.priority ?? 'DEFAULT') === 'DEFAULT') ?? {};
  const limit = (v: unknown) => {
    const n = typeof v === 'number' ? v : ENVOY_DEFAULT_LIMIT;
    return n >= UNLIMITED ? Infinity : n;
  };
  const p = {
    maxConnections: limit(t.maxConnections),
    maxPending: limit(t.maxPendingRequests),
    maxRequests: limit(t.maxRequests),
  };
  return p.maxConnections === Infinity && p.maxPending === Infinity && p.maxRequests === Infinity ? undefined : p;
}
