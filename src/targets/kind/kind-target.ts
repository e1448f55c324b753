/**
 * The kind target: a kind cluster meshproof creates (or reuses when healthy), Istio installed by
 * istioctl with the pinned overlay, Bookinfo deployed into an injection-labelled namespace, and the
 * ingress gateway reached on 127.0.0.1:<hostPort>. Every phase says when it starts and how it
 * ended, with its duration; an interrupt stops between (or inside) phases and says what exists.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandError, EnvironmentError, InterruptedError } from '../../core/errors.js';
import { type CommandRunner, zxRunner, checked } from '../../core/process.js';
import { writePrivateFile } from '../../core/private-file.js';
import { ensureIstioctl, istioctlArch, istioctlCachePath } from '../../istio/install/istioctl-download.js';
import { DEFAULT_HTTP_NODE_PORT } from '../../istio/install/overlay.js';
import { bookinfoImage, istioImages, resolveVersions, type Versions } from '../../istio/install/versions.js';
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
import {
  applyObjects,
  CLUSTER_TRAITS,
  DEFAULT_MAKE_BEFORE_BREAK_MS,
  DEFAULT_TIMEOUTS,
  listProxies,
  readProxyRoutes,
  readUpstreamErrors,
  type ClusterTimeouts,
} from '../cluster/cluster-target.js';
import {
  connectCluster,
  connected,
  reconnect,
  type ClusterConnection,
  type ConnectSpec,
} from '../cluster/connection.js';
import { deployBase, waitForDeployments } from '../cluster/deploy-base.js';
import { installIstioWith } from '../cluster/install-istio.js';
import { writeClusterDiagnostics } from '../cluster/cluster-diagnostics.js';
import { clusterHealth } from '../cluster/health.js';
import { note, phase, silent } from '../phase.js';
import { kindPaths, DEFAULT_CACHE_DIR, type KindPaths } from './cache.js';
import { dockerArgs } from './docker.js';
import { preloadImages } from './images.js';
import { imagesOf, pinBookinfoImages } from '../cluster/bookinfo-images.js';
import { kindConfig, DEFAULT_CLUSTER_NAME, DEFAULT_HOST_PORT } from './kind-config.js';
import { stringify } from 'yaml';
import type { KindBuildManifest } from './build/manifest.js';
import { BOOKINFO_STAND_INS } from './build/mesh-images.js';
import { LOCAL_BUILD_NOTE, localImagesRequested, localVersions, readLocalImages } from './local-images.js';
import { ensureDockerd } from './host/dockerd.js';
import { hostRecordFile, recordHost, restoreHost } from './host/host-record.js';
import { localNodeConfig, withLocalNodeConfig } from './host/node-config.js';
import { hostStateDir, machineDir } from './host/state-dir.js';
import { KindCli } from './kind-cli.js';
import { kindPreflight, portFree } from './preflight.js';
import { readinessPaths, waitForHttpReady } from '../readiness.js';
import type { DiagnosticPart } from '../diagnostics.js';
import type { KubeObject, LoadedObject } from '../../kube/manifest.js';
import { CRD_PIN_HINT, crdPinProblem } from '../../istio/install/gateway-api-crds.js';
import { applyGatewayApiCrds } from '../cluster/gateway-api-crds.js';
import {
  DEFAULT_GATEWAY_API_HOST_PORT,
  GATEWAY_API_NODE_PORT,
  usesGatewayApi,
  withNodePortParameters,
} from './gateway-api.js';

export interface KindTargetOptions {
  /** kind cluster name. Default `meshproof`. */
  clusterName?: string;
  /** Host port on 127.0.0.1 mapped to the gateway's node port. Default 18080. */
  hostPort?: number;
  /** Host port on 127.0.0.1 mapped to a Gateway API Gateway's gateway (node port 30081). Default 18081. */
  gatewayApiHostPort?: number;
  /** Folder for kubeconfig, configs, istioctl and image archives. Default `.cache/meshproof`. */
  cacheDir?: string;
  /**
   * Use an existing healthy cluster exactly as it is (no Istio reinstall even when its version
   * differs from the pin). Without it an existing healthy cluster is still reused, but Istio is
   * (re)installed unless istiod already runs the pinned version.
   */
  reuse?: boolean;
  /** Pull images on the host and load them into the node (cached by digest). */
  preloadImages?: boolean;
  /** Version overrides (beyond the MESHPROOF_* environment variables). */
  versions?: Partial<Versions>;
  /** An istioctl binary to use instead of downloading the pinned one. */
  istioctlPath?: string;
  /** Pause between a batch's DestinationRules and its VirtualServices (make-before-break). Default 1000. */
  makeBeforeBreakMs?: number;
  /** Attempts at `kind create cluster`. Default 3. */
  createAttempts?: number;
  timeouts?: Partial<KindTimeouts>;
  /** `down()` also removes the cache folder (istioctl, image archives). */
  deleteCacheOnDown?: boolean;
  /** Where commands run; tests fake it. */
  runner?: CommandRunner;
  /**
   * What `npm run kind:build` made, to use instead of anything downloaded (local-images.ts). Default: read when
   * MESHPROOF_KIND_IMAGES=local.
   */
  localImages?: KindBuildManifest | null;
  /** Where the host records go (the dockerd started, the sysctls to put back). Default the machine's (state-dir.ts). */
  hostDir?: string;
}

export interface KindTimeouts extends ClusterTimeouts {
  /** Bound on the Docker and kind probes. Default 4 s. */
  preflightMs: number;
  /** `kind create cluster --wait`. Default 180s. */
  createWait: string;
  /** Pause before retrying a failed create. Default 5 s. */
  createRetryDelayMs: number;
  /** `istioctl install`. Default 10 min. */
  istioInstallMs: number;
}

export class KindTarget implements Target {
  readonly name: TargetName = 'kind';
  readonly traits: TargetTraits = CLUSTER_TRAITS;
  readonly cluster: string;
  readonly hostPort: number;
  readonly versions: Versions;
  readonly paths: KindPaths;
  private readonly kind: KindCli;
  private readonly timeouts: KindTimeouts;
  /** What `up` has made so far, for the interrupt message. */
  private readonly made = { cluster: false, istio: false, bookinfo: false };
  readonly gatewayApiHostPort: number;
  /** Whether the cluster maps the Gateway API gateway's node port (a cluster made before that does not). */
  private gatewayApiMapped = true;
  private crdsInstalled = false;
  private readonly runner: CommandRunner;
  private readonly makeBeforeBreakMs: number;
  /** The cluster `up` connected to: kubeconfig, API client and istioctl, built once per `up`. */
  private connection: ClusterConnection | null = null;
  /** The local build in use (MESHPROOF_KIND_IMAGES=local), or null. */
  readonly local: KindBuildManifest | null;
  /** The Docker host's cgroup version, from the preflight. */
  private cgroupVersion = '2';
  private readonly hostDir: string;

  constructor(readonly opts: KindTargetOptions = {}) {
    this.runner = opts.runner ?? zxRunner;
    this.cluster = opts.clusterName ?? DEFAULT_CLUSTER_NAME;
    this.hostPort = opts.hostPort ?? DEFAULT_HOST_PORT;
    this.gatewayApiHostPort = opts.gatewayApiHostPort ?? DEFAULT_GATEWAY_API_HOST_PORT;
    const cacheDir = opts.cacheDir ?? DEFAULT_CACHE_DIR;
    this.local =
      opts.localImages !== undefined ? opts.localImages : localImagesRequested() ? readLocalImages(machineDir()) : null;
    this.versions = resolveVersions({ ...opts.versions, ...(this.local ? localVersions(this.local) : {}) });
    this.paths = kindPaths(cacheDir, this.cluster);
    this.hostDir = opts.hostDir ?? hostStateDir();
    this.kind = new KindCli(this.runner, this.local?.kindBinary ?? 'kind');
    this.makeBeforeBreakMs = opts.makeBeforeBreakMs ?? DEFAULT_MAKE_BEFORE_BREAK_MS;
    this.timeouts = {
      ...DEFAULT_TIMEOUTS,
      preflightMs: 4000,
      createWait: '180s',
      createRetryDelayMs: 5000,
      istioInstallMs: 10 * 60_000,
      ...opts.timeouts,
    };
  }

  describe(): string {
    const node = /:(v[\d.]+)/.exec(this.versions.nodeImage)?.[1] ?? this.versions.nodeImage;
    const base = `kind cluster "${this.cluster}" (Kubernetes ${node}, Istio ${this.versions.istio})`;
    return this.local ? `${base}; ${LOCAL_BUILD_NOTE}` : base;
  }

  async ingressUrl(): Promise<string> {
    return `http://127.0.0.1:${this.hostPort}`;
  }

  /**
   * The cluster by its name on this Docker daemon (its kubeconfig context is `kind-<name>`; the
   * server's port is known only once it exists), so a lease holds before `up` creates it.
   */
  leaseKey(): LeaseKey {
    const docker = process.env.DOCKER_HOST || 'the local Docker daemon';
    return {
      id: `kind:${this.cluster}@${docker}`,
      cluster: `kind cluster "${this.cluster}" (context kind-${this.cluster})`,
    };
  }

  async up(opts: UpOptions): Promise<void> {
    const status = opts.emit ?? silent;
    const signal = opts.signal;
    try {
      if (this.local) await phase(status, 'dockerd', () => this.ensureLocalDockerd(status));
      const pre = await phase(
        status,
        'preflight',
        () => kindPreflight(this.runner, this.kind, this.versions.kind, this.timeouts.preflightMs),
        (p) => `Docker ${p.docker.serverVersion}, kind ${p.kindVersion}`,
      );
      for (const w of pre.warnings) note(status, w, 'warn');
      this.cgroupVersion = pre.docker.cgroupVersion || '2';
      await mkdir(this.paths.cacheDir, { recursive: true });
      const exists = (await this.kind.clusters()).includes(this.cluster);
      if (exists) {
        this.connection = await phase(status, `reuse kind cluster ${this.cluster}`, () => this.attach(opts.namespace));
      } else {
        await phase(status, `create kind cluster ${this.cluster}`, () => this.create(status, signal));
        this.connection = connectCluster(this.connectSpec(opts.namespace, this.istioctlBinary()));
      }
      this.made.cluster = true;
      signal?.throwIfAborted();
      if (this.local) await phase(status, 'load the Istio and Bookinfo images', () => this.loadLocalImages(signal));
      else if (this.opts.preloadImages) {
        const platform = `linux/${pre.docker.arch || 'amd64'}`;
        const images = [...istioImages(this.versions), ...imagesOf(pinBookinfoImages(opts.base, this.versions))];
        await phase(status, `preload ${images.length} images`, () =>
          preloadImages(images, {
            runner: this.runner,
            kind: this.kind,
            cluster: this.cluster,
            cacheDir: this.paths.cacheDir,
            platform,
            signal,
          }),
        );
      }
      await this.installGatewayApiCrds(status, signal);
      // Puts the binary where the connection's istioctl expects it (istioctlBinary).
      await phase(status, `istioctl ${this.versions.istio}`, () => this.ensureIstioctl(status, signal));
      await this.installIstio(status, signal);
      this.made.istio = true;
      signal?.throwIfAborted();
      const base = pinBookinfoImages(opts.base, this.versions);
      const deployed = await deployBase(
        this.connected(),
        { base, apply: (objects, o) => this.apply(objects, o), timeouts: this.timeouts },
        status,
        signal,
      );
      this.made.bookinfo = true;
      const url = await this.ingressUrl();
      await phase(status, `HTTP readiness through ${url}`, () =>
        waitForHttpReady(url, {
          timeoutMs: this.timeouts.readinessMs,
          paths: readinessPaths(deployed.deploymentsChanged),
          signal,
        }),
      );
    } catch (err) {
      if (signal?.aborted) {
        note(status, this.whatExists());
        throw new InterruptedError(typeof signal.reason === 'string' ? signal.reason : 'SIGINT');
      }
      throw err;
    }
  }

  /**
   * The Gateway API's standard CRDs, verified against the pinned sha256, before Istio (as Istio's
   * docs order it). Without a pin they are left out, said once: Istio-API plans do not need them,
   * and a plan that applies Gateway API objects then stops with the reason (fails closed).
   */
  private async installGatewayApiCrds(status: UpEmit, signal?: AbortSignal): Promise<void> {
    const problem = crdPinProblem(this.versions);
    if (problem) {
      note(status, `${problem}: the Gateway API CRDs are not installed (${CRD_PIN_HINT})`);
      return;
    }
    await phase(status, `Gateway API ${this.versions.gatewayApi} CRDs (standard channel)`, () =>
      this.applyCrds(status, signal),
    );
  }

  private async applyCrds(status: UpEmit, signal?: AbortSignal): Promise<string> {
    const n = await applyGatewayApiCrds({
      kube: this.connected().kube,
      versions: this.versions,
      // The local build's copies (from the Go module, at build time) need no download.
      cacheDir: this.local?.gatewayApiDir ?? this.paths.cacheDir,
      onProgress: (m) => note(status, m),
      signal,
    });
    this.crdsInstalled = true;
    return `${n} CRDs`;
  }

  /**
   * Gateway API objects need the CRDs (installed now if `up` could not), and a Gateway of class
   * istio gets its Service made a NodePort on the mapped port (gateway-api.ts). The outcomes
   * answer for the objects given, not for the ConfigMap added.
   */
  async apply(objects: LoadedObject[], opts: { signal?: AbortSignal } = {}): Promise<ApplyOutcome[]> {
    const apply = (batch: LoadedObject[]) =>
      applyObjects(this.connected(), batch, { makeBeforeBreakMs: this.makeBeforeBreakMs, ...opts });
    if (!usesGatewayApi(objects)) return apply(objects);
    if (
      !this.crdsInstalled &&
      !(await this.connected().kube.get({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: 'httproutes.gateway.networking.k8s.io',
      }))
    ) {
      const problem = crdPinProblem(this.versions);
      if (problem)
        throw new EnvironmentError(`${problem}; this step applies Gateway API objects`, { hint: CRD_PIN_HINT });
      await this.applyCrds(silent, opts.signal);
    }
    const { batch, added } = withNodePortParameters(objects);
    const outcomes = await apply(batch);
    return outcomes.filter((_, i) => !added.has(batch[i]!));
  }

  /**
   * The host port mapped to the Gateway API gateway's node port, once its Deployment is rolled out and it serves
   * Bookinfo.
   */
  async gatewayUrl(gateway: { namespace: string; name: string }, signal?: AbortSignal): Promise<string> {
    if (!this.gatewayApiMapped) {
      throw new EnvironmentError(
        `kind cluster "${this.cluster}" does not map node port ${GATEWAY_API_NODE_PORT} ` +
          '(it was created before meshproof mapped the Gateway API gateway)',
        {
          hint: 'recreate it: `meshproof down --target kind`, then `meshproof up --target kind`',
        },
      );
    }
    await waitForDeployments(
      this.connected(),
      gateway.namespace,
      [`${gateway.name}-istio`],
      this.timeouts.rolloutMs,
      signal,
    );
    const url = `http://127.0.0.1:${this.gatewayApiHostPort}`;
    await waitForHttpReady(url, {
      timeoutMs: this.timeouts.readinessMs,
      paths: ['/productpage'],
      signal,
    });
    return url;
  }

  /** One line for an interrupted `up`: what exists now and how to remove it. */
  whatExists(): string {
    if (!this.made.cluster)
      return (
        `interrupted before kind cluster "${this.cluster}" was ready; a partial one may exist: ` +
        '`meshproof down --target kind` removes it'
      );
    const parts = [
      `kind cluster "${this.cluster}" exists`,
      this.made.istio ? 'Istio installed' : 'Istio not (fully) installed',
      this.made.bookinfo ? 'Bookinfo deployed' : 'Bookinfo not (fully) deployed',
    ];
    return (
      `interrupted: ${parts.join(', ')}; \`meshproof up --target kind\` continues, ` +
      '`meshproof down --target kind` deletes it'
    );
  }

  async down(): Promise<void> {
    // The local build's dockerd may have been stopped since `up`: kind needs it to delete the node.
    if (this.local) await this.ensureLocalDockerd(silent);
    const r = await this.runner.run(this.kind.binary, this.kind.deleteArgs(this.cluster, this.paths.kubeconfig), {
      timeoutMs: 5 * 60_000,
    });
    if (r.exitCode === 127)
      throw new EnvironmentError('cannot delete the kind cluster: the kind command is not installed', {
        hint: 'remove the Docker container yourself: `docker rm -f meshproof-control-plane`',
      });
    if (r.exitCode !== 0)
      throw new CommandError(
        [this.kind.binary, ...this.kind.deleteArgs(this.cluster, this.paths.kubeconfig)],
        r.exitCode,
        r.stderr,
      );
    await rm(this.paths.kubeconfig, { force: true });
    await rm(this.paths.kindConfig, { force: true });
    await rm(this.paths.overlay, { force: true });
    const restored = await restoreHost(hostRecordFile(this.hostDir, this.cluster));
    if (restored?.failures.length)
      throw new EnvironmentError(
        `kind cluster "${this.cluster}" deleted, but host settings could not be set back: ` +
          restored.failures.join('; '),
      );
    if (this.opts.deleteCacheOnDown) await rm(this.paths.cacheDir, { recursive: true, force: true });
  }

  /** Starts dockerd for the local build when none runs (with the capability wrapper this host needs). */
  private async ensureLocalDockerd(status: UpEmit): Promise<string> {
    const d = await ensureDockerd({
      runner: this.runner,
      stateDir: this.hostDir,
      capfilter: this.local!.capfilter,
      onProgress: (m) => note(status, m),
    });
    if (d.warning) note(status, d.warning, 'warn');
    return d.started ? `started (pid ${d.record?.pid}); \`npm run kind:build -- stop-docker\` stops it` : 'running';
  }

  /** The build's Istio and Bookinfo images into the node, unless the node already holds them all. */
  private async loadLocalImages(signal?: AbortSignal): Promise<string> {
    const m = this.local!;
    const node = `${this.cluster}-control-plane`;
    const have = await this.runner.run('docker', ['exec', node, 'crictl', 'images', '-o', 'json'], {
      timeoutMs: 30_000,
    });
    const wanted = [...istioImages(this.versions), ...BOOKINFO_STAND_INS.map((n) => bookinfoImage(this.versions, n))];
    if (have.exitCode === 0 && wanted.every((ref) => have.stdout.includes(`"${ref}"`))) return 'already in the node';
    await checked(this.runner, this.kind.binary, this.kind.loadImageArchiveArgs(this.cluster, m.meshImages), {
      timeoutMs: 10 * 60_000,
      ...(signal ? { signal } : {}),
    });
    return `${m.istioHub}/*:${m.istioTag} from ${m.meshImages}`;
  }

  async get(key: ObjectKey): Promise<KubeObject | null> {
    return this.connected().kube.get(key);
  }

  async proxies(namespace: string): Promise<ProxyInfo[]> {
    return listProxies(this.connected(), namespace);
  }

  /** The API server answers and istiod has a Ready pod (cluster/health.ts). */
  async health(): Promise<string | null> {
    return clusterHealth(this.connection);
  }

  async proxyRoutes(proxy: ProxyInfo): Promise<unknown[] | null> {
    return readProxyRoutes(this.connection, proxy);
  }

  /** From the proxies' access logs: the demo profile `up` installs turns access logging on. */
  async upstreamErrors(namespace: string, sinceMs: number): Promise<Record<string, number> | null> {
    return readUpstreamErrors(this.connected(), namespace, sinceMs);
  }

  /**
   * In a process that did not run `up` (e.g. after a failed run), connects through the cached kubeconfig if there is
   * one; kind's logs either way.
   */
  async diagnostics(dir: string): Promise<string[]> {
    const istioctl = this.istioctlBinary();
    const usable = istioctl === this.givenIstioctl || (istioctl !== null && existsSync(istioctl));
    const cluster = this.connection ?? reconnect(this.connectSpec('default', usable ? istioctl : null));
    const kindLogs: DiagnosticPart = {
      file: 'kind-logs',
      collect: async () => {
        await checked(this.runner, this.kind.binary, this.kind.exportLogsArgs(this.cluster, join(dir, 'kind-logs')), {
          timeoutMs: 5 * 60_000,
        });
        return null;
      },
    };
    return writeClusterDiagnostics(dir, cluster, () => [kindLogs]);
  }

  async close(): Promise<void> {
    /* nothing held open: watches end with each wait */
  }

  /** This cluster through the kubeconfig kind writes into the cache, with `istioctl` (null: none usable). */
  private connectSpec(namespace: string, istioctl: string | null): ConnectSpec & { kubeconfig: string } {
    return { kubeconfig: this.paths.kubeconfig, namespace, istioctl, runner: this.runner };
  }

  /**
   * The istioctl given, else the pinned release where ensureIstioctl puts it; null on a platform without one (the
   * istioctl phase says so).
   */
  private istioctlBinary(): string | null {
    if (this.givenIstioctl) return this.givenIstioctl;
    try {
      return istioctlCachePath(this.paths.cacheDir, this.versions.istio, istioctlArch());
    } catch {
      return null;
    }
  }

  private connected(): ClusterConnection {
    return connected(this.connection, this.name);
  }

  /** `kind create cluster` from the generated config, retried (kind's own CI retries too). */
  private async create(status: UpEmit, signal?: AbortSignal): Promise<string> {
    if (!(await portFree(this.hostPort))) {
      throw new EnvironmentError(`host port 127.0.0.1:${this.hostPort} is in use; the cluster maps the ingress there`, {
        hint: 'free it, or pass --host-port N',
      });
    }
    const config = withLocalNodeConfig(
      kindConfig({
        nodeImage: this.versions.nodeImage,
        hostPort: this.hostPort,
        nodePort: DEFAULT_HTTP_NODE_PORT,
        gatewayApiHostPort: this.gatewayApiHostPort,
      }),
      localNodeConfig({ cgroupVersion: this.cgroupVersion, nftables: this.local !== null }),
    );
    await writeFile(this.paths.kindConfig, stringify(config));
    // kubelet rewrites host sysctls (the node shares the host's kernel): recorded now, set back by `down`.
    await recordHost(hostRecordFile(this.hostDir, this.cluster));
    const attempts = this.opts.createAttempts ?? 3;
    const args = this.kind.createArgs(
      this.cluster,
      this.paths.kindConfig,
      this.paths.kubeconfig,
      this.timeouts.createWait,
    );
    let last: CommandError | undefined;
    for (let i = 1; i <= attempts; i++) {
      const r = await this.runner.run(this.kind.binary, args, {
        timeoutMs: 15 * 60_000,
        signal,
      });
      if (r.exitCode === 0) return `attempt ${i}`;
      signal?.throwIfAborted();
      last = new CommandError([this.kind.binary, ...args], r.exitCode, r.stderr, { hint: createHint(r.stderr) });
      if (/port is already allocated|address already in use/i.test(r.stderr) || i === attempts) break;
      note(status, `kind create failed (attempt ${i}/${attempts}); deleting the partial cluster and retrying`, 'warn');
      await this.runner.run(this.kind.binary, this.kind.deleteArgs(this.cluster, this.paths.kubeconfig), {
        timeoutMs: 5 * 60_000,
      });
      await sleep(this.timeouts.createRetryDelayMs, undefined, signal ? { signal } : undefined);
    }
    throw last!;
  }

  /** A cluster of this name exists: write its kubeconfig, and connect to it only if it answers and maps the port. */
  private async attach(namespace: string): Promise<ClusterConnection> {
    const fix =
      `delete it with \`meshproof down --target kind\` (or \`kind delete cluster --name ${this.cluster}\`) ` +
      'and run up again';
    let text: string;
    try {
      text = await this.kind.kubeconfig(this.cluster);
    } catch (err) {
      throw new EnvironmentError(
        `kind cluster "${this.cluster}" exists but kind cannot give its kubeconfig: ${(err as Error).message}`,
        { cause: err, hint: fix },
      );
    }
    // Owner-only, whatever mode an older file had: it holds the cluster's admin credentials.
    await writePrivateFile(this.paths.kubeconfig, text);
    const connection = connectCluster(this.connectSpec(namespace, this.istioctlBinary()));
    try {
      await withDeadline(connection.kube.list('v1', 'Namespace'), 10_000, 'the API server did not answer within 10s');
    } catch (err) {
      throw new EnvironmentError(
        `kind cluster "${this.cluster}" exists but is not healthy: ${(err as Error).message}`,
        { cause: err, hint: fix },
      );
    }
    const port = await this.runner.run(
      'docker',
      dockerArgs.portOf(`${this.cluster}-control-plane`, `${DEFAULT_HTTP_NODE_PORT}/tcp`),
      { timeoutMs: 10_000 },
    );
    const mapped = port.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (port.exitCode === 0 && !mapped.includes(`127.0.0.1:${this.hostPort}`)) {
      throw new EnvironmentError(
        `kind cluster "${this.cluster}" maps node port ${DEFAULT_HTTP_NODE_PORT} to ` +
          `${mapped.join(', ') || 'nothing'}, not 127.0.0.1:${this.hostPort}`,
        {
          hint: `pass the port it uses with --host-port, or ${fix}`,
        },
      );
    }
    const gw = await this.runner.run(
      'docker',
      dockerArgs.portOf(`${this.cluster}-control-plane`, `${GATEWAY_API_NODE_PORT}/tcp`),
      { timeoutMs: 10_000 },
    );
    // docker says "No public port" for a port the cluster does not map; any other failure leaves it unknown (assumed
    // mapped).
    this.gatewayApiMapped =
      gw.exitCode === 0
        ? gw.stdout.includes(`127.0.0.1:${this.gatewayApiHostPort}`)
        : !/no public port/i.test(gw.stderr);
    return connection;
  }

  /** An istioctl passed in, or the local build's. */
  private get givenIstioctl(): string | undefined {
    return this.opts.istioctlPath ?? this.local?.istioctl;
  }

  private async ensureIstioctl(status: UpEmit, signal?: AbortSignal): Promise<string> {
    if (this.givenIstioctl) return this.givenIstioctl;
    return ensureIstioctl({
      version: this.versions.istio,
      baseUrl: this.versions.istioDownloadBase,
      cacheDir: this.paths.cacheDir,
      runner: this.runner,
      onProgress: (m) => note(status, m),
      signal,
    });
  }

  private async installIstio(status: UpEmit, signal?: AbortSignal): Promise<void> {
    await installIstioWith(
      this.connected(),
      {
        versions: this.versions,
        overlayFile: this.paths.overlay,
        overlay: { httpNodePort: DEFAULT_HTTP_NODE_PORT },
        reuse: this.opts.reuse ?? false,
        installMs: this.timeouts.istioInstallMs,
        rolloutMs: this.timeouts.rolloutMs,
      },
      status,
      signal,
    );
  }
}

function createHint(stderr: string): string {
  if (/port is already allocated|address already in use/i.test(stderr))
    return 'the host port is taken: free it or pass --host-port N';
  if (/cgroup/i.test(stderr))
    return 'Kubernetes ≥ 1.35 node images need cgroup v2 on the Docker host (`meshproof doctor`)';
  if (/too many open files|inotify/i.test(stderr))
    return 'raise inotify limits: sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512';
  return 'run `meshproof doctor`; kind logs: `kind export logs --name <cluster>`';
}

async function withDeadline<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
