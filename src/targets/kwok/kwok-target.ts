/**
 * The kwok target: a real Kubernetes and Istio control plane on this machine, built from Go
 * modules. etcd, kube-apiserver, kube-controller-manager and kube-scheduler run as local
 * processes on 127.0.0.1; KWOK fakes a node and the kubelet's part (pods become Running and
 * Ready, nothing runs in them); the real `istioctl install` installs Istio; the real istiod
 * (pilot-discovery) runs as a local process and injects sidecars through its webhook. From there
 * `up` is the same code as the kind target: labelled namespace, Bookinfo, gateway and destination
 * rules by server-side apply, rollout waits, the sidecar check.
 *
 * What runs in the pods is simulated (data-plane.ts): each app pod gets its stand-in app (Bookinfo's
 * for Bookinfo's images, the echo app for any other) and a proxy that is an xDS client of the real
 * istiod, routing only with what istiod sent; the gateway pod gets a gateway proxy on a loopback
 * port. istioctl reads each proxy's admin endpoint through KWOK's port-forward, so settling reads
 * proxies exactly as on kind.
 */
import { cp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EnvironmentError, InterruptedError } from '../../core/errors.js';
import { describeHolder } from '../../core/file-lock.js';
import { commandLine, thisProcess } from '../../core/process-identity.js';
import { poll } from '../../core/wait.js';
import { formatMs } from '../../core/duration.js';
import { type CommandRunner, zxRunner } from '../../core/process.js';
import { DEFAULT_HTTP_NODE_PORT } from '../../istio/install/overlay.js';
import { CONTROL_PLANE, resolveVersions, type Versions } from '../../istio/install/versions.js';
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
  WatchOptions,
} from '../target.js';
import { describeHolders, othersLeasing } from '../lease.js';
import type { KubeObject, LoadedObject } from '../../kube/manifest.js';
import type { KubeClient } from '../../kube/client.js';
import { TYPES } from '../../mesh/xds-proxy/admin-server.js';
import type { DiagnosticPart } from '../diagnostics.js';
import {
  applyObjects,
  CLUSTER_TRAITS,
  DEFAULT_MAKE_BEFORE_BREAK_MS,
  DEFAULT_TIMEOUTS,
  ISTIO_NAMESPACE,
  listProxies,
  readProxyRoutes,
  type ClusterTimeouts,
} from '../cluster/cluster-target.js';
import {
  connectCluster,
  connected,
  reconnect,
  type ClusterConnection,
  type ConnectSpec,
} from '../cluster/connection.js';
import { deployBase } from '../cluster/deploy-base.js';
import { installIstioWith } from '../cluster/install-istio.js';
import { writeClusterDiagnostics } from '../cluster/cluster-diagnostics.js';
import { note, phase, silent } from '../phase.js';
import { pinBookinfoImages } from '../cluster/bookinfo-images.js';
import { paths } from '../../core/paths.js';
import { applyGatewayApiCrds } from '../cluster/gateway-api-crds.js';
import { binary, binDir, staleBinaries, toolModules, XDS_DESCRIPTORS_FILE } from './control-plane/binaries.js';
import { buildControlPlane } from './control-plane/build.js';
import { fakeNode } from './control-plane/components.js';
import { ControlPlane, CORE_DAEMONS, type ControlPlaneState, type Starter } from './control-plane/control-plane.js';
import {
  describeWebhookTargets,
  istiodLog,
  istiodPorts,
  startLocalIstiod,
  webhookUrls,
  type IstiodPorts,
} from './control-plane/istiod.js';
import { isRunning, stopDaemon, type Daemon } from './control-plane/processes.js';
import { controlPlaneHealth } from './control-plane/health.js';
import { watchControlPlane } from './watch.js';
import { applyKwokCrds } from './control-plane/kwok-crds.js';
import { forwardIstiodPods } from './data-plane/port-forwards.js';
import type { KwokDataPlane } from './data-plane/data-plane.js';
import { serveDataPlane, type Serving } from './data-plane/serve.js';

export const DATA_PLANE_SIMULATED =
  'real Kubernetes and istiod; data plane simulated: KWOK fakes the pods, ' +
  'and in each one a stand-in app and a proxy configured by istiod over xDS serve in place of the app ' +
  "container and Envoy (Bookinfo's stand-ins for Bookinfo's images, meshproof's echo app for any other image)";

export const FAKE_NODE = 'kwok-node-0';

const KEPT_FROM_NOW = 'it is kept from now on (`meshproof down --target kwok` stops it)';

export interface KwokTimeouts extends ClusterTimeouts {
  /** `istioctl install`. Default 5 min. */
  istioInstallMs: number;
  /** Each control-plane process, and istiod, to become healthy. Default 90 s. */
  startMs: number;
}

export interface KwokTargetOptions {
  /** Folder for the binaries, the kubeconfig, state and logs. Default `.cache/meshproof`. */
  cacheDir?: string;
  /**
   * close() stops the control plane when this process started it (a run without --keep). A
   * control plane that was already running (from `meshproof up`) is left as it was found.
   */
  stopOnClose?: boolean;
  /** Build missing binaries during up (default true); false makes their absence an error. */
  build?: boolean;
  /** Keep an installed Istio even when its version differs from the pin. */
  reuse?: boolean;
  versions?: Partial<Versions>;
  makeBeforeBreakMs?: number;
  timeouts?: Partial<KwokTimeouts>;
  /** Seeds the data plane's random choices (weighted routes, faults), as --seed does the local mesh's. */
  seed?: number;
  runner?: CommandRunner;
  /**
   * Where the target says what it does outside `up`: at close, a control plane left running for
   * another process, or stopped for one that is gone. Default: nowhere.
   */
  notify?: (line: string) => void;
  /** How often `watch` looks at the control plane while `up` serves. Default 2 s. */
  watchIntervalMs?: number;
}

export class KwokTarget implements Target {
  readonly name: TargetName = 'kwok';
  readonly traits: TargetTraits = { ...CLUSTER_TRAITS, servesWhile: 'process' };
  readonly cacheDir: string;
  readonly controlPlane: ControlPlane;
  private readonly versions: Versions;
  private readonly timeouts: KwokTimeouts;
  /**
   * Whether this process started the control plane, or took it over from a killed run that was to
   * stop it (then an interrupt during up, or close() after a run, stops it).
   */
  private startedHere = false;
  /** The data plane serving the pods, while this process runs. */
  private serving: Serving | null = null;
  private readonly runner: CommandRunner;
  private readonly makeBeforeBreakMs: number;
  /** The control plane `up` connected to: kubeconfig, API client and istioctl, built once per `up`. */
  private connection: ClusterConnection | null = null;

  constructor(readonly opts: KwokTargetOptions = {}) {
    this.runner = opts.runner ?? zxRunner;
    this.cacheDir = opts.cacheDir ?? paths.cache;
    this.controlPlane = new ControlPlane(this.cacheDir);
    this.versions = { ...resolveVersions(opts.versions), istio: CONTROL_PLANE.istio };
    this.timeouts = {
      ...DEFAULT_TIMEOUTS,
      rolloutMs: 2 * 60_000,
      istioInstallMs: 5 * 60_000,
      startMs: 90_000,
      ...opts.timeouts,
    };
    this.makeBeforeBreakMs = opts.makeBeforeBreakMs ?? DEFAULT_MAKE_BEFORE_BREAK_MS;
  }

  get kubeconfigPath(): string {
    return this.controlPlane.layout.kubeconfig;
  }

  /** The control plane by its cache folder: its state, kubeconfig and processes live there, before it runs too. */
  leaseKey(): LeaseKey {
    return {
      id: `kwok:${resolve(this.cacheDir)}`,
      cluster: `the kwok control plane in ${resolve(this.controlPlane.layout.dir)}`,
    };
  }

  describe(): string {
    return (
      `kwok control plane on 127.0.0.1 (Kubernetes ${CONTROL_PLANE.kubernetes}, ` +
      `Istio ${CONTROL_PLANE.istio} built from source; pods faked by KWOK, data plane simulated: ` +
      "stand-in apps (Bookinfo's, or the echo app for other images) behind proxies istiod configures over xDS)"
    );
  }

  /** The proxies this process serves, as istiod configured them (null before up). */
  get dataPlane(): KwokDataPlane | null {
    return this.serving?.dataPlane ?? null;
  }

  async ingressUrl(): Promise<string> {
    const url = this.serving?.dataPlane.ingressUrl;
    if (!url)
      throw new EnvironmentError(
        'the kwok data plane is not serving in this process: the ingress gateway has no proxy',
        { hint: 'the data plane runs in the process that ran up; run the plan with `meshproof run --target kwok`' },
      );
    return url;
  }

  async up(opts: UpOptions): Promise<void> {
    const status = opts.emit ?? silent;
    const signal = opts.signal;
    try {
      await this.ensureBinaries(status, signal);
      // Connected once: before KWOK starts when this up starts the control plane (KWOK's CRDs go in first), else once
      // it is reused.
      this.connection = null;
      const connect = () => (this.connection ??= connectCluster(this.connectSpec(opts.namespace)));
      // A process sharing this control plane starts, repairs or installs it one at a time with this one.
      const ports = await this.controlPlane.exclusively(
        { timeoutMs: this.timeouts.istioInstallMs + 4 * this.timeouts.startMs, ...(signal ? { signal } : {}) },
        () => this.ensureIstioControlPlane(status, connect, signal),
      );
      const cluster = connect();
      signal?.throwIfAborted();
      const base = pinBookinfoImages(opts.base, this.versions);
      await deployBase(
        cluster,
        { base, apply: (objects, o) => this.apply(objects, o), timeouts: this.timeouts },
        status,
        signal,
      );
      await this.serve(ports, opts.namespace, status, signal);
      note(status, DATA_PLANE_SIMULATED);
    } catch (err) {
      if (signal?.aborted) {
        // Never under another meshproof process that shares it.
        const mine = this.startedHere && !othersLeasing(this.leaseKey()).length;
        const stopped = mine ? await this.controlPlane.stop().catch(() => []) : [];
        note(
          status,
          stopped.length
            ? `interrupted: stopped ${stopped.join(', ')}`
            : 'interrupted: the control plane was already running before this up and is left running; ' +
                '`meshproof down --target kwok` stops it',
        );
        throw new InterruptedError(typeof signal.reason === 'string' ? signal.reason : 'SIGINT');
      }
      throw err;
    }
  }

  async down(): Promise<void> {
    const stopped = await this.controlPlane.stop();
    const l = this.controlPlane.layout;
    await rm(l.kubeconfig, { force: true });
    await rm(l.pki, { recursive: true, force: true });
    await rm(l.istiod, { recursive: true, force: true });
    this.downSummary = stopped;
  }

  /** What the last down() stopped, for the console. */
  downSummary: string[] = [];

  /**
   * Stops the data plane; after a run without --keep, also the control plane it started (or took
   * over from a killed run), unless another meshproof process holds the lease on it: then the
   * control plane stays, and that is said. A run that ends after its starter is gone stops it.
   */
  async close(): Promise<void> {
    // A control plane that broke (etcd or the API server gone) is not asked to remove the port-forwards.
    const serving = this.serving ? this.controlPlane.readState() : null;
    const offline = serving
      ? (await this.controlPlane.apiserverReady(serving).catch(() => 'no answer')) !== true
      : false;
    await this.serving?.stop({ offline });
    this.serving = null;
    if (!this.opts.stopOnClose) return;
    const state = this.controlPlane.readState();
    const orphan = state ? this.controlPlane.orphaned(state) : null;
    if (!state || !(this.startedHere || orphan)) return;
    const others = othersLeasing(this.leaseKey());
    if (others.length) {
      this.notify(
        `the kwok control plane stays up: ${describeHolders(others)} still uses it ` +
          '(`meshproof down --target kwok` stops it once nothing does)',
      );
      return;
    }
    if (!this.startedHere && orphan)
      this.notify(
        `stopping the kwok control plane that ${describeHolder(orphan)} started: ` +
          'that process is gone, and it was to stop it at its end',
      );
    await this.down();
  }

  /**
   * While `up` serves: every few seconds, restarts in place a process of the control plane (istiod
   * included) that died, and says what changed, whether this process or another one changed it.
   * Rejects once the control plane it serves is stopped or replaced.
   */
  async watch(o: WatchOptions): Promise<void> {
    const seen = this.controlPlane.readState();
    if (!seen) throw new EnvironmentError('the kwok control plane is not running: nothing to watch');
    await watchControlPlane(seen, {
      read: () => this.controlPlane.readState(),
      repair: (dead) => this.repairWhileServing(dead, o.signal),
      intervalMs: this.opts.watchIntervalMs ?? 2_000,
      ...o,
    });
  }

  private notify(line: string): void {
    this.opts.notify?.(line);
  }

  /** Restarts the dead processes in place under the control plane's lock; says each restart, or why not. */
  private async repairWhileServing(dead: Daemon[], signal: AbortSignal): Promise<string[]> {
    const said: string[] = [];
    await this.controlPlane.exclusively({ timeoutMs: 2 * this.timeouts.startMs, signal }, async () => {
      const now = this.controlPlane.readState();
      // Still dead under the lock: another process may have restarted it meanwhile.
      const still = (now?.daemons ?? []).filter((d) => dead.some((x) => x.pid === d.pid) && !isRunning(d));
      const core = still.filter((d) => CORE_DAEMONS.includes(d.name as never)).map((d) => d.name);
      if (core.length)
        await this.controlPlane.restartInPlace(core, {
          readyTimeoutMs: this.timeouts.startMs,
          signal,
          onRestarted: (before, after, ms) =>
            said.push(
              `${before.name} (pid ${before.pid}) died: restarted in place, pid ${after.pid}, ` +
                `healthy after ${formatMs(ms)}`,
            ),
        });
      const istiod = still.find((d) => d.name === 'pilot-discovery');
      if (istiod && now?.istiodPorts) {
        const d = await this.startIstiod(now.istiodPorts, signal);
        said.push(
          `istiod (pilot-discovery, pid ${istiod.pid}) died: restarted in place, pid ${d.pid}, on the same ports; ` +
            'the proxies here reconnect to it',
        );
      }
    });
    return said;
  }

  /** The gateway istiod deployed for a Gateway API Gateway, once KWOK runs its pod and the data plane serves it. */
  async gatewayUrl(gateway: { namespace: string; name: string }, signal?: AbortSignal): Promise<string> {
    return poll({
      what:
        `the gateway of Gateway ${gateway.namespace}/${gateway.name} to be served (istiod deploys it; ` +
        'KWOK runs its pod)',
      intervalMs: 250,
      timeoutMs: this.timeouts.rolloutMs,
      signal,
      check: async () => {
        const url = this.serving?.dataPlane.gatewayUrl(gateway.namespace, gateway.name);
        if (url) return { done: true, value: url };
        const pods = await this.kube.list('v1', 'Pod', gateway.namespace, {
          labelSelector: `gateway.networking.k8s.io/gateway-name=${gateway.name}`,
        });
        const phases = pods.items.map(
          (p) => `${p.metadata.name} ${String((p.status as { phase?: string } | undefined)?.phase)}`,
        );
        return {
          done: false,
          observed: pods.items.length ? `pods ${phases.join(', ')}, not served yet` : 'no gateway pod yet',
        };
      },
    });
  }

  /**
   * KWOK marks a pod Ready at once; a kubelet only once its Envoy holds clusters and listeners. So
   * here a proxy is listed once the data plane serves it with istiod's config, as on a cluster.
   */
  async proxies(namespace: string): Promise<ProxyInfo[]> {
    const all = await listProxies(this.connected(), namespace);
    const dp = this.serving?.dataPlane;
    if (!dp) return all;
    const ready = new Set(
      dp
        .proxies()
        .filter((p) => configured(p.proxy.resources().versions))
        .map((p) => p.key),
    );
    return all.filter((p) => ready.has(`${p.namespace}/${p.pod}`));
  }

  /** Every control-plane process running and answering: the API server ready (etcd behind it), istiod ready. */
  async health(): Promise<string | null> {
    return controlPlaneHealth(this.controlPlane);
  }

  /** KWOK serves no container logs, so the proxies' access logs cannot be read through the API. */
  async upstreamErrors(): Promise<Record<string, number> | null> {
    return null;
  }

  async apply(objects: LoadedObject[], opts: { signal?: AbortSignal } = {}): Promise<ApplyOutcome[]> {
    return applyObjects(this.connected(), objects, { makeBeforeBreakMs: this.makeBeforeBreakMs, ...opts });
  }

  async get(key: ObjectKey): Promise<KubeObject | null> {
    return this.kube.get(key);
  }

  async proxyRoutes(proxy: ProxyInfo): Promise<unknown[] | null> {
    return readProxyRoutes(this.connection, proxy);
  }

  private async serve(ports: IstiodPorts, namespace: string, status: UpEmit, signal?: AbortSignal): Promise<void> {
    await this.serving?.stop();
    this.serving = await phase(
      status,
      'serve every pod: a stand-in app and a proxy istiod configures over xDS',
      () =>
        serveDataPlane({
          kube: this.kube,
          istiodGrpcPort: ports.grpc,
          seed: this.opts.seed,
          descriptors: binary(this.cacheDir, XDS_DESCRIPTORS_FILE),
          namespace,
          timeoutMs: this.timeouts.startMs,
          signal,
        }),
      (s) => `${s.dataPlane.proxies().length} proxies, ingress ${s.dataPlane.ingressUrl}`,
    );
  }

  /**
   * In a process that did not run `up` (a failed run's report), connects through the kubeconfig if the control plane
   * runs.
   */
  async diagnostics(dir: string): Promise<string[]> {
    const cluster = this.connection ?? (this.controlPlane.readState() ? reconnect(this.connectSpec('default')) : null);
    return writeClusterDiagnostics(dir, cluster, (c) => this.diagnosticParts(dir, c));
  }

  /** This control plane through the admin kubeconfig in the cache, with the istioctl built beside it. */
  private connectSpec(namespace: string): ConnectSpec & { kubeconfig: string } {
    return {
      kubeconfig: this.kubeconfigPath,
      namespace,
      istioctl: binary(this.cacheDir, 'istioctl'),
      runner: this.runner,
    };
  }

  private connected(): ClusterConnection {
    return connected(this.connection, this.name);
  }

  private get kube(): KubeClient {
    return this.connected().kube;
  }

  /** What only kwok has to say, after the cluster's own parts (when connected). */
  private diagnosticParts(dir: string, cluster: ClusterConnection | null): DiagnosticPart[] {
    const parts: DiagnosticPart[] = [];
    parts.push({
      file: 'not-real.txt',
      collect: async () =>
        `${this.describe()}\n${DATA_PLANE_SIMULATED}\n` +
        "Pod logs come from no kubelet: the control plane's own logs are in control-plane-logs/.\n",
    });
    if (this.serving) parts.push({ file: 'data-plane.txt', collect: async () => describeDataPlane(this.serving!) });
    parts.push({
      file: 'control-plane-logs',
      collect: async () => {
        await cp(this.controlPlane.layout.logs, join(dir, 'control-plane-logs'), { recursive: true });
        return null;
      },
    });
    if (cluster) {
      parts.push({
        file: 'webhooks.txt',
        collect: async () => {
          const kinds = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];
          const lists = await Promise.all(kinds.map((k) => cluster.kube.list('admissionregistration.k8s.io/v1', k)));
          return describeWebhookTargets(lists.flatMap((l) => l.items)).join('\n');
        },
      });
    }
    return parts;
  }

  private async ensureBinaries(status: UpEmit, signal?: AbortSignal): Promise<void> {
    const stale = toolModules().flatMap((m) => staleBinaries(this.cacheDir, m));
    if (!stale.length) return;
    if (this.opts.build === false) {
      throw new EnvironmentError(`the kwok target's binaries are not built: ${stale.join(', ')}`, {
        hint: 'run `npm run controlplane:build` (needs Go ≥ 1.26 and the Go module proxy)',
      });
    }
    await phase(
      status,
      `build ${stale.length} control plane binaries from Go modules`,
      () =>
        buildControlPlane({
          cacheDir: this.cacheDir,
          runner: this.runner,
          onProgress: (m) => note(status, m),
          signal,
        }),
      (built) => built.map((b) => `${b.id} ${b.ms === null ? 'up to date' : formatMs(b.ms)}`).join(', '),
    );
  }

  /**
   * The control plane, the fake node, the Gateway API CRDs, Istio and the local istiod, reused or
   * repaired where they stand; returns istiod's ports. Runs under the control plane's lock.
   */
  private async ensureIstioControlPlane(
    status: UpEmit,
    connect: () => ClusterConnection,
    signal?: AbortSignal,
  ): Promise<IstiodPorts> {
    const state = await this.ensureControlPlane(status, connect, signal);
    const cluster = connect();
    await phase(status, `fake node ${FAKE_NODE} Ready`, () => this.ensureNode(signal));
    await phase(
      status,
      `Gateway API ${this.versions.gatewayApi} CRDs (standard channel, from the Go module)`,
      async () => {
        const crds = await applyGatewayApiCrds({
          kube: cluster.kube,
          versions: this.versions,
          cacheDir: binDir(this.cacheDir),
          ...(signal ? { signal } : {}),
        });
        return `${crds} CRDs`;
      },
    );
    const ports = await this.istiodPortsFor(state);
    await installIstioWith(
      cluster,
      {
        versions: this.versions,
        overlayFile: this.controlPlane.layout.overlay,
        overlay: { httpNodePort: DEFAULT_HTTP_NODE_PORT, webhooks: webhookUrls(ports) },
        reuse: this.opts.reuse ?? false,
        installMs: this.timeouts.istioInstallMs,
        rolloutMs: this.timeouts.rolloutMs,
      },
      status,
      signal,
    );
    await this.ensureIstiod(ports, status, signal);
    await phase(
      status,
      "forward istiod's pod ports to the local istiod (for istioctl)",
      () => forwardIstiodPods(cluster.kube, ISTIO_NAMESPACE, ports),
      (pods) => pods.join(', ') || 'no istiod pod',
    );
    return ports;
  }

  /**
   * Reuses a running control plane, first starting again in place any of its processes that died
   * (same ports, data and certificates). Only one that cannot be repaired is stopped and started
   * anew, and never while another meshproof process holds the lease on it.
   */
  private async ensureControlPlane(
    status: UpEmit,
    connect: () => ClusterConnection,
    signal?: AbortSignal,
  ): Promise<ControlPlaneState> {
    const recorded = this.controlPlane.readState();
    const known = recorded ? await this.takeOverIfOrphaned(recorded, status) : null;
    if (known) {
      const problem = await this.repairInPlace(known, status, signal);
      if (!problem) {
        const now = this.controlPlane.readState() ?? known;
        return phase(
          status,
          'reuse the running control plane',
          async () => now,
          (s) => `API server https://127.0.0.1:${s.ports.apiserver}, up since ${s.startedAt}`,
        );
      }
      const others = othersLeasing(this.leaseKey());
      if (others.length)
        throw new EnvironmentError(
          `the kwok control plane is unusable (${problem}), and ${describeHolders(others)} uses it too: ` +
            'it is not torn down under that process',
          { hint: 'end that process first; then `meshproof down --target kwok` and up again' },
        );
      note(status, `the recorded control plane is unusable (${problem}); stopping what is left of it`);
      await this.controlPlane.stop();
    }
    this.startedHere = true;
    return phase(
      status,
      'start etcd, kube-apiserver, controller-manager, scheduler and KWOK on 127.0.0.1',
      () =>
        this.controlPlane.start({
          readyTimeoutMs: this.timeouts.startMs,
          startedBy: this.starter(),
          onStarted: (n, ms) => note(status, `${n} healthy after ${formatMs(ms)}`),
          beforeStart: async (n) => {
            if (n !== 'kwok') return;
            await applyKwokCrds(connect().kube, this.cacheDir, signal);
          },
          signal,
        }),
      (s) => `API server https://127.0.0.1:${s.ports.apiserver}, kubeconfig ${this.kubeconfigPath}`,
    );
  }

  /** This process as the one that starts the control plane: a run without --keep stops it at its end. */
  private starter(): Starter {
    return {
      ...thisProcess(),
      command: commandLine(),
      since: new Date().toISOString(),
      stopsIt: this.opts.stopOnClose ?? false,
    };
  }

  /**
   * A control plane whose starter was to stop it at its end but is gone (killed) is taken over,
   * and that is said: a run without --keep now stops it at its end; `up` and --keep keep it.
   */
  private async takeOverIfOrphaned(state: ControlPlaneState, status: UpEmit): Promise<ControlPlaneState> {
    const gone = this.controlPlane.orphaned(state);
    if (!gone) return state;
    const me = this.starter();
    note(
      status,
      `the control plane was started by ${describeHolder(gone)}, which was to stop it at its end but is gone ` +
        `without doing so: ${me.stopsIt ? 'this run takes it over and stops it at its end' : KEPT_FROM_NOW}`,
      'warn',
    );
    this.startedHere = me.stopsIt;
    const taken = { ...state, startedBy: me };
    await this.controlPlane.writeState(taken);
    return taken;
  }

  /** Starts again in place the core processes that died, then waits for the API server; null, or why it is unusable. */
  private async repairInPlace(state: ControlPlaneState, status: UpEmit, signal?: AbortSignal): Promise<string | null> {
    const { unusable, dead } = this.controlPlane.health(state);
    if (unusable) return unusable;
    if (dead.length) {
      const names = dead.map((d) => d.name);
      // KWOK's watches do not come back after the API server or etcd was gone for long: its fake node
      // and pods stay NotReady and the port-forwards it serves stop answering. It starts again with them.
      const kwok = state.daemons.find((d) => d.name === 'kwok');
      if (kwok && !names.includes('kwok') && names.some((n) => n === 'etcd' || n === 'kube-apiserver')) {
        if (isRunning(kwok)) await stopDaemon(kwok);
        names.push('kwok');
      }
      const restarted: string[] = [];
      try {
        await phase(
          status,
          `restart ${names.join(', ')} in place (not running: ${dead.map((d) => `pid ${d.pid}`).join(', ')})`,
          () =>
            this.controlPlane.restartInPlace(names, {
              readyTimeoutMs: this.timeouts.startMs,
              ...(signal ? { signal } : {}),
              onRestarted: (before, after) => restarted.push(`${before.name} pid ${before.pid} → ${after.pid}`),
            }),
          () => restarted.join(', '),
        );
      } catch (err) {
        if (signal?.aborted) throw err;
        return `${names.join(', ')} could not be restarted in place: ${(err as Error).message.split('\n')[0]}`;
      }
    }
    const now = this.controlPlane.readState() ?? state;
    const ready = await this.controlPlane.waitReady(now, dead.length ? this.timeouts.startMs : 15_000, signal);
    return ready === true ? null : `kube-apiserver not ready: ${ready}`;
  }

  private async ensureNode(signal?: AbortSignal): Promise<string> {
    await this.kube.apply(fakeNode(FAKE_NODE, CONTROL_PLANE.kubernetes) as never);
    return poll({
      what: `node ${FAKE_NODE} to be Ready (KWOK's node-initialize stage)`,
      intervalMs: 250,
      timeoutMs: 60_000,
      signal,
      check: async () => {
        const node = await this.kube.get({ apiVersion: 'v1', kind: 'Node', name: FAKE_NODE });
        const conditions =
          (node?.status as { conditions?: { type: string; status: string; reason?: string }[] } | undefined)
            ?.conditions ?? [];
        const ready = conditions.find((c) => c.type === 'Ready');
        return ready?.status === 'True'
          ? { done: true, value: 'Ready' }
          : { done: false, observed: ready ? `Ready=${ready.status} (${ready.reason ?? ''})` : 'no Ready condition' };
      },
    });
  }

  /** istiod's ports are fixed for the life of a control plane: the webhooks name the webhook port. */
  private async istiodPortsFor(state: ControlPlaneState): Promise<IstiodPorts> {
    if (state.istiodPorts) return state.istiodPorts;
    const ports = await istiodPorts();
    await this.controlPlane.writeState({ ...(this.controlPlane.readState() ?? state), istiodPorts: ports });
    return ports;
  }

  /** istiod as a local process: left alone while it runs, started (again, in place, on its ports) when it does not. */
  private async ensureIstiod(ports: IstiodPorts, status: UpEmit, signal?: AbortSignal): Promise<void> {
    const recorded = this.controlPlane.readState()?.daemons.find((d) => d.name === 'pilot-discovery');
    if (recorded && isRunning(recorded)) {
      note(
        status,
        `istiod (pilot-discovery, pid ${recorded.pid}) already runs; webhooks at https://localhost:${ports.webhook}`,
      );
      return;
    }
    if (recorded)
      note(
        status,
        `istiod (pilot-discovery, pid ${recorded.pid}) is not running: it is started again in place, ` +
          'on the same ports; the rest of the control plane is kept',
        'warn',
      );
    await phase(
      status,
      'start istiod (pilot-discovery) on 127.0.0.1 and wait for its webhooks',
      () => this.startIstiod(ports, signal),
      (d) => `pid ${d.pid}, injection webhook https://localhost:${ports.webhook}/inject`,
    );
  }

  private startIstiod(ports: IstiodPorts, signal?: AbortSignal): Promise<Daemon> {
    const l = this.controlPlane.layout;
    return startLocalIstiod({
      kube: this.kube,
      binary: binary(this.cacheDir, 'pilot-discovery'),
      kubeconfig: this.kubeconfigPath,
      workDir: l.istiod,
      log: istiodLog(l.logs),
      ports,
      namespace: ISTIO_NAMESPACE,
      timeoutMs: this.timeouts.startMs,
      onSpawn: (d) => this.controlPlane.adopt(d),
      ...(signal ? { signal } : {}),
    });
  }
}

/** Whether a proxy has accepted clusters and listeners from istiod: what Envoy's readiness asks. */
function configured(versions: Record<string, string>): boolean {
  return Boolean(versions[TYPES.cluster] && versions[TYPES.listener]);
}

/** Each served proxy with what its config holds that the engine does not act on, and the pods not served. */
function describeDataPlane(s: Serving): string {
  const lines: string[] = [];
  for (const { key, identity, proxy, app } of s.dataPlane.proxies()) {
    lines.push(`${key} ${identity.role} ip=${identity.ip} config version ${proxy.version}`);
    if (app) lines.push(`  app: ${app.standIn}, on ${app.address}`);
    for (const [what, n] of proxy.unsupported()) lines.push(`  not simulated: ${what} ×${n}`);
  }
  for (const [key, why] of s.dataPlane.skipped) lines.push(`${key} not served: ${why}`);
  const err = s.lastError();
  if (err) lines.push(`last reconcile failed: ${err.message}`);
  return `${lines.join('\n')}\n`;
}
