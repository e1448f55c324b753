/**
 * The local rehearsal mesh (docs/architecture.md, Targets): the same manifests a cluster takes, run as loopback HTTP
 * servers behind proxies that route as Istio's Envoys do. It is a stand-in for rehearsal, not Istio.
 *
 * Every change to the objects is translated, as istiod would, into each proxy's route JSON and
 * clusters, and each proxy receives it after its own seeded delay — so settling is observable.
 */
import { realClock, type Clock } from '../core/clock.js';
import { unsimulated } from './unsimulated.js';
import { seededRandom, type Random } from '../core/random.js';
import type { KubeObject, LoadedObject } from '../kube/manifest.js';
import type { AppCatalog, OutboundRequest, OutboundResponse } from './app.js';
import type { RouteConfiguration } from './envoy/types.js';
import { Ingress } from './ingress.js';
import { meshIssues } from './mesh-issues.js';
import type { Pod } from './pod.js';
import { podName, templateHash } from './pod-names.js';
import { formatAccessLog } from './proxy/access-log.js';
import { MeshProxy, type ProxyIdentity } from './proxy/proxy.js';
import { SnapshotBuilder } from './proxy/snapshot.js';
import { Upstreams } from './proxy/upstreams.js';
import { ConfigStore, keyOf, type ApplyOutcome, type ObjectKey } from './store.js';
import { buildModel, type Endpoint, type MeshModel } from './translate/model.js';
import { proxyConfig } from './translate/proxy-config.js';
import { Workloads } from './workloads.js';
import { GatewayApiGateways } from './gateway-api-gateways.js';
import { withGatewayApiStatus } from './gateway-api-status.js';

export interface LocalMeshOptions {
  /** Stands in apps for images; Deployments with images it does not know are refused. */
  catalog: AppCatalog;
  /** Seeds pod names, routing draws, fault draws and propagation delays. Default 1. */
  seed?: number;
  /** How long each proxy takes to receive a change: uniform in [minMs, maxMs]. Default 50–600 ms. */
  propagationDelayMs?: { minMs: number; maxMs: number };
  /** Loopback port of the ingress gateway; 0 (default) picks a free one. */
  ingressPort?: number;
  /** The gateway listener port the ingress serves (route config `http.<port>`). Default 8080. */
  gatewayListenerPort?: number;
  /** Access log lines kept per proxy. */
  accessLogSize?: number;
  /** The clock config pushes travel on. Default the real one; tests step a manual one. */
  clock?: Clock;
}

export interface MeshPod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  deployment: string;
  address: string;
  ready: boolean;
}

export const GATEWAY_NAMESPACE = 'istio-system';
const GATEWAY_LABELS = { app: 'istio-ingressgateway', istio: 'ingressgateway' };

export class LocalMesh {
  readonly store: ConfigStore;
  readonly seed: number;
  private readonly random: Random;
  private readonly workloads: Workloads;
  private readonly upstreams = new Upstreams();
  private readonly snapshots = new SnapshotBuilder();
  private readonly delay: { minMs: number; maxMs: number };
  private readonly proxyRandom = new Map<string, Random>();
  private readonly gateway: MeshProxy;
  private readonly ingress: Ingress;
  private readonly gatewayApi: GatewayApiGateways;
  private readonly terminating = new Set<Pod>();
  private version = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private settleWaiters: (() => void)[] = [];
  /** Pods being stopped once no proxy sends to them any more. */
  private draining: Promise<void> = Promise.resolve();

  constructor(private readonly opts: LocalMeshOptions) {
    this.seed = opts.seed ?? 1;
    this.random = seededRandom(this.seed);
    this.delay = opts.propagationDelayMs ?? { minMs: 50, maxMs: 600 };
    if (this.delay.minMs < 0 || this.delay.maxMs < this.delay.minMs)
      throw new Error(`bad propagation delay range ${this.delay.minMs}–${this.delay.maxMs} ms`);
    this.store = new ConfigStore(opts.catalog, meshIssues);
    this.workloads = new Workloads(opts.catalog, this.seed, this.random.fork('workloads'));
    const gwName = podName(
      'istio-ingressgateway',
      templateHash(this.seed, 'istio-system/istio-ingressgateway', GATEWAY_LABELS),
      this.random.fork('gateway'),
      () => false,
    );
    this.gateway = this.newProxy(
      { pod: gwName, namespace: GATEWAY_NAMESPACE, labels: { ...GATEWAY_LABELS }, role: 'gateway' },
      this.model(),
    );
    this.ingress = new Ingress(this.gateway, opts.gatewayListenerPort ?? 8080, opts.ingressPort ?? 0);
    this.gatewayApi = new GatewayApiGateways(this.seed, this.random.fork('gateway-api'), (identity) =>
      this.newProxy(identity, this.model()),
    );
  }

  async start(): Promise<void> {
    await this.ingress.start();
  }

  /** Stops every server and timer. The objects stay in the store. */
  async stop(): Promise<void> {
    await this.queue.catch(() => undefined);
    for (const p of this.allProxies()) p.cancelPending();
    await this.ingress.stop();
    await this.gatewayApi.stop();
    await Promise.all([...this.workloads.pods.values(), ...this.terminating].map((p) => p.stop()));
    await this.upstreams.close();
    this.wakeSettled();
  }

  get ingressUrl(): string {
    return this.ingress.url;
  }

  /**
   * The loopback URL of a Gateway API Gateway's own gateway (its first HTTP listener); undefined when none is deployed.
   */
  gatewayUrl(namespace: string, name: string): string | undefined {
    return this.gatewayApi.url(namespace, name);
  }

  /** Applies a batch all-or-nothing; resolves once new pods listen and every proxy has the change scheduled. */
  apply(objects: LoadedObject[]): Promise<ApplyOutcome[]> {
    return this.serialise(async () => {
      const outcomes = this.store.apply(objects);
      if (outcomes.some((o) => o.action !== 'unchanged')) await this.sync();
      return outcomes.map((o, i) => {
        const notes = unsimulated(objects[i]!.object).map((n) => n.text);
        return notes.length ? { ...o, notes } : o;
      });
    });
  }

  delete(keys: ObjectKey[]): Promise<void> {
    return this.serialise(async () => {
      this.store.delete(keys);
      await this.sync();
    });
  }

  get(key: ObjectKey): KubeObject | null {
    const o = this.store.get(key);
    return o && this.withStatus(o);
  }

  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    return this.store.list(apiVersion, kind, namespace).map((o) => this.withStatus(o));
  }

  /** A Deployment read back carries a status like the cluster's, from its running pods. */
  private withStatus(o: KubeObject): KubeObject {
    if (o.kind === 'HTTPRoute' || o.kind === 'Gateway') return withGatewayApiStatus(o, this.store);
    if (o.kind !== 'Deployment') return o;
    const pods = this.workloads.podsOf(keyOf({ ...o, namespace: o.metadata.namespace, name: o.metadata.name }));
    const ready = pods.filter((p) => p.running).length;
    o.status = {
      observedGeneration: o.metadata.generation,
      replicas: pods.length,
      updatedReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      conditions: [{ type: 'Available', status: ready >= Number(o.spec?.replicas ?? 1) ? 'True' : 'False' }],
    };
    return o;
  }

  pods(namespace?: string): MeshPod[] {
    return [...this.workloads.pods.values()]
      .filter((p) => namespace === undefined || p.namespace === namespace)
      .map((p) => ({
        name: p.name,
        namespace: p.namespace,
        labels: { ...p.labels },
        deployment: p.deployment,
        address: p.address,
        ready: p.running,
      }));
  }

  /** Sidecars (of a namespace, or all) and the ingress gateway. */
  proxies(namespace?: string): ProxyIdentity[] {
    return this.allProxies()
      .filter((p) => p.identity.role === 'gateway' || namespace === undefined || p.identity.namespace === namespace)
      .map((p) => ({ ...p.identity, labels: { ...p.identity.labels } }));
  }

  /** What a proxy holds now, as `istioctl proxy-config routes <pod> -o json` prints it; null for an unknown pod. */
  proxyRoutes(pod: string): RouteConfiguration[] | null {
    return this.proxy(pod)?.routes() ?? null;
  }

  /** Config version a proxy holds, and the newest one pushed. */
  proxyVersion(pod: string): { holds: number; latest: number } | null {
    const p = this.proxy(pod);
    return p ? { holds: p.version, latest: this.version } : null;
  }

  /** Pushes still on their way to proxies. */
  get pendingPushes(): number {
    return this.allProxies().reduce((n, p) => n + p.pending, 0);
  }

  /** Resolves once the pods replaced or removed so far have stopped (after every proxy stopped sending to them). */
  whenDrained(): Promise<void> {
    return this.draining;
  }

  /** Resolves when every proxy holds the newest config. */
  whenSettled(): Promise<void> {
    if (this.pendingPushes === 0) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  /** An outbound call made through a pod's sidecar, exactly as the pod's app makes it. */
  async call(pod: string, req: OutboundRequest): Promise<OutboundResponse> {
    const p = this.workloads.pods.get(pod);
    if (!p) throw new Error(`no pod ${pod} in the local mesh`);
    return p.call(req);
  }

  /** Recent access log lines of one proxy (Envoy-like), oldest first. */
  accessLog(pod: string, limit?: number): string[] {
    return this.proxy(pod)?.engine.log.recent(limit).map(formatAccessLog) ?? [];
  }

  readonly faults = {
    /** The pod stops listening: connections are refused until startPod. */
    stopPod: async (name: string) => {
      const p = this.pod(name);
      await p.stop();
      this.upstreams.drop(p.address);
    },
    startPod: (name: string) => this.pod(name).start(),
    /** The pod answers 503 to this share of requests (before its app sees them). */
    failPod: (name: string, fraction = 1) => {
      this.pod(name).failFraction = fraction;
    },
    /** Adds `ms` before the pod's app sees each request. */
    slowPod: (name: string, ms: number) => {
      this.pod(name).slowMs = ms;
    },
    clearPod: (name: string) => {
      const p = this.pod(name);
      p.failFraction = 0;
      p.slowMs = 0;
    },
    /** The ingress refuses connections for `ms`; resolves once it refuses. */
    refuseIngress: (ms: number) => this.ingress.refuseFor(ms),
  };

  /** A JSON-able picture of the mesh for diagnostics. */
  state(): MeshState {
    return {
      seed: this.seed,
      configVersion: this.version,
      ingressUrl: this.ingressUrl,
      objects: this.store.all().map((o) => structuredClone(o.object)),
      pods: this.pods(),
      proxies: this.allProxies().map((p) => ({
        ...p.identity,
        holdsVersion: p.version,
        pendingPushes: p.pending,
        received: [...p.received],
        routes: p.routes(),
        clusters: [...p.current().clusters.values()].map((c) => ({
          name: c.name,
          endpoints: c.endpoints.map((e) => `${e.pod} ${e.address}`),
        })),
        accessLog: p.engine.log.recent().map(formatAccessLog),
      })),
    };
  }

  private pod(name: string): Pod {
    const p = this.workloads.pods.get(name);
    if (!p)
      throw new Error(
        `no pod ${name} in the local mesh (pods: ${[...this.workloads.pods.keys()].join(', ') || 'none'})`,
      );
    return p;
  }

  private proxy(pod: string): MeshProxy | undefined {
    if (pod === this.gateway.identity.pod) return this.gateway;
    return this.workloads.pods.get(pod)?.sidecar ?? this.gatewayApi.proxies().find((p) => p.identity.pod === pod);
  }

  private allProxies(): MeshProxy[] {
    return [this.gateway, ...this.gatewayApi.proxies(), ...[...this.workloads.pods.values()].map((p) => p.sidecar)];
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Reconciles pods, then pushes the new view to every proxy. */
  private async sync(): Promise<void> {
    const { added, removed } = await this.workloads.reconcile(this.store);
    this.version++;
    this.snapshots.reset();
    const model = this.model();
    for (const pod of added) {
      // A new proxy starts with the full current config, as an Envoy does when it connects to istiod.
      pod.sidecar = this.newProxy(
        { pod: pod.name, namespace: pod.namespace, labels: pod.labels, role: 'sidecar' },
        model,
      );
    }
    const gateways = await this.gatewayApi.reconcile(this.store);
    this.push(model, new Set([...added.map((p) => p.name), ...gateways.map((p) => p.identity.pod)]));
    // Terminating pods keep serving until every proxy has stopped sending to them.
    for (const p of removed) {
      this.terminating.add(p);
      p.sidecar.cancelPending();
    }
    if (removed.length) {
      const stopped = this.whenSettled().then(async () => {
        await Promise.all(removed.map((p) => p.stop()));
        for (const p of removed) {
          this.terminating.delete(p);
          this.upstreams.drop(p.address);
        }
      });
      this.draining = Promise.all([this.draining, stopped]).then(() => undefined);
    }
  }

  private model(): MeshModel {
    const endpoints: Endpoint[] = [...this.workloads.pods.values()].map((p) => ({
      pod: p.name,
      namespace: p.namespace,
      labels: p.labels,
      address: p.address,
    }));
    return buildModel(this.store, endpoints);
  }

  private push(model: MeshModel, skip: Set<string>): void {
    for (const proxy of this.allProxies()) {
      if (skip.has(proxy.identity.pod)) continue;
      const { snapshot, key } = this.snapshots.build(this.version, proxyConfig(model, proxy.identity));
      if (key === proxy.latestKey) continue;
      proxy.schedule(snapshot, key, this.delayFor(proxy.identity.pod), () => this.checkSettled());
    }
    this.checkSettled();
  }

  private newProxy(identity: ProxyIdentity, model: MeshModel): MeshProxy {
    const { snapshot, key } = this.snapshots.build(this.version, proxyConfig(model, identity));
    return new MeshProxy(identity, {
      random: this.random.fork(`proxy:${identity.pod}`),
      upstreams: this.upstreams,
      initial: snapshot,
      initialKey: key,
      accessLogSize: this.opts.accessLogSize,
      clock: this.opts.clock ?? realClock,
    });
  }

  private delayFor(pod: string): number {
    const { minMs, maxMs } = this.delay;
    if (maxMs <= 0) return 0;
    let r = this.proxyRandom.get(pod);
    if (!r) {
      r = this.random.fork(`push:${pod}`);
      this.proxyRandom.set(pod, r);
    }
    return minMs + r.next() * (maxMs - minMs);
  }

  private checkSettled(): void {
    if (this.pendingPushes === 0) this.wakeSettled();
  }

  private wakeSettled(): void {
    const waiters = this.settleWaiters;
    this.settleWaiters = [];
    for (const w of waiters) w();
  }
}

export interface MeshState {
  seed: number;
  configVersion: number;
  ingressUrl: string;
  objects: KubeObject[];
  pods: MeshPod[];
  proxies: (ProxyIdentity & {
    holdsVersion: number;
    pendingPushes: number;
    received: { version: number; at: number }[];
    routes: RouteConfiguration[];
    clusters: { name: string; endpoints: string[] }[];
    accessLog: string[];
  })[];
}
