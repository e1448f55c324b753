/**
 * The `local` target: the embedded rehearsal mesh on loopback. The same manifests as a cluster,
 * run as local HTTP servers behind proxies that route by Istio's semantics — a stand-in for
 * rehearsing plans, never presented as Istio. Proxy state is readable, so settling is decided from
 * what each proxy holds, as on a cluster.
 */
import { EnvironmentError, wrap } from '../../core/errors.js';
import { poll } from '../../core/wait.js';
import type { KubeObject, LoadedObject } from '../../kube/manifest.js';
import type { AppCatalog } from '../../mesh/app.js';
import { standInCatalog } from '../../mesh/apps/catalog.js';
import { LocalMesh } from '../../mesh/local-mesh.js';
import { phase, silent } from '../phase.js';
import type {
  ApplyOutcome,
  LeaseKey,
  ObjectKey,
  ProxyInfo,
  Target,
  TargetName,
  TargetTraits,
  UpOptions,
} from '../target.js';
import { writeLocalDiagnostics } from './diagnostics.js';
import { upstreamErrorsFromLogs } from '../upstream-errors.js';
import { httpStatus } from '../readiness.js';

export interface LocalTargetOptions {
  /** Seeds pod names, routing draws and propagation delays. Default 1. */
  seed?: number;
  /** Per-proxy delay before a change arrives, uniform in the range. Default 50–600 ms. */
  propagationDelayMs?: { minMs: number; maxMs: number };
  /** Stand-ins for images. Default: the Bookinfo stand-ins. */
  catalog?: AppCatalog;
  /** Loopback port for the ingress gateway; 0 (default) picks a free one. */
  ingressPort?: number;
  /** How long `up` waits for pods and the ingress to answer. Default 10 s. */
  readyTimeoutMs?: number;
  /** Access log lines each proxy keeps, for upstreamErrors and diagnostics. Default 5000. */
  accessLogSize?: number;
}

export class LocalTarget implements Target {
  readonly name: TargetName = 'local';
  readonly traits: TargetTraits = { lifetime: 'process', servesWhile: 'process', settlePollMs: 20 };
  private current: LocalMesh | null = null;

  constructor(readonly opts: LocalTargetOptions = {}) {}

  describe(): string {
    const { minMs, maxMs } = this.opts.propagationDelayMs ?? { minMs: 50, maxMs: 600 };
    return (
      'local rehearsal mesh (not Istio): pods run as loopback HTTP servers behind proxies that follow Istio ' +
      `1.24–1.31 routing semantics; propagation ${minMs}–${maxMs} ms`
    );
  }

  /** The running mesh, for tests that inject faults. */
  get mesh(): LocalMesh {
    if (!this.current) throw new EnvironmentError('the local mesh is not running: call up() first');
    return this.current;
  }

  /** No lease: the mesh lives in this process, and no other process can reach its config. */
  leaseKey(): LeaseKey | null {
    return null;
  }

  async up(opts: UpOptions): Promise<void> {
    const status = opts.emit ?? silent;
    const mesh = await phase(
      status,
      'Starting the local rehearsal mesh',
      async () => this.start(),
      (m) => `ingress ${m.ingressUrl}`,
    );
    opts.signal?.throwIfAborted();
    await phase(
      status,
      `Deploying ${opts.base.length} base objects`,
      () => this.apply(opts.base, { signal: opts.signal }),
      (o) => `${o.filter((x) => x.action !== 'unchanged').length} changed`,
    );
    await phase(
      status,
      'Waiting for pods and the ingress to answer',
      () => this.waitReady(mesh, opts.namespace, opts.signal),
      (n) => `${n} pods`,
    );
  }

  async apply(objects: LoadedObject[], opts?: { signal?: AbortSignal }): Promise<ApplyOutcome[]> {
    opts?.signal?.throwIfAborted();
    try {
      return await (await this.start()).apply(objects);
    } catch (err) {
      throw wrap(`failed to apply ${objects.length} objects to the local mesh`, err);
    }
  }

  async get(key: ObjectKey): Promise<KubeObject | null> {
    return this.current?.get(key) ?? null;
  }

  async ingressUrl(): Promise<string> {
    return this.mesh.ingressUrl;
  }

  /** Each Gateway API Gateway of class istio gets its own loopback listener (src/mesh/gateway-api-gateways.ts). */
  async gatewayUrl(gateway: { namespace: string; name: string }): Promise<string> {
    const url = this.mesh.gatewayUrl(gateway.namespace, gateway.name);
    if (!url)
      throw new EnvironmentError(
        `the local mesh serves no Gateway ${gateway.namespace}/${gateway.name} of class istio with an HTTP listener`,
      );
    return url;
  }

  async proxies(namespace: string): Promise<ProxyInfo[]> {
    return (this.current?.proxies(namespace) ?? []).map((p) => ({
      pod: p.pod,
      namespace: p.namespace,
      role: p.role,
      labels: p.labels,
    }));
  }

  async proxyRoutes(proxy: ProxyInfo): Promise<unknown[] | null> {
    const routes = this.mesh.proxyRoutes(proxy.pod);
    if (!routes) throw new Error(`no proxy for pod ${proxy.pod}.${proxy.namespace} in the local mesh`);
    return routes;
  }

  /** 5xx per upstream pod, from the access logs of the namespace's sidecars and the gateway. */
  async upstreamErrors(namespace: string, sinceMs: number): Promise<Record<string, number> | null> {
    const mesh = this.current;
    if (!mesh) return null;
    const logs = mesh.proxies(namespace).map((p) => ({ pod: p.pod, lines: mesh.accessLog(p.pod) }));
    const podAt = new Map(mesh.pods().map((p) => [p.address, p.name]));
    return upstreamErrorsFromLogs(logs, podAt, sinceMs);
  }

  async diagnostics(dir: string): Promise<string[]> {
    if (!this.current) return [];
    return writeLocalDiagnostics(dir, this.describe(), this.current);
  }

  /** Stops the mesh; nothing outlives the process, so this deletes everything `up` made. */
  async down(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    const mesh = this.current;
    this.current = null;
    await mesh?.stop();
  }

  private async start(): Promise<LocalMesh> {
    if (this.current) return this.current;
    const mesh = new LocalMesh({
      catalog: this.opts.catalog ?? standInCatalog,
      seed: this.opts.seed,
      propagationDelayMs: this.opts.propagationDelayMs,
      ingressPort: this.opts.ingressPort,
      accessLogSize: this.opts.accessLogSize ?? 5000,
    });
    try {
      await mesh.start();
    } catch (err) {
      throw new EnvironmentError(
        `cannot start the local mesh's ingress on 127.0.0.1:${this.opts.ingressPort ?? 0}: ${(err as Error).message}`,
        {
          cause: err,
          hint: 'choose another port, or free this one',
        },
      );
    }
    this.current = mesh;
    return mesh;
  }

  /** Every pod answers HTTP on its own address, every proxy holds the newest config, the ingress answers. */
  private async waitReady(mesh: LocalMesh, namespace: string, signal?: AbortSignal): Promise<number> {
    const pods = mesh.pods(namespace);
    await poll({
      what: `pods in ${namespace} and the local ingress to answer`,
      intervalMs: 50,
      timeoutMs: this.opts.readyTimeoutMs ?? 10_000,
      signal,
      check: async () => {
        const silent: string[] = [];
        for (const p of pods) if (!(await answers(`http://${p.address}/`))) silent.push(p.name);
        if (!(await answers(`${mesh.ingressUrl}/`))) silent.push('ingress');
        if (silent.length) return { done: false, observed: `not answering: ${silent.join(', ')}` };
        if (mesh.pendingPushes)
          return { done: false, observed: `${mesh.pendingPushes} config pushes still on their way to proxies` };
        return { done: true, value: pods.length };
      },
    });
    return pods.length;
  }
}

/** Any HTTP answer counts: the server is up. */
async function answers(url: string): Promise<boolean> {
  return typeof (await httpStatus(url, 2000)) === 'number';
}
