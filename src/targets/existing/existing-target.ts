/**
 * The existing target: a cluster that already runs Istio (a staging cluster for a canary
 * rehearsal). meshproof connects through the given kubeconfig and context, deploys Bookinfo only
 * when asked, and reaches the ingress at the given URL or the one the gateway Service advertises.
 * Proxies are read through istioctl when it works; otherwise settling falls back to traffic.
 */
import { EnvironmentError } from '../../core/errors.js';
import { type CommandRunner, zxRunner } from '../../core/process.js';
import { Istioctl } from '../../istio/install/istioctl.js';
import { resolveVersions, type Versions } from '../../istio/install/versions.js';
import { listPods } from '../../kube/pods.js';
import type { TargetName, UpOptions, ProxyInfo } from '../target.js';
import { pinBookinfoImages } from '../cluster/bookinfo-images.js';
import { waitForHttpReady } from '../readiness.js';
import { ClusterTarget, DEFAULT_TIMEOUTS, ISTIO_NAMESPACE, type ClusterTimeouts } from '../cluster/cluster-target.js';
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

export class ExistingTarget extends ClusterTarget {
  readonly name: TargetName = 'existing';
  private url: string | undefined;
  private readonly versions: Versions;
  private readonly timeouts: ClusterTimeouts;

  constructor(readonly opts: ExistingTargetOptions = {}) {
    super(opts.runner ?? zxRunner);
    this.versions = resolveVersions(opts.versions);
    this.timeouts = { ...DEFAULT_TIMEOUTS, readinessMs: 60_000, ...opts.timeouts };
    if (opts.makeBeforeBreakMs !== undefined) this.makeBeforeBreakMs = opts.makeBeforeBreakMs;
    this.url = opts.ingressUrl?.replace(/\/+$/, '');
  }

  describe(): string {
    const ctx = this.kc?.getCurrentContext() ?? this.opts.context ?? contextOf(this.opts.kubeconfig) ?? 'no kubeconfig context';
    return `existing cluster (${ctx})`;
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
    await phase(status, 'connect to the cluster', async () => {
      this.connect(this.opts.kubeconfig, this.opts.context);
      return this.describe();
    }, (d) => d);
    await phase(status, 'check Istio', () => this.checkIstio(opts.namespace), (d) => d);
    this.istioctl = await this.findIstioctl();
    if (!this.istioctl) note(status, 'istioctl not usable: proxies will not be read, settling falls back to traffic');
    signal?.throwIfAborted();
    this.namespace = opts.namespace;
    if (this.opts.deployBookinfo) {
      await this.deployBase(pinBookinfoImages(opts.base, this.versions), opts.namespace, status, this.timeouts, signal);
    } else {
      await phase(status, `check Bookinfo in ${opts.namespace}`, () => this.checkBookinfo(opts.namespace), (d) => d);
    }
    const url = await phase(status, 'find the ingress', () => this.ingressUrl(), (u) => u);
    await phase(status, `HTTP readiness through ${url}`, () => this.waitForIngress(url, signal));
  }

  /** Readiness through the ingress; on a timeout, says which URL was tried and where it came from. */
  private async waitForIngress(url: string, signal: AbortSignal | undefined): Promise<void> {
    try {
      await waitForHttpReady(url, { timeoutMs: this.timeouts.readinessMs, ...(signal ? { signal } : {}) });
    } catch (err) {
      if (!(err instanceof EnvironmentError)) throw err;
      const given = this.opts.ingressUrl !== undefined;
      throw new EnvironmentError(`Bookinfo did not answer through the ingress at ${url} (${given ? 'given by --ingress-url: check the flag' : 'discovered from the istio-ingressgateway Service'}): ${err.message}`, {
        cause: err,
        hint: given
          ? `check --ingress-url: it must reach the ingress gateway from this machine (for example http://127.0.0.1:8080 after \`kubectl port-forward -n istio-system svc/istio-ingressgateway 8080:80\`)`
          : 'the discovered address may not be reachable from this machine: pass --ingress-url (for example after `kubectl port-forward -n istio-system svc/istio-ingressgateway 8080:80`)',
      });
    }
  }

  /** Only what this process deployed could be told apart from the cluster's own objects: nothing is deleted. */
  async down(): Promise<void> {
    /* an existing cluster is not meshproof's to delete */
  }

  override async proxyRoutes(proxy: ProxyInfo): Promise<unknown[] | null> {
    if (!this.istioctl) return null;
    try {
      return await this.istioctl.proxyRoutes(proxy.pod, proxy.namespace);
    } catch (err) {
      // Without the right to exec into proxies the routes are unreadable; settle by traffic instead.
      if (/forbidden|unauthorized/i.test((err as Error).message)) return null;
      throw err;
    }
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
          return `istiod ${/:([^:@/]+)(?:@.*)?$/.exec(image)?.[1] ?? 'unknown version'} in ${istiod.metadata.namespace}`;
        }
        looked = true;
      } catch (err) {
        if (!(err instanceof KubeApiError && err.status === 403)) throw err;
      }
    }
    if (looked) throw new EnvironmentError('this cluster does not run Istio (no Deployment labelled app=istiod)', { hint: 'install Istio first, or use --target kind' });
    try {
      await this.kube.list('networking.istio.io/v1', 'VirtualService', namespace);
    } catch (err) {
      throw new EnvironmentError(`this cluster does not run Istio: no Deployment labelled app=istiod is visible and VirtualServices cannot be listed in ${namespace}: ${(err as Error).message}`, {
        cause: err,
        hint: 'install Istio first, or use --target kind',
      });
    }
    return `Istio's APIs are served in ${namespace} (istiod itself is not visible to this user)`;
  }

  private async checkBookinfo(namespace: string): Promise<string> {
    const pods = await listPods(this.kube, namespace, 'app=productpage');
    if (!pods.length) {
      throw new EnvironmentError(`no productpage pod in namespace ${namespace}: Bookinfo is not deployed there`, { hint: "pass --deploy-bookinfo, or set the plan's `namespace:` to the namespace Bookinfo runs in" });
    }
    return `${pods.length} productpage pod(s)`;
  }

  private async findIstioctl(): Promise<Istioctl | null> {
    const binary = this.opts.istioctlPath ?? 'istioctl';
    const r = await this.runner.run(binary, ['version', '--remote=false'], { timeoutMs: 10_000 });
    if (r.exitCode !== 0) return null;
    return new Istioctl({ binary, runner: this.runner, ...(this.opts.kubeconfig ? { kubeconfig: this.opts.kubeconfig } : {}), ...(this.opts.context ? { context: this.opts.context } : {}) });
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
