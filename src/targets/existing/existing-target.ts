/**
 * The existing target: a cluster that already runs Istio (a staging cluster for a canary
 * rehearsal). meshproof connects through the given kubeconfig and context, deploys Bookinfo only
 * when asked, and reaches the ingress at the given URL or the one the gateway Service advertises.
 * Proxies are read through istioctl when it works; otherwise settling falls back to traffic.
 */
import { EnvironmentError } from '../../core/errors.js';
import { hostScopes } from '../../core/address-scope.js';
import { type CommandRunner, zxRunner } from '../../core/process.js';
import { resolveVersions, type Versions } from '../../istio/install/versions.js';
import { listPods } from '../../kube/pods.js';
import type {
  ApplyOutcome,
  LeaseKey,
  ObjectKey,
  ProxyInfo,
  Target,
  TargetName,
  TargetTraits,
  UpEmit,
  UpOptions,
} from '../target.js';
import type { KubeObject, LoadedObject } from '../../kube/manifest.js';
import type { KubeClient } from '../../kube/client.js';
import { pinBookinfoImages } from '../cluster/bookinfo-images.js';
import { readinessPaths, waitForHttpReady } from '../readiness.js';
import {
  applyObjects,
  CLUSTER_TRAITS,
  DEFAULT_INGRESS_SERVICE,
  DEFAULT_MAKE_BEFORE_BREAK_MS,
  DEFAULT_TIMEOUTS,
  ISTIO_NAMESPACE,
  listProxies,
  readProxyRoutes,
  readUpstreamErrors,
  type ClusterTimeouts,
  type ServiceRef,
} from '../cluster/cluster-target.js';
import { connectCluster, connected, notConnectedError, type ClusterConnection } from '../cluster/connection.js';
import { deployBase } from '../cluster/deploy-base.js';
import { writeClusterDiagnostics } from '../cluster/cluster-diagnostics.js';
import { clusterHealth } from '../cluster/health.js';
import type { DiagnosticPart } from '../diagnostics.js';
import { KubeApiError } from '../../kube/api-error.js';
import { loadKubeConfig } from '../../kube/kubeconfig.js';
import { discoverIngress } from './ingress.js';
import { note, phase, silent } from '../phase.js';

export interface ExistingTargetOptions {
  /** kubeconfig path; default $KUBECONFIG or ~/.kube/config (read only). */
  kubeconfig?: string;
  context?: string;
  /** Base URL of the ingress gateway; discovered from the istio-ingressgateway Service when absent. */
  ingressUrl?: string;
  /** Deploy Bookinfo (and the gateway and destination rules) from `base`; default: expect it there. */
  deployBookinfo?: boolean;
  /** istioctl to read proxies with; default `istioctl` on PATH. Without a working one, proxies are not read. */
  istioctlPath?: string;
  /** Image pins used when deploying Bookinfo. */
  versions?: Partial<Versions>;
  timeouts?: Partial<ClusterTimeouts>;
  makeBeforeBreakMs?: number;
  runner?: CommandRunner;
}

export class ExistingTarget implements Target {
  readonly name: TargetName = 'existing';
  readonly traits: TargetTraits = CLUSTER_TRAITS;
  private url: string | undefined;
  /** The Service whose endpoints are the gateway pods to settle: the one the ingress was discovered from. */
  private ingressService: ServiceRef = DEFAULT_INGRESS_SERVICE;
  private readonly versions: Versions;
  private readonly timeouts: ClusterTimeouts;
  private readonly runner: CommandRunner;
  private readonly makeBeforeBreakMs: number;
  /** The cluster `up` connected to: kubeconfig, API client and istioctl (when usable), built once per `up`. */
  private connection: ClusterConnection | null = null;

  constructor(readonly opts: ExistingTargetOptions = {}) {
    this.runner = opts.runner ?? zxRunner;
    this.versions = resolveVersions(opts.versions);
    this.timeouts = { ...DEFAULT_TIMEOUTS, readinessMs: 60_000, ...opts.timeouts };
    this.makeBeforeBreakMs = opts.makeBeforeBreakMs ?? DEFAULT_MAKE_BEFORE_BREAK_MS;
    this.url = opts.ingressUrl?.replace(/\/+$/, '');
  }

  describe(): string {
    const ctx =
      this.connection?.kubeConfig.getCurrentContext() ??
      this.opts.context ??
      contextOf(this.opts.kubeconfig) ??
      'no kubeconfig context';
    return `existing cluster (${ctx})`;
  }

  /**
   * The cluster by its API server's URL, as the kubeconfig and context name it: two contexts on
   * one server are one cluster. null when the kubeconfig does not load (`up` then says why).
   */
  leaseKey(): LeaseKey | null {
    try {
      const kc = loadKubeConfig({ kubeconfig: this.opts.kubeconfig, context: this.opts.context });
      const server = kc.getCurrentCluster()?.server;
      if (!server) return null;
      return {
        id: `server:${server.replace(/\/+$/, '')}`,
        cluster: `the cluster at ${server} (context ${kc.getCurrentContext()})`,
      };
    } catch {
      return null;
    }
  }

  async ingressUrl(): Promise<string> {
    if (!this.url) {
      // The Service found is the one whose endpoints name the gateway pods to settle.
      const found = await discoverIngress(this.kube);
      this.url = found.url;
      this.ingressService = found.service;
    }
    return this.url;
  }

  async up(opts: UpOptions): Promise<void> {
    const status = opts.emit ?? silent;
    const signal = opts.signal;
    if (this.opts.ingressUrl !== undefined) await this.warnOffPrivate(this.opts.ingressUrl, status);
    await phase(
      status,
      'connect to the cluster',
      async () => {
        const { kubeconfig, context } = this.opts;
        this.connection = connectCluster({
          kubeconfig,
          context,
          namespace: opts.namespace,
          istioctl: await this.usableIstioctl(),
          runner: this.runner,
        });
        return this.describe();
      },
      (d) => d,
    );
    await phase(
      status,
      'check Istio',
      () => this.checkIstio(opts.namespace),
      (d) => d,
    );
    if (!this.connected().istioctl)
      note(status, 'istioctl not usable: proxies will not be read, settling falls back to traffic');
    signal?.throwIfAborted();
    // Bookinfo already running and unchanged: only the page is waited for (readiness.ts, readinessPaths).
    let deploymentsChanged = false;
    if (this.opts.deployBookinfo) {
      const base = pinBookinfoImages(opts.base, this.versions);
      ({ deploymentsChanged } = await deployBase(
        this.connected(),
        { base, apply: (objects, o) => this.apply(objects, o), timeouts: this.timeouts },
        status,
        signal,
      ));
    } else {
      await phase(
        status,
        `check Bookinfo in ${opts.namespace}`,
        () => this.checkBookinfo(opts.namespace),
        (d) => d,
      );
    }
    const url = await phase(
      status,
      'find the ingress',
      () => this.ingressUrl(),
      (u) => u,
    );
    await phase(status, `HTTP readiness through ${url}`, () =>
      this.waitForIngress(url, readinessPaths(deploymentsChanged), signal),
    );
  }

  /**
   * An ingress given by --ingress-url is usually a port-forward on this machine or a load balancer
   * on a private network. One that points anywhere else (a public address, a link-local one where
   * cloud metadata services answer) gets every request of the run: said before any is sent.
   */
  private async warnOffPrivate(url: string, status: UpEmit): Promise<void> {
    const host = new URL(url).hostname;
    for (const { address, scope } of await hostScopes(host)) {
      if (scope === 'loopback' || scope === 'private') continue;
      const what =
        scope === 'link-local'
          ? 'a link-local address (where cloud metadata services answer)'
          : scope === 'unspecified'
            ? 'an unspecified address'
            : 'an address outside the loopback and private ranges';
      note(
        status,
        `--ingress-url ${url} points at ${address}${address === host ? '' : ` (${host})`}, ${what}: ` +
          'every request of the run goes there; check that it is the ingress gateway',
        'warn',
      );
    }
  }

  /** Readiness through the ingress; on a timeout, says which URL was tried and where it came from. */
  private async waitForIngress(url: string, paths: readonly string[], signal: AbortSignal | undefined): Promise<void> {
    try {
      await waitForHttpReady(url, { timeoutMs: this.timeouts.readinessMs, paths, signal });
    } catch (err) {
      if (!(err instanceof EnvironmentError)) throw err;
      const given = this.opts.ingressUrl !== undefined;
      const how = given ? 'given by --ingress-url: check the flag' : 'discovered from the istio-ingressgateway Service';
      throw new EnvironmentError(`Bookinfo did not answer through the ingress at ${url} (${how}): ${err.message}`, {
        cause: err,
        hint: given
          ? 'check --ingress-url: it must reach the ingress gateway from this machine ' +
            '(for example http://127.0.0.1:8080 after ' +
            '`kubectl port-forward -n istio-system svc/istio-ingressgateway 8080:80`)'
          : 'the discovered address may not be reachable from this machine: pass --ingress-url ' +
            '(for example after `kubectl port-forward -n istio-system svc/istio-ingressgateway 8080:80`)',
      });
    }
  }

  /** Only what this process deployed could be told apart from the cluster's own objects: nothing is deleted. */
  async down(): Promise<void> {
    /* an existing cluster is not meshproof's to delete */
  }

  async apply(objects: LoadedObject[], opts: { signal?: AbortSignal } = {}): Promise<ApplyOutcome[]> {
    return applyObjects(this.connected(), objects, { makeBeforeBreakMs: this.makeBeforeBreakMs, ...opts });
  }

  async get(key: ObjectKey): Promise<KubeObject | null> {
    return this.kube.get(key);
  }

  /** The app pods' sidecars, and the gateway pods behind the ingress Service (the one discovered, if it was). */
  async proxies(namespace: string): Promise<ProxyInfo[]> {
    return listProxies(this.connected(), namespace, this.ingressService);
  }

  /** The API server answers and istiod has a Ready pod (cluster/health.ts). */
  async health(): Promise<string | null> {
    return clusterHealth(this.connection);
  }

  async proxyRoutes(proxy: ProxyInfo): Promise<unknown[] | null> {
    try {
      return await readProxyRoutes(this.connection, proxy);
    } catch (err) {
      // Without the right to exec into proxies the routes are unreadable; settle by traffic instead.
      if (/forbidden|unauthorized/i.test((err as Error).message)) return null;
      throw err;
    }
  }

  /** From the proxies' access logs; null where the mesh does not log access. */
  async upstreamErrors(namespace: string, sinceMs: number): Promise<Record<string, number> | null> {
    return readUpstreamErrors(this.connected(), namespace, sinceMs);
  }

  /**
   * What the cluster shows; before `up` connected, only why not (this target does not reconnect in a later process).
   */
  async diagnostics(dir: string): Promise<string[]> {
    const whyNot: DiagnosticPart = { file: 'cluster', collect: () => Promise.reject(notConnectedError(this.name)) };
    return writeClusterDiagnostics(dir, this.connection, (cluster) => (cluster ? [] : [whyNot]));
  }

  async close(): Promise<void> {
    /* nothing held open: watches end with each wait */
  }

  /**
   * Istio runs when istiod does: looked for in istio-system first (a user limited to some
   * namespaces may read that one), then cluster-wide. A user who may read neither still passes
   * when the cluster serves Istio's APIs to them, since that is all a run needs.
   */
  private async checkIstio(namespace: string): Promise<string> {
    let looked = false;
    for (const ns of [ISTIO_NAMESPACE, undefined]) {
      try {
        const istiod = (await this.kube.list('apps/v1', 'Deployment', ns, { labelSelector: 'app=istiod' })).items[0];
        if (istiod) {
          const image: string = istiod.spec?.template?.spec?.containers?.[0]?.image ?? '';
          const version = /:([^:@/]+)(?:@.*)?$/.exec(image)?.[1] ?? 'unknown version';
          return `istiod ${version} in ${istiod.metadata.namespace}`;
        }
        looked = true;
      } catch (err) {
        if (!(err instanceof KubeApiError && err.status === 403)) throw err;
      }
    }
    if (looked)
      throw new EnvironmentError('this cluster does not run Istio (no Deployment labelled app=istiod)', {
        hint: 'install Istio first, or use --target kind',
      });
    try {
      await this.kube.list('networking.istio.io/v1', 'VirtualService', namespace);
    } catch (err) {
      throw new EnvironmentError(
        'this cluster does not run Istio: no Deployment labelled app=istiod is visible and VirtualServices ' +
          `cannot be listed in ${namespace}: ${(err as Error).message}`,
        {
          cause: err,
          hint: 'install Istio first, or use --target kind',
        },
      );
    }
    return `Istio's APIs are served in ${namespace} (istiod itself is not visible to this user)`;
  }

  private async checkBookinfo(namespace: string): Promise<string> {
    let pods;
    try {
      pods = await listPods(this.kube, namespace, 'app=productpage');
    } catch (err) {
      // A user that may not list pods (`meshproof serve` in a cluster reads only the controllers' objects, deploy/):
      // the ingress readiness check that follows still says whether Bookinfo answers.
      if (err instanceof KubeApiError && err.status === 403)
        return `Bookinfo's pods in ${namespace} are not visible to this user: its pages through the ingress decide`;
      throw err;
    }
    if (!pods.length) {
      throw new EnvironmentError(`no productpage pod in namespace ${namespace}: Bookinfo is not deployed there`, {
        hint: "pass --deploy-bookinfo, or set the plan's `namespace:` to the namespace Bookinfo runs in",
      });
    }
    return `${pods.length} productpage pod(s)`;
  }

  /** The istioctl to read proxies with, if it runs here; null otherwise. */
  private async usableIstioctl(): Promise<string | null> {
    const binary = this.opts.istioctlPath ?? 'istioctl';
    const r = await this.runner.run(binary, ['version', '--remote=false'], { timeoutMs: 10_000 });
    return r.exitCode === 0 ? binary : null;
  }

  private connected(): ClusterConnection {
    return connected(this.connection, this.name);
  }

  private get kube(): KubeClient {
    return this.connected().kube;
  }
}

/** The current context a kubeconfig file names, read without connecting; undefined when it cannot be read. */
function contextOf(kubeconfig: string | undefined): string | undefined {
  try {
    return loadKubeConfig(kubeconfig ? { kubeconfig } : {}).getCurrentContext() || undefined;
  } catch {
    return undefined;
  }
}
