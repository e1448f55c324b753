/**
 * The Target interface: where the mesh is. The runner, the verifier and the reports talk to a
 * Target and never know which one. Implementations: local/ (rehearsal mesh on loopback),
 * kind/ (a kind cluster meshproof creates), existing/ (a cluster that already runs Istio), kwok/ (a
 * real control plane on loopback with faked pods).
 */
import type { KubeObject, LoadedObject } from '../kube/manifest.js';
import type { TargetName } from '../model/results.js';
import type { UpEvent } from '../model/events.js';

export type { TargetName, UpEvent };

export type { ObjectKey, ApplyOutcome } from '../kube/object-key.js';
import type { ObjectKey, ApplyOutcome } from '../kube/object-key.js';

export interface ProxyInfo {
  pod: string;
  namespace: string;
  /** `sidecar` for an application pod's proxy, `gateway` for an ingress gateway pod. */
  role: 'sidecar' | 'gateway';
  labels: Record<string, string>;
}

export interface UpOptions {
  /** Namespace Bookinfo lives in. */
  namespace: string;
  /** Manifests that make the base environment (Bookinfo, gateway, destination rules). */
  base: LoadedObject[];
  signal?: AbortSignal;
  /** Where `up` says what it does: each phase's start and end with its duration, and notes on the way. */
  emit?: UpEmit;
}

export type UpEmit = (e: UpEvent) => void;

/** What callers need to know about a kind of target, so they never branch on its name. */
export interface TargetTraits {
  /**
   * `process`: the environment lives as long as this process (a local mesh stops with it), so
   * keeping it up means keeping the process; `environment`: it outlives the process (a cluster).
   */
  lifetime: 'process' | 'environment';
  /**
   * How long the ingress serves: `process` when the data plane runs in this process (the local
   * mesh; the kwok target's simulated proxies, while its control plane outlives the process).
   */
  servesWhile: 'process' | 'environment';
  /** How often to read proxies while settling: fast on loopback, gentler on an API server. */
  settlePollMs: number;
}

/** Which cluster a target works on: the lease keeps meshproof processes from sharing one unawares (lease.ts). */
export interface LeaseKey {
  /** Equal for two targets on the same cluster: `kwok:<cache folder>`, `kind:<name>@<Docker host>`, `server:<URL>`. */
  id: string;
  /** The cluster in words, for messages: `kind cluster "meshproof"`. */
  cluster: string;
}

export interface WatchOptions {
  /** Says one change: a process that died and was restarted, what another process changed. */
  say: (line: string) => void;
  /** Aborted when serving ends. */
  signal: AbortSignal;
}

export interface Target {
  readonly name: TargetName;
  readonly traits: TargetTraits;
  /** One line that says what this target is, for reports ("local rehearsal mesh (not Istio)"). */
  describe(): string;
  /** Creates or reuses the environment and deploys `base`; resolves when workloads serve. */
  up(opts: UpOptions): Promise<void>;
  /**
   * Applies objects in the order given (server-side apply on a cluster). Refuses the whole batch,
   * applying nothing, when any object is invalid for this target.
   */
  apply(objects: LoadedObject[], opts?: { signal?: AbortSignal }): Promise<ApplyOutcome[]>;
  /** Reads an object back as the cluster holds it; null when absent. */
  get(key: ObjectKey): Promise<KubeObject | null>;
  /** The ingress gateway's base URL as the host sees it, e.g. `http://127.0.0.1:18080`. */
  ingressUrl(): Promise<string>;
  /**
   * Optional. The base URL, as the host sees it, of the gateway Istio deploys for a Gateway API
   * Gateway of class istio (its own pods and Service), once it answers HTTP. A target without it
   * cannot run a plan whose setup applies such a Gateway.
   */
  gatewayUrl?(gateway: { namespace: string; name: string }, signal?: AbortSignal): Promise<string>;
  /** The proxies in a namespace (sidecars) and the ingress gateway pods. */
  proxies(namespace: string): Promise<ProxyInfo[]>;
  /**
   * What a proxy holds, in the shape `istioctl proxy-config routes <pod> -o json` prints (an array
   * of Envoy RouteConfiguration). null when this target cannot read proxies (then settling falls
   * back to traffic).
   */
  proxyRoutes(proxy: ProxyInfo): Promise<unknown[] | null>;
  /**
   * Optional. Server errors (5xx) that upstream pods answered, or that a proxy answered on their
   * behalf (connect failure, reset, timeout towards that pod), since `sinceMs` (epoch ms), counted
   * per pod name. A client never learns which pod behind a route failed; only the proxies' access
   * logs say, so this reads them. A failure a pod merely passed on from its own upstream (same
   * request id) is counted at the deepest pod in the chain. null when access logging is off;
   * throws when no log could be read (no permission); a target without access logs leaves it out.
   */
  upstreamErrors?(namespace: string, sinceMs: number): Promise<Record<string, number> | null>;
  /**
   * Optional. What is wrong right now with the environment a run depends on — the API server (and
   * etcd behind it), istiod, the processes that run them — or null when it stands. Answers within a
   * few seconds (it has its own deadlines) and never throws. The runner asks while a step settles
   * and when a step does not pass: a control plane that died mid-step is an environment failure
   * (exit 3), not a verdict. A target whose environment lives in this process leaves it out.
   */
  health?(): Promise<string | null>;
  /** Writes what helps explain a failure into `dir`; returns the files written. Never throws. */
  diagnostics(dir: string): Promise<string[]>;
  /** Deletes what `up` created. */
  down(): Promise<void>;
  /** Releases local resources (servers, watches) without deleting the environment. */
  close(): Promise<void>;
  /**
   * Which cluster this target works on, read from its options without connecting; null where the
   * environment lives in this process (the local mesh: no other process can reach it).
   */
  leaseKey(): LeaseKey | null;
  /**
   * Optional. While this process serves the environment (`up` until Ctrl-C): looks after it,
   * restarting in place what died where it can, and says each change it sees, its own repairs and
   * another process's alike. Resolves when `signal` aborts; rejects (an EnvironmentError) once the
   * environment it serves is gone from under it.
   */
  watch?(o: WatchOptions): Promise<void>;
}
