/**
 * What every cluster target does through its ClusterConnection (connection.ts): server-side apply
 * and read-back through the Kubernetes API, the pods and proxies, proxy routes through istioctl,
 * and failures read from the proxies' access logs. The kind, kwok and existing targets differ in
 * how the cluster comes to exist and how the ingress is reached; each builds its connection once
 * and hands it to these functions, as it does to deployBase (deploy-base.ts), installIstio
 * (install-istio.ts) and the diagnostics bundle (cluster-diagnostics.ts).
 */
import { GATEWAY_NAME_LABEL } from '../../istio/gateway-api/httproute-convert.js';
import { InputError } from '../../core/errors.js';
import { isClusterScoped, type KubeObject, type LoadedObject } from '../../kube/manifest.js';
import {
  hasSidecar,
  isPodReady,
  listPods,
  podAddresses,
  podLog,
  SIDECAR_NAME,
  type PodSummary,
} from '../../kube/pods.js';
import { failureLines, hasAccessLogLine, upstreamErrorsFromLogs, type ProxyLog } from '../upstream-errors.js';
import { validateObject } from '../../istio/validate/validate.js';
import type { ApplyOutcome, ProxyInfo, TargetTraits } from '../target.js';
import type { ClusterConnection } from './connection.js';

export const ISTIO_NAMESPACE = 'istio-system';
export const GATEWAY_SELECTOR = 'istio=ingressgateway';
export const INJECTION_LABEL = { 'istio-injection': 'enabled' } as const;

/** A cluster outlives the process; proxies are read through an API server, so not too often. */
export const CLUSTER_TRAITS: TargetTraits = Object.freeze({
  lifetime: 'environment',
  servesWhile: 'environment',
  settlePollMs: 1_000,
});

/** Pause between DestinationRules and VirtualServices of one batch, unless a target is told otherwise. */
export const DEFAULT_MAKE_BEFORE_BREAK_MS = 1000;

export interface ServiceRef {
  namespace: string;
  name: string;
}

/**
 * The Service ingress traffic goes through, unless discovered otherwise: its endpoints are the gateway pods that serve
 * it.
 */
export const DEFAULT_INGRESS_SERVICE: ServiceRef = Object.freeze({
  namespace: ISTIO_NAMESPACE,
  name: 'istio-ingressgateway',
});

export interface ClusterTimeouts {
  /** Per Deployment rollout. Default 5 min (the reviews JVM image is large and slow to start). */
  rolloutMs: number;
  /** HTTP readiness through the ingress. Default 3 min. */
  readinessMs: number;
}

export const DEFAULT_TIMEOUTS: ClusterTimeouts = { rolloutMs: 5 * 60_000, readinessMs: 3 * 60_000 };

/**
 * Log read per proxy for upstreamErrors: ~10,000 access log lines of a few hundred bytes (the earliest, when a step
 * logged more).
 */
const ACCESS_LOG_LIMIT_BYTES = 4 * 1024 * 1024;

/** Validates the whole batch (refusing it all on any issue), then applies it server-side in order. */
export async function applyObjects(
  cluster: ClusterConnection,
  objects: LoadedObject[],
  opts: { makeBeforeBreakMs: number; signal?: AbortSignal },
): Promise<ApplyOutcome[]> {
  const issues = objects.flatMap(validateObject);
  if (issues.length) throw new InputError(issues);
  const results = await cluster.kube.applyAll(
    objects.map((l) => inNamespace(l, cluster.namespace)),
    { makeBeforeBreakMs: opts.makeBeforeBreakMs, signal: opts.signal },
  );
  return results.map(({ ref, action }) => ({ ref, action }));
}

/** Namespaced objects without a namespace go to the namespace `up` deployed into, not the kubeconfig's default. */
function inNamespace(l: LoadedObject, namespace: string): LoadedObject {
  if (l.object.metadata.namespace || isClusterScoped(l.object.kind)) return l;
  return { object: { ...l.object, metadata: { ...l.object.metadata, namespace } }, source: l.source };
}

/** Ready application pods with a sidecar in `namespace`, and the ready gateway pods behind `ingress`. */
export async function listProxies(
  cluster: ClusterConnection,
  namespace: string,
  ingress: ServiceRef = DEFAULT_INGRESS_SERVICE,
): Promise<ProxyInfo[]> {
  const pods = (await listPods(cluster.kube, namespace)).filter((p) => p.ready);
  // Gateways Istio deploys for Gateway API Gateways live beside the apps, labelled with their Gateway's name.
  const own = (p: { labels: Record<string, string> }) => p.labels[GATEWAY_NAME_LABEL] !== undefined;
  const sidecars = pods.filter((p) => p.sidecar && !own(p));
  const gateways = [...(await gatewayPods(cluster, ingress)), ...pods.filter(own)];
  return [
    ...sidecars.map((p) => ({ pod: p.name, namespace: p.namespace, role: 'sidecar' as const, labels: p.labels })),
    ...gateways.map((p) => ({ pod: p.name, namespace: p.namespace, role: 'gateway' as const, labels: p.labels })),
  ];
}

/**
 * The gateway pods behind the ingress Service's ready endpoints (its EndpointSlices name them,
 * whatever their labels or namespace), and any ready pod labelled istio=ingressgateway in
 * istio-system besides: the pods the requests actually reach, each of which must settle.
 */
async function gatewayPods(cluster: ClusterConnection, { namespace, name }: ServiceRef): Promise<PodSummary[]> {
  const slices = await cluster.kube
    .list('discovery.k8s.io/v1', 'EndpointSlice', namespace, { labelSelector: `kubernetes.io/service-name=${name}` })
    .catch(() => ({ items: [] as KubeObject[] }));
  const endpoints = new Set(
    slices.items
      .flatMap(
        (s) =>
          ((s as any).endpoints ?? []) as {
            conditions?: { ready?: boolean };
            targetRef?: { kind?: string; name?: string; namespace?: string };
          }[],
      )
      .filter((e) => e.conditions?.ready !== false && e.targetRef?.kind === 'Pod' && e.targetRef.name)
      .map((e) => `${e.targetRef!.namespace ?? namespace}/${e.targetRef!.name}`),
  );
  const namespaces = new Set([...endpoints].map((k) => k.split('/')[0]!));
  const backing = (await Promise.all([...namespaces].map((ns) => listPods(cluster.kube, ns))))
    .flat()
    .filter((p) => endpoints.has(`${p.namespace}/${p.name}`));
  const labelled = await listPods(cluster.kube, ISTIO_NAMESPACE, GATEWAY_SELECTOR);
  const byKey = new Map([...backing, ...labelled].map((p) => [`${p.namespace}/${p.name}`, p]));
  return [...byKey.values()].filter((p) => p.ready);
}

/**
 * What the proxy holds, through istioctl; null before `up` or without a usable istioctl (settling then goes by
 * traffic).
 */
export async function readProxyRoutes(cluster: ClusterConnection | null, proxy: ProxyInfo): Promise<unknown[] | null> {
  if (!cluster?.istioctl) return null;
  return cluster.istioctl.proxyRoutes(proxy.pod, proxy.namespace);
}

/**
 * Which pods failed since `sinceMs`, from the proxies' access logs through the API (the
 * `istio-proxy` container of each app pod and of the ingress gateway). Access logging is on in
 * the demo profile `up --target kind` installs; where it is off no line parses and the answer is
 * null. The log lines carry the proxies' clock, so a cluster's clock skew shifts the window.
 */
export async function readUpstreamErrors(
  cluster: ClusterConnection,
  namespace: string,
  sinceMs: number,
): Promise<Record<string, number> | null> {
  const [apps, gateways] = await Promise.all([
    cluster.kube.list('v1', 'Pod', namespace),
    cluster.kube.list('v1', 'Pod', ISTIO_NAMESPACE, { labelSelector: GATEWAY_SELECTOR }),
  ]);
  const proxies = [...apps.items.filter(hasSidecar), ...gateways.items].filter(isPodReady);
  // A few seconds more than asked for: the API counts from its own clock; lines are then chosen by their own time.
  const sinceSeconds = Math.max(1, Math.ceil((Date.now() - sinceMs) / 1000) + 5);
  // One proxy at a time, keeping only its failure lines: a step's log can run to megabytes.
  const logs: ProxyLog[] = [];
  let logging = false;
  // A pod gone since the listing (stopped mid-step) loses its own lines, not everyone's.
  let unreadable: unknown;
  for (const p of proxies) {
    let text: string;
    try {
      text = await podLog(cluster.kubeConfig, p.metadata.namespace ?? namespace, p.metadata.name, SIDECAR_NAME, {
        sinceSeconds,
        limitBytes: ACCESS_LOG_LIMIT_BYTES,
      });
    } catch (err) {
      unreadable ??= err;
      continue;
    }
    const lines = text.split('\n');
    logging ||= hasAccessLogLine(lines);
    logs.push({ pod: p.metadata.name, lines: failureLines(lines) });
  }
  if (!logs.length && unreadable) throw unreadable;
  if (!logging) return null;
  const podAt = new Map(apps.items.flatMap((p) => podAddresses(p).map((a) => [a, p.metadata.name] as const)));
  return upstreamErrorsFromLogs(logs, podAt, sinceMs);
}
