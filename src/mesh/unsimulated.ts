/**
 * What the local mesh stores but does not act on, said per object so that a rehearsal never
 * passes quietly on something a cluster would do differently (an mTLS setting, a connection pool,
 * CORS, a policy kind).
 */
import type { KubeObject } from '../kube/manifest.js';
import { isMap } from '../istio/validate/validate-common.js';
import { gatewayApiNotes } from './unsimulated-gateway-api.js';

/** Kinds of Istio's that change traffic on a cluster and do nothing here. */
const INERT_KINDS = new Set([
  'PeerAuthentication',
  'AuthorizationPolicy',
  'RequestAuthentication',
  'Sidecar',
  'EnvoyFilter',
  'ServiceEntry',
  'WorkloadEntry',
  'WorkloadGroup',
  'Telemetry',
  'ProxyConfig',
  'WasmPlugin',
]);

/** One thing not simulated: where it is in the object, and what to say. */
export interface Unsimulated {
  path: (string | number)[];
  text: string;
}

export function unsimulated(o: KubeObject): Unsimulated[] {
  if (INERT_KINDS.has(o.kind))
    return [
      { path: ['kind'], text: `${o.kind} has no effect on the local mesh: it is stored and read back, nothing more` },
    ];
  if (o.kind === 'DestinationRule') return destinationRuleNotes(o);
  if (o.kind === 'VirtualService') return virtualServiceNotes(o);
  if (o.kind === 'HTTPRoute' || o.kind === 'Gateway') return gatewayApiNotes(o);
  return [];
}

/** `spec.subsets[1].trafficPolicy` */
function dotted(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');
}

function destinationRuleNotes(o: KubeObject): Unsimulated[] {
  const policies: [(string | number)[], Record<string, unknown>][] = [];
  if (isMap(o.spec?.trafficPolicy)) policies.push([['spec', 'trafficPolicy'], o.spec.trafficPolicy]);
  for (const [i, s] of (Array.isArray(o.spec?.subsets) ? o.spec.subsets : []).entries()) {
    if (isMap(s?.trafficPolicy)) policies.push([['spec', 'subsets', i, 'trafficPolicy'], s.trafficPolicy]);
  }
  const notes: Unsimulated[] = [];
  if (o.spec?.workloadSelector !== undefined) {
    notes.push({
      path: ['spec', 'workloadSelector'],
      text:
        'spec.workloadSelector is not simulated: the local mesh applies this DestinationRule to every caller ' +
        'it is visible to, not only the selected workloads',
    });
  }
  for (const [path, p] of policies) {
    // Simulated: outlier detection (consecutive errors, ejection times, max share, panic threshold),
    // loadBalancer.simple (LEAST_REQUEST, ROUND_ROBIN, RANDOM) and the connection-pool limits.
    const others = Object.keys(p).filter(
      (k) =>
        k !== 'outlierDetection' &&
        k !== 'connectionPool' &&
        !(k === 'loadBalancer' && simpleBalancing(p.loadBalancer)),
    );
    if (others.length)
      notes.push({
        path: [...path, others[0]!],
        text:
          `${dotted(path)} (${others.join(', ')}) is not simulated: the local mesh has no TLS, ` +
          'and balances by least request, round robin or random only',
      });
    const pool = unsimulatedPoolFields(p.connectionPool);
    if (pool.length)
      notes.push({
        path: [...path, 'connectionPool', ...pool[0]!.split('.')],
        text:
          `${dotted(path)}.connectionPool (${pool.join(', ')}) is not simulated: only tcp.maxConnections, ` +
          'http.http1MaxPendingRequests and http.http2MaxRequests are',
      });
    const od = isMap(p.outlierDetection) ? p.outlierDetection : {};
    const local = ['splitExternalLocalOriginErrors', 'consecutiveLocalOriginFailures'].filter(
      (k) => od[k] !== undefined && od[k] !== false,
    );
    if (local.length)
      notes.push({
        path: [...path, 'outlierDetection', local[0]!],
        text: `${dotted(path)}.outlierDetection.${local.join('/')} is not simulated: local-origin errors count as 5xx`,
      });
  }
  return notes;
}

function virtualServiceNotes(o: KubeObject): Unsimulated[] {
  const notes: Unsimulated[] = [];
  const http: unknown[] = Array.isArray(o.spec?.http) ? o.spec.http : [];
  http.forEach((rule, i) => {
    if (!isMap(rule)) return;
    if (rule.corsPolicy !== undefined)
      notes.push({
        path: ['spec', 'http', i, 'corsPolicy'],
        text: `spec.http[${i}].corsPolicy is not simulated (no CORS headers or preflight answers)`,
      });
    if (isMap(rule.retries) && rule.retries.retryRemoteLocalities === true) {
      notes.push({
        path: ['spec', 'http', i, 'retries', 'retryRemoteLocalities'],
        text:
          `spec.http[${i}].retries.retryRemoteLocalities is in the routes (a retry priority) ` +
          'but not simulated: the local mesh has one locality, so a retry picks its endpoint as without it',
      });
    }
  });
  for (const section of ['tcp', 'tls'] as const) {
    if (Array.isArray(o.spec?.[section]) && o.spec[section].length)
      notes.push({
        path: ['spec', section],
        text: `spec.${section} routes are not simulated: the local mesh routes HTTP only`,
      });
  }
  return notes;
}

const SIMULATED_POOL = new Set(['tcp.maxConnections', 'http.http1MaxPendingRequests', 'http.http2MaxRequests']);

/** `tcp.connectTimeout`, `http.maxRetries`, …: connection-pool settings the mesh does not enforce. */
function unsimulatedPoolFields(cp: unknown): string[] {
  if (!isMap(cp)) return [];
  const out: string[] = [];
  for (const [section, fields] of Object.entries(cp)) {
    if (!isMap(fields)) out.push(section);
    else for (const f of Object.keys(fields)) if (!SIMULATED_POOL.has(`${section}.${f}`)) out.push(`${section}.${f}`);
  }
  return out;
}

function simpleBalancing(lb: unknown): boolean {
  return (
    isMap(lb) && Object.keys(lb).length === 1 && ['LEAST_REQUEST', 'ROUND_ROBIN', 'RANDOM'].includes(String(lb.simple))
  );
}
