/**
 * Deployments → pods. Each Deployment runs `replicas` pods named like a ReplicaSet's, labelled from
 * the pod template (plus `pod-template-hash`), running the app the catalog has for the first
 * container's image. A changed template replaces the pods; a changed replica count scales.
 */
import type { Random } from '../core/random.js';
import type { KubeObject } from '../kube/manifest.js';
import type { AppCatalog } from './app.js';
import { Pod } from './pod.js';
import { podName, templateHash } from './pod-names.js';
import type { ConfigStore } from './store.js';

interface DeploymentState {
  hash: string;
  pods: Pod[];
}

export interface WorkloadChange {
  added: Pod[];
  removed: Pod[];
}

export class Workloads {
  /** Running pods by name. */
  readonly pods = new Map<string, Pod>();
  private readonly deployments = new Map<string, DeploymentState>();

  constructor(
    private readonly catalog: AppCatalog,
    private readonly seed: number,
    private readonly random: Random,
  ) {}

  /** Works out which pods to add and remove for the Deployments in the store; starts the new ones. */
  async reconcile(store: ConfigStore): Promise<WorkloadChange> {
    const added: Pod[] = [];
    const removed: Pod[] = [];
    const seen = new Set<string>();
    for (const { key, object } of store.entries('Deployment')) {
      seen.add(key);
      const hash = templateHash(
        this.seed,
        `${object.metadata.namespace}/${object.metadata.name}`,
        object.spec?.template,
      );
      const replicas = Math.max(0, Number(object.spec?.replicas ?? 1));
      let state = this.deployments.get(key);
      if (state && state.hash !== hash) {
        removed.push(...state.pods);
        state = undefined;
      }
      state ??= { hash, pods: [] };
      this.deployments.set(key, state);
      while (state.pods.length > replicas) removed.push(state.pods.pop()!);
      while (state.pods.length < replicas) {
        const pod = this.newPod(key, object, hash);
        state.pods.push(pod);
        added.push(pod);
      }
    }
    for (const [key, state] of this.deployments) {
      if (seen.has(key)) continue;
      removed.push(...state.pods);
      this.deployments.delete(key);
    }
    for (const p of removed) this.pods.delete(p.name);
    await Promise.all(added.map((p) => p.start()));
    for (const p of added) this.pods.set(p.name, p);
    return { added, removed };
  }

  /** Pods of a Deployment (by store key), oldest first. */
  podsOf(key: string): readonly Pod[] {
    return this.deployments.get(key)?.pods ?? [];
  }

  private newPod(key: string, d: KubeObject, hash: string): Pod {
    const namespace = d.metadata.namespace ?? 'default';
    const container = d.spec.template.spec.containers[0];
    // The store refuses Deployments with unknown images, so the lookup succeeds here.
    const app = this.catalog.lookup(container.image)!;
    const name = podName(
      d.metadata.name,
      hash,
      this.random.fork(`pods:${key}:${hash}`).fork(String(this.countFor(key))),
      (n) => this.pods.has(n),
    );
    const env: Record<string, string> = { ...app.env };
    for (const e of container.env ?? [])
      if (typeof e?.name === 'string' && e.value !== undefined) env[e.name] = String(e.value);
    env.HOSTNAME = name;
    return new Pod({
      name,
      namespace,
      deployment: d.metadata.name,
      labels: { ...(d.spec.template.metadata?.labels ?? {}), 'pod-template-hash': hash },
      env,
      factory: app.factory,
      random: this.random.fork(`pod-fault:${name}`),
    });
  }

  private created = new Map<string, number>();

  /** How many pods a Deployment has had, so each new pod draws a fresh, reproducible suffix. */
  private countFor(key: string): number {
    const n = (this.created.get(key) ?? 0) + 1;
    this.created.set(key, n);
    return n;
  }
}
