/**
 * What every cluster target shares once it can reach a cluster: server-side apply and read-back
 * through the Kubernetes API, pods and proxies, proxy routes through istioctl, deploying the base
 * environment (injection-labelled namespace, Bookinfo, gateway, destination rules) with rollout
 * waits and sidecar checks, and the diagnostics bundle. KindTarget and ExistingTarget differ only
 * in how the cluster comes to exist and how the ingress is reached.
 */
import { GATEWAY_NAME_LABEL } from '../../istio/gateway-api/httproute-convert.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { EnvironmentError, InputError } from '../../core/errors.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { KubeClient } from '../../kube/client.js';
import { loadKubeConfig } from '../../kube/kubeconfig.js';
import { CLUSTER_SCOPED_KINDS, type KubeObject, type LoadedObject } from '../../kube/manifest.js';
import { formatEvents, listEvents } from '../../kube/events.js';
import { containerNames, hasSidecar, isPodReady, listPods, podAddresses, podLog, podsWithoutSidecar, SIDECAR_NAME, type PodSummary } from '../../kube/pods.js';
import { failureLines, hasAccessLogLine, upstreamErrorsFromLogs, type ProxyLog } from '../upstream-errors.js';
import { waitForRollout } from '../../kube/rollout.js';
import { validateObject } from '../../istio/validate/validate.js';
import { ANALYZE_ISSUES_FOUND, type Istioctl } from '../../istio/install/istioctl.js';
import type { CommandRunner } from '../../core/process.js';
import { istioOperatorOverlayYaml, type OverlayOptions } from '../../istio/install/overlay.js';
import type { Versions } from '../../istio/install/versions.js';
import { writeDiagnostics, type DiagnosticPart } from '../diagnostics.js';
import { note, phase } from '../phase.js';
import type { ApplyOutcome, ObjectKey, UpEmit, ProxyInfo, Target, TargetName, TargetTraits, UpOptions } from '../target.js';

export const ISTIO_NAMESPACE = 'istio-system';
export const GATEWAY_SELECTOR = 'istio=ingressgateway';
export const INJECTION_LABEL = { 'istio-injection': 'enabled' } as const;

export interface ClusterTimeouts {
  /** Per Deployment rollout. Default 5 min (the reviews JVM image is large and slow to start). */
  rolloutMs: number;
  /** HTTP readiness through the ingress. Default 3 min. */
  readinessMs: number;
}

/** Log read per proxy for upstreamErrors: ~10,000 access log lines of a few hundred bytes (the earliest, when a step logged more). */
const ACCESS_LOG_LIMIT_BYTES = 4 * 1024 * 1024;

export interface IstioInstall {
  versions: Pick<Versions, 'istio' | 'istioHub'>;
  overlayFile: string;
  overlay: OverlayOptions;
  /** Keep an installed Istio even when its version differs from the pin. */
  reuse: boolean;
  installMs: number;
  rolloutMs: number;
}

export const DEFAULT_TIMEOUTS: ClusterTimeouts = { rolloutMs: 5 * 60_000, readinessMs: 3 * 60_000 };

export abstract class ClusterTarget implements Target {
  abstract readonly name: TargetName;
  readonly traits: TargetTraits = { lifetime: 'environment', servesWhile: 'environment', settlePollMs: 1_000 };
  abstract describe(): string;
  abstract up(opts: UpOptions): Promise<void>;
  abstract ingressUrl(): Promise<string>;
  abstract down(): Promise<void>;

  protected kc: KubeConfig | undefined;
  protected client: KubeClient | undefined;
  protected istioctl: Istioctl | null = null;
  /** The namespace `up` deployed into, for diagnostics. */
  protected namespace = 'default';
  /** Pause between DestinationRules and VirtualServices of one batch. */
  protected makeBeforeBreakMs = 1000;

  constructor(protected readonly runner: CommandRunner) {}

  protected connect(kubeconfig: string | undefined, context: string | undefined): void {
    this.kc = loadKubeConfig({ ...(kubeconfig ? { kubeconfig } : {}), ...(context ? { context } : {}) });
    this.client = new KubeClient(this.kc);
  }

  protected get kube(): KubeClient {
    if (!this.client) throw new EnvironmentError(`the ${this.name} target is not connected to a cluster yet`, { hint: 'run `meshproof up` first' });
    return this.client;
  }

  protected get kubeConfig(): KubeConfig {
    if (!this.kc) throw new EnvironmentError(`the ${this.name} target is not connected to a cluster yet`);
    return this.kc;
  }

  async apply(objects: LoadedObject[], opts: { signal?: AbortSignal } = {}): Promise<ApplyOutcome[]> {
    const issues = objects.flatMap(validateObject);
    if (issues.length) throw new InputError(issues);
    const results = await this.kube.applyAll(objects.map((l) => this.inNamespace(l)), { makeBeforeBreakMs: this.makeBeforeBreakMs, ...(opts.signal ? { signal: opts.signal } : {}) });
    return results.map(({ ref, action }) => ({ ref, action }));
  }

  /** Namespaced objects without a namespace go to the namespace `up` deployed into, not the kubeconfig's default. */
  protected inNamespace(l: LoadedObject): LoadedObject {
    if (l.object.metadata.namespace || CLUSTER_SCOPED_KINDS.has(l.object.kind)) return l;
    return { object: { ...l.object, metadata: { ...l.object.metadata, namespace: this.namespace } }, source: l.source };
  }

  async get(key: ObjectKey): Promise<KubeObject | null> {
    return this.kube.get(key);
  }

  /** The Service ingress traffic goes through: its endpoints are the gateway pods that serve it. */
  protected ingressService = { namespace: ISTIO_NAMESPACE, name: 'istio-ingressgateway' };

  /** Ready application pods with a sidecar in `namespace`, and the ready ingress gateway pods. */
  async proxies(namespace: string): Promise<ProxyInfo[]> {
    const pods = (await listPods(this.kube, namespace)).filter((p) => p.ready);
    // Gateways Istio deploys for Gateway API Gateways live beside the apps, labelled with their Gateway's name.
    const own = (p: { labels: Record<string, string> }) => p.labels[GATEWAY_NAME_LABEL] !== undefined;
    const sidecars = pods.filter((p) => p.sidecar && !own(p));
    const gateways = [...(await this.gatewayPods()), ...pods.filter(own)];
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
  protected async gatewayPods(): Promise<PodSummary[]> {
    const { namespace, name } = this.ingressService;
    const slices = await this.kube.list('discovery.k8s.io/v1', 'EndpointSlice', namespace, { labelSelector: `kubernetes.io/service-name=${name}` }).catch(() => ({ items: [] as KubeObject[] }));
    const endpoints = new Set(
      slices.items.flatMap((s) => ((s as any).endpoints ?? []) as { conditions?: { ready?: boolean }; targetRef?: { kind?: string; name?: string; namespace?: string } }[])
        .filter((e) => e.conditions?.ready !== false && e.targetRef?.kind === 'Pod' && e.targetRef.name)
        .map((e) => `${e.targetRef!.namespace ?? namespace}/${e.targetRef!.name}`),
    );
    const namespaces = new Set([...endpoints].map((k) => k.split('/')[0]!));
    const backing = (await Promise.all([...namespaces].map((ns) => listPods(this.kube, ns)))).flat().filter((p) => endpoints.has(`${p.namespace}/${p.name}`));
    const labelled = await listPods(this.kube, ISTIO_NAMESPACE, GATEWAY_SELECTOR);
    const byKey = new Map([...backing, ...labelled].map((p) => [`${p.namespace}/${p.name}`, p]));
    return [...byKey.values()].filter((p) => p.ready);
  }

  async proxyRoutes(proxy: ProxyInfo): Promise<unknown[] | null> {
    if (!this.istioctl) return null;
    return this.istioctl.proxyRoutes(proxy.pod, proxy.namespace);
  }

  /**
   * Which pods failed since `sinceMs`, from the proxies' access logs through the API (the
   * `istio-proxy` container of each app pod and of the ingress gateway). Access logging is on in
   * the demo profile `up --target kind` installs; where it is off no line parses and the answer is
   * null. The log lines carry the proxies' clock, so a cluster's clock skew shifts the window.
   */
  async upstreamErrors(namespace: string, sinceMs: number): Promise<Record<string, number> | null> {
    const [apps, gateways] = await Promise.all([this.kube.list('v1', 'Pod', namespace), this.kube.list('v1', 'Pod', ISTIO_NAMESPACE, { labelSelector: GATEWAY_SELECTOR })]);
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
        text = await podLog(this.kubeConfig, p.metadata.namespace ?? namespace, p.metadata.name, SIDECAR_NAME, { sinceSeconds, limitBytes: ACCESS_LOG_LIMIT_BYTES });
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

  async diagnostics(dir: string): Promise<string[]> {
    try {
      return await writeDiagnostics(dir, this.diagnosticParts(dir));
    } catch {
      return [];
    }
  }

  async close(): Promise<void> {
    /* nothing held open: watches end with each wait */
  }

  /**
   * Labels the namespace for injection, applies the base (the namespace first), waits for every
   * Deployment to roll out, then checks that every pod runs a sidecar.
   */
  protected async deployBase(base: readonly LoadedObject[], namespace: string, status: UpEmit, timeouts: ClusterTimeouts, signal?: AbortSignal): Promise<void> {
    this.namespace = namespace;
    await phase(status, `label namespace ${namespace} for sidecar injection`, () => this.kube.ensureNamespace(namespace, { ...INJECTION_LABEL }));
    signal?.throwIfAborted();
    await phase(
      status,
      'apply Bookinfo, gateway and destination rules',
      () => this.apply([...base], signal ? { signal } : {}),
      (r) => `${r.length} objects`,
    );
    const deployments = base.map((l) => l.object).filter((o) => o.kind === 'Deployment');
    await phase(
      status,
      `wait for ${deployments.length} Deployments to roll out`,
      () => Promise.all(deployments.map((d) => waitForRollout(this.kube, this.kubeConfig, d.metadata.namespace ?? namespace, d.metadata.name, { timeoutMs: timeouts.rolloutMs, ...(signal ? { signal } : {}) }))),
    );
    await phase(status, 'check sidecars', () => this.checkSidecars(namespace), (d) => d);
  }

  protected async checkSidecars(namespace: string): Promise<string> {
    const pods = await listPods(this.kube, namespace);
    const missing = podsWithoutSidecar(pods.filter((p) => p.state !== 'Succeeded'));
    if (missing.length) {
      throw new EnvironmentError(`no istio-proxy sidecar in ${missing.length} pod(s) of ${namespace}: ${missing.join(', ')}`, {
        hint: `pods created before the namespace had ${Object.keys(INJECTION_LABEL)[0]}=enabled have none: restart their Deployments`,
      });
    }
    return `${pods.length} pods, all with sidecars`;
  }

  /**
   * istioctl install with the overlay, unless istiod already runs the pinned version (or `reuse`),
   * then waits for istiod and the ingress gateway. Shared by the targets that install Istio.
   */
  protected async installIstioWith(o: IstioInstall, status: UpEmit, signal?: AbortSignal): Promise<void> {
    const istiod = await this.kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'istiod', namespace: ISTIO_NAMESPACE });
    const image: string = istiod?.spec?.template?.spec?.containers?.[0]?.image ?? '';
    const current = istiod ? (/:([^:@/]+)(?:@.*)?$/.exec(image)?.[1] ?? 'unknown') : null;
    const pinned = o.versions.istio;
    if (current && (current === pinned || o.reuse)) {
      note(status, `Istio ${current} already installed${current === pinned ? '' : ` (pinned: ${pinned}; kept because of --reuse)`}`);
    } else {
      // Precheck exits non-zero on mere warnings: what it says is shown, the install decides.
      const pre = await this.istioctl!.precheck(signal ? { signal } : {});
      if (pre.exitCode !== 0) note(status, `istioctl x precheck: ${(pre.stderr || pre.stdout).trim().split('\n').slice(-3).join(' | ') || `exit ${pre.exitCode}`}`, 'warn');
      await writeFile(o.overlayFile, istioOperatorOverlayYaml(o.versions, o.overlay));
      await phase(status, `install Istio ${pinned}${current ? ` (replacing ${current})` : ''}`, () =>
        this.istioctl!.install(o.overlayFile, { timeoutMs: o.installMs, ...(signal ? { signal } : {}) }),
      );
    }
    await phase(status, 'wait for istiod and the ingress gateway', () => this.waitForDeployments(ISTIO_NAMESPACE, ['istiod', 'istio-ingressgateway'], o.rolloutMs, signal));
  }

  /** Waits for named Deployments (e.g. istiod and the gateway) to roll out. */
  protected async waitForDeployments(namespace: string, names: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await Promise.all(names.map((n) => waitForRollout(this.kube, this.kubeConfig, namespace, n, { timeoutMs, ...(signal ? { signal } : {}) })));
  }

  /** Parts every cluster bundle has; subclasses add their own (kind export logs). */
  protected diagnosticParts(dir: string): DiagnosticPart[] {
    const namespaces = [...new Set([this.namespace, ISTIO_NAMESPACE])];
    const parts: DiagnosticPart[] = [];
    for (const ns of namespaces) {
      parts.push({ file: `events-${ns}.txt`, collect: async () => formatEvents(await listEvents(this.kube, ns)) });
      parts.push({
        file: `pods-${ns}.txt`,
        collect: async () => (await listPods(this.kube, ns)).map((p) => `${p.name} ready=${p.ready} sidecar=${p.sidecar} ${p.state}`).join('\n'),
      });
      parts.push({ file: `logs-${ns}`, collect: () => this.writeLogs(join(dir, `logs-${ns}`), ns) });
    }
    if (this.istioctl) {
      const ic = this.istioctl;
      parts.push({ file: 'istioctl-analyze.json', collect: async () => ranOutput(await ic.analyze(this.namespace), [0, ANALYZE_ISSUES_FOUND]) });
      parts.push({ file: 'istioctl-proxy-status.txt', collect: async () => ranOutput(await ic.proxyStatus(), [0]) });
      parts.push({
        file: 'productpage-routes.json',
        collect: async () => {
          const pod = (await listPods(this.kube, this.namespace, 'app=productpage'))[0];
          if (!pod) throw new Error(`no productpage pod in ${this.namespace}`);
          return JSON.stringify(await ic.proxyRoutes(pod.name, pod.namespace), null, 2);
        },
      });
    }
    return parts;
  }

  /** One file per container; a container that fails to give its log gets a file saying why. */
  private async writeLogs(dir: string, namespace: string): Promise<null> {
    await mkdir(dir, { recursive: true });
    const { items } = await this.kube.list('v1', 'Pod', namespace);
    for (const pod of items) {
      for (const c of containerNames(pod)) {
        const file = join(dir, `${pod.metadata.name}_${c}.log`);
        const text = await podLog(this.kubeConfig, namespace, pod.metadata.name, c).catch((err) => `(no log: ${(err as Error).message})`);
        await writeFile(file, text);
      }
    }
    return null;
  }
}

/** Output of a diagnostic command; an unexpected exit becomes an error naming it. */
function ranOutput(r: { exitCode: number | null; stdout: string; stderr: string; timedOut?: boolean }, okCodes: number[]): string {
  if (r.exitCode !== null && okCodes.includes(r.exitCode)) return r.stdout;
  throw new Error(`exit ${r.exitCode ?? (r.timedOut ? 'timeout' : 'signal')}: ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`);
}
