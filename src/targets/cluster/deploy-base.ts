/**
 * Deploying the base environment (Bookinfo, its gateway and destination rules) into the
 * connection's namespace: injection label first, then the objects, then every rollout, then the
 * sidecar check. Shared by the cluster targets that deploy Bookinfo.
 */
import { EnvironmentError } from '../../core/errors.js';
import type { LoadedObject } from '../../kube/manifest.js';
import { listPods, podsWithoutSidecar } from '../../kube/pods.js';
import { waitForRollout } from '../../kube/rollout.js';
import { phase } from '../phase.js';
import type { Target, UpEmit } from '../target.js';
import { INJECTION_LABEL, type ClusterTimeouts } from './cluster-target.js';
import type { ClusterConnection } from './connection.js';

export interface BaseDeployment {
  base: readonly LoadedObject[];
  /** The target's own apply (kind's adds what Gateway API objects need). */
  apply: Target['apply'];
  timeouts: ClusterTimeouts;
}

/**
 * Labels the namespace for injection, applies the base (the namespace first), waits for every
 * Deployment to roll out, then checks that every pod runs a sidecar. Returns whether a Deployment
 * was created or changed (its pods may be new, and their apps not serving yet).
 */
export async function deployBase(
  cluster: ClusterConnection,
  d: BaseDeployment,
  status: UpEmit,
  signal?: AbortSignal,
): Promise<{ deploymentsChanged: boolean }> {
  const { namespace } = cluster;
  await phase(status, `label namespace ${namespace} for sidecar injection`, () =>
    cluster.kube.ensureNamespace(namespace, { ...INJECTION_LABEL }),
  );
  signal?.throwIfAborted();
  const applied = await phase(
    status,
    'apply Bookinfo, gateway and destination rules',
    () => d.apply([...d.base], signal ? { signal } : {}),
    (r) => `${r.length} objects`,
  );
  const deploymentsChanged = applied.some((a) => a.ref.startsWith('Deployment ') && a.action !== 'unchanged');
  const deployments = d.base.map((l) => l.object).filter((o) => o.kind === 'Deployment');
  await phase(status, `wait for ${deployments.length} Deployments to roll out`, () =>
    Promise.all(
      deployments.map((o) =>
        waitForRollout(cluster.kube, cluster.kubeConfig, o.metadata.namespace ?? namespace, o.metadata.name, {
          timeoutMs: d.timeouts.rolloutMs,
          signal,
        }),
      ),
    ),
  );
  await phase(
    status,
    'check sidecars',
    () => checkSidecars(cluster, namespace),
    (detail) => detail,
  );
  return { deploymentsChanged };
}

async function checkSidecars(cluster: ClusterConnection, namespace: string): Promise<string> {
  const pods = await listPods(cluster.kube, namespace);
  const missing = podsWithoutSidecar(pods.filter((p) => p.state !== 'Succeeded'));
  if (missing.length) {
    throw new EnvironmentError(
      `no istio-proxy sidecar in ${missing.length} pod(s) of ${namespace}: ${missing.join(', ')}`,
      {
        hint:
          `pods created before the namespace had ${Object.keys(INJECTION_LABEL)[0]}=enabled have none: ` +
          'restart their Deployments',
      },
    );
  }
  return `${pods.length} pods, all with sidecars`;
}

/** Waits for named Deployments (e.g. istiod and the gateway) to roll out. */
export async function waitForDeployments(
  cluster: ClusterConnection,
  namespace: string,
  names: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  await Promise.all(
    names.map((n) => waitForRollout(cluster.kube, cluster.kubeConfig, namespace, n, { timeoutMs, signal })),
  );
}
