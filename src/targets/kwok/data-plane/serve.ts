/**
 * Starts the kwok target's data plane against the local istiod and keeps it in line with the pods
 * the API server lists (a plan that scales or replaces a Deployment gets new pods served, and
 * removed ones stopped), until stopped.
 */
import { EnvironmentError } from '../../../core/errors.js';
import { poll } from '../../../core/wait.js';
import type { KubeClient } from '../../../kube/client.js';
import { standInCatalog } from '../../../mesh/apps/catalog.js';
import { AdsClient } from '../../../mesh/xds/ads-client.js';
import { xdsTypes } from '../../../mesh/xds/descriptors.js';
import { routerNode, sidecarNode } from '../../../mesh/xds/node-identity.js';
import { GATEWAY_SELECTOR, ISTIO_NAMESPACE } from '../../cluster/cluster-target.js';
import { KwokDataPlane, type PodIdentity } from './data-plane.js';
import { LOOPBACK } from '../ports.js';
import { forwardPod, restoreForwards, unforwardPod } from './port-forwards.js';

export interface ServeOptions {
  kube: KubeClient;
  istiodGrpcPort: number;
  /** The xDS descriptor set the build wrote. */
  descriptors: string;
  namespace: string;
  /** Seeds the proxies' and apps' random choices. */
  seed?: number;
  /** How often the pods are listed again. */
  intervalMs?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface Serving {
  dataPlane: KwokDataPlane;
  /** The last error of the background reconcile, if the latest one failed. */
  lastError(): Error | null;
  /** `offline`: the API server does not answer; nothing that needs it is waited for (KwokDataPlane.stop). */
  stop(o?: { offline?: boolean }): Promise<void>;
}

export async function serveDataPlane(o: ServeOptions): Promise<Serving> {
  const types = xdsTypes(o.descriptors);
  const dataPlane = new KwokDataPlane({
    kube: o.kube,
    // The local mesh's catalog: Bookinfo's images get Bookinfo's stand-ins, any other image the echo
    // app, so a plan's own Deployments run here as they do on the local target.
    catalog: standInCatalog,
    connect: (pod: PodIdentity, onUpdate: () => void) => {
      const node = pod.role === 'gateway' ? routerNode(pod) : sidecarNode(pod);
      const client = new AdsClient({
        address: `${LOOPBACK}:${o.istiodGrpcPort}`,
        node,
        types,
        onUpdate: () => onUpdate(),
        log: o.log ? (l: string) => o.log!(`${pod.pod}: ${l}`) : undefined,
      });
      return client;
    },
    forward: (pod, podPort, to) =>
      forwardPod(o.kube, {
        pod: pod.name,
        namespace: pod.namespace,
        ports: { [podPort]: { address: to.host, port: to.port } },
      }),
    unforward: (pod) => unforwardPod(o.kube, { pod: pod.name, namespace: pod.namespace }).then(() => undefined),
    restoreForwards: (pods) =>
      restoreForwards(
        o.kube,
        pods.map((p) => ({
          pod: p.pod.name,
          namespace: p.pod.namespace,
          ports: { [p.podPort]: { address: p.to.host, port: p.to.port } },
        })),
      ).then(() => undefined),
    appNamespaces: [o.namespace],
    seed: o.seed,
    gateway: { namespace: ISTIO_NAMESPACE, labelSelector: GATEWAY_SELECTOR },
    log: o.log,
  });
  try {
    await waitServing(dataPlane, o);
  } catch (err) {
    await dataPlane.stop().catch(() => undefined);
    throw err;
  }
  let lastError: Error | null = null;
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    // A tick while the last reconcile still runs is skipped, not queued.
    if (busy) return;
    busy = true;
    running = dataPlane
      .reconcile()
      .then(
        () => (lastError = null),
        (err: Error) => (lastError = err),
      )
      .finally(() => (busy = false));
  }, o.intervalMs ?? 500);
  timer.unref();
  return {
    dataPlane,
    lastError: () => lastError,
    stop: async (s = {}) => {
      clearInterval(timer);
      if (!s.offline) await running;
      await dataPlane.stop(s);
    },
  };
}

/** Until the gateway and the app pods (Bookinfo's, and any a plan left) are served and each proxy holds routes. */
async function waitServing(dataPlane: KwokDataPlane, o: ServeOptions): Promise<void> {
  await poll({
    what: 'the app pods and the ingress gateway to be served, each proxy configured by istiod',
    intervalMs: 300,
    timeoutMs: o.timeoutMs ?? 60_000,
    signal: o.signal,
    check: async () => {
      await dataPlane.reconcile();
      const proxies = dataPlane.proxies();
      const waiting = proxies.filter((p) => p.proxy.routes().length === 0).map((p) => p.key);
      const gateway = proxies.some((p) => p.identity.role === 'gateway');
      const apps = proxies.filter((p) => p.identity.role === 'sidecar').length;
      if (gateway && apps > 0 && waiting.length === 0) return { done: true, value: undefined };
      const skipped = [...dataPlane.skipped].map(([k, why]) => `${k} (${why})`);
      return {
        done: false,
        observed:
          `${apps} app pods served, gateway ${gateway ? 'served' : 'not served'}; without routes yet: ` +
          `${waiting.join(', ') || 'none'}${skipped.length ? `; not served: ${skipped.join(', ')}` : ''}`,
      };
    },
  }).catch((err) => {
    if (o.signal?.aborted) throw err;
    throw new EnvironmentError(`the kwok data plane did not come up: ${(err as Error).message}`, { cause: err });
  });
}
