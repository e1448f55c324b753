/**
 * The kwok target's data plane. KWOK fakes pods (Running, Ready, an IP, nothing inside); for every
 * app pod with a sidecar and the ingress gateway pod the API server lists, this starts what would
 * run in it: the image's stand-in app from the catalog (the local mesh's: Bookinfo's apps for
 * Bookinfo's images, the echo app for any other) on a loopback port, and a proxy that is an xDS
 * client of the real istiod and routes only with what istiod sent it. Each proxy's admin endpoint is
 * forwarded from the pod's port 15000 through KWOK, so the real istioctl reads it as on a cluster.
 *
 * The pod network is simulated: istiod names endpoints by pod IP (from the EndpointSlices), and
 * `resolve` maps a pod IP to the loopback address of the stand-in serving that pod.
 */
import type { KubeClient } from '../../../kube/client.js';
import type { KubeObject } from '../../../kube/manifest.js';
import { SIDECAR_NAME } from '../../../kube/pods.js';
import type { AppCatalog } from '../../../mesh/app.js';
import { Ingress } from '../../../mesh/ingress.js';
import { Pod } from '../../../mesh/pod.js';
import { Upstreams } from '../../../mesh/proxy/upstreams.js';
import type { Endpoint } from '../../../mesh/translate/model.js';
import { AdminServer } from '../../../mesh/xds-proxy/admin-server.js';
import { XdsProxy, type XdsFeed } from '../../../mesh/xds-proxy/xds-proxy.js';
import { seededRandom, type Random } from '../../../core/random.js';
import type { ProxyIdentity } from '../../../mesh/proxy/proxy.js';

export const ADMIN_PORT = 15000;
const GATEWAY_LISTENER_PORT = 8080;

/** What a node identity needs to know about the pod it stands for. */
export interface PodIdentity {
  ip: string;
  pod: string;
  namespace: string;
  labels: Record<string, string>;
  serviceAccount: string;
  role: 'sidecar' | 'gateway';
}

export interface DataPlaneOptions {
  kube: KubeClient;
  catalog: AppCatalog;
  /** Opens one proxy's xDS feed to istiod. */
  connect: (pod: PodIdentity, onUpdate: () => void) => XdsFeed & { node: object };
  /** Forwards a pod's port to a local address through KWOK (and removes the forward). */
  forward: (
    pod: { name: string; namespace: string },
    podPort: number,
    to: { host: string; port: number },
  ) => Promise<void>;
  unforward: (pod: { name: string; namespace: string }) => Promise<void>;
  /**
   * Optional. Writes again the forwards of served pods that are gone or were written by a process
   * that no longer runs (another data plane that served the same pods and ended); called every few
   * reconciles.
   */
  restoreForwards?: (
    pods: { pod: { name: string; namespace: string }; podPort: number; to: { host: string; port: number } }[],
  ) => Promise<void>;
  /** Namespaces whose pods with a sidecar get a stand-in and a proxy. */
  appNamespaces: string[];
  gateway: { namespace: string; labelSelector: string };
  /** Port on 127.0.0.1 the ingress gateway serves on; 0 picks one. */
  ingressPort?: number;
  seed?: number;
  log?: (line: string) => void;
}

interface Served {
  uid: string;
  identity: PodIdentity;
  proxy: XdsProxy;
  admin: AdminServer;
  app?: Pod<XdsProxy>;
  /** Which stand-in the app is and the image it stands in for, as said in the diagnostics. */
  standIn?: string;
  ingress?: Ingress;
  /** The app container's declared ports: the stand-in answers on each. */
  ports: number[];
}

export class KwokDataPlane {
  private readonly served = new Map<string, Served>();
  private readonly upstreams = new Upstreams();
  private readonly random: Random;
  /** Pods the catalog has no stand-in for, with why; reported, never served. */
  readonly skipped = new Map<string, string>();
  private ingressUrlValue: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** Gateway API gateways' URLs, by `<namespace>/<Gateway name>`. */
  private readonly gatewayUrls = new Map<string, string>();
  /** Pods served so far by stream key base (see streamKey). */
  private readonly streams = new Map<string, number>();
  /** Reconciles since the forwards were last checked. */
  private sinceForwardsChecked = 0;

  constructor(private readonly o: DataPlaneOptions) {
    this.random = seededRandom(o.seed ?? 1);
  }

  get ingressUrl(): string | null {
    return this.ingressUrlValue;
  }

  /** Where the gateway Istio deployed for a Gateway API Gateway serves, once its pod is served. */
  gatewayUrl(namespace: string, name: string): string | null {
    return this.gatewayUrls.get(`${namespace}/${name}`) ?? null;
  }

  /** Pods served now, by `<namespace>/<name>`; `app` where the pod runs a stand-in (the gateway runs none). */
  proxies(): { key: string; identity: PodIdentity; proxy: XdsProxy; app?: { standIn: string; address: string } }[] {
    return [...this.served].map(([key, s]) => ({
      key,
      identity: s.identity,
      proxy: s.proxy,
      app: s.app ? { standIn: s.standIn ?? 'stand-in', address: s.app.address } : undefined,
    }));
  }

  /**
   * Lists the pods once and brings what is served in line with them. Calls run one at a time: two
   * at once would both start a pod that is slow to start, and the one left behind would never stop.
   */
  reconcile(): Promise<{ started: string[]; stopped: string[] }> {
    const run = this.queue.then(() => this.reconcileOnce());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reconcileOnce(): Promise<{ started: string[]; stopped: string[] }> {
    if (this.stopped) return { started: [], stopped: [] };
    const [apps, gateways] = await Promise.all([
      Promise.all(this.o.appNamespaces.map((ns) => this.o.kube.list('v1', 'Pod', ns))),
      this.o.kube.list('v1', 'Pod', this.o.gateway.namespace, { labelSelector: this.o.gateway.labelSelector }),
    ]);
    const want = new Map<string, { pod: KubeObject; role: 'sidecar' | 'gateway' }>();
    // A Gateway API gateway's pod (deployed by istiod for the Gateway) is a gateway, not a sidecar.
    for (const list of apps)
      for (const p of list.items)
        if (servable(p) && hasIstioProxy(p))
          want.set(keyOf(p), { pod: p, role: gatewayApiName(p) ? 'gateway' : 'sidecar' });
    for (const p of gateways.items) if (servable(p)) want.set(keyOf(p), { pod: p, role: 'gateway' });
    const stopped: string[] = [];
    for (const [key, s] of this.served) {
      const w = want.get(key);
      if (w && String(w.pod.metadata.uid ?? '') === s.uid) continue;
      await this.stopOne(key, s);
      stopped.push(key);
    }
    const started: string[] = [];
    for (const [key, { pod, role }] of want) {
      if (this.served.has(key) || this.skipped.has(key)) continue;
      const s = await this.startOne(pod, role);
      if (s) {
        this.served.set(key, s);
        started.push(key);
      }
    }
    if (started.length || stopped.length) for (const s of this.served.values()) s.proxy.rebuild();
    await this.checkForwards();
    return { started, stopped };
  }

  /** Every fourth reconcile: the served pods' admin forwards, written again where another process's are gone. */
  private async checkForwards(): Promise<void> {
    if (!this.o.restoreForwards || ++this.sinceForwardsChecked < 4) return;
    this.sinceForwardsChecked = 0;
    await this.o.restoreForwards(
      [...this.served.values()].map((s) => ({
        pod: { name: s.identity.pod, namespace: s.identity.namespace },
        podPort: ADMIN_PORT,
        to: s.admin.address,
      })),
    );
  }

  /** The port of the Gateway's first HTTP listener: istiod names that listener's routes `http.<port>`. */
  private async gatewayListenerPort(namespace: string, name: string): Promise<number> {
    const gw = await this.o.kube.get({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name, namespace });
    const listener = ((gw?.spec?.listeners ?? []) as { port: number; protocol: string }[]).find(
      (l) => l.protocol === 'HTTP',
    );
    return listener?.port ?? 80;
  }

  /**
   * Stops every pod's processes, after any reconcile under way. `offline`: the API server does not
   * answer (the control plane broke), so neither a reconcile waiting on it nor the port-forwards'
   * removal is waited for: each would wait for the API's own timeout, pod after pod.
   */
  async stop(o: { offline?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (!o.offline) await this.queue;
    for (const [key, s] of [...this.served]) await this.stopOne(key, s, o.offline ?? false);
    await this.upstreams.close();
  }

  /**
   * A pod's random streams: its stable name (podStreamName), and how many pods of that name this data plane served
   * before it.
   */
  private streamKey(pod: KubeObject): string {
    const base = podStreamName(pod);
    const n = this.streams.get(base) ?? 0;
    this.streams.set(base, n + 1);
    return `${base}#${n}`;
  }

  /** The pod network: a pod IP and port to the stand-in listening for that pod. */
  private resolve = (ip: string, port: number): Endpoint | null => {
    for (const s of this.served.values()) {
      if (s.identity.ip !== ip || !s.app) continue;
      // A port the pod's container does not declare has nothing listening behind it.
      if (!s.ports.includes(port)) return null;
      return {
        pod: s.identity.pod,
        namespace: s.identity.namespace,
        labels: s.identity.labels,
        address: s.app.address,
      };
    }
    return null;
  };

  private async startOne(pod: KubeObject, role: 'sidecar' | 'gateway'): Promise<Served | null> {
    const identity: PodIdentity = {
      ip: String(status(pod).podIP),
      pod: pod.metadata.name,
      namespace: pod.metadata.namespace ?? 'default',
      labels: { ...(pod.metadata.labels ?? {}) },
      serviceAccount: String(pod.spec?.serviceAccountName ?? 'default'),
      role,
    };
    let app: Pod<XdsProxy> | undefined;
    let standIn: string | undefined;
    const stream = this.streamKey(pod);
    const container = (pod.spec?.containers ?? []).find((c: { name: string }) => c.name !== SIDECAR_NAME);
    const ports = ((container?.ports ?? []) as { containerPort: number }[]).map((p) => Number(p.containerPort));
    if (role === 'sidecar') {
      const found = container ? this.o.catalog.lookup(String(container.image)) : null;
      if (!found) {
        this.skipped.set(keyOf(pod), `no stand-in for image ${container?.image ?? '(none)'}`);
        this.o.log?.(`not serving ${keyOf(pod)}: no stand-in for image ${container?.image ?? '(none)'}`);
        return null;
      }
      const env: Record<string, string> = { ...found.env, HOSTNAME: identity.pod };
      for (const e of container.env ?? [])
        if (typeof e?.name === 'string' && e.value !== undefined) env[e.name] = String(e.value);
      app = new Pod<XdsProxy>({
        name: identity.pod,
        namespace: identity.namespace,
        deployment: identity.labels.app ?? identity.pod,
        labels: identity.labels,
        env,
        factory: found.factory,
        random: this.random.fork(`pod-fault:${stream}`),
      });
      standIn = `${found.name ?? 'stand-in'} for image ${String(container.image)}`;
    }
    let feed: (XdsFeed & { node: object }) | undefined;
    const proxyIdentity: ProxyIdentity = {
      pod: identity.pod,
      namespace: identity.namespace,
      labels: identity.labels,
      role,
    };
    const proxy = new XdsProxy(proxyIdentity, {
      connect: (onUpdate) => (feed = this.o.connect(identity, onUpdate)),
      resolve: this.resolve,
      random: this.random.fork(`proxy:${stream}`),
      upstreams: this.upstreams,
    });
    const admin = new AdminServer({ node: feed!.node, resources: () => proxy.resources() });
    const s: Served = { uid: String(pod.metadata.uid ?? ''), identity, proxy, admin, ports, app, standIn };
    if (app) {
      app.sidecar = proxy;
      await app.start();
    } else {
      const gateway = gatewayApiName(pod);
      s.ingress = new Ingress(
        proxy,
        gateway ? await this.gatewayListenerPort(identity.namespace, gateway) : GATEWAY_LISTENER_PORT,
        gateway ? 0 : (this.o.ingressPort ?? 0),
      );
      await s.ingress.start();
      if (gateway) this.gatewayUrls.set(`${identity.namespace}/${gateway}`, s.ingress.url);
      else this.ingressUrlValue = s.ingress.url;
    }
    await admin.start();
    await this.o.forward({ name: identity.pod, namespace: identity.namespace }, ADMIN_PORT, admin.address);
    proxy.start();
    return s;
  }

  private async stopOne(key: string, s: Served, offline = false): Promise<void> {
    this.served.delete(key);
    await s.proxy.close();
    await s.app?.stop();
    await s.ingress?.stop();
    await s.admin.stop();
    if (!offline)
      await this.o.unforward({ name: s.identity.pod, namespace: s.identity.namespace }).catch(() => undefined);
    this.upstreams.drop(s.app?.address ?? '');
    if (s.ingress && this.ingressUrlValue === s.ingress.url) this.ingressUrlValue = null;
    for (const [k, url] of this.gatewayUrls) if (url === s.ingress?.url) this.gatewayUrls.delete(k);
  }
}

function keyOf(p: KubeObject): string {
  return `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
}

/** Running with an IP and not being deleted: what a kubelet would be running. */
function servable(p: KubeObject): boolean {
  const st = status(p);
  return st.phase === 'Running' && typeof st.podIP === 'string' && !p.metadata.deletionTimestamp;
}

function status(p: KubeObject): { phase?: string; podIP?: string } {
  return (p.status ?? {}) as { phase?: string; podIP?: string };
}

/** The Gateway API Gateway a pod serves, by the label istiod's gateway deployment puts on it. */
function gatewayApiName(p: KubeObject): string | undefined {
  return p.metadata.labels?.['gateway.networking.k8s.io/gateway-name'];
}

function hasIstioProxy(p: KubeObject): boolean {
  const all = [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])] as { name: string }[];
  return all.some((c) => c.name === SIDECAR_NAME);
}

/**
 * What a seed can reproduce of a pod's name: without the ReplicaSet hash and random suffix the
 * controllers chose (default/reviews-v1-7747d95d85-tl7hw → default/reviews-v1).
 */
export function podStreamName(pod: KubeObject): string {
  const hash = pod.metadata.labels?.['pod-template-hash'];
  const generateName = typeof pod.metadata.generateName === 'string' ? pod.metadata.generateName : '';
  const stable = generateName.replace(hash ? new RegExp(`-?${hash}-$`) : /-$/, '');
  return `${pod.metadata.namespace ?? 'default'}/${stable || pod.metadata.name}`;
}
