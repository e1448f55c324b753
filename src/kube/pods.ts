/**
 * Pod state as meshproof reads it: ready or not, and whether the Istio sidecar runs beside the
 * app. On Kubernetes ≥ 1.33 Istio injects `istio-proxy` as a native sidecar (an initContainer with
 * `restartPolicy: Always`), before that as a regular container; both count.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from './manifest.js';
import type { KubeClient } from './client.js';
import { apiError } from './api-error.js';

export const SIDECAR_NAME = 'istio-proxy';

/** A pod as meshproof reads it. */
export interface PodSummary {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ready: boolean;
  sidecar: boolean;
  /** Pod phase and, when not ready, why (waiting reasons, restarts). */
  state: string;
}

export function hasSidecar(pod: KubeObject): boolean {
  const spec = pod.spec ?? {};
  if ((spec.containers ?? []).some((c: any) => c?.name === SIDECAR_NAME)) return true;
  return (spec.initContainers ?? []).some((c: any) => c?.name === SIDECAR_NAME && c?.restartPolicy === 'Always');
}

export function isPodReady(pod: KubeObject): boolean {
  const conds = (pod.status as any)?.conditions ?? [];
  return (
    !(pod.metadata as any).deletionTimestamp && conds.some((c: any) => c?.type === 'Ready' && c?.status === 'True')
  );
}

/** `Running`, or `Pending (reviews: ImagePullBackOff)`, with restarts when there were any. */
export function podState(pod: KubeObject): string {
  const st = (pod.status ?? {}) as any;
  const statuses = [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])];
  const waiting = statuses
    .filter((c: any) => c?.state?.waiting?.reason || c?.state?.terminated?.reason)
    .map((c: any) => `${c.name}: ${c.state.waiting?.reason ?? c.state.terminated?.reason}`);
  const restarts = statuses.reduce((sum: number, c: any) => sum + (c?.restartCount ?? 0), 0);
  let s = String(st.phase ?? 'Unknown');
  if ((pod.metadata as any).deletionTimestamp) s = 'Terminating';
  if (waiting.length) s += ` (${waiting.join(', ')})`;
  if (restarts) s += `, ${restarts} restarts`;
  return s;
}

export function podSummary(pod: KubeObject): PodSummary {
  return {
    name: pod.metadata.name,
    namespace: pod.metadata.namespace ?? 'default',
    labels: { ...(pod.metadata.labels ?? {}) },
    ready: isPodReady(pod),
    sidecar: hasSidecar(pod),
    state: podState(pod),
  };
}

export async function listPods(client: KubeClient, namespace: string, labelSelector?: string): Promise<PodSummary[]> {
  const { items } = await client.list('v1', 'Pod', namespace, labelSelector ? { labelSelector } : {});
  return items.map(podSummary).sort((a, b) => a.name.localeCompare(b.name));
}

/** Pods without a sidecar, by name, for "sidecar missing on …" messages. */
export function podsWithoutSidecar(pods: readonly PodSummary[]): string[] {
  return pods.filter((p) => !p.sidecar).map((p) => p.name);
}

export interface LogOptions {
  /** Last lines only. Default 200 unless sinceSeconds is given. */
  tailLines?: number;
  /** Lines logged in the last N seconds. */
  sinceSeconds?: number;
  /** The run before a restart. */
  previous?: boolean;
  /** Stop after this many bytes (the API server's limitBytes). */
  limitBytes?: number;
}

/** What a container logged: its last lines, or those of the last seconds (`previous` for the run before a restart). */
export async function podLog(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  container: string,
  opts: LogOptions = {},
): Promise<string> {
  const tailLines = opts.tailLines ?? (opts.sinceSeconds === undefined ? 200 : undefined);
  try {
    return await kc.makeApiClient(CoreV1Api).readNamespacedPodLog({
      name: pod,
      namespace,
      container,
      tailLines,
      sinceSeconds: opts.sinceSeconds,
      limitBytes: opts.limitBytes,
      previous: opts.previous || undefined,
    });
  } catch (err) {
    throw apiError('read the log of', `${pod}.${namespace}/${container}`, err);
  }
}

/** Container names of a pod, sidecars and init containers included. */
export function containerNames(pod: KubeObject): string[] {
  const spec = pod.spec ?? {};
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c: any) => String(c?.name)).filter(Boolean);
}

/**
 * `ip:port` of each port a pod's containers declare (the sidecar's own excluded), as a proxy logs
 * the upstream host it picked: the way from an access log line back to a pod.
 */
export function podAddresses(pod: KubeObject): string[] {
  const ip = (pod.status as any)?.podIP;
  if (!ip) return [];
  return (pod.spec?.containers ?? [])
    .filter((c: any) => c?.name !== SIDECAR_NAME)
    .flatMap((c: any) => (c?.ports ?? []).map((p: any) => `${ip}:${p?.containerPort}`));
}
